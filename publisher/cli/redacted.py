"""What a command prints, without its secrets: while `redacted_output` holds, every write of
the given consoles passes one `Redactor` (publisher.base.secrets), whatever printed it."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console


class RedactedFile:
    """A console's file whose every write is redacted first. Only what rich uses of a file is
    passed on (no blanket delegation: rich looks for attributes such as `rich_proxied_file`)."""

    def __init__(self, file: IO[str], redact: Callable[[str], str]) -> None:
        self.file, self.redact = file, redact

    def write(self, text: str) -> int:
        return self.file.write(self.redact(text))

    def flush(self) -> None:
        self.file.flush()

    def isatty(self) -> bool:
        return self.file.isatty()

    def fileno(self) -> int:
        return self.file.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.file, "encoding", None) or "utf-8"


@contextmanager
def redacted_output(redact: Callable[[str], str], *consoles: Console) -> Iterator[None]:
    files = [console.file for console in consoles]
    for console, file in zip(consoles, files, strict=True):
        console.file = RedactedFile(file, redact)  # type: ignore[assignment]
    try:
        yield
    finally:
        for console, file in zip(consoles, files, strict=True):
            console.file = file
