"""What a command prints, without its secrets: while `redacted_output` holds, every write of
the given consoles passes one `Redactor` (publisher.base.secrets), whatever printed it.

The secrets a command is given in its environment are known before it starts; those it meets
later (a password in top-pypi.toml, a BigQuery key and its access token) are added where they
are read (`publisher.base.secrets.keep_out`).
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import IO

from rich.console import Console

from publisher.base.settings import VARIABLES

# The variables that hold a secret: the ClickHouse password, the Zenodo tokens, and the token
# the workflows' git credential helper reads to push.
SECRET_VARIABLES = (
    VARIABLES["clickhouse_password"],
    "ZENODO_API_TOKEN",
    "ZENODO_SANDBOX_API_TOKEN",
    "PUSH_TOKEN",
)


def environment_secrets(environ: Mapping[str, str]) -> list[str]:
    """The secrets of the environment, as they are given there (pasted line ends and all)."""
    return [environ[name] for name in SECRET_VARIABLES if environ.get(name)]


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
