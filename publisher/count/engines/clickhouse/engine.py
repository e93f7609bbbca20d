"""The ClickHouse engine: ClickPy's daily download counts, on its free public server or on any
ClickHouse that holds the same `pypi.pypi_downloads_per_day(date, project, count)` table.

ClickPy loads the same BigQuery events, summed per project and UTC day, so a window of days
summed there counts what the other engines count, without a bill. Values are bound by the
server (`{start:Date}`), never formatted into the SQL text.

Three queries, each retried alike: the days of the window (completeness); every project counted
in rank order with its day stats (busiest two days, median day), answered as Arrow; and, unless
`Request.breakdown` is off, the installer groups from ClickPy's installer table (breakdown.py),
joined in Arrow. Bytes read by all of them are counted.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar, cast

import clickhouse_connect
import pyarrow as pa
import pyarrow.compute as pc
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError, OperationalError
from clickhouse_connect.driver.query import QueryResult
from urllib3.exceptions import HTTPError
from urllib3.response import HTTPResponse

from publisher import __version__
from publisher.base.errors import EngineError
from publisher.base.progress import Progress, silent
from publisher.base.settings import Settings
from publisher.count import long_tail
from publisher.count.completeness import (
    check_complete,
    describe_bad_days,
    find_bad_days,
    incomplete_fields,
)
from publisher.count.engines.base import Count, Plan, QueryStats, Request
from publisher.count.engines.clickhouse.breakdown import (
    INSTALLER_TABLE,
    INSTALLERS_SCHEMA,
    INSTALLERS_SQL,
    installer_parameters,
    total,
    unavailable,
    with_breakdown,
)
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
from publisher.count.long_tail import BUSIEST_TWO_DAYS, DOWNLOADS, MEDIAN_DAY, NOT_COUNTED, PROJECT
from publisher.count.window import Window

# The client logs transport failures as warnings; with logging unconfigured Python would print
# them, traceback included, beside our one-line error. An application may still route them.
logging.getLogger("clickhouse_connect").addHandler(logging.NullHandler())

T = TypeVar("T")

# Every project of the window, '' (how ClickPy stores a NULL name) included: the engine splits
# the unnamed downloads off in Arrow. The inner query sums each project's days (ClickPy's
# SummingMergeTree may hold a day in several rows); the outer one ranks, and keeps the day stats
# inside the SQL: the two busiest days, and the median day over all {days} days of the window,
# a day without downloads counting 0 (the sorted days, padded with zeros in front; the mean of
# the two middle ones). The table is sorted by (project, date), so a date filter can skip
# little of it: both queries read the columns they name almost whole.
TOP_PROJECTS_SQL = """\
SELECT
    project,
    download_count,
    busiest_two_days,
    (every_day[intDiv({days:UInt32} + 1, 2)] + every_day[intDiv({days:UInt32}, 2) + 1]) / 2
        AS median_day
FROM (
    SELECT
        project,
        sum(downloads) AS download_count,
        arraySum(arraySlice(arrayReverseSort(groupArray(downloads)), 1, 2)) AS busiest_two_days,
        arrayConcat(
            arrayWithConstant({days:UInt32} - count(), toInt64(0)),
            arraySort(groupArray(downloads))
        ) AS every_day
    FROM (
        SELECT project, date, sum(count) AS downloads
        FROM pypi.pypi_downloads_per_day
        WHERE date >= {start:Date} AND date < {stop:Date}
        GROUP BY project, date
    )
    GROUP BY project
)
ORDER BY download_count DESC, project ASC"""

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
    return {**window_parameters(request.window), "days": request.window.days}


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
        return cls.of_summary(result.summary)

    @classmethod
    def of_summary(cls, summary: dict[str, Any]) -> Read:
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


@dataclass(frozen=True)
class Answer:
    """An Arrow answer and what the server read for it."""

    table: pa.Table
    read: Read


# The answer only once the query has ended, so that X-ClickHouse-Summary counts every byte
# read: sent with the first bytes of a streamed answer, it may count less (ClickHouse issue
# 12122). clickhouse-connect's query_arrow drops the headers, so the engine reads the
# ArrowStream response itself. Text comes as Arrow binary unless a setting says otherwise, and
# a readonly user (a public server's) may not change settings: the engine casts it instead.
ARROW_SETTINGS = {"wait_end_of_query": 1}


def fetch_arrow(client: Client, sql: str, values: dict[str, Any]) -> Answer:
    stream = client.raw_stream(sql, parameters=values, settings=ARROW_SETTINGS, fmt="ArrowStream")
    response = cast(HTTPResponse, stream)
    try:
        summary = summary_of(response.headers.get("X-ClickHouse-Summary"))
        table = pa.ipc.open_stream(response).read_all()
    except (HTTPError, OSError) as exc:
        # Cut off in the middle of the answer: as transient as a connection that failed first.
        raise OperationalError(f"connection lost while reading the answer ({exc})") from None
    finally:
        response.close()
    return Answer(as_text(table), Read.of_summary(summary))


def summary_of(header: str | None) -> dict[str, Any]:
    """X-ClickHouse-Summary's numbers; none when a proxy dropped or mangled it, as the client
    takes it for its other queries."""
    try:
        summary = json.loads(header or "{}")
    except json.JSONDecodeError:
        return {}
    return summary if isinstance(summary, dict) else {}


def as_text(table: pa.Table) -> pa.Table:
    """Binary columns as UTF-8 strings (ArrowInvalid if one is not)."""
    for index, column in enumerate(table.columns):
        if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
            name = table.column_names[index]
            table = table.set_column(index, name, column.cast(pa.string()))
    return table


# What each query answers, column by column. Exact types: a datetime is also a date, and a
# server whose `date` is a DateTime would shift days; a NULL project is not a project.
PER_DAY_SHAPE = (("date", date), ("downloads", int))
TOP_SCHEMA = pa.schema(
    [
        (PROJECT, pa.string()),
        (DOWNLOADS, pa.int64()),
        (BUSIEST_TWO_DAYS, pa.int64()),
        (MEDIAN_DAY, pa.float64()),
    ]
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


def check_table(table: pa.Table, schema: pa.Schema, server: Server) -> None:
    """The Arrow answer has `schema`'s columns and types, and no NULL in them."""
    if table.schema.names != schema.names:
        raise unexpected(server, f"columns {', '.join(table.schema.names)}")
    for expected in schema:
        column = table.column(expected.name)
        if column.type != expected.type:
            raise unexpected(server, f"{expected.name} of type {column.type}")
        if column.null_count:
            raise unexpected(server, f"{expected.name} None")


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


def split_unnamed(ranked: pa.Table) -> tuple[pa.Table, int]:
    """The named projects, still ranked, and the downloads without a name ('' in ClickPy)."""
    named = pc.fill_null(pc.not_equal(ranked.column(PROJECT), ""), False)
    unnamed = ranked.column(DOWNLOADS).filter(pc.invert(named))
    return ranked.filter(named), total(unnamed)


def count_from(top: Answer, installers: Answer | None, request: Request, read: Read) -> Count:
    ranked, unnamed = split_unnamed(top.table)
    fields: dict[str, Any] = {}
    if installers is not None:
        ranked, fields = with_breakdown(ranked, installers.table)
    table = long_tail.conform(ranked)
    return Count(
        rows=long_tail.top_rows(table, request.limit),
        projects_counted=table.num_rows,
        period=request.window,
        query=QueryStats(bytes_processed=read.bytes),
        unnamed_downloads=unnamed,
        engine_fields=fields,
        blocks={"statistics": read.block()},
        table=table,
        unavailable=unavailable(request.breakdown),
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
        """The main query, then (with the breakdown) the installer query."""
        return f"{TOP_PROJECTS_SQL};\n\n{INSTALLERS_SQL}" if request.breakdown else TOP_PROJECTS_SQL

    def plan(self, request: Request, progress: Progress = silent) -> Plan:
        days, values = window_parameters(request.window), top_parameters(request)
        progress(self.waiting())
        with self.connect(progress) as client:
            per_day = self.query(client, DOWNLOADS_PER_DAY_SQL, days, progress)
            check_shape(per_day, PER_DAY_SHAPE, self.server)
            estimate = self.estimate(client, TOP_PROJECTS_SQL, values, progress)
            installers = NOT_COUNTED
            if request.breakdown:
                sql, bound = INSTALLERS_SQL, installer_parameters(request.window)
                installers = self.estimate(client, sql, bound, progress)
        bad = find_bad_days(downloads_per_day(per_day), request.window)
        checked = Read.of(per_day)
        return Plan(
            engine=self.name,
            window=request.window,
            sql=self.sql(request),
            facts=[
                ("server", f"{self.server.url} as {self.user}"),
                ("completeness", describe_bad_days(bad)),
                ("estimate", f"{estimate} of {TABLE} to read"),
                ("installers", f"{installers} of {INSTALLER_TABLE} to read"),
                ("checked", f"{checked.rows:,} rows, {checked.bytes:,} bytes read to check days"),
                ("parameters", describe_parameters(values)),
            ],
        )

    def estimate(self, client: Client, sql: str, values: dict[str, Any], progress: Progress) -> str:
        answer = self.query(client, f"EXPLAIN ESTIMATE {sql}", values, progress)
        return f"about {estimated_rows(answer):,} rows"

    def count(self, request: Request, progress: Progress) -> Count:
        days = window_parameters(request.window)
        progress(self.waiting())
        with self.connect(progress) as client:
            progress(f"Checking that {TABLE} has every day of the window")
            per_day = self.query(client, DOWNLOADS_PER_DAY_SQL, days, progress)
            check_shape(per_day, PER_DAY_SHAPE, self.server)
            bad = check_complete(downloads_per_day(per_day), request.window, self.allow_incomplete)
            progress(f"Counting downloads in {TABLE}")
            top = self.arrow(client, TOP_PROJECTS_SQL, top_parameters(request), progress)
            check_table(top.table, TOP_SCHEMA, self.server)
            installers, read = None, Read.of(per_day) + top.read
            if request.breakdown:
                progress(f"Counting downloads by installer in {INSTALLER_TABLE}")
                bound = installer_parameters(request.window)
                installers = self.arrow(client, INSTALLERS_SQL, bound, progress)
                check_table(installers.table, INSTALLERS_SCHEMA, self.server)
                read += installers.read
        count = count_from(top, installers, request, read)
        fields = incomplete_fields(bad) | count.engine_fields
        return replace(count, engine_fields=fields, bad_days=tuple(bad))

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

    def arrow(self, client: Client, sql: str, values: dict[str, Any], progress: Progress) -> Answer:
        try:
            return self.attempt(lambda: fetch_arrow(client, sql, values), progress)
        except pa.ArrowInvalid as exc:
            raise unexpected(self.server, f"with no Arrow stream ({exc})") from None

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
