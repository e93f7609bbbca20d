"""The rows of the JSON files written from one template each: exactly the bytes of `json.dumps`,
without its cost per row.

`json.dumps` runs its pure-Python encoder whenever it indents (the compatible `.json` has
`indent=0`), and the extended JSON was one call per row: over 15,000 rows they were about a
tenth of `collect` (docs/benchmarks.md). The layouts here are cut out of `json.dumps`'s own
output, with a mark where the values go, and a template is used only where it is exact: rows of
the same keys in the same order whose values are integers, strings and nulls, each written as
json writes it (a string by json's own escaper). Anything else is written by `json.dumps`
itself, so the bytes never depend on which way they were made (tests/test_layout.py compares
both on generated rows).
"""

import json
from json.encoder import encode_basestring_ascii  # json.dumps's escaper (ensure_ascii)
from typing import Any

from publisher.dataset.columns import columns

# Stands where a value goes in a layout cut out of json.dumps's output; a layout where its text
# appears more often than it was put in is not used (`cut`).
MARK = "\x00top-pypi mark\x00"
# Values that `%s` writes as json.dumps does once strings are escaped and None is null (the
# type exactly: `%s` writes True as "True", json as "true").
PLAIN = frozenset({int, str, type(None)})


def cut(value: Any, marks: int, options: dict[str, Any]) -> list[str] | None:
    """json.dumps(value, **options) in the pieces between its `marks` marks; None when the
    mark's text shows up anywhere else."""
    pieces = json.dumps(value, **options).split(json.dumps(MARK))
    return pieces if len(pieces) == marks + 1 else None


def json_cells(column: list[Any]) -> list[Any] | None:
    """Each value as json.dumps writes it, for `%s`; None when one is not PLAIN."""
    kinds = set(map(type, column))
    if not kinds <= PLAIN:
        return None
    if kinds == {int}:
        return column
    return [
        encode_basestring_ascii(v) if type(v) is str else "null" if v is None else v for v in column
    ]


def template_rows(rows: list[Any], options: dict[str, Any]) -> list[str] | None:
    """Each row's json.dumps(row, **options) from one template; None when the rows do not fit."""
    found = columns(rows)
    if found is None or not all(type(key) is str for key in found):
        return None
    keys = sorted(found) if options.get("sort_keys") else list(found)
    pieces = cut(dict.fromkeys(keys, MARK), len(keys), options)
    cells = [json_cells(found[key]) for key in keys]
    if pieces is None or any(column is None for column in cells):
        return None
    template = "%s".join(piece.replace("%", "%%") for piece in pieces)
    return list(map(template.__mod__, zip(*cells, strict=True)))


def json_rows(rows: Any, **options: Any) -> list[str]:
    """json.dumps(row, **options) of each row."""
    written = template_rows(rows, options)
    return written if written is not None else [json.dumps(row, **options) for row in rows]


def dumps_with_rows(value: Any, key: str, **options: Any) -> str:
    """json.dumps(value, **options), the rows under `key` written by `json_rows` between the
    head and the tail of the object as json.dumps lays it out. Only without an indent or with
    `indent=0`, which indent every level alike: a row's text is the same alone as in the file."""
    rows = value.get(key) if type(value) is dict else None
    if type(rows) is not list or not rows or options.get("indent") not in (None, 0):
        return json.dumps(value, **options)
    outer = cut({**value, key: MARK}, 1, options)
    between = cut([MARK, MARK], 2, options)
    if outer is None or between is None:
        return json.dumps(value, **options)
    (head, tail), (opening, separator, closing) = outer, between
    return head + opening + separator.join(json_rows(rows, **options)) + closing + tail
