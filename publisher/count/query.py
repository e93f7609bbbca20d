"""The query text: one BigQuery Standard SQL statement, run as is by BigQuery and translated
by sqlglot for the embedded DuckDB engine, so both engines count with the same words."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlglot
from pypinfo.fields import Downloads, Project
from sqlglot.optimizer.qualify import qualify

from publisher.base.events_schema import TABLE
from publisher.count.window import Window

# pypinfo's own words for the two columns every consumer reads: `file.project` and COUNT(*).
PROJECT = Project
DOWNLOADS = Downloads
PROJECTS_COUNTED = "projects_counted"
UNNAMED_DOWNLOADS = "unnamed_downloads"
# A name, neither NULL nor empty. NULL compares as NULL: COUNTIF and QUALIFY take it as false.
# The grouped column, not the `project` alias: the table has a top-level `project` column too.
NAMED = f"{PROJECT.data} != ''"

# Only what the query reads, for sqlglot's qualifier: it must know `project` is also a
# top-level column to keep `GROUP BY project` bound to the alias.
QUALIFY_SCHEMA: dict[str, object] = {
    "bigquery-public-data": {
        "pypi": {
            "file_downloads": {
                "timestamp": "TIMESTAMP",
                "project": "STRING",
                "file": "STRUCT<filename STRING, project STRING, version STRING, type STRING>",
            }
        }
    }
}


def timestamp_literal(moment: datetime) -> str:
    return f'TIMESTAMP("{moment:%Y-%m-%d %H:%M:%S}")'


def window_filter(window: Window) -> str:
    """Half-open whole-day bounds: no fractional second lost, the partitions pruned exactly."""
    return (
        f"timestamp >= {timestamp_literal(window.start_timestamp)}"
        f" AND timestamp < {timestamp_literal(window.stop_timestamp)}"
    )


def top_projects_sql(window: Window, limit: int) -> str:
    """Top `limit` projects by downloads in `window`, ties broken by name.

    Window functions run after GROUP BY and before QUALIFY, so they see every group: the named
    ones (projects with at least one download) and the downloads without a name, from the
    column already read, at no extra bytes billed. QUALIFY then drops the unnamed groups.
    """
    return ranked_sql(window_filter(window), limit)


def day_runs(days: Iterable[date]) -> list[Window]:
    """The days as runs of consecutive days, in date order."""
    runs: list[Window] = []
    for day in sorted(set(days)):
        if runs and runs[-1].end + timedelta(days=1) == day:
            runs[-1] = Window(runs[-1].start, day)
        else:
            runs.append(Window(day, day))
    return runs


def sampled_projects_sql(days: Iterable[date], limit: int) -> str:
    """Top `limit` projects by downloads on the given days only: the same columns as
    `top_projects_sql`, with one half-open range per run of days, so that BigQuery prunes
    (and bills) exactly those days' partitions."""
    ranges = [f"({window_filter(run)})" for run in day_runs(days)]
    return ranked_sql("\n   OR ".join(ranges), limit)


def ranked_sql(where: str, limit: int) -> str:
    return "\n".join(
        [
            "SELECT",
            f"  {PROJECT.data} AS {PROJECT.name},",
            f"  {DOWNLOADS.data} AS {DOWNLOADS.name},",
            f"  COUNTIF({NAMED}) OVER () AS {PROJECTS_COUNTED},",
            f"  SUM(IF({NAMED}, 0, {DOWNLOADS.data})) OVER () AS {UNNAMED_DOWNLOADS}",
            f"FROM `{TABLE}`",
            f"WHERE {where}",
            f"GROUP BY {PROJECT.name}",
            f"QUALIFY {NAMED}",
            f"ORDER BY {DOWNLOADS.name} DESC, {PROJECT.name} ASC",
            f"LIMIT {limit}",
        ]
    )


def to_duckdb(bigquery_sql: str) -> str:
    """Translate for DuckDB. Qualifying first binds names as BigQuery does (KNOWLEDGE §3)."""
    tree = sqlglot.parse_one(bigquery_sql, dialect="bigquery")
    tree = qualify(tree, schema=QUALIFY_SCHEMA, dialect="bigquery")
    return tree.sql(dialect="duckdb", pretty=True)
