"""One top-pypi run at a time in a repository: every command that commits (publish, and the
release steps after it) holds this lock from reading the repository's state to its last push.

Two runs at once would both find the month unpublished, both count, and the second would commit
again on top of the first's release. The lock is the kernel's (flock) on a file in the git
directory shared by all worktrees: released when its process ends, however it ends, so a killed
run never blocks the next. The file keeps the holder's pid for the message, and is never
deleted (deleting a locked file would let a third run lock a new one beside it).
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from publisher.base.errors import BusyError

LOCK_FILE = "top-pypi.lock"


@contextmanager
def repository_lock(git_dir: Path) -> Iterator[None]:
    """Hold the lock of the repository whose (common) git directory is `git_dir`, or refuse at
    once: waiting would hide a second run in a CI log, and the first may take an hour."""
    path = git_dir / LOCK_FILE
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise _busy(path, _holder(handle)) from None
        os.ftruncate(handle, 0)
        os.write(handle, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(handle)  # which releases the lock


def _holder(handle: int) -> str:
    """The pid the holder wrote ("" if it has not written it yet)."""
    text = os.pread(handle, 32, 0).decode(errors="replace").strip()
    return text if text.isdigit() else ""


def _busy(path: Path, pid: str) -> BusyError:
    who = f"Another top-pypi run (pid {pid})" if pid else "Another top-pypi run"
    return BusyError(
        f"{who} holds the lock of this repository ({path}), so this one did nothing.",
        "Let it finish, then re-run; the lock goes when its process ends, so there is nothing"
        " to delete.",
    )
