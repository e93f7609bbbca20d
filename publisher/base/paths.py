"""Paths as people give them: why one cannot be used, in words that point at the fix.

`Path.exists()` is False for a symlink loop, as for a path that is not there: told apart here,
so that an error does not send the user looking for a file that is in plain sight.
"""

import errno
import os
from pathlib import Path

from publisher.base.errors import UsageError

LOOP_TIP = "Point the link at a real file or folder (`ls -l` shows where each link leads)."


def is_symlink_loop(path: Path) -> bool:
    """Whether following the links of `path` goes round in circles."""
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def loop_words(path: Path) -> str:
    return "is a symlink loop" if path.is_symlink() else "goes through a symlink loop"


def missing_words(path: Path) -> str:
    """Why `path` cannot be found: a symlink loop, or nothing there."""
    return loop_words(path) if is_symlink_loop(path) else "does not exist"


def refuse_symlink_loop(path: Path, name: str) -> None:
    """Stop at once, naming the path as the user gave it (`name`, e.g. "--out DIR")."""
    if is_symlink_loop(path):
        raise UsageError(f"{name} {loop_words(path)}.", LOOP_TIP)
