"""Standard output whose reader may be gone (`top-pypi publish | head -c0`).

What a command prints there is its report, printed last; the work is done by then, so the work
decides the exit code, and a lost report is said once on stderr.
"""

import os
import sys

from rich.console import Console

LOST = "warning: standard output was closed, so what this command printed there is lost."


class StandardOutput(Console):
    """A rich console on stdout that, when stdout's reader has closed, stops writing and
    remembers it, instead of rich's own `SystemExit(1)`."""

    lost = False

    def on_broken_pipe(self) -> None:
        self.quiet = True
        self.lost = True
        # Python flushes stdout again at exit; on the broken pipe that would print a traceback
        # ("Exception ignored ... BrokenPipeError") and make the exit code 120.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
