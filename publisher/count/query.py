"""The query text: one BigQuery Standard SQL statement, run as is by BigQuery and translated
by sqlglot for the embedded DuckDB engine, so both engines count with the same words."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import pyarrow as pa
import sqlglot
from pypinfo.fields import Downloads, Project
from sqlglot.optimizer.qualify import qualify

from publisher.base.events_schema import TABLE
from publisher.base.installers import INSTALLER_GROUPS, NAMED_GROUPS, NO_NAME
from publisher.count import long_tail
from publisher.count.window import Window

# pypinfo's own words for the two columns every consumer reads: `file.project` and COUNT(*).
PROJECT = Project
DOWNLOADS = Downloads
PROJECTS_COUNTED = "projects_counted"
UNNAMED_DOWNLOADS = "unnamed_downloads"

# Only what the query reads, for sqlglot's qualifier: it must know `project` is also a
# top-level column to keep `GROUP BY project` bound to the alias.
QUALIFY_SCHEMA: dict[str, object] = {
    "bigquery-public-data": {
        "pypi": {
            "file_downloads": {
                "timestamp": "TIMESTAMP",
                "project": "STRING",
                "file": "STRUCT<filename STRING, project STRING, version STRING, type STRING>",
                "details": "STRUCT<installer STRUCT<name STRING, version STRING>, ci BOOL>",
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


# The installer name, as BigQuery bills it: one more leaf column, read only for the breakdown.
INSTALLER = "details.installer.name"
CI_FLAG = "details.ci"


def quoted(names: Iterable[str]) -> str:
    return ", ".join(f"'{name}'" for name in names)


def count_if(condition: str) -> str:
    """The events where `condition` holds; a NULL condition counts as false. Not COUNTIF:
    DuckDB's COUNT_IF adds up into a 128-bit integer and gives NULL, not 0, for a project
    whose every condition is NULL (only events without an installer name)."""
    return f"COUNT(IF({condition}, 1, NULL))"


def is_one_of(column: str, names: tuple[str, ...]) -> str:
    return f"{column} = '{names[0]}'" if len(names) == 1 else f"{column} IN ({quoted(names)})"


def group_column(group: str) -> str:
    return long_tail.GROUP_COLUMNS[INSTALLER_GROUPS.index(group)]


# Each installer group but `other`, in the words of long_tail's columns, built from the one
# table of the rule (publisher.base.installers.NAMED_GROUPS), counted in the one GROUP BY
# project, one group a project as in the bare count.
# Grouping by (project, installer name, CI flag) first made nearly one group an event in the
# long tail, grouped a second time: more memory and no less time in DuckDB.
# `unknown` is no name at all. `other` is every other name: what the four leave of the
# project's downloads (OTHER_COUNT), since each download falls in exactly one group; testing
# it on every event (NOT IN nine names) cost DuckDB more than any other group.
UNKNOWN_GROUP = group_column("unknown")
GROUP_COUNTS = (
    *((group_column(g), count_if(is_one_of(INSTALLER, n))) for g, n in NAMED_GROUPS.items()),
    (UNKNOWN_GROUP, count_if(f"{INSTALLER} IS NULL OR {INSTALLER} = '{NO_NAME}'")),
    (long_tail.CI, count_if(f"{CI_FLAG} IS TRUE")),  # true or NULL in the table
)
OTHER_GROUP = group_column("other")
OTHER_COUNT = " - ".join(
    f"totals.{name}" for name in (DOWNLOADS.name, *long_tail.GROUP_COLUMNS) if name != OTHER_GROUP
)
DAY, DAY_RANK = "day", "day_rank"
# The UTC day as a day number since 1970: the same groups as DATE(timestamp) from the column
# already read, but DuckDB casts a TIMESTAMPTZ to DATE through ICU's calendar on every row,
# where this translates to one integer division (EPOCH_US // ...): a fifth less time for the
# whole query over 50M events (make bench: collect). The day itself is never an output.
DAY_NUMBER = "DIV(UNIX_MICROS(timestamp), 86400000000)"
# Why the breakdown columns are null when the request did not ask for them.


def window_value(answer: pa.Table, column: str) -> int:
    """A window column (projects_counted, unnamed_downloads: the same on every row), 0 when
    nothing was counted."""
    return int(answer.column(column)[0].as_py()) if answer.num_rows else 0


def top_projects_sql(window: Window, breakdown: bool = True) -> str:
    """Every project with downloads in `window`, ranked, ties broken by name: the long tail
    (LIMIT would change nothing in BigQuery's bill), with the breakdown and the day stats.

    Window functions run after GROUP BY and before QUALIFY, so they see every group: the named
    ones (projects with at least one download) and the downloads without a name, from the
    column already read, at no extra bytes billed. QUALIFY then drops the unnamed groups.
    """
    return ranked_sql(window_filter(window), window.days, breakdown)


def day_runs(days: Iterable[date]) -> list[Window]:
    """The days as runs of consecutive days, in date order."""
    runs: list[Window] = []
    for day in sorted(set(days)):
        if runs and runs[-1].end + timedelta(days=1) == day:
            runs[-1] = Window(runs[-1].start, day)
        else:
            runs.append(Window(day, day))
    return runs


def sampled_projects_sql(days: Iterable[date], breakdown: bool = True) -> str:
    """Every project by downloads on the given days only: the same columns as
    `top_projects_sql`, with one half-open range per run of days, so that BigQuery prunes
    (and bills) exactly those days' partitions. The day stats cover the sampled days."""
    chosen = sorted(set(days))
    ranges = [f"({window_filter(run)})" for run in day_runs(chosen)]
    return ranked_sql("\n   OR ".join(ranges), len(chosen), breakdown)


# The per-day figures behind the bot-spike flag are counted for this many projects, the top of
# the ranking: the flag is only raised there (publisher.dataset.anomalies.SPIKE_TOP), and
# counting days for every project, a (project, day) group each, cost most of the query's time.
DAY_STATS_TOP = 1000
DAY_STATS = "day_stats"


def totals_sql(where: str, breakdown: bool) -> list[str]:
    """Each project's downloads, one group a project (the bare GROUP BY), with the breakdown
    its installer groups too. Without it no `details` column is named, so BigQuery bills what
    the plain count bills."""
    columns = [f"{PROJECT.data} AS {PROJECT.name}"]
    if breakdown:
        columns += [f"{sql} AS {name}" for name, sql in GROUP_COUNTS]
    return ["WITH totals AS (", *scan_sql(columns, where, [PROJECT.name]), ")"]


def scan_sql(columns: list[str], where: str, keys: list[str]) -> list[str]:
    """The events of `where` counted by `keys`."""
    return [
        "  SELECT",
        *(f"    {column}," for column in columns),
        f"    {DOWNLOADS.data} AS {DOWNLOADS.name}",
        f"  FROM `{TABLE}`",
        f"  WHERE {where}",
        f"  GROUP BY {', '.join(keys)}",
    ]


def per_day_sql(where: str, days: int, named: str) -> list[str]:
    """The day stats of the top DAY_STATS_TOP projects only, from their counts per UTC day.
    Grouping by day reads no extra column, and this second scan reads only columns the first
    one reads over the same days: BigQuery bills each column of a table once per query."""
    head = f"{PROJECT.data} IN (SELECT {PROJECT.name} FROM head)"
    columns = [f"{PROJECT.data} AS {PROJECT.name}", f"{DAY_NUMBER} AS {DAY}"]
    return [
        ", head AS (",
        f"  SELECT {PROJECT.name} FROM totals WHERE {named}",
        f"  ORDER BY {DOWNLOADS.name} DESC, {PROJECT.name} ASC LIMIT {DAY_STATS_TOP}",
        "), days AS (",
        *scan_sql(columns, f"({where}) AND {head}", [PROJECT.name, DAY]),
        "), ranked_days AS (",
        "  SELECT",
        "    *,",
        f"    ROW_NUMBER() OVER (PARTITION BY {PROJECT.name} ORDER BY {DOWNLOADS.name} DESC)"
        f" AS {DAY_RANK}",
        "  FROM days",
        f"), {DAY_STATS} AS (",
        "  SELECT",
        f"    {PROJECT.name},",
        *day_stats(days),
        "  FROM ranked_days",
        f"  GROUP BY {PROJECT.name}",
        ")",
    ]


def breakdown_columns() -> list[str]:
    """The breakdown's columns in long_tail's order."""
    pip, uv = long_tail.GROUP_COLUMNS[:2]
    sql = {name: f"totals.{name}" for name, _ in GROUP_COUNTS}
    sql[OTHER_GROUP] = f"{OTHER_COUNT} AS {OTHER_GROUP}"
    sql[long_tail.CI_CAPABLE] = f"totals.{pip} + totals.{uv} AS {long_tail.CI_CAPABLE}"
    return [f"  {sql[name]}," for name in long_tail.BREAKDOWN_COLUMNS]


# The day stats' rule, for the SQL below and the DuckDB engine's count by row group: the sum
# of the BUSIEST_DAYS busiest days, and the median day.
BUSIEST_DAYS = 2


def median_ranks(days: int) -> tuple[int, int]:
    """The median of `days` per-day counts, where the days without a row count 0: ranked from
    the busiest (1), the mean of these two ranks' counts (the same rank when `days` is odd)."""
    return (days + 1) // 2, days // 2 + 1


def day_stats(days: int) -> list[str]:
    """The two busiest days, and the median day (a rank past the project's last day is a 0)."""
    low, high = median_ranks(days)
    count = DOWNLOADS.name
    return [
        f"    SUM(IF({DAY_RANK} <= {BUSIEST_DAYS}, {count}, 0)) AS {long_tail.BUSIEST_TWO_DAYS},",
        f"    (SUM(IF({DAY_RANK} = {low}, {count}, 0))"
        f" + SUM(IF({DAY_RANK} = {high}, {count}, 0))) / 2 AS {long_tail.MEDIAN_DAY}",
    ]


def ranked_sql(where: str, days: int, breakdown: bool) -> str:
    # A name, neither NULL nor empty. NULL compares as NULL: COUNTIF and QUALIFY take it as
    # false. From the CTE, `project` is the grouped `file.project` (the table's top-level
    # `project` column is out of sight there).
    named = f"{PROJECT.name} != ''"
    return "\n".join(
        [
            *totals_sql(where, breakdown),
            *per_day_sql(where, days, named),
            "SELECT",
            f"  totals.{PROJECT.name},",
            f"  totals.{DOWNLOADS.name},",
            *(breakdown_columns() if breakdown else []),
            f"  {DAY_STATS}.{long_tail.BUSIEST_TWO_DAYS},",
            f"  {DAY_STATS}.{long_tail.MEDIAN_DAY},",
            f"  COUNTIF(totals.{named}) OVER () AS {PROJECTS_COUNTED},",
            f"  SUM(IF(totals.{named}, 0, totals.{DOWNLOADS.name})) OVER () AS {UNNAMED_DOWNLOADS}",
            f"FROM totals LEFT JOIN {DAY_STATS} USING ({PROJECT.name})",
            f"QUALIFY totals.{named}",
            f"ORDER BY totals.{DOWNLOADS.name} DESC, totals.{PROJECT.name} ASC",
        ]
    )


def to_duckdb(bigquery_sql: str) -> str:
    """Translate for DuckDB. Qualifying first binds names as BigQuery does (KNOWLEDGE §3)."""
    tree = sqlglot.parse_one(bigquery_sql, dialect="bigquery")
    tree = qualify(tree, schema=QUALIFY_SCHEMA, dialect="bigquery")
    return tree.sql(dialect="duckdb", pretty=True)
