"""Atomic writes: every file goes to a temporary name beside it and is renamed into place,
so a crash or a failed run never leaves a half-written or mixed release behind."""

import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path, PurePath

from publisher.base.errors import OutputError, WriteError
from publisher.base.paths import refuse_symlink_loop

# A file `name` is staged as `.{name}.<random>.tmp` beside it (tempfile's random part).
STAGING_PREFIX, STAGING_SUFFIX = ".", ".tmp"
# Where the folder is wrong, the fix: for a file in its place, for a folder one cannot write.
GIVE_ANOTHER = ("Give a folder's path.", "Give a folder you may write to.")


def check_writable_folder(folder: Path, option: str, tips: tuple[str, str] = GIVE_ANOTHER) -> None:
    """Refuse, before any work, a folder that is a file or that cannot be created or written."""
    refuse_symlink_loop(folder, f"{option} {folder}")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{option} {folder} is a file, not a folder.", tips[0])
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(
            f"{option} {folder} cannot be written ({existing} is not a writable folder).",
            tips[1],
        )


def is_staging_leftover(path: PurePath, names: Iterable[str]) -> bool:
    """Whether `path` is what staging one of `names` leaves when a run is killed outright."""
    return any(
        re.fullmatch(
            re.escape(STAGING_PREFIX + name + ".") + r"[a-z0-9_]+" + re.escape(STAGING_SUFFIX),
            path.name,
        )
        for name in names
    )


def write_files(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write all files to temporaries first, then rename them all; return the final paths."""
    try:
        return _write_all(folder, files)
    except OSError as exc:
        raise WriteError(
            f"Could not write the files into {folder} ({exc.strerror or exc}).",
            "Nothing was replaced; free space or fix the disk, then re-run.",
        ) from None


def _write_all(folder: Path, files: dict[str, bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(folder, files)
    staged: list[tuple[Path, Path]] = []
    try:
        for name, body in files.items():
            staged.append((_stage(folder, name, body), folder / name))
        for temporary, final in staged:
            os.replace(temporary, final)
    finally:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
    return [final for _, final in staged]


def _remove_leftovers(folder: Path, names: Iterable[str]) -> None:
    """Temporaries of a run killed outright (SIGKILL, power loss), which had no chance to
    remove them: the files this run writes replace whatever they were meant to become."""
    names = list(names)
    for path in folder.iterdir():
        if is_staging_leftover(path, names):
            path.unlink(missing_ok=True)


def _stage(folder: Path, name: str, body: bytes) -> Path:
    handle, temporary = tempfile.mkstemp(
        dir=folder, prefix=f"{STAGING_PREFIX}{name}.", suffix=STAGING_SUFFIX
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(body)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
    except BaseException:  # a full disk or Ctrl-C: the caller never learns this file's name
        os.unlink(temporary)
        raise
    return Path(temporary)
