"""Measuring a command as a child process: wall time and peak memory (max RSS) of that child."""

import os
import subprocess
import time
from dataclasses import dataclass


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
    stderr = child.stderr.read().decode() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {stderr.strip()[-500:]}")
    return Measured(seconds=seconds, peak_bytes=usage.ru_maxrss * 1024)  # Linux: KiB
