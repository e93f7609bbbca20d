"""The engine's SQL: each query bounded to a range of project names, its values bound by the
server (`{low:String}`), never formatted into the text.

A range's answer is a single row of arrays, one element per project, so that a cap on result
rows can never cut it (ClickHouse cuts answers in whole rows); its size in bytes is proven
against the byte cap instead (proof.py).
"""

from __future__ import annotations

import re
from typing import Any

import pyarrow as pa

from publisher.count.engines.clickhouse.breakdown import (
    COUNTED,
    INSTALLER_TABLE,
    INSTALLERS_SQL,
    OTHER,
)
from publisher.count.engines.clickhouse.ranges import Range
from publisher.count.engines.clickhouse.server import TABLE
from publisher.count.long_tail import GROUP_COLUMNS, PROJECT
from publisher.count.window import Window

# The range's bounds; the last range has no end.
BOUNDED = "project >= {low:String} AND project < {high:String}"
OPEN_ENDED = "project >= {low:String}"
RANGE = "{range}"  # where a template takes its bounds


# Every project of the range, '' (how ClickPy stores a NULL name) included: the engine splits
# the unnamed downloads off in Arrow. The innermost query sums each project's days (ClickPy's
# SummingMergeTree may hold a day in several rows); the next keeps the day stats inside the SQL:
# the two busiest days, and the median day over all {days} days of the window, a day without
# downloads counting 0 (the sorted days, padded with zeros in front; the mean of the two middle
# ones). The outer ones fold the projects into arrays and the days into the range's total per
# day, for the completeness check.
def ranking_sql(by_month: bool = False) -> str:
    """The ranking of a range; `by_month`, of several windows in one pass (MONTHS_SQL)."""
    key = "month_index, " if by_month else ""
    heads = "month_indexes, " if by_month else ""
    folded = "groupArray(month_index) AS month_indexes,\n        " if by_month else ""
    keyed = "month_index,\n                " if by_month else ""
    day_rows = (
        """SELECT
                    project, date, sum(count) AS downloads,
                    arrayFirstIndex(
                        (first, stop) -> date >= first AND date < stop,
                        {starts:Array(Date)}, {stops:Array(Date)}
                    ) AS month_index"""
        if by_month
        else "SELECT project, date, sum(count) AS downloads"
    )
    in_a_window = "\n            WHERE month_index > 0" if by_month else ""
    return f"""\
SELECT
    {heads}projects, download_counts, busiest_two_days, median_days,
    per_day.1 AS dates, per_day.2 AS date_downloads
FROM (
    SELECT
        {folded}groupArray(project) AS projects,
        groupArray(download_count) AS download_counts,
        groupArray(busiest) AS busiest_two_days,
        groupArray(median_day) AS median_days,
        sumMap(days, day_downloads) AS per_day
    FROM (
        SELECT
            {key}project, download_count, busiest, days, day_downloads,
            (every_day[intDiv({{days:UInt32}} + 1, 2)] + every_day[intDiv({{days:UInt32}}, 2) + 1])
                / 2 AS median_day
        FROM (
            SELECT
                {keyed}project,
                sum(downloads) AS download_count,
                arraySum(arraySlice(arrayReverseSort(groupArray(downloads)), 1, 2)) AS busiest,
                arrayConcat(
                    arrayWithConstant({{days:UInt32}} - count(), toInt64(0)),
                    arraySort(groupArray(downloads))
                ) AS every_day,
                groupArray(date) AS days,
                groupArray(downloads) AS day_downloads
            FROM (
                {day_rows}
                FROM {TABLE}
                WHERE {RANGE} AND date >= {{start:Date}} AND date < {{stop:Date}}
                GROUP BY project, date
            ){in_a_window}
            GROUP BY {key}project
        )
    )
)"""


RANKING_SQL = ranking_sql()

RANKING_SCHEMA = pa.schema(
    [
        ("projects", pa.list_(pa.string())),
        ("download_counts", pa.list_(pa.int64())),
        ("busiest_two_days", pa.list_(pa.int64())),
        ("median_days", pa.list_(pa.float64())),
        ("dates", pa.list_(pa.date32())),
        ("date_downloads", pa.list_(pa.int64())),
    ]
)

_INSTALLER_COLUMNS = (COUNTED, *(name for name in GROUP_COLUMNS if name != OTHER))
_RANGED_INSTALLERS = INSTALLERS_SQL.replace("WHERE ", f"WHERE {RANGE} AND ", 1)
INSTALLERS_RANGE_SQL = (
    "SELECT\n    groupArray(project) AS projects,\n"
    + ",\n".join(f"    groupArray({name}) AS {name}" for name in _INSTALLER_COLUMNS)
    + "\nFROM (\n"
    + "\n".join(f"    {line}" for line in _RANGED_INSTALLERS.splitlines())
    + "\n)"
)
INSTALLERS_RANGE_SCHEMA = pa.schema(
    [("projects", pa.list_(pa.string()))]
    + [(name, pa.list_(pa.int64())) for name in _INSTALLER_COLUMNS]
)

# A few projects counted again, each read whole by its own name: a second count that a cut
# range could not have given.
RECOUNT_SQL = f"""\
SELECT {PROJECT}, sum(count) AS downloads
FROM {TABLE}
WHERE project IN {{names:Array(String)}} AND date >= {{start:Date}} AND date < {{stop:Date}}
GROUP BY project"""

TABLES = {RANKING_SQL: TABLE, INSTALLERS_RANGE_SQL: INSTALLER_TABLE}


def ranged(template: str, part: Range) -> str:
    """The template bounded to `part`."""
    return template.replace(RANGE, BOUNDED if part.high is not None else OPEN_ENDED)


def range_values(part: Range) -> dict[str, Any]:
    values: dict[str, Any] = {"low": part.low}
    if part.high is not None:
        values["high"] = part.high
    return values


def template_text(template: str) -> str:
    """The template as `--print-sql` shows it: bounded, with its bound names."""
    return ranged(template, Range("", ""))


def window_values(window: Window) -> dict[str, Any]:
    """The values the server binds for the half-open window of days."""
    return {"start": window.start, "stop": window.stop_timestamp.date()}


# The days of the window and their downloads in a range: the completeness check of `--dry-run`
# (a count checks the days from its own answers).
DAYS_SQL = f"""\
SELECT groupArray(date) AS dates, groupArray(downloads) AS date_downloads
FROM (
    SELECT date, sum(count) AS downloads
    FROM {TABLE}
    WHERE {RANGE} AND date >= {{start:Date}} AND date < {{stop:Date}}
    GROUP BY date
)"""
DAYS_SCHEMA = pa.schema(
    [("dates", pa.list_(pa.date32())), ("date_downloads", pa.list_(pa.int64()))]
)
TABLES[DAYS_SQL] = TABLE

# The first days with downloads in a range, and their downloads, whatever the window: where
# the source starts (history's first month). No range holds a day before the table's first, so
# a range's first {days} days hold every one of the table's first {days} calendar days it has.
FIRST_DAYS_SQL = f"""\
SELECT groupArray(date) AS dates, groupArray(downloads) AS date_downloads
FROM (
    SELECT date, sum(count) AS downloads
    FROM {TABLE}
    WHERE {RANGE} AND count > 0
    GROUP BY date
    ORDER BY date
    LIMIT {{days:UInt32}}
)"""
TABLES[FIRST_DAYS_SQL] = TABLE


# The one read of a table a range template makes: its table and its filter besides the range.
_READ = re.compile(r"FROM (\S+)\s+WHERE \{range\} AND ([^\n]+)")
_BOUND_NAME = re.compile(r"\{(\w+):")


def read_of(template: str) -> tuple[str, str]:
    """The table a template reads and its filter besides the range."""
    found = _READ.search(template)
    if found is None:
        raise ValueError("a range template reads one table, filtered by its {range}")
    return found[1], found[2]


def probe_sql(template: str, parts: list[Range]) -> str:
    """One statement reading, branch by branch, what the template reads for each range (the
    i-th bounded by `low_i`, `high_i`): its plan shows what the server's index selects for
    each range, and runs nothing."""
    table, where = read_of(template)
    branches = []
    for index, part in enumerate(parts):
        bounds = f"project >= {{low_{index}:String}}"
        if part.high is not None:
            bounds += f" AND project < {{high_{index}:String}}"
        branches.append(f"SELECT 1 FROM {table} WHERE {bounds} AND {where}")
    return "\nUNION ALL\n".join(branches)


def probe_values(template: str, values: dict[str, Any], parts: list[Range]) -> dict[str, Any]:
    """The values `probe_sql` binds: the ranges' bounds and those of the template's filter."""
    used = set(_BOUND_NAME.findall(read_of(template)[1]))
    bound = {name: value for name, value in values.items() if name in used}
    for index, part in enumerate(parts):
        bound[f"low_{index}"] = part.low
        if part.high is not None:
            bound[f"high_{index}"] = part.high
    return bound


# The most rows a granule of a table holds: its own `index_granularity` setting, shown in its
# CREATE statement, else the server's default for MergeTree tables.
GRANULARITY_SQL = """\
SELECT
    (SELECT any(create_table_query) FROM system.tables
        WHERE database = {database:String} AND name = {table:String}) AS create_table_query,
    (SELECT any(value) FROM system.merge_tree_settings
        WHERE name = 'index_granularity') AS default_granularity"""


# Many windows counted in one pass (history's months): the ranking of RANKING_SQL per window,
# each day of the span given to the window holding it (`month_index`, from 1; 0 for a day in
# none). The windows must not overlap: a day is counted in one window only.
MONTHS_SQL = ranking_sql(by_month=True)
MONTHS_SCHEMA = pa.schema([("month_indexes", pa.list_(pa.int64())), *RANKING_SCHEMA])
TABLES[MONTHS_SQL] = TABLE
