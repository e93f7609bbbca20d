"""The ClickHouse engine: ClickPy's daily download counts, on its free public server or on any
ClickHouse that holds the same `pypi.pypi_downloads_per_day(date, project, count)` table.

ClickPy loads the same BigQuery events, summed per project and UTC day, so a window of days
summed there counts what the other engines count, without a bill. Values are bound by the
server (`{start:Date}`), never formatted into the SQL text.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar
from urllib.parse import urlsplit

import clickhouse_connect
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError, OperationalError
from clickhouse_connect.driver.query import QueryResult

from publisher import __version__
from publisher.base.errors import EngineError, UsageError
from publisher.base.progress import Progress, silent
from publisher.base.settings import CLICKHOUSE_PUBLIC_URL, Settings
from publisher.completeness import (
    check_complete,
    describe_bad_days,
    find_bad_days,
    incomplete_fields,
)
from publisher.engines.base import Count, Plan, QueryStats, Request
from publisher.window import Window

# The client logs transport failures as warnings; with logging unconfigured Python would print
# them, traceback included, beside our one-line error. An application may still route them.
logging.getLogger("clickhouse_connect").addHandler(logging.NullHandler())

TABLE = "pypi.pypi_downloads_per_day"
EXPECTED_TABLE = f"ClickPy's {TABLE}(date, project, count) table"
PUBLIC_URL = CLICKHOUSE_PUBLIC_URL
DEFAULT_PORTS = {"http": 80, "https": 443}

# `count() OVER ()` runs after GROUP BY and before LIMIT: it counts every project with a
# download in the window, at no extra read. The table is sorted by (project, date), so a date
# filter can skip little of it: both queries read the columns they name almost whole.
TOP_PROJECTS_SQL = """\
SELECT
    sum(count) AS download_count,
    project,
    count() OVER () AS projects_counted
FROM pypi.pypi_downloads_per_day
WHERE date >= {start:Date} AND date < {stop:Date}
GROUP BY project
ORDER BY download_count DESC, project ASC
LIMIT {limit:UInt32}"""

DOWNLOADS_PER_DAY_SQL = """\
SELECT date, sum(count) AS downloads
FROM pypi.pypi_downloads_per_day
WHERE date >= {start:Date} AND date < {stop:Date}
GROUP BY date
ORDER BY date"""

# ClickHouse error codes, by what they mean here.
AUTHENTICATION_CODES = frozenset({192, 193, 194, 516})  # unknown user, wrong/required password
SCHEMA_CODES = frozenset({8, 10, 16, 43, 47, 60, 81})  # no such column, table or database
BUSY_CODES = frozenset({202, 209, 210})  # too many queries, socket timeout, network error
RETRY_STATUSES = frozenset({429, 502, 503, 504})  # a proxy in front, overloaded or restarting
AUTHENTICATION_STATUSES = frozenset({401, 403})  # a proxy's own refusal, no ClickHouse code
_HTTP_STATUS = re.compile(r"HTTP status (\d{3})")
# Words in the client's transport errors, and how a person would say them.
HOST_NOT_FOUND, TLS_FAILED = "host not found", "TLS handshake failed"
_REASONS = (
    ("timed out", "timed out"),
    ("refused", "connection refused"),
    ("name or service not known", HOST_NOT_FOUND),
    ("nodename nor servname", HOST_NOT_FOUND),
    ("name resolution", HOST_NOT_FOUND),
    ("ssl", TLS_FAILED),
)
# A mistyped host or a bad certificate will not mend itself in a few seconds.
LASTING_REASONS = frozenset({HOST_NOT_FOUND, TLS_FAILED})
# What the client and server wrap around ClickHouse's own sentence, removed in this order.
_NOISE = (
    re.compile(r"^.*?DB::Exception: "),  # the client's "Received ClickHouse exception..."
    re.compile(r" \(for url .*$"),
    re.compile(r" \(version .*$"),
    re.compile(r"\.? In scope .*$"),  # ClickHouse's copy of the whole rewritten query
    re.compile(r" \([A-Z][A-Z0-9_]+\)$"),  # the error's name
)
MESSAGE_CHARS = 160

T = TypeVar("T")


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


def bad_url(text: str) -> UsageError:
    return UsageError(
        f"--clickhouse-url {text!r} is not an http:// or https:// URL with a host.",
        f"Give one like {PUBLIC_URL} or http://localhost:8123.",
    )


def parse_url(text: str) -> Server:
    """A URL's parts; without a port, the scheme's (ClickPy's public server answers on 443)."""
    parts = urlsplit(text.strip())
    if parts.username is not None or parts.password is not None:
        # Not named: the value holds a password.
        raise UsageError(
            "--clickhouse-url must not hold a user or password.",
            "Give them with --clickhouse-user and --clickhouse-password.",
        )
    try:
        port = parts.port
    except ValueError:
        raise bad_url(text) from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.query or parts.fragment:
        raise bad_url(text)
    path = parts.path.rstrip("/")
    return Server(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme], path)


def window_parameters(window: Window) -> dict[str, Any]:
    """The values the server binds for the half-open window of days."""
    return {"start": window.start, "stop": window.stop_timestamp.date()}


def top_parameters(request: Request) -> dict[str, Any]:
    return {**window_parameters(request.window), "limit": request.limit}


def describe_parameters(values: dict[str, Any]) -> str:
    return ", ".join(f"{name} = {value}" for name, value in values.items())


@dataclass(frozen=True)
class Retry:
    """How often, and how patiently, a transient failure is tried again."""

    attempts: int = 3
    backoff: float = 1.0  # seconds before the second attempt, doubled before each later one
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, attempt: int) -> float:
        return self.backoff * 2.0 ** (attempt - 1)


def http_status(exc: ClickHouseError) -> int | None:
    found = _HTTP_STATUS.search(str(exc))
    return int(found.group(1)) if found else None


def error_code(exc: ClickHouseError) -> int | None:
    code = getattr(exc, "code", None)
    return code if isinstance(code, int) else None


def failure_text(exc: BaseException) -> str:
    """The error and its causes, lower case: urllib3 puts the reason in the cause."""
    texts: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(texts) < 5:
        texts.append(str(current))
        current = current.__cause__ or current.__context__
    return " ".join(texts).lower()


def reason(exc: ClickHouseError) -> str:
    """What went wrong on the way, in a few words."""
    status = http_status(exc)
    if status is not None:
        return f"HTTP {status}"
    text = failure_text(exc)
    return next((words for needle, words in _REASONS if needle in text), "connection lost")


def is_transient(exc: ClickHouseError) -> bool:
    """Worth another try: the network or a busy server, not our credentials or our SQL."""
    code = error_code(exc)
    if code is not None:
        return code in BUSY_CODES
    if reason(exc) in LASTING_REASONS:
        return False
    return isinstance(exc, OperationalError) or http_status(exc) in RETRY_STATUSES


def is_authentication(exc: ClickHouseError) -> bool:
    code = error_code(exc)
    return code in AUTHENTICATION_CODES or (
        code is None and http_status(exc) in AUTHENTICATION_STATUSES
    )


def server_message(exc: ClickHouseError) -> str:
    """ClickHouse's own sentence, on one line and short."""
    message = " ".join(str(exc).split())
    for noise in _NOISE:
        message = noise.sub("", message)
    message = message.rstrip(". ")
    return message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 3] + "..."


def engine_error(exc: ClickHouseError, server: Server, user: str, attempts: int) -> EngineError:
    where = f"ClickHouse at {server.url}"
    if is_authentication(exc):
        return EngineError(
            f"{where}: authentication failed for user {user!r}.",
            "Check --clickhouse-user and --clickhouse-password (or their TOP_PYPI_ variables).",
        )
    if error_code(exc) in SCHEMA_CODES:
        return EngineError(
            f"{where} does not have {EXPECTED_TABLE} ({server_message(exc)}).",
            f"Point --clickhouse-url at a ClickPy server, e.g. {PUBLIC_URL}.",
        )
    if is_transient(exc):
        return EngineError(
            f"{where} did not answer ({reason(exc)}) after {attempts} attempt(s).",
            "Check the URL and the network, or try again later.",
        )
    return EngineError(
        f"{where} refused the query: {server_message(exc)}.",
        "Check --clickhouse-url; if the server is ClickPy's, try again later.",
    )


def without_secret(error: EngineError, secret: str) -> EngineError:
    """Belt and braces: whatever a server echoed, the password is never shown."""
    if not secret:
        return error
    return EngineError(error.message.replace(secret, "***"), error.tip.replace(secret, "***"))


def with_retries(call: Callable[[], T], retry: Retry, notify: Progress) -> T:
    """`call()`, tried again after transient failures with growing pauses; `notify` hears
    each failure and the pause before the next attempt."""
    for attempt in range(1, retry.attempts):
        try:
            return call()
        except ClickHouseError as exc:
            if not is_transient(exc):
                raise
            delay = retry.delay(attempt)
            notify(
                f"{reason(exc)}; trying again in {delay:g} s ({attempt + 1} of {retry.attempts})"
            )
            retry.sleep(delay)
    return call()


@dataclass(frozen=True)
class Read:
    """What the server reported reading, from its X-ClickHouse-Summary header."""

    rows: int = 0
    bytes: int = 0
    elapsed_ns: int = 0

    @classmethod
    def of(cls, result: QueryResult) -> Read:
        summary = result.summary
        return cls(
            int(summary.get("read_rows", 0)),
            int(summary.get("read_bytes", 0)),
            int(summary.get("elapsed_ns", 0)),
        )

    def __add__(self, other: Read) -> Read:
        return Read(
            self.rows + other.rows, self.bytes + other.bytes, self.elapsed_ns + other.elapsed_ns
        )

    def block(self) -> dict[str, Any]:
        """The dataset's `statistics` block."""
        return {
            "rows_read": self.rows,
            "bytes_read": self.bytes,
            "elapsed": round(self.elapsed_ns / 1e9, 6),
        }


# What each query answers, column by column. Exact types: a datetime is also a date, and a
# server whose `date` is a DateTime would shift days; a NULL project is not a project.
PER_DAY_SHAPE = (("date", date), ("downloads", int))
TOP_SHAPE = (("download_count", int), ("project", str), ("projects_counted", int))


def check_shape(result: QueryResult, shape: tuple[tuple[str, type], ...], server: Server) -> None:
    names = tuple(name for name, _ in shape)
    if tuple(result.column_names) != names:
        raise unexpected(server, f"columns {', '.join(result.column_names)}")
    for row in result.result_rows:
        for value, (name, kind) in zip(row, shape, strict=True):
            if type(value) is not kind:
                raise unexpected(server, f"{name} {value!r} ({type(value).__name__})")


def unexpected(server: Server, what: str) -> EngineError:
    return EngineError(
        f"ClickHouse at {server.url} answered {what:.80}: it does not have {EXPECTED_TABLE}.",
        f"Point --clickhouse-url at a ClickPy server, e.g. {PUBLIC_URL}.",
    )


def downloads_per_day(result: QueryResult) -> dict[date, int]:
    return {day: int(downloads) for day, downloads in result.result_rows}


def estimated_rows(result: QueryResult) -> int:
    """Rows an `EXPLAIN ESTIMATE` says the query would read, over every table and part."""
    return sum(int(row["rows"]) for row in result.named_results())


def count_from(result: QueryResult, window: Window, read: Read) -> Count:
    rows = result.result_rows
    return Count(
        rows=[(str(project), int(downloads)) for downloads, project, _ in rows],
        projects_counted=int(rows[0][2]) if rows else 0,
        period=window,
        query=QueryStats(bytes_processed=read.bytes),
        blocks={"statistics": read.block()},
    )


@dataclass(frozen=True)
class ClickHouseEngine:
    server: Server
    user: str = "demo"
    password: str = field(default="", repr=False)
    allow_incomplete: bool = False
    connect_timeout: int = 10  # seconds; whole seconds, as clickhouse-connect takes them
    send_receive_timeout: int = 120
    retry: Retry = field(default_factory=Retry)
    name: str = "clickhouse"

    @classmethod
    def from_settings(cls, settings: Settings) -> ClickHouseEngine:
        return cls(
            server=parse_url(settings.clickhouse_url),
            user=settings.clickhouse_user,
            password=settings.clickhouse_password,
            allow_incomplete=settings.allow_incomplete,
        )

    def sql(self, request: Request) -> str:
        return TOP_PROJECTS_SQL

    def plan(self, request: Request) -> Plan:
        days, values = window_parameters(request.window), top_parameters(request)
        with self.connect(silent) as client:
            per_day = self.query(client, DOWNLOADS_PER_DAY_SQL, days, silent)
            check_shape(per_day, PER_DAY_SHAPE, self.server)
            estimate = self.query(client, f"EXPLAIN ESTIMATE {TOP_PROJECTS_SQL}", values, silent)
        bad = find_bad_days(downloads_per_day(per_day), request.window)
        checked = Read.of(per_day)
        return Plan(
            engine=self.name,
            window=request.window,
            sql=self.sql(request),
            facts=[
                ("server", f"{self.server.url} as {self.user}"),
                ("completeness", describe_bad_days(bad)),
                ("estimate", f"about {estimated_rows(estimate):,} rows of {TABLE} to read"),
                ("checked", f"{checked.rows:,} rows, {checked.bytes:,} bytes read to check days"),
                ("parameters", describe_parameters(values)),
            ],
        )

    def count(self, request: Request, progress: Progress) -> Count:
        days = window_parameters(request.window)
        progress(f"Connecting to ClickHouse at {self.server.url} as {self.user}")
        with self.connect(progress) as client:
            progress(f"Checking that {TABLE} has every day of the window")
            per_day = self.query(client, DOWNLOADS_PER_DAY_SQL, days, progress)
            check_shape(per_day, PER_DAY_SHAPE, self.server)
            bad = check_complete(downloads_per_day(per_day), request.window, self.allow_incomplete)
            progress(f"Counting downloads in {TABLE}")
            top = self.query(client, TOP_PROJECTS_SQL, top_parameters(request), progress)
            check_shape(top, TOP_SHAPE, self.server)
        count = count_from(top, request.window, Read.of(per_day) + Read.of(top))
        return replace(count, engine_fields=incomplete_fields(bad))

    @contextmanager
    def connect(self, progress: Progress) -> Iterator[Client]:
        client = self.attempt(self.open_client, progress)
        try:
            yield client
        finally:
            client.close()

    def open_client(self) -> Client:
        return clickhouse_connect.get_client(
            interface=self.server.interface,
            host=self.server.host,
            port=self.server.port,
            proxy_path=self.server.path,
            username=self.user,
            password=self.password,
            connect_timeout=self.connect_timeout,
            send_receive_timeout=self.send_receive_timeout,
            # Our retries are the policy; the client still replays a dropped read once itself.
            query_retries=0,
            # A session would lock on the server while a timed-out query still runs there,
            # failing the retry; every query here stands alone.
            autogenerate_session_id=False,
            client_name=f"top-pypi/{__version__}",
            dedicated_pool=True,
        )

    def query(
        self, client: Client, sql: str, values: dict[str, Any], progress: Progress
    ) -> QueryResult:
        return self.attempt(lambda: client.query(sql, parameters=values), progress)

    def attempt(self, call: Callable[[], T], progress: Progress) -> T:
        """`call()` with retries; what still fails becomes one EngineError line."""
        where = f"ClickHouse at {self.server.url}"
        try:
            return with_retries(call, self.retry, lambda news: progress(f"{where}: {news}"))
        except ClickHouseError as exc:
            error = engine_error(exc, self.server, self.user, self.retry.attempts)
            raise without_secret(error, self.password) from None
