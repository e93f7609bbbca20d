"""ClickPy's `pypi` tables as the ClickHouse stand-in creates and loads them."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Runs(Protocol):
    def run(self, sql: str) -> object: ...


DATABASE = "pypi"

# ClickPy's definitions (ClickHouse/clickpy, scripts/create_tables.sh and ClickHouse.md), reduced
# to the raw table and three download aggregates. ClickPy's monthly view only keeps the last six
# months by `now()`; here it keeps every month loaded unless the stand-in is given a `today`,
# since the tests' days are not tied to the clock.
RAW_TABLE = f"""
CREATE TABLE {DATABASE}.pypi
(
    `date` Date,
    `country_code` LowCardinality(String),
    `project` String,
    `type` LowCardinality(String),
    `installer` LowCardinality(String),
    `python_minor` LowCardinality(String),
    `system` LowCardinality(String),
    `version` String
)
ENGINE = MergeTree
ORDER BY (project, date, version, country_code, python_minor, system)
"""

# Rows per granule of an aggregate's index, the least a query reads. ClickPy's 8,192 is a
# millionth of its billion-row table; the tests' tables hold thousands of rows, and keep about
# that scale only with granules as small as this.
INDEX_GRANULARITY = 256

INSTALLER_TABLE = "pypi_downloads_per_day_by_version_by_installer_by_type"

# Each aggregate: its columns, sorting key and the SELECT its materialized view runs on every
# insert into the raw table (also used to rebuild it after a day is dropped).
AGGREGATES = {
    "pypi_downloads_per_day": (
        "`date` Date, `project` String, `count` Int64",
        "(project, date)",
        f"SELECT date, project, count() AS count FROM {DATABASE}.pypi GROUP BY date, project",
    ),
    "pypi_downloads_per_month": (
        "`month` Date, `project` String, `count` Int64",
        "(month, project)",
        f"SELECT toStartOfMonth(date) AS month, project, count() AS count FROM {DATABASE}.pypi"
        " GROUP BY month, project",
    ),
    # ClickPy's ClickHouse.md, "Downloads per day by version by installer by type": the table
    # the engine's installer breakdown reads. An unknown installer is '' (LOAD_EVENTS).
    INSTALLER_TABLE: (
        "`project` String, `version` String, `date` Date, `installer` String,"
        " `type` LowCardinality(String), `count` Int64",
        "(project, version, date, installer)",
        f"SELECT project, version, date, installer, type, count() AS count FROM {DATABASE}.pypi"
        " GROUP BY project, version, date, installer, type",
    ),
}

# One row of `bigquery-public-data.pypi.file_downloads` (publisher/events_schema.py) as ClickPy
# stores it: the day in UTC, the Python version cut to major.minor, NULLs as ''.
LOAD_EVENTS = f"""
INSERT INTO {DATABASE}.pypi
    (date, country_code, project, type, installer, python_minor, system, version)
SELECT
    toDate(timestamp, 'UTC'),
    ifNull(country_code, ''),
    ifNull(project, ''),
    ifNull(file.type, ''),
    ifNull(details.installer.name, ''),
    arrayStringConcat(arraySlice(splitByChar('.', ifNull(details.python, '')), 1, 2), '.'),
    ifNull(details.system.name, ''),
    ifNull(file.version, '')
FROM file({{path}}, Parquet)
"""


# The server's configuration: one thread a query. The tests' tables hold thousands of rows,
# which a query's extra threads cost more CPU to start than they save (about 13 % of a count's
# CPU), on a machine whose cores the tests share. A session setting: it lasts for every query.
SERVER_SETTINGS = {"max_threads": 1}


def create_tables(db: Runs) -> None:
    """The server's settings, then ClickPy's database, tables and materialized views."""
    for name, value in SERVER_SETTINGS.items():
        db.run(f"SET {name} = {value}")
    db.run(f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
    db.run(RAW_TABLE)
    for table, (columns, order, select) in AGGREGATES.items():
        target = f"{DATABASE}.{table}"
        db.run(
            f"CREATE TABLE {target} ({columns}) ENGINE = SummingMergeTree ORDER BY {order}"
            f" SETTINGS index_granularity = {INDEX_GRANULARITY}"
        )
        db.run(f"CREATE MATERIALIZED VIEW {target}_mv TO {target} ({columns}) AS {select}")


def event_files(events: Path) -> str:
    """The path file() reads: one Parquet file, or every `*.parquet` in a folder."""
    if any(c in str(events) for c in "*?{}[]"):
        raise ValueError(f"{events}: file() would read this name as a glob")
    if not events.is_dir():
        return str(events)
    if not any(events.glob("*.parquet")):
        raise ValueError(f"{events} holds no .parquet files")
    return str(events / "*.parquet")
