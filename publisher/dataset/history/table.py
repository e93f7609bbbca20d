"""The history's rows: one table of (tag, period_start, period_end, rank, project,
download_count), sorted by tag then rank, written one Parquet file per tag year.

The Parquet options are the extended file's (zstd over delta-encoded integers and
prefix-shared strings): a tag or a date repeated 15,000 times costs a few bytes. The same table
gives the same bytes: no timestamps and no statistics are written.
"""

import io
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from publisher.base.parquet import parquet_table
from publisher.dataset.history.names import tag_year

TAG, PERIOD_START, PERIOD_END = "tag", "period_start", "period_end"
RANK, PROJECT, DOWNLOADS = "rank", "project", "download_count"
HISTORY_SCHEMA = pa.schema(
    [
        pa.field(TAG, pa.string(), nullable=False),
        pa.field(PERIOD_START, pa.date32(), nullable=False),
        pa.field(PERIOD_END, pa.date32(), nullable=False),
        pa.field(RANK, pa.int32(), nullable=False),
        pa.field(PROJECT, pa.string(), nullable=False),
        pa.field(DOWNLOADS, pa.int64(), nullable=False),
    ]
)
COLUMNS = tuple(HISTORY_SCHEMA.names)
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": False,
    "column_encoding": {
        TAG: "DELTA_BYTE_ARRAY",
        PROJECT: "DELTA_BYTE_ARRAY",
        PERIOD_START: "DELTA_BINARY_PACKED",
        PERIOD_END: "DELTA_BINARY_PACKED",
        RANK: "DELTA_BINARY_PACKED",
        DOWNLOADS: "DELTA_BINARY_PACKED",
    },
    "write_statistics": False,
    "row_group_size": 1 << 21,
}


def empty_table() -> pa.Table:
    return HISTORY_SCHEMA.empty_table()


def month_table(
    tag: str, start: date, end: date, projects: pa.Array, downloads: pa.Array
) -> pa.Table:
    """One month's rows from its ranking (names and counts already in rank order)."""
    rows = len(projects)
    columns = [
        pa.array([tag] * rows, pa.string()),
        pa.array(np.full(rows, (start - date(1970, 1, 1)).days, dtype=np.int32)).cast(pa.date32()),
        pa.array(np.full(rows, (end - date(1970, 1, 1)).days, dtype=np.int32)).cast(pa.date32()),
        pa.array(np.arange(1, rows + 1, dtype=np.int32)),
        pa.array(projects, pa.string()),
        pa.array(downloads, pa.int64()),
    ]
    return pa.Table.from_arrays(columns, schema=HISTORY_SCHEMA)


def month_tags(table: pa.Table) -> list[str]:
    """The months a table holds, in order."""
    return sorted(str(tag) for tag in pc.unique(table.column(TAG)).to_pylist())


def without_months(table: pa.Table, tags: list[str]) -> pa.Table:
    if not tags or table.num_rows == 0:
        return table
    keep = pc.invert(pc.is_in(table.column(TAG), value_set=pa.array(tags, pa.string())))
    return table.filter(keep)


def in_order(table: pa.Table) -> pa.Table:
    """Sorted by tag, then rank: the order every history file keeps."""
    return table.sort_by([(TAG, "ascending"), (RANK, "ascending")]).combine_chunks()


def with_months(table: pa.Table, months: list[pa.Table]) -> pa.Table:
    """`table` with each month of `months` in place of its rows there, if it had any: a
    correction replaces its month whole, never merges with it."""
    replaced = [tag for month in months for tag in month_tags(month)]
    kept = without_months(table, replaced)
    return in_order(pa.concat_tables([kept, *months]) if months else kept)


def by_year(table: pa.Table) -> dict[int, pa.Table]:
    """The rows of each tag year, in order."""
    years: dict[int, list[str]] = {}
    for tag in month_tags(table):
        years.setdefault(tag_year(tag), []).append(tag)
    tags = table.column(TAG)
    return {
        year: in_order(table.filter(pc.is_in(tags, value_set=pa.array(held, pa.string()))))
        for year, held in sorted(years.items())
    }


def to_parquet(table: pa.Table) -> bytes:
    """The rows in order; metadata given with `table` (a kept month's facts) is kept."""
    sink = io.BytesIO()
    typed = table.cast(HISTORY_SCHEMA).replace_schema_metadata(table.schema.metadata)
    pq.write_table(in_order(typed), sink, **PARQUET_OPTIONS)
    return sink.getvalue()


def from_parquet(body: bytes) -> pa.Table:
    """A year file's rows; its columns are checked by `check`, not here."""
    return parquet_table(body)
