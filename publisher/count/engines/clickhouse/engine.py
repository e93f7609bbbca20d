"""The ClickHouse engine: ClickPy's daily download counts, on its free public server or on any
ClickHouse that holds the same `pypi.pypi_downloads_per_day(date, project, count)` table.

ClickPy loads the same BigQuery events, summed per project and UTC day, so a window of days
summed there counts what the other engines count, without a bill. Values are bound by the
server (`{start:Date}`), never formatted into the SQL text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

import clickhouse_connect
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError
from clickhouse_connect.driver.query import QueryResult

from publisher import __version__
from publisher.base.errors import EngineError
from publisher.base.progress import Progress, silent
from publisher.base.settings import Settings
from publisher.count.completeness import (
    check_complete,
    describe_bad_days,
    find_bad_days,
    incomplete_fields,
)
from publisher.count.engines.base import Count, Plan, QueryStats, Request
from publisher.count.engines.clickhouse.failures import (
    Retry,
    engine_error,
    with_retries,
    without_secret,
)
from publisher.count.engines.clickhouse.server import (
    EXPECTED_TABLE,
    PUBLIC_URL,
    TABLE,
    Server,
    parse_url,
)
from publisher.count.window import Window

# The client logs transport failures as warnings; with logging unconfigured Python would print
# them, traceback included, beside our one-line error. An application may still route them.
logging.getLogger("clickhouse_connect").addHandler(logging.NullHandler())

T = TypeVar("T")

# The window functions run after GROUP BY, over every group: they count the projects with a
# download in the window and the downloads without a name (ClickPy stores a NULL name as ''),
# at no extra read; the outer WHERE then drops the unnamed group. A subquery rather than
# QUALIFY, which ClickHouse's old analyzer silently ignored. The table is sorted by (project,
# date), so a date filter can skip little of it: both queries read the columns they name
# almost whole.
TOP_PROJECTS_SQL = """\
SELECT download_count, project, projects_counted, unnamed_downloads
FROM (
    SELECT
        sum(count) AS download_count,
        project,
        countIf(project != '') OVER () AS projects_counted,
        sumIf(sum(count), ifNull(project, '') = '') OVER () AS unnamed_downloads
    FROM pypi.pypi_downloads_per_day
    WHERE date >= {start:Date} AND date < {stop:Date}
    GROUP BY project
)
WHERE project != ''
ORDER BY download_count DESC, project ASC
LIMIT {limit:UInt32}"""

DOWNLOADS_PER_DAY_SQL = """\
SELECT date, sum(count) AS downloads
FROM pypi.pypi_downloads_per_day
WHERE date >= {start:Date} AND date < {stop:Date}
GROUP BY date
ORDER BY date"""


def window_parameters(window: Window) -> dict[str, Any]:
    """The values the server binds for the half-open window of days."""
    return {"start": window.start, "stop": window.stop_timestamp.date()}


def top_parameters(request: Request) -> dict[str, Any]:
    return {**window_parameters(request.window), "limit": request.limit}


def describe_parameters(values: dict[str, Any]) -> str:
    return ", ".join(f"{name} = {value}" for name, value in values.items())


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
TOP_SHAPE = (
    ("download_count", int),
    ("project", str),
    ("projects_counted", int),
    ("unnamed_downloads", int),
)


def check_shape(result: QueryResult, shape: tuple[tuple[str, type], ...], server: Server) -> None:
    if not result.result_rows and not result.column_names:
        return  # an empty answer may come without its columns: a window without downloads
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
        rows=[(str(project), int(downloads)) for downloads, project, _, _ in rows],
        projects_counted=int(rows[0][2]) if rows else 0,
        period=window,
        query=QueryStats(bytes_processed=read.bytes),
        unnamed_downloads=int(rows[0][3]) if rows else 0,
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
            server=parse_url(
                settings.clickhouse_url,
                settings.label("clickhouse_url"),
                settings.name("clickhouse_url", repr(settings.clickhouse_url)),
            ),
            user=settings.clickhouse_user,
            password=settings.clickhouse_password,
            allow_incomplete=settings.allow_incomplete,
            connect_timeout=settings.timeout,
            send_receive_timeout=settings.timeout,
            retry=Retry(deadline=settings.timeout),
        )

    def sql(self, request: Request) -> str:
        return TOP_PROJECTS_SQL

    def plan(self, request: Request, progress: Progress = silent) -> Plan:
        days, values = window_parameters(request.window), top_parameters(request)
        progress(self.waiting())
        with self.connect(progress) as client:
            per_day = self.query(client, DOWNLOADS_PER_DAY_SQL, days, progress)
            check_shape(per_day, PER_DAY_SHAPE, self.server)
            sql = f"EXPLAIN ESTIMATE {TOP_PROJECTS_SQL}"
            estimate = self.query(client, sql, values, progress)
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
        progress(self.waiting())
        with self.connect(progress) as client:
            progress(f"Checking that {TABLE} has every day of the window")
            per_day = self.query(client, DOWNLOADS_PER_DAY_SQL, days, progress)
            check_shape(per_day, PER_DAY_SHAPE, self.server)
            bad = check_complete(downloads_per_day(per_day), request.window, self.allow_incomplete)
            progress(f"Counting downloads in {TABLE}")
            top = self.query(client, TOP_PROJECTS_SQL, top_parameters(request), progress)
            check_shape(top, TOP_SHAPE, self.server)
        count = count_from(top, request.window, Read.of(per_day) + Read.of(top))
        return replace(count, engine_fields=incomplete_fields(bad), bad_days=tuple(bad))

    def waiting(self) -> str:
        """The status line while the server is asked: who, and how long at most per answer."""
        longest = max(self.connect_timeout, self.send_receive_timeout)
        return f"Waiting for ClickHouse at {self.server.url} as {self.user} (up to {longest} s)"

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
        attempts = 0

        def counted() -> T:
            nonlocal attempts
            attempts += 1
            return call()

        try:
            return with_retries(counted, self.retry, lambda news: progress(f"{where}: {news}"))
        except ClickHouseError as exc:
            error = engine_error(exc, self.server, self.user, attempts, self.password)
            raise without_secret(error, self.password, self.user) from None
