"""The ClickHouse engine: ClickPy's daily download counts, on its free public server or on any
ClickHouse that holds the same `pypi.pypi_downloads_per_day(date, project, count)` table.

ClickPy loads the same BigQuery events, summed per project and UTC day, so a window of days
summed there counts what the other engines count, without a bill. But a public server answers
a query that meets one of its limits with the part it had and no warning, so no answer is
trusted unless it is shown whole: the engine reads the server's limits (limits.py), reads each
table in ranges of project names small enough to be read whole (ranges.py, scan.py), proves
every answer whole from the server's own account of it (proof.py), and counts a few projects
again by name. Any failed proof stops the run before anything is written; only the installer
breakdown (breakdown.py) may be left out instead, said in `breakdown.unavailable`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, TypeVar

import clickhouse_connect
import pyarrow as pa
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import ClickHouseError
from clickhouse_connect.driver.query import QueryResult

from publisher import __version__
from publisher.base.errors import EngineError
from publisher.base.progress import Progress, silent
from publisher.base.retry import Retry
from publisher.base.settings import Settings
from publisher.count.completeness import (
    check_complete,
    describe_bad_days,
    find_bad_days,
    incomplete_fields,
)
from publisher.count.engines.base import Count, Plan, Request
from publisher.count.engines.clickhouse import scan
from publisher.count.engines.clickhouse.answers import Answer, Read, fetch_arrow, unexpected
from publisher.count.engines.clickhouse.breakdown import INSTALLER_TABLE, installer_parameters
from publisher.count.engines.clickhouse.counted import (
    count_from,
    downloads_per_day,
    installers_of,
    ranked_of,
    recount_names,
    recounted,
)
from publisher.count.engines.clickhouse.describing import (
    describe_parameters,
    describe_ranges,
    describe_reads,
)
from publisher.count.engines.clickhouse.failures import (
    SMALLER_MAY_PASS,
    NotProven,
    TooBig,
    engine_error,
    error_code,
    with_retries,
    without_secret,
)
from publisher.count.engines.clickhouse.limits import (
    ASSUMED,
    NAMES,
    SETTINGS_SQL,
    Limits,
    from_settings,
)
from publisher.count.engines.clickhouse.proof import prove
from publisher.count.engines.clickhouse.queries import (
    DAYS_SCHEMA,
    DAYS_SQL,
    INSTALLERS_RANGE_SCHEMA,
    INSTALLERS_RANGE_SQL,
    RANKING_SCHEMA,
    RANKING_SQL,
    RECOUNT_SQL,
    template_text,
    window_values,
)
from publisher.count.engines.clickhouse.ranges import Planned
from publisher.count.engines.clickhouse.server import TABLE, Server, parse_url
from publisher.count.long_tail import NOT_COUNTED
from publisher.count.window import Window

# The client logs transport failures as warnings; with logging unconfigured Python would print
# them, traceback included, beside our one-line error. An application may still route them.
logging.getLogger("clickhouse_connect").addHandler(logging.NullHandler())

T = TypeVar("T")

# What each plain (not Arrow) answer holds, column by column. Exact types: a datetime is also
# a date, and a server whose `date` is a DateTime would shift days.
PER_DAY_SHAPE = (("date", date), ("downloads", int))
RECOUNT_SHAPE = (("project", str), ("downloads", int))


def top_parameters(window: Window) -> dict[str, Any]:
    return {**window_values(window), "days": window.days}


def check_shape(result: QueryResult, shape: tuple[tuple[str, type], ...], server: Server) -> None:
    if not result.result_rows and not result.column_names:
        return  # an empty answer may come without its columns
    names = tuple(name for name, _ in shape)
    if tuple(result.column_names) != names:
        raise unexpected(server, f"columns {', '.join(result.column_names)}")
    for row in result.result_rows:
        for value, (name, kind) in zip(row, shape, strict=True):
            if type(value) is not kind:
                raise unexpected(server, f"{name} {value!r} ({type(value).__name__})")


# A plan that shows, read by read, the granules the table's index selects; it runs nothing.
EXPLAIN_READS = "EXPLAIN json = 1, indexes = 1"


def estimated_rows(result: QueryResult) -> int:
    """Rows an `EXPLAIN ESTIMATE` says the query would read, over every table and part."""
    return sum(int(row["rows"]) for row in result.named_results())


def ranking_scan(window: Window) -> scan.Scan:
    return scan.Scan(RANKING_SQL, top_parameters(window), RANKING_SCHEMA, "the count")


def installers_scan(window: Window) -> scan.Scan:
    values = installer_parameters(window)
    return scan.Scan(INSTALLERS_RANGE_SQL, values, INSTALLERS_RANGE_SCHEMA, "the breakdown")


def days_scan(window: Window) -> scan.Scan:
    return scan.Scan(DAYS_SQL, window_values(window), DAYS_SCHEMA, "the check of the days")


@dataclass
class Session:
    """One connection's questions, each retried and its failures made one line (scan.Asker)."""

    engine: ClickHouseEngine
    client: Client
    progress: Progress
    known: Limits | None = None  # the limits, once read

    @property
    def where(self) -> str:
        return f"ClickHouse at {self.engine.server.url}"

    def query(self, sql: str, values: dict[str, Any], what: str = "the query") -> QueryResult:
        client = self.client
        return self.engine.attempt(
            lambda: client.query(sql, parameters=values), self.progress, what
        )

    def estimate(self, sql: str, values: dict[str, Any]) -> int:
        """The rows the server's index says the query reads; with a row limit in `throw`
        mode the server refuses to estimate past it: then one more than it allows."""
        try:
            result = self.query(f"EXPLAIN ESTIMATE {sql}", values, "an estimate")
        except NotProven:
            cap = self.known.rows_cap() if self.known is not None else 0
            if not cap:
                raise
            return cap + 1
        return estimated_rows(result)

    def explain(self, sql: str, values: dict[str, Any]) -> str:
        """The server's plan of the statement as JSON, with what its indexes select."""
        result = self.query(f"{EXPLAIN_READS} {sql}", values, "a plan of the ranges")
        return "\n".join(str(row[0]) for row in result.result_rows)

    def answer(self, sql: str, values: dict[str, Any], what: str) -> Answer:
        """An answer; TooBig when the server refused it at a limit a smaller range may pass."""
        client = self.client
        try:
            return self.engine.attempt(
                lambda: fetch_arrow(client, sql, values), self.progress, what, ranged=True
            )
        except pa.ArrowInvalid as exc:
            raise unexpected(self.engine.server, f"with no Arrow stream ({exc})") from None

    def limits(self) -> Limits:
        """The server's limits, or the assumed ones when they cannot be read."""
        try:
            result = self.query(SETTINGS_SQL, {"names": list(NAMES)}, "the read of its limits")
        except EngineError:
            self.known = ASSUMED
            return ASSUMED
        limits = from_settings((str(row[0]), str(row[1])) for row in result.result_rows)
        limits.check_handled(self.where)
        self.known = limits
        return limits

    def recount(
        self, counted: scan.Scanned, ranked: pa.Table, limits: Limits, window: Window
    ) -> Read:
        """A few projects counted again by name (each range's first and last, the top 3)."""
        read = Read(queries=0)
        for names in recount_names(counted, ranked):
            values = {"names": names, **window_values(window)}
            result = self.query(RECOUNT_SQL, values, "the recount")
            check_shape(result, RECOUNT_SHAPE, self.engine.server)
            what = f"the recount of {', '.join(map(repr, names))}"
            prove(Read.of(result), limits, len(result.result_rows), self.where, what)
            recounted(result.result_rows, ranked, self.where)
            read += Read.of(result)
        return read


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
        """The range query templates (`{low:String}`, `{high:String}`; the last range has no
        `high`), then the recount, then (with the breakdown) the installer query."""
        texts = [template_text(RANKING_SQL), RECOUNT_SQL]
        if request.breakdown:
            texts.append(template_text(INSTALLERS_RANGE_SQL))
        return ";\n\n".join(texts)

    def plan(self, request: Request, progress: Progress = silent) -> Plan:
        progress(self.waiting())
        with self.session(progress) as session:
            limits = session.limits()
            planned = scan.plan(session, ranking_scan(request.window), limits)
            days = scan.run(session, days_scan(request.window), limits, planned, progress)
            installers: list[Planned] | EngineError = []
            if request.breakdown:
                try:
                    installers = scan.plan(session, installers_scan(request.window), limits)
                except NotProven as reason:
                    installers = reason
        bad = find_bad_days(downloads_per_day(days), request.window)
        return Plan(
            engine=self.name,
            window=request.window,
            sql=self.sql(request),
            facts=[
                ("server", f"{self.server.url} as {self.user}"),
                ("limits", limits.describe_all()),
                ("completeness", describe_bad_days(bad)),
                ("estimate", f"about {sum(p.rows for p in planned):,} rows of {TABLE} to read"),
                ("ranges", describe_ranges(planned, TABLE)),
                ("installers", self.describe_installers(request, installers)),
                ("queries", self.describe_queries(planned, installers)),
                (
                    "checked",
                    f"{days.read.rows:,} rows, {days.read.bytes:,} bytes read to check days",
                ),
                ("parameters", describe_parameters(top_parameters(request.window))),
            ],
        )

    @staticmethod
    def describe_installers(request: Request, planned: list[Planned] | EngineError) -> str:
        if not request.breakdown:
            return f"{NOT_COUNTED} of {INSTALLER_TABLE} to read"
        if isinstance(planned, EngineError):
            return f"left out: {planned.message}"
        rows = sum(item.rows for item in planned)
        ranges = describe_ranges(planned, INSTALLER_TABLE)
        return f"about {rows:,} rows of {INSTALLER_TABLE} to read; {ranges}"

    @staticmethod
    def describe_queries(planned: list[Planned], installers: list[Planned] | EngineError) -> str:
        extra = 0 if isinstance(installers, EngineError) else len(installers)
        total = 1 + 2 * len(planned) + extra
        return (
            f"at least {total}: the limits, a count and a recount per range"
            f"{', a breakdown per range' if extra else ''} (a range whose answer met a limit"
            " a smaller range may stay under is asked again in halves)"
        )

    def count(self, request: Request, progress: Progress) -> Count:
        window = request.window
        progress(self.waiting())
        with self.session(progress) as session:
            limits = session.limits()
            ranking = ranking_scan(window)
            counted = scan.run(
                session, ranking, limits, scan.plan(session, ranking, limits), progress
            )
            bad = check_complete(downloads_per_day(counted), window, self.allow_incomplete)
            ranked = ranked_of(counted)
            read = counted.read + session.recount(counted, ranked, limits, window)
            breakdown: scan.Scanned | EngineError | None = None
            if request.breakdown:
                breakdown = scan.either(lambda: self.installers(session, limits, window, progress))
        if isinstance(breakdown, scan.Scanned):
            read += breakdown.read
        progress(describe_reads(read, limits))
        count = count_from(ranked, installers_of(breakdown), request, read)
        fields = incomplete_fields(bad) | count.engine_fields
        facts = (("queries", describe_reads(read, limits)),)
        return replace(count, engine_fields=fields, bad_days=tuple(bad), facts=facts)

    @staticmethod
    def installers(
        session: Session, limits: Limits, window: Window, progress: Progress
    ) -> scan.Scanned:
        installers = installers_scan(window)
        planned = scan.plan(session, installers, limits)
        return scan.run(session, installers, limits, planned, progress)

    @contextmanager
    def session(self, progress: Progress) -> Iterator[Session]:
        with self.connect(progress) as client:
            yield Session(self, client, progress)

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

    def attempt(
        self,
        call: Callable[[], T],
        progress: Progress,
        what: str = "the query",
        ranged: bool = False,
    ) -> T:
        """`call()` with retries; what still fails becomes one EngineError line (a range's
        answer over the result cap or the time limit: TooBig, for a smaller range)."""
        where = f"ClickHouse at {self.server.url}"
        attempts = 0

        def counted() -> T:
            nonlocal attempts
            attempts += 1
            return call()

        try:
            return with_retries(counted, self.retry, lambda news: progress(f"{where}: {news}"))
        except ClickHouseError as exc:
            if ranged and error_code(exc) in SMALLER_MAY_PASS:
                raise TooBig() from None
            error = engine_error(exc, self.server, self.user, attempts, self.password, what)
            raise without_secret(error, self.password, self.user) from None
