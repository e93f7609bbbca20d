"""The DuckDB side of the BigQuery stand-in: the events, the metadata views, the byte counts.

The events are a folder of Parquet files in the `file_downloads` schema. DuckDB serves them as
`"bigquery-public-data".pypi.file_downloads` from an attached in-memory catalog, and, once at
start, measures every leaf column of every day partition with BigQuery's size rules, so that
billing a query is a lookup rather than a scan.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from publisher.base.events_schema import FILE_DOWNLOADS
from tests.fakes.bigquery_billing import Leaf, leaf_size_sql, schema_leaves
from tests.fakes.bigquery_sql import (
    EVENTS_TABLE,
    JOBS_VIEW,
    META_CATALOG,
    META_SCHEMA,
    PARTITIONS_VIEW,
    PUBLIC_CATALOG,
    PUBLIC_DATASET,
    qualify_schema,
)

DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.parquet$")

PARTITIONS_SCHEMA = pa.schema(
    [
        ("table_catalog", pa.string()),
        ("table_schema", pa.string()),
        ("table_name", pa.string()),
        ("partition_id", pa.string()),
        ("total_rows", pa.int64()),
        ("total_logical_bytes", pa.int64()),
        ("total_billable_bytes", pa.int64()),
        ("last_modified_time", pa.timestamp("us", tz="UTC")),
        ("storage_tier", pa.string()),
    ]
)

ERROR_RESULT = pa.struct(
    [
        ("reason", pa.string()),
        ("location", pa.string()),
        ("debug_info", pa.string()),
        ("message", pa.string()),
    ]
)

JOBS_SCHEMA = pa.schema(
    [
        ("creation_time", pa.timestamp("us", tz="UTC")),
        ("project_id", pa.string()),
        ("user_email", pa.string()),
        ("job_id", pa.string()),
        ("job_type", pa.string()),
        ("statement_type", pa.string()),
        ("priority", pa.string()),
        ("start_time", pa.timestamp("us", tz="UTC")),
        ("end_time", pa.timestamp("us", tz="UTC")),
        ("query", pa.string()),
        ("state", pa.string()),
        ("total_bytes_processed", pa.int64()),
        ("total_bytes_billed", pa.int64()),
        ("cache_hit", pa.bool_()),
        ("error_result", ERROR_RESULT),
    ]
)


@dataclass(frozen=True)
class Partition:
    """One day partition of file_downloads, measured with BigQuery's size rules."""

    day: date
    rows: int
    leaf_bytes: Mapping[Leaf, int]
    last_modified: datetime

    @property
    def logical_bytes(self) -> int:
        return sum(self.leaf_bytes.values())


def event_files(events_dir: Path) -> list[Path]:
    files = sorted(events_dir.glob("*.parquet"))
    strays = [f.name for f in files if not DAY_FILE.match(f.name)]
    if strays:
        raise ValueError(f"event files must be named YYYY-MM-DD.parquet, got {strays}")
    return files


class EventStore:
    """DuckDB holding the events and the metadata views. One lock: DuckDB connections are not
    meant to be shared across the HTTP server's threads."""

    def __init__(self, events_dir: Path) -> None:
        self._lock = threading.Lock()
        self._folded: dict[str, Any] = {}
        self._db = duckdb.connect(":memory:")
        # DuckDB reads TIMESTAMP literals in the session time zone; BigQuery's is always UTC.
        self._db.execute("SET TimeZone='UTC'")
        # The tests' tables are small: more threads cost more to start than they save.
        self._db.execute("SET threads = 1")
        files = event_files(events_dir)
        self._attach_events(files)
        self.leaves: tuple[Leaf, ...] = tuple(schema_leaves(FILE_DOWNLOADS))
        self.partitions: dict[date, Partition] = self._measured(files)
        self._create_metadata()
        self.schema = qualify_schema(FILE_DOWNLOADS, PARTITIONS_SCHEMA, JOBS_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _attach_events(self, files: list[Path]) -> None:
        self._db.execute(f"ATTACH ':memory:' AS \"{PUBLIC_CATALOG}\"")
        self._db.execute(f'CREATE SCHEMA "{PUBLIC_CATALOG}".{PUBLIC_DATASET}')
        target = f'"{PUBLIC_CATALOG}".{PUBLIC_DATASET}.{EVENTS_TABLE}'
        if files:
            paths = ", ".join(f"'{_sql_text(str(f))}'" for f in files)
            self._db.execute(f"CREATE VIEW {target} AS SELECT * FROM read_parquet([{paths}])")
        else:
            self._create_empty(target, FILE_DOWNLOADS)

    def _create_empty(self, target: str, schema: pa.Schema) -> None:
        empty = schema.empty_table()
        self._db.register("empty_arrow", empty)
        self._db.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM empty_arrow")
        self._db.unregister("empty_arrow")

    def _measured(self, files: list[Path]) -> dict[date, Partition]:
        # BigQuery keeps these figures as table metadata; the stand-in measures a folder once
        # per process, while its files stay as they were, however many stand-ins serve it.
        stamp = files_stamp(files)
        with _MEASURED_LOCK:
            known = _MEASURED.get(stamp)
        if known is None:
            known = self._measure_partitions()
            with _MEASURED_LOCK:
                _MEASURED[stamp] = known
        return dict(known)

    def _measure_partitions(self) -> dict[date, Partition]:
        # Rows with a NULL timestamp would sit in BigQuery's __NULL__ partition; the public
        # table has none, so they are left out of the measurement.
        sizes = ", ".join(
            f"SUM({leaf_size_sql(leaf, type_)})::BIGINT"
            for leaf, type_ in schema_leaves(FILE_DOWNLOADS).items()
        )
        sql = (
            'SELECT CAST("timestamp" AS DATE), COUNT(*), MAX("timestamp"), '
            f'{sizes} FROM "{PUBLIC_CATALOG}".{PUBLIC_DATASET}.{EVENTS_TABLE} '
            'WHERE "timestamp" IS NOT NULL GROUP BY 1 ORDER BY 1'
        )
        rows = self._db.sql(sql).to_arrow_table().to_pylist()
        return {p.day: p for p in (self._partition(row) for row in rows)}

    def _partition(self, row: dict[str, Any]) -> Partition:
        day, count, last, *sizes = row.values()
        return Partition(day, count, dict(zip(self.leaves, sizes, strict=True)), last)

    def _create_metadata(self) -> None:
        self._db.execute(f"ATTACH ':memory:' AS {META_CATALOG}")
        self._db.execute(f"CREATE SCHEMA {META_CATALOG}.{META_SCHEMA}")
        self._replace_table(PARTITIONS_VIEW, self._partitions_table())
        self._replace_table(JOBS_VIEW, JOBS_SCHEMA.empty_table())

    def _partitions_table(self) -> pa.Table:
        rows = [
            {
                "table_catalog": PUBLIC_CATALOG,
                "table_schema": PUBLIC_DATASET,
                "table_name": EVENTS_TABLE,
                "partition_id": p.day.strftime("%Y%m%d"),
                "total_rows": p.rows,
                "total_logical_bytes": p.logical_bytes,
                "total_billable_bytes": p.logical_bytes,
                "last_modified_time": p.last_modified,
                "storage_tier": "ACTIVE",
            }
            for p in self.partitions.values()
        ]
        return pa.Table.from_pylist(rows, schema=PARTITIONS_SCHEMA)

    def _replace_table(self, name: str, table: pa.Table) -> None:
        self._db.register("meta_arrow", table)
        target = f"{META_CATALOG}.{META_SCHEMA}.{name}"
        self._db.execute(f"CREATE OR REPLACE TABLE {target} AS SELECT * FROM meta_arrow")
        self._db.unregister("meta_arrow")

    def set_jobs(self, rows: Iterable[dict[str, Any]]) -> None:
        """Replace JOBS_BY_PROJECT's rows (dicts in JOBS_SCHEMA)."""
        table = pa.Table.from_pylist(list(rows), schema=JOBS_SCHEMA)
        with self._lock:
            self._replace_table(JOBS_VIEW, table)

    def run(self, duckdb_sql: str, limit: int | None = None) -> pa.Table:
        with self._lock:
            relation = self._db.sql(duckdb_sql)
            if limit is not None:
                relation = relation.limit(limit)
            return relation.to_arrow_table()

    def fold(self, expression: exp.Expression, kind: str) -> Any:
        """Evaluate a constant BigQuery expression as a TIMESTAMP or DATE (None if it is not one),
        with DuckDB, so that any constant the SQL can express can bound the partitions."""
        target = "TIMESTAMPTZ" if kind == "TIMESTAMP" else "DATE"
        cast = exp.cast(expression.copy(), exp.DataType.build(target))
        sql = f"SELECT {cast.sql(dialect='duckdb')}"
        # A constant has one value: each bound is asked of DuckDB once, not once per query.
        with self._lock:
            if sql not in self._folded:
                self._folded[sql] = self._fold_sql(sql)
            return self._folded[sql]

    def _fold_sql(self, sql: str) -> Any:
        try:
            result = self._db.sql(sql).to_arrow_table()
        except duckdb.Error:
            return None
        return result.column(0)[0].as_py()


Stamp = tuple[tuple[str, int, int], ...]
_MEASURED: dict[Stamp, dict[date, Partition]] = {}
_MEASURED_LOCK = threading.Lock()


def files_stamp(files: list[Path]) -> Stamp:
    """Each file's name, size and time: a folder written again is measured again."""
    stats = [(str(path), path.stat()) for path in files]
    return tuple((name, stat.st_size, stat.st_mtime_ns) for name, stat in stats)


def _sql_text(text: str) -> str:
    return text.replace("'", "''")
