"""A file's JSON Schema with its rows checked by columns: the verdict and the words of the schema's
own validator (fastjsonschema), for a small part of its cost over 15,000 rows.

First the rows become columns. A row schema of `type: object`, `required`,
`additionalProperties` (true or false) and `properties` holds for every row of a list of plain
dicts that share their keys if and only if, each property's schema S made
`{"type": "array", "items": S}`, it holds for the one object of their columns (each key's values
in row order): that object has exactly the rows' keys, and a key's value meets S in every row
exactly when all of its column's items do.

Then each column is cut to the values that decide its verdict (`representatives`): a schema
that judges an integer only by its type and its bounds accepts a column of integers and nulls
exactly when it accepts the least and the greatest integer and, if there is one, a null. Names
and anything else are checked whole.

Rows of any other shape, row schemas with any other keyword, and any value that fails go to the
whole schema as they are: the error names the first broken rule and its row as it always did
(tests/test_row_schema.py compares the two on generated rows).
"""

from collections.abc import Callable
from typing import Any

import fastjsonschema

from publisher.dataset.columns import columns

# What the rows' schema may say for its rows to be checked by columns (see above).
COLUMN_KEYWORDS = frozenset(
    {"type", "required", "additionalProperties", "properties", "description"}
)

# What a column's schema may say for its integers to be judged by their least and greatest.
BOUNDS = frozenset(
    {"type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "description"}
)
NULL = type(None)

Check = Callable[[Any], Any]


def row_schema(schema: dict[str, Any], key: str) -> dict[str, Any] | None:
    """The item schema of the rows under `key`, when the rows can be checked by columns."""
    properties = schema.get("properties")
    rows = properties.get(key) if isinstance(properties, dict) else None
    items = rows.get("items") if isinstance(rows, dict) else None
    if (
        isinstance(items, dict)
        and items.keys() <= COLUMN_KEYWORDS
        and items.get("type") == "object"
        and isinstance(items.get("additionalProperties", True), bool)
        and isinstance(items.get("properties", {}), dict)
    ):
        return items
    return None


def by_columns(schema: dict[str, Any], key: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The schema without its rows' item schema, and the item schema over the rows' columns;
    None when the rows cannot be checked by columns."""
    items = row_schema(schema, key)
    if items is None:
        return None
    rows = {k: v for k, v in schema["properties"][key].items() if k != "items"}
    outer = {**schema, "properties": {**schema["properties"], key: rows}}
    each = items.get("properties", {})
    wrapped = {name: {"type": "array", "items": each[name]} for name in each}
    # The same draft as the whole schema: it decides, for one, whether 1.0 is an integer.
    draft = {"$schema": schema["$schema"]} if "$schema" in schema else {}
    return outer, {**draft, **items, "properties": wrapped}


def representatives(column: list[Any], schema: Any) -> list[Any]:
    """The values of a column whose verdict under `schema` is the whole column's: of integers
    and nulls under BOUNDS, the least and greatest integer and a null if any; else every one."""
    kinds = set(map(type, column))
    if not (isinstance(schema, dict) and schema.keys() <= BOUNDS and kinds <= {int, NULL}):
        return column
    numbers = [v for v in column if v is not None] if NULL in kinds else column
    return ([min(numbers), max(numbers)] if numbers else []) + ([None] if NULL in kinds else [])


class RowsValidator:
    """A compiled schema whose list under `key` is checked by columns where it can be."""

    def __init__(self, schema: dict[str, Any], key: str = "rows") -> None:
        self.key = key
        self.whole: Check = fastjsonschema.compile(schema)
        parts = by_columns(schema, key)
        self.parts = None if parts is None else tuple(map(fastjsonschema.compile, parts))
        items = row_schema(schema, key)
        self.properties: dict[str, Any] = {} if items is None else items.get("properties", {})

    def __call__(self, value: Any) -> None:
        """Raise fastjsonschema's JsonSchemaValueException when `value` breaks the schema."""
        found = self.columns(value)
        if self.parts is None or found is None:
            self.whole(value)
            return
        outer, rows = self.parts
        try:
            outer(value)
            rows(found)
        except fastjsonschema.JsonSchemaValueException:
            self.whole(value)  # the first broken rule in the schema's own words, row and all
            raise

    def columns(self, value: Any) -> dict[str, list[Any]] | None:
        """The rows' columns, each cut to its representatives; None when the rows cannot be
        checked by columns."""
        found = columns(value.get(self.key)) if type(value) is dict else None
        if found is None:
            return None
        return {k: representatives(v, self.properties.get(k)) for k, v in found.items()}
