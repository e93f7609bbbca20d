"""The embedded engine: DuckDB over local Parquet files in the `file_downloads` schema.

It runs the BigQuery query text translated by sqlglot, so what it counts is what BigQuery would.
"""

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from publisher.engines.base import Count, Plan, Progress, QueryStats, Request
from publisher.events import EventFiles, find_event_files, window_bytes
from publisher.query import to_duckdb, top_projects_sql
from publisher.window import Window

CATALOG = "bigquery-public-data"


def connect(files: EventFiles) -> duckdb.DuckDBPyConnection:
    """A UTC session where the BigQuery table name resolves to the Parquet files.

    UTC matters: sqlglot writes the bounds as TIMESTAMPTZ literals, which DuckDB reads in the
    session's time zone, so under another TZ the window would shift by hours.
    """
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    paths = ", ".join(_quote(str(p)) for p in files.paths)
    con.execute(f"ATTACH ':memory:' AS \"{CATALOG}\"")
    con.execute(f'CREATE SCHEMA "{CATALOG}".pypi')
    con.execute(
        f'CREATE VIEW "{CATALOG}".pypi.file_downloads AS SELECT * FROM read_parquet([{paths}])'
    )
    return con


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def run_profiled(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[list[Any], dict[str, Any]]:
    """Rows of `sql` and DuckDB's own profile of the run (bytes read, rows scanned)."""
    with tempfile.TemporaryDirectory() as tmp:
        profile_path = Path(tmp) / "profile.json"
        con.execute("PRAGMA enable_profiling='json'")
        con.execute(f"PRAGMA profiling_output={_quote(str(profile_path))}")
        rows = con.execute(sql).fetchall()
        con.execute("PRAGMA disable_profiling")
        profile: dict[str, Any] = json.loads(profile_path.read_text(encoding="utf-8"))
    return rows, profile


def count_from_rows(
    rows: list[Any], window: Window, bytes_read: int, method: str = "exact"
) -> Count:
    return Count(
        rows=[(str(project), int(downloads)) for project, downloads, _ in rows],
        projects_counted=int(rows[0][2]) if rows else 0,
        period=window,
        query=QueryStats(bytes_processed=bytes_read),
        method=method,
    )


@dataclass(frozen=True)
class DuckDBEngine:
    events: str | None
    name: str = "duckdb"

    def sql(self, request: Request) -> str:
        return top_projects_sql(request.window, request.limit)

    def plan(self, request: Request) -> Plan:
        files = find_event_files(self.events)
        estimate = window_bytes(files, request.window)
        return Plan(
            engine=self.name,
            window=request.window,
            sql=self.sql(request),
            facts=[
                ("events", f"{len(files.paths)} Parquet file(s) in {files.root}"),
                ("estimate", f"about {estimate:,} bytes of Parquet to read, free (local)"),
            ],
        )

    def count(self, request: Request, progress: Progress) -> Count:
        files = find_event_files(self.events)
        progress(f"Counting downloads in {len(files.paths)} Parquet file(s) with DuckDB")
        con = connect(files)
        try:
            rows, profile = run_profiled(con, to_duckdb(self.sql(request)))
        finally:
            con.close()
        return count_from_rows(rows, request.window, int(profile["io"]["total_bytes_read"]))
