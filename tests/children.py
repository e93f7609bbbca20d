"""The command line as a child process, for what only a real process shows: signals, closed
pipes, resource limits and Python's own exit."""

import os
import subprocess
import sys
import time
from collections.abc import Iterator
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
    child = subprocess.Popen(command, text=True, **streams)
    try:
        yield child
    finally:
        if child.poll() is None:
            child.kill()
        child.communicate()


def read_until(child: "subprocess.Popen[str]", words: str) -> str:
    """The child's stderr up to and including the first line with `words` (or its end)."""
    assert child.stderr is not None
    seen = []
    for line in child.stderr:
        seen.append(line)
        if words in line:
            break
    return "".join(seen)


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) a running process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_for_cpu(child: "subprocess.Popen[str]", seconds: float) -> None:
    """Until the child has worked `seconds` of CPU more than now (or has ended): a measure of
    how far it got that does not depend on how busy the machine is."""
    target = cpu_seconds(child.pid) + seconds
    while child.poll() is None and cpu_seconds(child.pid) < target:
        time.sleep(POLL)


def wait_for_entry(child: "subprocess.Popen[str]", folder: Path) -> None:
    """Until something appears in `folder` (or the child has ended)."""
    while child.poll() is None and not (folder.is_dir() and any(folder.iterdir())):
        time.sleep(POLL)


def finish(child: "subprocess.Popen[str]") -> tuple[int, str, str]:
    """(exit code, the rest of stdout, the rest of stderr) once the child ends."""
    out, err = child.communicate(timeout=CEILING)
    return child.returncode, out or "", err or ""
