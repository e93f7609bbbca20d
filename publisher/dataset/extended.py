"""The extended dataset beside the compatible one: the installer groups, the CI counts, the rank
without mirrors and last month's rank of each project, as JSON and CSV for the top N and as
Parquet for every project counted.

The long tail stays Arrow from the engine to the Parquet file: its ranks are computed with
pyarrow.compute over the whole table (about 800,000 rows), never in a Python loop. Only the
top N rows of the JSON and the CSV become Python objects.
"""

import io
import json
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from publisher.base.installers import CI_INSTALLERS, MIRROR_INSTALLERS
from publisher.count.engines.base import Count
from publisher.count.long_tail import BREAKDOWN_COLUMNS, DOWNLOADS, MIRRORS, PROJECT
from publisher.dataset.build import (
    EXTENDED_CSV_FILE,
    EXTENDED_JSON_FILE,
    EXTENDED_PARQUET_FILE,
)
from publisher.dataset.columns import column
from publisher.dataset.layout import json_rows
from publisher.dataset.previous import Previous

RANK, WITHOUT_MIRRORS, PREVIOUS_RANK = "rank", "rank_without_mirrors", "previous_rank"

# The columns of the JSON rows, the CSV header and the Parquet file, in this order.
EXTENDED_SCHEMA = pa.schema(
    [
        pa.field(RANK, pa.int32(), nullable=False),
        pa.field(PROJECT, pa.string(), nullable=False),
        pa.field(DOWNLOADS, pa.int64(), nullable=False),
        *(pa.field(name, pa.int64()) for name in BREAKDOWN_COLUMNS),
        pa.field(WITHOUT_MIRRORS, pa.int32()),
        pa.field(PREVIOUS_RANK, pa.int32()),
    ]
)
COLUMNS = tuple(EXTENDED_SCHEMA.names)
EXTENDED_CSV_HEADER = ",".join(COLUMNS)
CSV_ROW = ",".join(["%s"] * len(COLUMNS))
# Measured on a generated month of 784,910 projects (docs/data.md, "How much the repository
# grows"): zstd over delta-encoded integers and prefix-shared names is the smallest (5.7 MB;
# 17 MB with pyarrow's defaults); dictionaries only grow unique names and counts; one row group
# for the month.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": False,
    "column_encoding": {
        **{f.name: "DELTA_BINARY_PACKED" for f in EXTENDED_SCHEMA if pa.types.is_integer(f.type)},
        PROJECT: "DELTA_BYTE_ARRAY",
    },
    "write_statistics": False,
    "row_group_size": 1 << 21,
}


def first_ranks(rows: int) -> pa.Array:
    """1 to `rows`, made in Arrow's memory, not as Python integers; from numpy's buffer, as
    `pa.array` would load pandas (a third of a second) to ask whether numpy's array is one."""
    return pa.Array.from_buffers(
        pa.int32(), rows, [None, pa.py_buffer(np.arange(1, rows + 1, dtype=np.int32))]
    )


def ranks_of(order: pa.Array) -> pa.Array:
    """Rank (1-based) of each row, from the row indices in rank order: the inverse permutation."""
    return pc.add(pc.sort_indices(order), 1).cast(pa.int32())


def rank_without_mirrors(table: pa.Table) -> pa.Array:
    """Rank by download_count - mirror_downloads descending, then name, over every project;
    null where the mirrors were not counted."""
    mirrors = table.column(MIRRORS)
    if mirrors.null_count == table.num_rows:
        return pa.nulls(table.num_rows, pa.int32())
    without = pc.subtract(table.column(DOWNLOADS), mirrors)
    keyed = pa.table({"without": without, PROJECT: table.column(PROJECT)})
    order = pc.sort_indices(keyed, sort_keys=[("without", "descending"), (PROJECT, "ascending")])
    ranks = ranks_of(order)
    return pc.if_else(pc.is_null(without), pa.scalar(None, pa.int32()), ranks)


def previous_ranks(table: pa.Table, previous: Previous | None) -> pa.Array:
    """Each project's rank in the previous month's published rows; null when it had none."""
    if previous is None:
        return pa.nulls(table.num_rows, pa.int32())
    names = previous.ranks.column(PROJECT).combine_chunks()
    where = pc.index_in(table.column(PROJECT), value_set=names)
    return pc.take(previous.ranks.column(RANK).combine_chunks(), where).cast(pa.int32())


def extended_table(count: Count, previous: Previous | None) -> pa.Table:
    """The long tail in EXTENDED_SCHEMA, every project counted, in rank order."""
    table = count.every_project()
    rank = first_ranks(table.num_rows)
    columns = {
        RANK: rank,
        PROJECT: table.column(PROJECT),
        DOWNLOADS: table.column(DOWNLOADS),
        **{name: table.column(name) for name in BREAKDOWN_COLUMNS},
        WITHOUT_MIRRORS: rank_without_mirrors(table),
        PREVIOUS_RANK: previous_ranks(table, previous),
    }
    return pa.Table.from_arrays(
        [as_column(c, f.type) for c, f in zip(columns.values(), EXTENDED_SCHEMA, strict=True)],
        schema=EXTENDED_SCHEMA,
    )


def as_column(values: pa.Array | pa.ChunkedArray, kind: pa.DataType) -> pa.ChunkedArray:
    chunked = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    return chunked.cast(kind)


# --- the JSON and the CSV: the top N rows ------------------------------------------------------


def totals_block(count: Count) -> dict[str, Any]:
    """Every download of the period, the unnamed ones too, and the mean per day."""
    downloads = count.all_downloads()
    days = count.period.days
    return {"downloads": downloads, "days": days, "mean_per_day": round(downloads / days, 3)}


def breakdown_block(count: Count, table: pa.Table) -> dict[str, Any]:
    counted = any(table.column(c).null_count < table.num_rows for c in BREAKDOWN_COLUMNS)
    return {
        "counted": counted and table.num_rows > 0,
        "mirror_installers": list(MIRROR_INSTALLERS),
        "ci_installers": list(CI_INSTALLERS),
        "unavailable": dict(count.unavailable),
    }


# The compatible dataset's keys that the extended JSON has after the engine's own blocks.
TAIL = ("projects_counted", "total_rows", "rows")


def build_extended(
    count: Count,
    dataset: dict[str, Any],
    table: pa.Table,
    previous: Previous | None,
    anomalies: list[dict[str, Any]],
) -> dict[str, Any]:
    """The extended JSON object: the compatible file's blocks, its top rows with every
    column, and what the month's numbers mean (totals, breakdown, previous month, flags)."""
    rows = table.slice(0, dataset["total_rows"]).to_pylist()
    head = ("schema_version", "last_update", "period", "engine", "query")
    blocks = {k: v for k, v in dataset.items() if k not in (*head, *TAIL)}  # plan, statistics
    return {
        **{key: dataset[key] for key in head},
        **blocks,
        "projects_counted": dataset["projects_counted"],
        "total_rows": len(rows),
        "rows": rows,
        "totals": totals_block(count),
        "breakdown": breakdown_block(count, table),
        "previous": previous.block if previous is not None else None,
        "anomalies": anomalies,
    }


def to_extended_json(extended: dict[str, Any]) -> bytes:
    """Keys in the contract's order, one row per line (a month's diff is readable), each
    row's keys in column order; inside the other blocks keys sorted, as in the compatible JSON."""
    items = [f"{json.dumps(key)}:{_block_text(key, value)}" for key, value in extended.items()]
    return ("{\n" + ",\n".join(items) + "\n}\n").encode()


def _block_text(key: str, value: Any) -> str:
    if key != "rows":
        return json.dumps(value, separators=(",", ":"), sort_keys=True)
    lines = json_rows(value, separators=(",", ":"))
    return "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"


def _csv_cells(column: str, values: list[Any]) -> list[Any]:
    """A column's cells for `%s`: a null is an empty cell, the name is quoted as in the
    compatible CSV."""
    if column == PROJECT:
        return ["" if v is None else f'"{v}"' for v in values]
    return ["" if v is None else v for v in values] if None in values else values


def to_extended_csv(rows: list[dict[str, Any]]) -> bytes:
    """The header, then the rows, each from one template (a call per cell was a tenth of
    the files' cost)."""
    cells = [_csv_cells(c, column(rows, c)) for c in COLUMNS]
    lines = [EXTENDED_CSV_HEADER, *map(CSV_ROW.__mod__, zip(*cells, strict=True))]
    return ("\n".join(lines) + "\n").encode()


def to_parquet(table: pa.Table) -> bytes:
    """The whole long tail; the same table gives the same bytes (no timestamps are written)."""
    sink = io.BytesIO()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue()


def extended_files(
    count: Count,
    dataset: dict[str, Any],
    previous: Previous | None,
    anomalies: list[dict[str, Any]],
) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The extended JSON object, and the extended files by name (the schema file apart)."""
    table = extended_table(count, previous)
    extended = build_extended(count, dataset, table, previous, anomalies)
    files = {
        EXTENDED_JSON_FILE: to_extended_json(extended),
        EXTENDED_CSV_FILE: to_extended_csv(extended["rows"]),
        EXTENDED_PARQUET_FILE: to_parquet(table),
    }
    return extended, files
