"""From BigQuery Standard SQL to DuckDB SQL, for the stand-in.

sqlglot parses the BigQuery dialect; `qualify` then binds every column to its table (without it,
DuckDB binds `GROUP BY project` to the top-level column instead of the `file.project AS project`
alias) and the tree is written out as DuckDB SQL. Table names are checked against what the
stand-in serves, with BigQuery's "Not found" error for anything else.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import OptimizeError, SqlglotError
from sqlglot.optimizer.qualify import qualify

PUBLIC_CATALOG, PUBLIC_DATASET, EVENTS_TABLE = "bigquery-public-data", "pypi", "file_downloads"
# The metadata views live in DuckDB under this catalog and schema.
META_CATALOG, META_SCHEMA = "bq_meta", "meta"
PARTITIONS_VIEW, JOBS_VIEW = "partitions", "jobs_by_project"


class QueryError(Exception):
    """A failure BigQuery reports for a query, with its `reason` (invalidQuery, notFound, ...)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass(frozen=True)
class Translation:
    """A query ready to run: the qualified BigQuery tree (for billing) and its DuckDB text."""

    tree: exp.Expression
    duckdb_sql: str
    reads_jobs_view: bool


def translate(sql: str, schema: Mapping[str, object], now: datetime) -> Translation:
    qualified, duckdb_sql, reads_jobs = _qualified(sql, schema)
    if duckdb_sql is None:  # it reads the clock: the stand-in's, frozen into a copy
        qualified = qualified.copy()
        _freeze_clock(qualified, now)
        duckdb_sql = qualified.sql(dialect="duckdb")
    return Translation(qualified, duckdb_sql, reads_jobs)


def _qualified(sql: str, schema: Mapping[str, object]) -> tuple[exp.Expression, str | None, bool]:
    """The qualified tree, its DuckDB text (None if it reads the clock) and whether it reads
    JOBS_BY_PROJECT. Qualifying is most of the work, and the same statement comes to many
    stand-ins and many times to one: each is qualified once per process. The trees are only
    read once made (billing and the clock work on copies)."""
    key = (sql, json.dumps(schema, sort_keys=True))
    with _QUALIFIED_LOCK:
        known = _QUALIFIED.get(key)
    if known is None:
        tree = parse(sql)
        _name_anonymous_columns(tree)
        reads_jobs = _resolve_tables(tree)
        qualified = _qualify(tree, schema)
        clock = qualified.find(*_CLOCK_LITERALS)
        known = qualified, None if clock else qualified.sql(dialect="duckdb"), reads_jobs
        with _QUALIFIED_LOCK:
            _QUALIFIED[key] = known
    return known


_QUALIFIED: dict[tuple[str, str], tuple[exp.Expression, str | None, bool]] = {}
_QUALIFIED_LOCK = threading.Lock()


def parse(sql: str) -> exp.Expression:
    try:
        statements = sqlglot.parse(sql, dialect="bigquery")
    except SqlglotError as error:
        raise QueryError("invalidQuery", f"Syntax error: {_first_line(error)}") from error
    found = [s for s in statements if s is not None]
    statement = found[0] if len(found) == 1 else None
    # The public dataset is read-only and the stand-in runs no scripts: one SELECT per job.
    if not isinstance(statement, exp.Query) or not isinstance(statement, exp.Expression):
        raise QueryError("invalidQuery", "The stand-in runs exactly one SELECT statement per job")
    return statement


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0]


def _name_anonymous_columns(tree: exp.Expression) -> None:
    """BigQuery names a result column without an alias f0_, f1_, ... (counting only those);
    sqlglot would call them _col_<position>."""
    if not isinstance(tree, exp.Query):
        return
    # A column, a struct field or an aliased expression names itself.
    named = (exp.Alias, exp.Column, exp.Dot, exp.Star)
    unnamed = [p for p in tree.selects if not isinstance(p, named)]
    for number, projection in enumerate(unnamed):
        projection.replace(exp.alias_(projection.copy(), f"f{number}_"))


def _freeze_clock(tree: exp.Expression, now: datetime) -> None:
    """CURRENT_TIMESTAMP() is one value for the whole statement in BigQuery: put the stand-in's
    clock in as a literal, so that tests control it and pruning can fold the bounds."""
    literals = {
        exp.CurrentTimestamp: ("TIMESTAMP", now.isoformat(sep=" ")),
        exp.CurrentDate: ("DATE", now.date().isoformat()),
        exp.CurrentDatetime: ("DATETIME", now.replace(tzinfo=None).isoformat(sep=" ")),
    }
    for node in list(tree.find_all(*_CLOCK_LITERALS)):
        type_name, text = literals[type(node)]
        cast = exp.cast(exp.Literal.string(text), exp.DataType.build(type_name, dialect="bigquery"))
        node.replace(cast)


_CLOCK_LITERALS = (exp.CurrentTimestamp, exp.CurrentDate, exp.CurrentDatetime)


def _resolve_tables(tree: exp.Expression) -> bool:
    """Point metadata views at the stand-in's tables; reject unknown tables like BigQuery does.
    Returns whether the query reads JOBS_BY_PROJECT (access to it can be denied)."""
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    reads_jobs = False
    for table in list(tree.find_all(exp.Table)):
        parts = [part.name for part in table.parts]
        if len(parts) == 1 and parts[0] in ctes:
            continue
        view = _metadata_view(parts)
        if view is not None:
            reads_jobs = reads_jobs or view == JOBS_VIEW
            _point_at_meta(table, view)
        elif parts != [PUBLIC_CATALOG, PUBLIC_DATASET, EVENTS_TABLE]:
            raise QueryError("notFound", _not_found_message(parts))
    return reads_jobs


def _metadata_view(parts: list[str]) -> str | None:
    # sqlglot keeps `INFORMATION_SCHEMA.X` as one name; the region qualifier is "region-us".
    dotted = ".".join(parts).upper()
    if dotted == f"{PUBLIC_CATALOG}.{PUBLIC_DATASET}.INFORMATION_SCHEMA.PARTITIONS".upper():
        return PARTITIONS_VIEW
    for view in ("JOBS_BY_PROJECT", "JOBS"):
        if dotted.endswith(f"REGION-US.INFORMATION_SCHEMA.{view}"):
            return JOBS_VIEW
    return None


def _point_at_meta(table: exp.Table, view: str) -> None:
    alias = table.alias or table.name.split(".")[-1]
    replacement = exp.table_(view, db=META_SCHEMA, catalog=META_CATALOG, alias=alias)
    table.replace(replacement)


def _not_found_message(parts: list[str]) -> str:
    where = f"{parts[-3]}:{parts[-2]}.{parts[-1]}" if len(parts) >= 3 else ".".join(parts)
    return f"Not found: Table {where} was not found in location US"


def _qualify(tree: exp.Expression, schema: Mapping[str, object]) -> exp.Expression:
    try:
        return qualify(tree, schema=dict(schema), dialect="bigquery")
    except OptimizeError as error:
        raise QueryError("invalidQuery", _unrecognized(error)) from error


def _unrecognized(error: OptimizeError) -> str:
    text = _first_line(error)
    if text.startswith("Column '"):
        name = text.split("'")[1]
        return f"Unrecognized name: {name}"
    return text


def bigquery_type(type_: pa.DataType) -> str:
    """The BigQuery DDL spelling of an Arrow type, for sqlglot's schema."""
    if pa.types.is_struct(type_):
        fields = ", ".join(f"{field.name} {bigquery_type(field.type)}" for field in type_)
        return f"STRUCT<{fields}>"
    if pa.types.is_list(type_):
        return f"ARRAY<{bigquery_type(type_.value_type)}>"
    simple = [
        (pa.types.is_string, "STRING"),
        (pa.types.is_boolean, "BOOL"),
        (pa.types.is_integer, "INT64"),
        (pa.types.is_floating, "FLOAT64"),
        (pa.types.is_date, "DATE"),
    ]
    for test, name in simple:
        if test(type_):
            return name
    if pa.types.is_timestamp(type_):
        return "TIMESTAMP" if type_.tz else "DATETIME"
    raise ValueError(f"no BigQuery type for {type_}")


def table_schema(schema: pa.Schema) -> dict[str, str]:
    return {field.name: bigquery_type(field.type) for field in schema}


def qualify_schema(
    events: pa.Schema, partitions: pa.Schema, jobs: pa.Schema
) -> dict[str, dict[str, dict[str, dict[str, str]]]]:
    """All tables one query can name, at the same depth (catalog.dataset.table) as sqlglot
    requires."""
    return {
        PUBLIC_CATALOG: {PUBLIC_DATASET: {EVENTS_TABLE: table_schema(events)}},
        META_CATALOG: {
            META_SCHEMA: {
                PARTITIONS_VIEW: table_schema(partitions),
                JOBS_VIEW: table_schema(jobs),
            }
        },
    }


def table_name(table: exp.Table) -> str | None:
    """The stand-in's name for a qualified table node, None for a CTE or anything else."""
    parts = (table.catalog, table.db, table.name)
    if parts == (PUBLIC_CATALOG, PUBLIC_DATASET, EVENTS_TABLE):
        return EVENTS_TABLE
    if parts[:2] == (META_CATALOG, META_SCHEMA):
        return table.name
    return None
