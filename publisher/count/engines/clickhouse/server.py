"""Where the ClickHouse server is and what it must hold: its URL, parsed and checked, and the
name of ClickPy's table that the engine counts from."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from publisher.base.errors import UsageError
from publisher.base.settings import CLICKHOUSE_PUBLIC_URL

TABLE = "pypi.pypi_downloads_per_day"
EXPECTED_TABLE = f"ClickPy's {TABLE}(date, project, count) table"
PUBLIC_URL = CLICKHOUSE_PUBLIC_URL
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Server:
    """Where the server is, as errors name it: never with a user or password."""

    interface: str  # http or https
    host: str
    port: int
    path: str = ""  # behind a proxy that serves ClickHouse under a path

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.interface}://{host}:{self.port}{self.path}"


def bad_url(name: str) -> UsageError:
    return UsageError(
        f"{name} is not an http:// or https:// URL with a host.",
        f"Give one like {PUBLIC_URL} or http://localhost:8123.",
    )


def parse_url(text: str, label: str = "--clickhouse-url", name: str | None = None) -> Server:
    """A URL's parts; without a port, the scheme's (ClickPy's public server answers on 443).
    Errors name the setting by `label`, its value by `name` (by default the option's)."""
    parts = urlsplit(text.strip())
    if parts.username is not None or parts.password is not None:
        # Not named: the value holds a password.
        raise UsageError(
            f"{label} must not hold a user or password.",
            "Give them with --clickhouse-user and --clickhouse-password.",
        )
    name = name or f"{label} {text!r}"
    try:
        port = parts.port
    except ValueError:
        raise bad_url(name) from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.query or parts.fragment:
        raise bad_url(name)
    path = parts.path.rstrip("/")
    return Server(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme], path)
