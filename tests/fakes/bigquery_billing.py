"""BigQuery's on-demand billing model, as the stand-in charges it.

BigQuery does not bill for rows returned or work done: it bills the bytes of every *leaf* column a
query references (`file.project` is a leaf of the STRUCT `file`), summed over the rows of the day
partitions the query cannot prune. Sizes per value: STRING = 2 + UTF-8 bytes, INT64 and TIMESTAMP
= 8, BOOL = 1, NULL = 0. Bytes billed are the bytes processed rounded up to a whole MiB, with a
10 MiB minimum for each table read.

Everything here is pure: sqlglot trees and plain numbers in, numbers out. The caller supplies
`fold`, which evaluates a constant BigQuery expression (DuckDB does it in the stand-in).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from typing import Any

import pyarrow as pa
from sqlglot import exp
from sqlglot.optimizer.scope import traverse_scope

MIB = 1 << 20
# BigQuery bills at least 10 MB for each table a query reads (on-demand pricing).
MIN_BILLED_PER_TABLE = 10 * MIB
# INFORMATION_SCHEMA views are charged at that same 10 MB minimum: the stand-in reports a flat
# 10 MiB processed and billed for each one a query reads.
METADATA_BYTES = 10 * MIB
PARTITION_COLUMN = "timestamp"

Leaf = tuple[str, ...]
# Evaluates a constant expression as "TIMESTAMP" or "DATE"; None when it is not a constant.
Fold = Callable[[exp.Expression, str], Any]
Days = frozenset[date]


def schema_leaves(schema: pa.Schema) -> dict[Leaf, pa.DataType]:
    """Every leaf column of the schema, STRUCT fields flattened into paths."""
    leaves: dict[Leaf, pa.DataType] = {}
    for field in schema:
        leaves.update(_field_leaves((field.name,), field.type))
    return leaves


def _field_leaves(path: Leaf, type_: pa.DataType) -> dict[Leaf, pa.DataType]:
    if not pa.types.is_struct(type_):
        return {path: type_}
    leaves: dict[Leaf, pa.DataType] = {}
    for child in type_:
        leaves.update(_field_leaves((*path, child.name), child.type))
    return leaves


def leaf_size_sql(leaf: Leaf, type_: pa.DataType) -> str:
    """A DuckDB expression for the bytes one row's value of `leaf` costs."""
    value = _leaf_access_sql(leaf)
    if pa.types.is_string(type_) or pa.types.is_large_string(type_):
        cost = f"2 + strlen({value})"
    elif pa.types.is_timestamp(type_) or pa.types.is_integer(type_) or pa.types.is_floating(type_):
        cost = "8"
    elif pa.types.is_boolean(type_):
        cost = "1"
    else:
        raise ValueError(f"no BigQuery size rule for {'.'.join(leaf)} of type {type_}")
    return f"CASE WHEN {value} IS NULL THEN 0 ELSE {cost} END"


def _leaf_access_sql(leaf: Leaf) -> str:
    sql = f'"{leaf[0]}"'
    for name in leaf[1:]:
        sql = f"struct_extract({sql}, '{name}')"
    return sql


@dataclass(frozen=True)
class Scan:
    """One read of a table by one SELECT: which leaf columns, over which day partitions."""

    table: str
    leaves: frozenset[Leaf]
    days: Days


@dataclass(frozen=True)
class Catalog:
    """What the billing model needs to know about the tables a query may read."""

    # Names a table node ("file_downloads", a metadata view), None for anything else.
    table_name: Callable[[exp.Table], str | None]
    leaves: Mapping[str, tuple[Leaf, ...]]
    # The day partitions of each table (empty for unpartitioned ones).
    partitions: Mapping[str, Days]


def table_scans(tree: exp.Expression, catalog: Catalog, fold: Fold) -> list[Scan]:
    """The scans of a qualified query. Run sqlglot's pushdown_projections first, so that a CTE
    or subquery reads only the columns its readers use, as BigQuery's planner does."""
    scans = []
    for scope in traverse_scope(tree):
        for alias, source in scope.sources.items():
            name = catalog.table_name(source) if isinstance(source, exp.Table) else None
            if name is None:
                continue
            columns = [c for c in scope.columns if c.table == alias]
            read = _referenced_leaves(columns, catalog.leaves[name])
            where = scope.expression.args.get("where")
            days = catalog.partitions[name]
            if where is not None:
                days = prune(where.this, alias, fold, days)
            scans.append(Scan(name, read, days))
    return scans


def _referenced_leaves(columns: list[exp.Column], leaves: tuple[Leaf, ...]) -> frozenset[Leaf]:
    read: set[Leaf] = set()
    for column in columns:
        read.update(_leaves_under(column_path(column), leaves))
    return frozenset(read)


def column_path(column: exp.Column) -> Leaf:
    """`file.project` is Dot(Column(file), project) once qualified: follow the Dot chain."""
    path = [column.name]
    node: exp.Expression = column
    while isinstance(node.parent, exp.Dot) and node.parent.this is node:
        node = node.parent
        path.append(node.expression.name)
    return tuple(path)


def _leaves_under(path: Leaf, leaves: tuple[Leaf, ...]) -> list[Leaf]:
    # Reading a STRUCT reads all its leaves; a path deeper than a leaf still reads that leaf.
    while path:
        found = [leaf for leaf in leaves if leaf[: len(path)] == path]
        if found:
            return found
        path = path[:-1]
    return []


def prune(condition: exp.Expression, alias: str, fold: Fold, days: Days) -> Days:
    """The partitions among `days` that a WHERE condition can match, judged from its constant
    bounds on the partition column, as BigQuery prunes before reading anything. A condition this
    model does not understand keeps every day, which is what BigQuery does with one it cannot
    use (a bound computed from a subquery, a function of the column other than DATE)."""
    if isinstance(condition, exp.Paren):
        return prune(condition.this, alias, fold, days)
    if isinstance(condition, exp.And):
        left = prune(condition.this, alias, fold, days)
        return prune(condition.expression, alias, fold, left)
    if isinstance(condition, exp.Or):
        left = prune(condition.this, alias, fold, days)
        return left | prune(condition.expression, alias, fold, days)
    return _bound_days(condition, alias, fold, days)


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}
_OPS: dict[type[exp.Expression], str] = {
    exp.LT: "<",
    exp.LTE: "<=",
    exp.GT: ">",
    exp.GTE: ">=",
    exp.EQ: "=",
}


def _bound_days(condition: exp.Expression, alias: str, fold: Fold, days: Days) -> Days:
    if isinstance(condition, exp.Between):
        low = exp.GTE(this=condition.this, expression=condition.args["low"])
        high = exp.LTE(this=condition.this, expression=condition.args["high"])
        return _bound_days(high, alias, fold, _bound_days(low, alias, fold, days))
    if isinstance(condition, exp.In) and not condition.args.get("query"):
        matched: Days = frozenset()
        for value in condition.expressions:
            equal = exp.EQ(this=condition.this, expression=value)
            matched |= _bound_days(equal, alias, fold, days)
        return matched
    op = _OPS.get(type(condition))
    if op is None:
        return days
    return _comparison_days(condition.this, op, condition.expression, alias, fold, days)


def _comparison_days(
    left: exp.Expression, op: str, right: exp.Expression, alias: str, fold: Fold, days: Days
) -> Days:
    kind = _partition_key(left, alias)
    if kind is None:
        kind, op, right = _partition_key(right, alias), _FLIPPED[op], left
    if kind is None or right.find(exp.Column, exp.Subquery, exp.Select):
        return days
    value = fold(right, kind)
    if value is None:
        return days
    first, last = _day_range(kind, op, value)
    return frozenset(day for day in days if first <= day <= last)


def _partition_key(node: exp.Expression, alias: str) -> str | None:
    """ "TIMESTAMP" for the partition column itself, "DATE" for its UTC date."""
    if _is_partition_column(node, alias):
        return "TIMESTAMP"
    # DATE(timestamp, "America/New_York") is another day than the partition's: no pruning.
    is_date = isinstance(node, exp.Date) and not node.args.get("zone")
    is_date = is_date or (isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.DATE))
    if is_date and _is_partition_column(node.this, alias):
        return "DATE"
    return None


def _is_partition_column(node: exp.Expression, alias: str) -> bool:
    return isinstance(node, exp.Column) and node.table == alias and node.name == PARTITION_COLUMN


_FIRST, _LAST = date.min, date.max


def _day_range(kind: str, op: str, value: Any) -> tuple[date, date]:
    """First and last day whose partition can hold a row matching `partition <op> value`."""
    if kind == "DATE":
        day = value if not hasattr(value, "date") else value.date()
        return _date_range(op, day)
    moment = value.astimezone(UTC)
    day = moment.date()
    # A day holds [00:00, 24:00) at microsecond precision, so `timestamp < midnight` stops the
    # day before while `timestamp <= midnight` still reads the day that midnight starts.
    before = (moment - timedelta(microseconds=1)).date()
    first = day if op in (">", ">=", "=") else _FIRST
    last = {"<": before, "<=": day, "=": day}.get(op, _LAST)
    return first, last


def _date_range(op: str, day: date) -> tuple[date, date]:
    first = {">": day + timedelta(days=1), ">=": day, "=": day}.get(op, _FIRST)
    last = {"<": day - timedelta(days=1), "<=": day, "=": day}.get(op, _LAST)
    return first, last


def scanned_bytes(scans: Iterable[Scan], sizes: Mapping[date, Mapping[Leaf, int]]) -> int:
    """Bytes processed for one partitioned table: each (leaf, day) block is read once, however
    many scans of the query touch it."""
    blocks: set[tuple[Leaf, date]] = set()
    for scan in scans:
        blocks.update((leaf, day) for leaf in scan.leaves for day in scan.days if day in sizes)
    return sum(sizes[day].get(leaf, 0) for leaf, day in blocks)


def billed_for_table(processed: int) -> int:
    """Round up to a whole MiB, at least 10 MiB. A table whose scan is pruned to nothing (or that
    is read for no column at all, like a bare COUNT(*)) processes 0 bytes, and BigQuery bills 0
    for it: the 10 MB minimum applies to data actually read."""
    if processed == 0:
        return 0
    whole_mib = -(-processed // MIB) * MIB
    return max(whole_mib, MIN_BILLED_PER_TABLE)
