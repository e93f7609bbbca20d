"""The rows checked by columns (row_schema.py) get exactly the verdict and the words of the
whole schema's validator (issue 20 §1), for every shipped schema: rows mostly like a published
file's, each value sometimes one that breaks or just meets a rule (0, 1.0, True, null, a name
with a capital or a newline), a row sometimes without a key, with one more, in another order or
not an object at all."""

import json
from functools import cache
from pathlib import Path
from typing import Any

import fastjsonschema
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from publisher.dataset.build import SCHEMA_VERSIONS
from publisher.dataset.row_schema import RowsValidator, by_columns, representatives
from publisher.dataset.validate import (
    extended_json_schema,
    extended_validator,
    json_schema,
    schema_validator,
)

GOLDEN = Path(__file__).parent / "golden"
# A published file of each version, the schema it answers to.
COMPATIBLE = {
    1: GOLDEN / "v1-release" / "top-pypi-packages.json",
    2: GOLDEN / "v2-release" / "top-pypi-packages.json",
    3: GOLDEN / "v3-release" / "top-pypi-packages.json",
    4: GOLDEN / "top-pypi-packages.json",
}
EXTENDED = GOLDEN / "v3-release" / "top-pypi-packages-extended.json"
CASES = [("compatible", v) for v in SCHEMA_VERSIONS] + [("extended", 3), ("extended", 4)]
# Values at and across the rules' edges; some of them meet a rule (1.0 is an integer in draft 7).
# The edges of the rules every schema has (null, the least count, an integer's type), drawn as
# often as all the others together.
SHARP = [None, 0, 1.0, True]
EDGES: list[Any] = [
    0,
    -1,
    1,
    1.0,
    1.5,
    True,
    False,
    None,
    "Numpy",
    "a--b",
    "abc\n",
    "",
    "é",
    [],
    {},
    10**30,
]


@cache
def schema(kind: str, version: int) -> dict[str, Any]:
    if kind == "compatible":
        return json_schema(version)
    return {k: v for k, v in extended_json_schema(version).items() if k != "columns"}


def validator(kind: str, version: int) -> RowsValidator:
    """The validator `validate` uses; its `whole` is fastjsonschema's of the whole schema."""
    return schema_validator(version) if kind == "compatible" else extended_validator(version)


def published(kind: str, version: int) -> dict[str, Any]:
    path = COMPATIBLE[version] if kind == "compatible" else EXTENDED
    found: dict[str, Any] = json.loads(path.read_text())
    return {**found, "schema_version": version}


def reshaped(values: Any, change: int, key: str) -> Any:
    """A row without `key`, with one key more, with its keys in another order, or not an
    object at all; as it is for any other `change`."""
    if not isinstance(values, dict):
        return values
    if change == 0:
        return {k: v for k, v in values.items() if k != key}
    if change == 1:
        return {**values, "extra": 1}
    if change == 2:
        return dict(reversed(values.items()))
    return EDGES[-1] if change == 3 else values


@st.composite
def rows_of(draw: st.DrawFn, good: list[dict[str, Any]]) -> list[Any]:
    """Published rows with a cell or two at an edge, and sometimes every row (so that the rows
    still share their keys) or one of them reshaped: one fault at a time mostly, so that a rule
    the columns missed cannot hide behind another that they caught."""
    keys = sorted(good[0])
    found: list[Any] = [dict(draw(st.sampled_from(good))) for _ in range(draw(st.integers(0, 4)))]
    for _ in range(draw(st.integers(0, 2)) if found else 0):
        cell = draw(st.integers(0, len(found) - 1)), draw(st.sampled_from(keys))
        found[cell[0]][cell[1]] = draw(st.one_of(st.sampled_from(SHARP), st.sampled_from(EDGES)))
    every = draw(st.integers(0, 15)), draw(st.sampled_from(keys))
    found = [reshaped(values, *every) for values in found]
    if found:
        one = draw(st.integers(0, len(found) - 1))
        found[one] = reshaped(found[one], draw(st.integers(0, 15)), draw(st.sampled_from(keys)))
    return found


def outcome(check: Any, value: Any) -> str | None:
    try:
        check(value)
    except fastjsonschema.JsonSchemaValueException as exc:
        return exc.message
    return None


@pytest.mark.parametrize(("kind", "version"), CASES)
def test_every_shipped_schema_checks_its_rows_by_columns(kind: str, version: int) -> None:
    assert by_columns(schema(kind, version), "rows") is not None


@settings(max_examples=150)
@given(st.data())
def test_the_rows_by_columns_get_the_whole_schemas_verdict_and_words(data: st.DataObject) -> None:
    kind, version = data.draw(st.sampled_from(CASES))
    base = published(kind, version)
    rows = data.draw(rows_of(base["rows"]))
    value = {**base, "rows": rows}
    if data.draw(st.integers(0, 10)) == 0:
        value["total_rows"] = data.draw(st.sampled_from(EDGES))
    checked = validator(kind, version)
    expected = outcome(checked.whole, value)
    event("valid" if expected is None else "invalid")
    assert outcome(checked, value) == expected


def row_properties(kind: str, version: int) -> dict[str, Any]:
    found: dict[str, Any] = schema(kind, version)["properties"]["rows"]["items"]["properties"]
    return found


@cache
def column_check(kind: str, version: int, key: str) -> Any:
    each = row_properties(kind, version)[key]
    return fastjsonschema.compile({**DRAFT, "type": "array", "items": each})


DRAFT = {"$schema": "http://json-schema.org/draft-07/schema#"}
KEYS = [(kind, version, key) for kind, version in CASES for key in row_properties(kind, version)]
NUMBERS = st.one_of(st.none(), st.integers(-2, 2), st.integers(), st.sampled_from(SHARP))


@settings(max_examples=150)
@given(st.sampled_from(KEYS), st.lists(NUMBERS, min_size=1, max_size=6))
def test_a_column_gets_the_verdict_of_its_representatives(
    where: tuple[str, int, str], column: list[Any]
) -> None:
    kind, version, key = where
    check, each = column_check(kind, version, key), row_properties(kind, version)[key]
    # The verdict only: a column that fails is checked again whole, for the words.
    accepted = outcome(check, column) is None
    assert (outcome(check, representatives(column, each)) is None) == accepted
