"""The command line as a child process, for what only a real process shows: signals, closed
pipes, resource limits and Python's own exit."""

import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Seconds a child may take before the test gives up on it: generous, no test comes near it.
CEILING = 300
POLL = 0.02


def cli(*argv: str) -> list[str]:
    return [sys.executable, "-m", "publisher", *argv]


@contextmanager
def running(command: list[str], **popen: Any) -> Iterator["subprocess.Popen[str]"]:
    """A child started with text pipes for stdout and stderr (unless given), killed if the
    test ends before it does."""
    streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE} | popen
    hear_ctrl_c()
    child = subprocess.Popen(command, text=True, **streams)
    try:
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()


def hear_ctrl_c() -> None:
    """Children that hear Ctrl-C, as a terminal's foreground command does. A process started
    with SIGINT ignored (pytest as a background job of a script or CI step: `make test &`)
    passes the ignoring on to every child it starts, whose Ctrl-C then does nothing: the
    tests that send one saw exit 0, not 130. A handler, unlike SIG_IGN, is not inherited: the
    child starts with the default, and Python turns it into KeyboardInterrupt."""
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def read_until(child: "subprocess.Popen[str]", words: str) -> str:
    """The child's stderr up to and including the first line with `words` (or its end)."""
    assert child.stderr is not None
    seen = []
    for line in child.stderr:
        seen.append(line)
        if words in line:
            break
    return "".join(seen)


def stopped(pid: int) -> bool:
    """Whether every thread of the process is stopped (state T), from /proc."""
    return all(state in "tTZX" for state in thread_states(pid))  # Z, X: a thread on its way out


def thread_states(pid: int) -> list[str]:
    states = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            states.append(stat.read_text().rsplit(")", 1)[1].split()[0])
        except FileNotFoundError:  # the thread ended since the folder was listed
            continue
    return states


def interrupt_at(child: "subprocess.Popen[str]", point: Callable[[int], bool]) -> None:
    """Ctrl-C (SIGINT) the child once `point(pid)` holds (or let it end without one)."""
    act_at(child, point, lambda: ctrl_c(child.pid))


def act_at(
    child: "subprocess.Popen[str]", point: Callable[[int], bool], act: Callable[[], None]
) -> bool:
    """`act` once `point(pid)` holds; False when the child ended before the point.

    Each look is taken with the child stopped (SIGSTOP, until every thread shows it), so it
    cannot move past the point between the look and the act, however late this process runs
    on a busy machine; a signal is the first thing the child meets when it goes on."""
    while child.poll() is None:
        os.kill(child.pid, signal.SIGSTOP)
        try:
            while child.poll() is None and not stopped(child.pid):
                time.sleep(POLL / 10)
            if child.poll() is None and point(child.pid):
                act()
                return True
        finally:
            if child.poll() is None:
                os.kill(child.pid, signal.SIGCONT)
        time.sleep(POLL)
    return False


def ctrl_c(pid: int) -> None:
    """SIGINT to the process's main thread, where a terminal's Ctrl-C lands. Sent to the whole
    process while it is stopped, it would go to whichever thread wakes first: a worker, while
    the main thread waiting for it would not hear of it before the worker is done."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.tgkill(pid, pid, signal.SIGINT) != 0:
        raise OSError(ctypes.get_errno(), "tgkill failed")


def has_open(path: Path) -> Callable[[int], bool]:
    """The point where a process has `path` open: a DuckDB query reading it, for example."""

    def holds(pid: int) -> bool:
        return str(path) in open_files(pid)

    return holds


def open_files(pid: int) -> set[str]:
    found = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            found.add(os.readlink(fd))
        except FileNotFoundError:  # closed since the folder was listed
            continue
    return found


def has_entry(folder: Path, suffix: str = "") -> Callable[[int], bool]:
    """The point where `folder` holds an entry whose name ends with `suffix`."""

    def holds(pid: int) -> bool:
        return folder.is_dir() and any(p.name.endswith(suffix) for p in folder.iterdir())

    return holds


def finish(child: "subprocess.Popen[str]") -> tuple[int, str, str]:
    """(exit code, the rest of stdout, the rest of stderr) once the child ends."""
    out, err = child.communicate(timeout=CEILING)
    return child.returncode, out or "", err or ""


def kill_at(child: "subprocess.Popen[str]", point: Callable[[int], bool]) -> bool:
    """SIGKILL the child once `point(pid)` holds; False when it ended before the point."""

    def kill() -> None:
        child.kill()
        child.wait()

    return act_at(child, point, kill)
