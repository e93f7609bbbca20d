"""A file's rows as columns: what the writers fill their templates from and what the schema
check validates, one list per key instead of one dict per row."""

from operator import itemgetter
from typing import Any


def column(rows: list[dict[str, Any]], key: str) -> list[Any]:
    """Each row's value under `key`, in row order."""
    return list(map(itemgetter(key), rows))


def columns(rows: Any) -> dict[str, list[Any]] | None:
    """The values of each key in row order, keys in the rows' order, when `rows` is a non-empty
    list of plain dicts that all have the same keys, at least one, in the same order; else None
    (the caller then goes row by row)."""
    if type(rows) is not list or not rows or set(map(type, rows)) != {dict}:
        return None
    orders = set(map(tuple, rows))
    if len(orders) != 1 or orders == {()}:
        return None
    return {key: column(rows, key) for key in orders.pop()}
