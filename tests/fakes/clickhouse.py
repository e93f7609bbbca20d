"""A local ClickHouse for the tests: the real engine (chDB, embedded) behind the part of
ClickHouse's HTTP interface that clickhouse-connect speaks, holding ClickPy's `pypi` tables.

The unmodified client runs against it: `clickhouse_connect.get_client(host=..., port=...,
username=..., password=..., interface="http")`. Modelled: the handshake, server-side bound
parameters (`param_<name>` in the URL or a multipart form), URL settings (unknown ones refused;
applied to statements with a result), the output format of the query's FORMAT clause, one
statement per request, the `X-ClickHouse-Summary` header, error bodies with their
`X-ClickHouse-Exception-Code` header and HTTP status, and HTTP authentication. The failures a
public endpoint shows can be switched on: 503s, dropped connections, stalls, days never loaded,
a changed schema; and a public server's limits (clickhouse_limits.py), with the answer's summary
telling rows read from rows to read (the query's own progress, clickhouse_chdb.py). With
`today`, the per-month table keeps only the last 6 calendar months, as ClickPy's does. A request
asked again is answered from memory where running it would give the same answer and summary
(clickhouse_memory.py; `remember=False`: every request is run, as the benchmark wants).

Not modelled: response compression (answers are always identity-encoded, which the client
accepts), `client_protocol_version` block info (the client's probe then falls back to protocol
0, as behind a proxy that strips the parameter), sessions, readonly for GET, INSERT data in
the request body, external tables, progress headers and exceptions in the middle of a stream.

chDB runs one embedded server per process: one stand-in may be open at a time.
"""

from __future__ import annotations

import contextlib
import hmac
import shutil
import tempfile
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Literal, Self

from tests.fakes.clickhouse_chdb import ChDB
from tests.fakes.clickhouse_http import Reply, _Server
from tests.fakes.clickhouse_limits import NO_LIMITS, Limits
from tests.fakes.clickhouse_memory import Answered, Memory
from tests.fakes.clickhouse_tables import (
    AGGREGATES,
    DATABASE,
    INSTALLER_TABLE,
    LOAD_EVENTS,
    create_tables,
    event_files,
)
from tests.fakes.clickhouse_wire import (
    BINARY,
    CONTENT_TYPES,
    DEFAULT_FORMAT,
    TEXT_PLAIN,
    ServerError,
    authentication_failed,
    check_settings,
    credentials,
    prepare,
    read_query,
    split_params,
    sql_string,
)

__all__ = ["AGGREGATES", "INSTALLER_TABLE", "ClickHouseStandIn", "ServerError"]

MONTHLY_TABLE = "pypi_downloads_per_month"
RECENT_MONTHS = 6  # ClickPy's per-month table drops older months

FailureKind = Literal["503", "disconnect", "slow"]
FAILURE_KINDS: tuple[FailureKind, ...] = ("503", "disconnect", "slow")


@dataclass(frozen=True)
class ReceivedQuery:
    """One request as the server saw it, for the tests' assertions."""

    sql: str
    params: dict[str, str]  # bound parameters, without the `param_` prefix
    settings: dict[str, str]
    user: str
    failure: FailureKind | None = None  # the injected failure this attempt met


class ClickHouseStandIn:
    """ClickPy's `pypi` tables in chDB, served over ClickHouse's HTTP interface on 127.0.0.1."""

    def __init__(
        self,
        events_dir: Path | None = None,
        user: str = "demo",
        password: str = "",
        *,
        display_name: str = "clickhouse-standin",
        limits: Limits = NO_LIMITS,
        today: date | None = None,
        remember: bool = True,
    ) -> None:
        self.limits = limits
        # Answers given again where running the request would give the same (clickhouse_memory.py).
        self.memory = Memory(on=remember)
        self.today = today  # with a day, the per-month table keeps its last 6 months only
        self.users = {user: password}
        self.display_name = display_name
        self.queries: list[ReceivedQuery] = []
        self._failures: deque[FailureKind] = deque()
        self._stall_seconds = 0.0
        self._closing = threading.Event()
        self._workdir = Path(tempfile.mkdtemp(prefix="clickhouse-standin-"))
        try:
            self._db = ChDB(self._workdir / "data")
            self._load(events_dir)
        except BaseException:
            self._discard()
            raise
        self._server = _Server(self)
        self.host, self.port = "127.0.0.1", int(self._server.server_address[1])
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))
        self._thread.start()

    def _load(self, events_dir: Path | None) -> None:
        self.version = self._db.text("SELECT version()").strip()
        self.timezone = self._db.text("SELECT timezone()").strip()
        self.settings = frozenset(self._db.text("SELECT name FROM system.settings").split())
        create_tables(self._db)
        if events_dir is not None:
            self.load_events(events_dir)

    def _discard(self) -> None:
        if hasattr(self, "_db"):
            self._db.close()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._closing.is_set():
            return
        self._closing.set()  # wakes stalled answers
        self._server.shutdown()
        self._server.hang_up()
        self._server.server_close()  # joins the request threads
        self._thread.join()
        self._discard()

    # Data: what ClickPy has loaded.

    def load_events(self, events: Path) -> None:
        """Insert file_downloads events (a Parquet file or a folder of them) into `pypi.pypi`;
        the materialized views add them to the aggregates, as in ClickPy's loads."""
        self._db.run(LOAD_EVENTS.format(path=sql_string(event_files(events))))
        self.forget_old_months()
        self.merge_parts()

    def drop_day(self, day: date) -> None:
        """Make `day` missing everywhere, as when ClickPy's loader stalled on it."""
        self.drop_days([day])

    def drop_days(self, days: Iterable[date]) -> None:
        """Make `days` missing everywhere: gone from the raw table and from every aggregate,
        whose other days stay as they were. Only the months they fall in are summed again
        (rebuilding every aggregate once per day made a test's teardown take 20 s)."""
        listed = sorted(set(days))
        if not listed:
            return
        dates = ", ".join(sql_string(day.isoformat()) for day in listed)
        months = ", ".join(sorted({sql_string(day.replace(day=1).isoformat()) for day in listed}))
        self._db.run(f"DELETE FROM {DATABASE}.pypi WHERE date IN ({dates})")
        for table, (_, _, select) in AGGREGATES.items():
            if table != MONTHLY_TABLE:
                self._db.run(f"DELETE FROM {DATABASE}.{table} WHERE date IN ({dates})")
                continue
            self._db.run(f"DELETE FROM {DATABASE}.{table} WHERE month IN ({months})")
            self._db.run(
                f"INSERT INTO {DATABASE}.{table} SELECT * FROM ({select}) WHERE month IN ({months})"
            )
        self.forget_old_months()
        self.merge_parts()

    def rebuild_aggregates(self) -> None:
        """Every aggregate again from the raw table, as its materialized view would have it."""
        for table, (_, _, select) in AGGREGATES.items():
            self._db.run(f"TRUNCATE TABLE {DATABASE}.{table}")
            self._db.run(f"INSERT INTO {DATABASE}.{table} {select}")
        self.forget_old_months()
        self.merge_parts()

    def merge_parts(self) -> None:
        """Each aggregate in one part, as ClickHouse's background merges leave a big table: an
        index over one part per loaded day would estimate every range at the whole table."""
        for table in AGGREGATES:
            self._db.run(f"OPTIMIZE TABLE {DATABASE}.{table} FINAL")

    def unmerge(self, small_parts: int, days: int = 3) -> None:
        """Each aggregate as a freshly loaded ClickPy table is: its older rows in one merged
        part, the last `days` days loaded in `small_parts` small inserts each, not merged yet.
        A small part's one granule holds a few rows, a merged part's hold INDEX_GRANULARITY:
        the table's rows over its granules are far below what one granule may hold."""
        for table in AGGREGATES:
            if table == MONTHLY_TABLE:
                continue
            name = f"{DATABASE}.{table}"
            self._db.run(f"SYSTEM STOP MERGES {name}")
            self._db.run(f"CREATE TABLE {name}_loaded ENGINE = Memory AS SELECT * FROM {name}")
            self._db.run(f"TRUNCATE TABLE {name}")
            recent = f"date > (SELECT max(date) FROM {name}_loaded) - {days}"
            self._db.run(f"INSERT INTO {name} SELECT * FROM {name}_loaded WHERE NOT ({recent})")
            for index in range(small_parts):
                self._db.run(
                    f"INSERT INTO {name} SELECT * FROM {name}_loaded WHERE {recent}"
                    f" AND cityHash64(project, date) % {small_parts} = {index}"
                )
            self._db.run(f"DROP TABLE {name}_loaded")

    def add_installer_downloads(
        self, project: str, day: date, installer: str, count: int, version: str = "1.0"
    ) -> None:
        """Downloads in the installer table only: ClickPy loads its tables separately, so they
        can disagree with the per-day one (`rebuild_aggregates` mends it)."""
        self._db.run(
            f"INSERT INTO {DATABASE}.{INSTALLER_TABLE} (project, version, date, installer, type,"
            " count) VALUES ({project:String}, {version:String}, {day:Date}, {installer:String},"
            " 'bdist_wheel', {count:Int64})",
            params={
                "project": project,
                "version": version,
                "day": day.isoformat(),
                "installer": installer,
                "count": str(count),
            },
        )

    def serve_wrong_schema(self) -> None:
        """Rename the aggregates' `count` column to `downloads`: a schema change upstream.
        Loading more events afterwards fails, as the views still write `count`."""
        for table in AGGREGATES:
            self._db.run(f"ALTER TABLE {DATABASE}.{table} RENAME COLUMN count TO downloads")

    def rows(self, table: str) -> int:
        """How many rows `table` holds."""
        return int(self._db.text(f"SELECT count() FROM {table}").strip())

    def forget_old_months(self) -> None:
        """The per-month table as ClickPy's holds it: the last 6 calendar months up to today's."""
        if self.today is None:
            return
        month = self.today.year * 12 + self.today.month - 1 - (RECENT_MONTHS - 1)
        first = date(month // 12, month % 12 + 1, 1)
        self._db.run(
            f"DELETE FROM {DATABASE}.{MONTHLY_TABLE} WHERE month < {sql_string(first.isoformat())}"
        )

    # Limits: the public server's settings profile.

    @contextlib.contextmanager
    def limited(self, limits: Limits) -> Iterator[None]:
        """Serve with `limits` for the block's queries."""
        before, self.limits = self.limits, limits
        try:
            yield
        finally:
            self.limits = before

    # Faults: what a public endpoint does on a bad day.

    def fail_next(self, n: int = 1, kind: FailureKind = "503", *, seconds: float = 5.0) -> None:
        """Answer the next `n` query requests with `kind`: "503" (Service Unavailable, no
        ClickHouse exception: a proxy in front), "disconnect" (the connection closes with no
        answer) or "slow" (the answer waits `seconds`, longer than the client's timeout)."""
        if kind not in FAILURE_KINDS:
            raise ValueError(f"kind {kind!r} is not one of {FAILURE_KINDS}")
        self._stall_seconds = seconds
        self._failures.extend([kind] * n)

    def _take_failure(self) -> FailureKind | None:
        try:
            return self._failures.popleft()
        except IndexError:
            return None

    # The HTTP interface.

    def answer(self, params: dict[str, str], headers: dict[str, str], body: bytes) -> Reply | None:
        """The reply to one query request, or None to close the connection without one."""
        failure = self._take_failure()
        if failure == "slow" and self._closing.wait(self._stall_seconds):
            return None  # closing: nobody is waiting any more
        try:
            fields = read_query(params, headers, body)
            user, password = credentials(headers, fields)
        except ServerError as error:
            return None if failure == "disconnect" else self._error(error, params)
        bound, settings = split_params(fields)
        self.queries.append(ReceivedQuery(fields["query"], bound, settings, user, failure))
        if failure == "disconnect":
            return None
        if failure == "503":
            return Reply(503, b"Service Unavailable\n", {"Content-Type": TEXT_PLAIN})
        try:
            self._authenticate(user, password)
            return self._execute(fields, bound, settings)
        except ServerError as error:
            return self._error(error, fields)

    def _authenticate(self, user: str, password: str) -> None:
        expected = self.users.get(user)
        if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
            raise authentication_failed(user)

    def _execute(
        self, fields: dict[str, str], bound: dict[str, str], settings: dict[str, str]
    ) -> Reply:
        check_settings(settings, self.settings)
        default_format = fields.get("default_format", DEFAULT_FORMAT)
        sql = fields["query"]
        applied = self.limits.applied(settings, sql)
        text, fmt = prepare(sql, applied, default_format)
        clocked = not self.limits.rows_per_second
        key = self.memory.key(sql, fmt, bound, applied, clocked) if fmt else None
        answered = self.memory.recall(key, applied, self._db.generation)
        if answered is None:
            answered = self._run(text, bound, sql, fmt)
            self.memory.keep(key, applied, answered)
        elapsed = self.limits.elapsed_ns(answered.read_rows, answered.measured_ns)
        headers = self._headers(fields) | {"X-ClickHouse-Summary": answered.summary(elapsed)}
        if fmt is None:
            return Reply(200, answered.body, headers | {"Content-Type": TEXT_PLAIN})
        headers |= {"Content-Type": CONTENT_TYPES.get(fmt, BINARY), "X-ClickHouse-Format": fmt}
        return Reply(200, answered.body, headers)

    def _run(self, text: str, bound: dict[str, str], sql: str, fmt: str | None) -> Answered:
        try:
            ran = self._db.ran(text, params=bound)
        except ServerError as error:
            raise self.limits.error(error, sql) from None
        return Answered.of(ran.result, ran.rows_to_read if fmt else 0, ran.generation)

    def _error(self, error: ServerError, fields: dict[str, str]) -> Reply:
        headers = self._headers(fields) | {
            "Content-Type": TEXT_PLAIN,
            "X-ClickHouse-Exception-Code": str(error.code),
        }
        return Reply(error.status, error.body(self.version), headers)

    def _headers(self, fields: dict[str, str]) -> dict[str, str]:
        return {
            "X-ClickHouse-Server-Display-Name": self.display_name,
            "X-ClickHouse-Query-Id": fields.get("query_id") or str(uuid.uuid4()),
            "X-ClickHouse-Timezone": self.timezone,
        }
