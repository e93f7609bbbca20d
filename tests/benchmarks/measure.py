"""Measuring a command as a child process: wall time and peak memory (max RSS) of that child."""

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_bytes: int


def measure(command: list[str], env: dict[str, str] | None = None) -> Measured:
    """Run `command`, failing loudly if it fails; its own rusage, not the benchmark's."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    stderr = child.stderr.read().decode() if child.stderr else ""
    if child.stderr:
        child.stderr.close()
    if child.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {stderr.strip()[-500:]}")
    return Measured(seconds=seconds, peak_bytes=usage.ru_maxrss * 1024)  # Linux: KiB


# A small parent of its own for the command: Linux counts in a child's max RSS the memory its
# parent had when it forked (the old address space's peak is kept across exec), so a command
# started by a big process (one holding a ClickHouse stand-in) would be charged for it.
SMALL_PARENT = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[2:], stderr=subprocess.PIPE)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # Linux: KiB
stderr = done.stderr.decode(errors="replace")
figures = {"seconds": seconds, "peak_bytes": peak, "code": done.returncode, "stderr": stderr}
open(sys.argv[1], "w").write(json.dumps(figures))
"""


def measure_apart(command: list[str], stdout: Path, env: dict[str, str] | None = None) -> Measured:
    """`measure`, from a fresh small parent; the command's standard output goes to `stdout`."""
    figures = stdout.with_name(stdout.name + ".figures.json")
    with stdout.open("wb") as out:
        small = [sys.executable, "-c", SMALL_PARENT, str(figures), *command]
        subprocess.run(small, env=env, stdout=out, check=True)
    done = json.loads(figures.read_text())
    if done["code"] != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {done['stderr'].strip()[-500:]}")
    return Measured(seconds=done["seconds"], peak_bytes=done["peak_bytes"])
