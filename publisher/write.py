"""Atomic writes: every file goes to a temporary name beside it and is renamed into place,
so a crash or a failed run never leaves a half-written or mixed release behind."""

import os
import tempfile
from pathlib import Path


def write_files(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write all files to temporaries first, then rename them all; return the final paths."""
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
