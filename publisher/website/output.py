"""Writing the site: into a new folder beside `--out`, swapped into place when complete, so a
failed build never leaves half a site, and a re-run removes pages that no longer exist.

A folder is replaced only if it is empty or was built by this command (it holds the marker
file): `--out` pointed at the wrong folder must not delete someone's work.
"""

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from publisher.base.errors import OutputError, UsageError
from publisher.dataset.write import check_writable_folder

MARKER = ".top-pypi-site"


def check_out_folder(out: Path) -> None:
    check_writable_folder(out, "--out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_file():
        raise UsageError(
            f"--out {out} holds other files and is not a site built by top-pypi.",
            "Give a new or empty folder: the build replaces the folder's whole contents.",
        )


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A new folder to write the site into; swapped in for `out` when the block succeeds,
    removed when it fails."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".new"))
    try:
        yield staging
        (staging / MARKER).write_text("Built by top-pypi site; replaced by the next build.\n")
        _swap(staging, out)
    except OSError as exc:
        raise OutputError(
            f"Could not write the site into {out} ({exc.strerror or exc}).",
            "The previous site is unchanged; free space or fix permissions, then re-run.",
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_files(folder: Path, files: Iterable[tuple[str, bytes]]) -> tuple[int, int]:
    """Write every (path, bytes) under `folder`; returns (files, bytes) written."""
    made: set[Path] = set()
    count = size = 0
    for path, body in files:
        target = folder / path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_bytes(body)
        count, size = count + 1, size + len(body)
    return count, size


def _swap(staging: Path, out: Path) -> None:
    os.chmod(staging, 0o755)  # mkdtemp makes it private; a web server must read it
    if not out.exists():
        os.rename(staging, out)
        return
    old = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.", suffix=".old"))
    os.rename(out, old / "site")
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old / "site", out)  # the previous site back where it was
        raise
    shutil.rmtree(old, ignore_errors=True)
