"""The embedded engine: DuckDB over local Parquet files in the `file_downloads` schema.

It runs the BigQuery query text translated by sqlglot, so what it counts is what BigQuery would;
or, when the Parquet metadata proves each row group one day of the window, the same count row
group by row group (publisher.count.engines.duckdb.tally), without the query.
"""

import re
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from publisher.base.errors import EngineError
from publisher.base.progress import Progress, silent
from publisher.count import long_tail
from publisher.count.completeness import (
    check_complete,
    describe_bad_days,
    find_bad_days,
    incomplete_fields,
)
from publisher.count.engines.base import Count, Plan, QueryStats, Request
from publisher.count.engines.duckdb.by_row_group import Answer, count_by_row_group
from publisher.count.engines.duckdb.day_groups import DayGroups, day_groups
from publisher.count.engines.duckdb.events import (
    EventFiles,
    find_event_files,
    literal,
    rows_per_day_from_metadata,
    window_bytes,
)
from publisher.count.query import (
    PROJECTS_COUNTED,
    UNNAMED_DOWNLOADS,
    to_duckdb,
    top_projects_sql,
    window_value,
)

CATALOG = "bigquery-public-data"
# DuckDB keeps at most this much in memory and spills the rest of the per-(project, day)
# aggregation to a temporary folder; its default, 80 % of the machine, let a month of 800,000
# projects peak at 1.4 GiB where 400 MB keeps the whole run under 1 GiB at the same speed
# (make bench: long tail).
MEMORY_LIMIT = "400MB"
GLOB_CHARACTER = re.compile(r"[*?\[]")


def connect(files: EventFiles, spill: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A UTC session where the BigQuery table name resolves to the Parquet files; with a
    `spill` folder, one that keeps at most MEMORY_LIMIT in memory and spills the rest there.

    UTC matters: sqlglot writes the bounds as TIMESTAMPTZ literals, which DuckDB reads in the
    session's time zone, so under another TZ the window would shift by hours.
    """
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if spill is not None:
        con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
        con.execute(f"SET temp_directory = {_quote(str(spill))}")
    paths = ", ".join(_quote(unglobbed(literal(p))) for p in files.paths)
    con.execute(f"ATTACH ':memory:' AS \"{CATALOG}\"")
    con.execute(f'CREATE SCHEMA "{CATALOG}".pypi')
    con.execute(
        f'CREATE VIEW "{CATALOG}".pypi.file_downloads AS SELECT * FROM read_parquet([{paths}])'
    )
    return con


@contextmanager
def session(files: EventFiles) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection with its own spill folder, both gone afterwards; Ctrl-C stays Ctrl-C and
    a spill the disk cannot hold is one line."""
    with (
        interruptible(),
        tempfile.TemporaryDirectory(prefix="top-pypi-duckdb-") as spill,
        closing(connect(files, Path(spill))) as con,
    ):
        try:
            yield con
        except (duckdb.IOException, duckdb.OutOfMemoryException) as exc:
            raise EngineError(
                f"DuckDB ran out of room for its temporary files in {spill}: "
                f"{str(exc).splitlines()[0]:.200}.",
                "Free disk space there, or point TMPDIR at a folder with room.",
            ) from None


@contextmanager
def interruptible() -> Iterator[None]:
    """Ctrl-C during a query is the KeyboardInterrupt it is: DuckDB's Python client polls for
    signals while a query runs and raises `RuntimeError("Query interrupted")` instead."""
    try:
        yield
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    except RuntimeError as exc:
        if str(exc) != "Query interrupted":
            raise
        raise KeyboardInterrupt from None


def unglobbed(path: Path) -> str:
    """The path as DuckDB reads it literally. DuckDB expands `*`, `?` and `[...]` in every
    path given to read_parquet, list or not: a folder `ev[12]` would read `ev1` instead, a
    folder `dir_*` also its siblings. In brackets each stands for itself."""
    return GLOB_CHARACTER.sub(r"[\g<0>]", str(path))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_answer(answer: pa.Table) -> Answer:
    """The SQL's answer, its window columns taken out."""
    return Answer(
        answer,
        window_value(answer, PROJECTS_COUNTED),
        window_value(answer, UNNAMED_DOWNLOADS),
    )


def count_from_answer(answer: Answer, request: Request, bytes_read: int) -> Count:
    """The long tail as Arrow, the compatible rows its first `limit` rows."""
    table = long_tail.conform(answer.table)
    return Count(
        rows=long_tail.top_rows(table, request.limit),
        projects_counted=answer.projects_counted,
        period=request.window,
        query=QueryStats(bytes_processed=bytes_read),
        unnamed_downloads=answer.unnamed_downloads,
        table=table,
        unavailable=long_tail.not_counted(request.breakdown),
    )


COUNTING = "counting"


def describe_counting(layout: DayGroups) -> str:
    """Which way the count goes, and why, for the plan and the run's summary."""
    if layout.why_not is None:
        return (
            "row group by row group (each row group of the window holds one day, as its"
            " Parquet statistics show), with the same rules as the SQL"
        )
    return f"with the SQL below, as {layout.why_not}"


# An event without a timestamp is in no day (and outside every window).
ROWS_PER_DAY_SQL = (
    "SELECT CAST(timezone('UTC', timestamp) AS DATE) AS day, count(*) AS n"
    f' FROM "{CATALOG}".pypi.file_downloads WHERE timestamp IS NOT NULL GROUP BY day'
)


def rows_per_day(files: EventFiles, con: duckdb.DuckDBPyConnection) -> dict[date, int]:
    """From Parquet statistics when each row group holds one day (as `sample` writes them),
    else by scanning the timestamp column."""
    from_metadata = rows_per_day_from_metadata(files)
    if from_metadata is not None:
        return from_metadata
    return {day: int(n) for day, n in con.execute(ROWS_PER_DAY_SQL).fetchall()}


@dataclass(frozen=True)
class DuckDBEngine:
    events: str | None
    allow_incomplete: bool = False
    name: str = "duckdb"
    events_name: str | None = None  # how errors name the events: the option or the file's line

    def sql(self, request: Request) -> str:
        return top_projects_sql(request.window, request.breakdown)

    def plan(self, request: Request, progress: Progress = silent) -> Plan:
        progress("Reading the events' Parquet metadata")
        files = find_event_files(self.events, self.events_name, request.breakdown)
        estimate = window_bytes(files, request.window, request.breakdown)
        with session(files) as con:
            bad = find_bad_days(rows_per_day(files, con), request.window)
        return Plan(
            engine=self.name,
            window=request.window,
            sql=self.sql(request),
            facts=[
                ("events", files.describe()),
                ("estimate", f"about {estimate:,} bytes of Parquet to read, free (local)"),
                ("completeness", describe_bad_days(bad)),
                (COUNTING, describe_counting(day_groups(files, request.window))),
            ],
        )

    def count(self, request: Request, progress: Progress) -> Count:
        files = find_event_files(self.events, self.events_name, request.breakdown)
        layout = day_groups(files, request.window)
        how = "by row group" if layout.why_not is None else "with DuckDB"
        progress(f"Counting downloads in {files.describe()} {how}")
        with session(files) as con:
            bad = check_complete(rows_per_day(files, con), request.window, self.allow_incomplete)
            if layout.why_not is None:
                answer = count_by_row_group(layout.groups, request.window, request.breakdown)
            else:
                answer = sql_answer(con.sql(to_duckdb(self.sql(request))).to_arrow_table())
        # What was read: the queried columns' chunks in the row groups the window touches.
        # DuckDB's profiler can say it too, but profiling slows the query and varies by run.
        bytes_read = window_bytes(files, request.window, request.breakdown)
        count = count_from_answer(answer, request, bytes_read)
        return replace(
            count,
            engine_fields=incomplete_fields(bad),
            bad_days=tuple(bad),
            facts=((COUNTING, describe_counting(layout)),),
        )
