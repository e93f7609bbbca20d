"""Standard output whose reader may be gone (`top-pypi publish | head -c0`).

What a command prints there is its report, printed last; the work is done by then, so the work
decides the exit code, and a lost report is said once on stderr.
"""

import codecs
import os
import sys
from typing import Any

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


# A console that cannot write every character (PYTHONIOENCODING=ascii, a C locale) gets plain
# ones: rich's tables, ellipses and dashes otherwise end the command with a UnicodeEncodeError.
PLAIN = "top-pypi-plain"
PLAIN_CHARACTERS = {"\u2026": "...", "\u2013": "-", "\u2014": "-", "\u00d7": "x", "\u2192": "->"}


def _plain(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    bad = error.object[error.start : error.end]
    return "".join(PLAIN_CHARACTERS.get(c, "?") for c in bad), error.end


codecs.register_error(PLAIN, _plain)


def plain_when_needed(*streams: Any) -> None:
    """Streams whose encoding cannot write beyond ASCII write plain characters instead."""
    for stream in streams:
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "\u2026\u2500".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            if hasattr(stream, "reconfigure"):
                stream.reconfigure(errors=PLAIN)
