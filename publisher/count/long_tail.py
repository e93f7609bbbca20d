"""The long tail: every project an engine counted, as one Arrow table in rank order.

Engines hand it over as Arrow, never as Python objects: at today's volume it has about
800,000 rows. The compatible top-N rows are its first rows. The breakdown columns are integer
counts (exact and summable; shares are derived by whoever reads them) and are null where an
engine could not count them; `Count.unavailable` then says why, column by column.
"""

from collections.abc import Sequence

import pyarrow as pa

from publisher.base.installers import INSTALLER_GROUPS

PROJECT, DOWNLOADS = "project", "download_count"
# Downloads by installer group (publisher.base.installers): the five sum to download_count.
GROUP_COLUMNS = tuple(f"{'mirror' if g == 'mirrors' else g}_downloads" for g in INSTALLER_GROUPS)
MIRRORS = GROUP_COLUMNS[INSTALLER_GROUPS.index("mirrors")]  # "mirror_downloads"
CI, CI_CAPABLE = "ci_downloads", "ci_capable_downloads"  # flagged as CI; could carry the flag
BREAKDOWN_COLUMNS = (*GROUP_COLUMNS, CI, CI_CAPABLE)
# The project's two busiest days summed, and its median day over every day of the period
# counted (a day without downloads counts as 0): for the bot-spike flag. Computed inside the
# engine's SQL, so per-day counts never leave it. The flag looks at the top 1,000 only
# (publisher.dataset.anomalies), so an engine may leave them null below that; filled
# further down, they are simply not read.
BUSIEST_TWO_DAYS, MEDIAN_DAY = "busiest_two_days", "median_day"
DAY_COLUMNS = (BUSIEST_TWO_DAYS, MEDIAN_DAY)

SCHEMA = pa.schema(
    [
        pa.field(PROJECT, pa.string(), nullable=False),
        pa.field(DOWNLOADS, pa.int64(), nullable=False),
        *(pa.field(name, pa.int64()) for name in BREAKDOWN_COLUMNS),
        pa.field(BUSIEST_TWO_DAYS, pa.int64()),
        pa.field(MEDIAN_DAY, pa.float64()),
    ]
)


def from_rows(rows: Sequence[tuple[str, int]]) -> pa.Table:
    """A table of ranked (project, download_count) rows, every other column null."""
    names = pa.array([project for project, _ in rows], pa.string())
    counts = pa.array([downloads for _, downloads in rows], pa.int64())
    nulls = [pa.nulls(len(rows), field.type) for field in SCHEMA][2:]
    return pa.Table.from_arrays([names, counts, *nulls], schema=SCHEMA)


def conform(table: pa.Table) -> pa.Table:
    """The engine's answer in SCHEMA: columns in order, missing ones null, types cast."""
    columns = [
        table.column(f.name).cast(f.type)
        if f.name in table.column_names
        else pa.nulls(table.num_rows, f.type)
        for f in SCHEMA
    ]
    return pa.Table.from_arrays(columns, schema=SCHEMA)


def top_rows(table: pa.Table, limit: int) -> list[tuple[str, int]]:
    """The first `limit` rows as the compatible dataset's (project, download_count) pairs."""
    head = table.slice(0, limit)
    names, counts = head.column(PROJECT).to_pylist(), head.column(DOWNLOADS).to_pylist()
    return list(zip(names, counts, strict=True))


NOT_COUNTED = "not counted (--no-breakdown)"


def not_counted(breakdown: bool) -> dict[str, str]:
    """`Count.unavailable` of a count made with or without the breakdown."""
    return {} if breakdown else dict.fromkeys(BREAKDOWN_COLUMNS, NOT_COUNTED)
