"""Atomic writes: every file goes to a temporary name beside it and is renamed into place,
so a crash or a failed run never leaves a half-written or mixed release behind."""

import os
import tempfile
from pathlib import Path

from publisher.base.errors import OutputError
from publisher.base.paths import refuse_symlink_loop


def check_writable_folder(folder: Path, option: str) -> None:
    """Refuse, before any work, a folder that is a file or that cannot be created or written."""
    refuse_symlink_loop(folder, f"{option} {folder}")
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{option} {folder} is a file, not a folder.", "Give a folder's path.")
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(
            f"{option} {folder} cannot be written ({existing} is not a writable folder).",
            "Give a folder you may write to.",
        )


def write_files(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write all files to temporaries first, then rename them all; return the final paths."""
    try:
        return _write_all(folder, files)
    except OSError as exc:
        raise OutputError(
            f"Could not write the files into {folder} ({exc.strerror or exc}).",
            "Nothing was replaced; free space or fix permissions, then re-run.",
        ) from None


def _write_all(folder: Path, files: dict[str, bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
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


def _stage(folder: Path, name: str, body: bytes) -> Path:
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
    with os.fdopen(handle, "wb") as stream:
        stream.write(body)
        stream.flush()
        os.fsync(stream.fileno())
    os.chmod(temporary, 0o644)
    return Path(temporary)
