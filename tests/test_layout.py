"""The files written from templates are byte for byte what `json.dumps` and the CSV's rule
give (issue 20 §1), for any rows: names of every kind of character PyPI allows and some it does
not (quotes, backslashes, `%`, non-ASCII, control characters, the template's own mark), values
of every JSON type, rows of differing keys; the writers' own checks send the odd ones to
`json.dumps`, and the bytes must not tell which way they were made."""

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.count.long_tail import PROJECT
from publisher.dataset.build import to_json
from publisher.dataset.extended import COLUMNS, EXTENDED_CSV_HEADER, to_extended_csv
from publisher.dataset.layout import MARK, dumps_with_rows, json_rows

# Cheap enough to run on every test run: under a second for the whole file.
QUICK = settings(max_examples=25)

# Characters of normalised names, those PyPI also allows, and some it does not.
AWKWARD = ['"', "\\", "%", "%s", "\x00", "\x1f", "\x7f", "é", "ß", "日本", "😀", "\u2028", MARK]
CHARACTERS = st.one_of(st.sampled_from("az09-._AZ"), st.sampled_from(AWKWARD), st.characters())
NAMES = st.lists(CHARACTERS, max_size=6).map("".join)
INTEGERS = st.one_of(st.integers(min_value=0, max_value=10**12), st.integers())
# What a template writes (integers, names, nulls), and rarely what it must leave to json.dumps.
PLAIN = st.one_of(INTEGERS, NAMES, st.none())
ODD = st.one_of(st.booleans(), st.floats(), st.lists(INTEGERS, max_size=2))
VALUES = st.one_of(PLAIN, PLAIN, PLAIN, ODD)
KEYS = st.one_of(st.sampled_from(["download_count", "project", "rank", "%d"]), NAMES)


@st.composite
def rows(draw: st.DrawFn, keys: list[str] | None = None) -> list[Any]:
    """Mostly rows of one set of keys in one order; sometimes rows whose keys differ."""
    names = keys if keys is not None else draw(st.lists(KEYS, min_size=1, max_size=4, unique=True))
    row = st.fixed_dictionaries({key: VALUES for key in names})
    odd = st.one_of(st.dictionaries(KEYS, VALUES, max_size=3), INTEGERS, NAMES)
    return draw(st.one_of(st.lists(row, max_size=6), st.lists(st.one_of(row, odd), max_size=6)))


JSON = st.recursive(
    st.one_of(PLAIN, st.booleans(), st.floats(allow_nan=False)),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(NAMES, inner, max_size=3)),
    max_leaves=5,
)


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, Any]:
    """An object with rows among other keys, as the compatible and the extended JSON are."""
    others = draw(st.dictionaries(NAMES, JSON, max_size=4))
    columns = draw(st.sampled_from([["download_count", "project"], list(COLUMNS), None]))
    return {**others, "rows": draw(rows(columns))}


@QUICK
@given(datasets())
def test_the_compatible_json_is_json_dumps_with_indent_0_for_any_dataset(
    dataset: dict[str, Any],
) -> None:
    assert to_json(dataset) == (json.dumps(dataset, indent=0, sort_keys=True) + "\n").encode()


@QUICK
@given(datasets(), st.sampled_from([{}, {"separators": (",", ":")}, {"indent": 0}]))
def test_an_object_with_rows_is_json_dumps_in_every_layout_without_a_deeper_indent(
    dataset: dict[str, Any], options: dict[str, Any]
) -> None:
    for sort_keys in (False, True):
        expected = json.dumps(dataset, sort_keys=sort_keys, **options)
        assert dumps_with_rows(dataset, "rows", sort_keys=sort_keys, **options) == expected


@QUICK
@given(rows(), st.sampled_from([{"separators": (",", ":")}, {"indent": 0, "sort_keys": True}]))
def test_each_row_is_json_dumps_of_the_row(found: list[Any], options: dict[str, Any]) -> None:
    assert json_rows(found, **options) == [json.dumps(row, **options) for row in found]


def old_extended_csv(found: list[dict[str, Any]]) -> bytes:
    """The extended CSV as it was written before the templates, one call per cell."""

    def cell(column: str, value: Any) -> str:
        if value is None:
            return ""
        return f'"{value}"' if column == PROJECT else str(value)

    lines = [EXTENDED_CSV_HEADER]
    lines += [",".join(cell(c, row[c]) for c in COLUMNS) for row in found]
    return ("\n".join(lines) + "\n").encode()


@QUICK
@given(rows(list(COLUMNS)).filter(lambda found: all(isinstance(r, dict) for r in found)))
def test_the_extended_csv_is_the_old_writers_for_any_rows(found: list[dict[str, Any]]) -> None:
    try:
        expected = old_extended_csv(found)
    except KeyError:  # a row without one of the columns
        with pytest.raises(KeyError):
            to_extended_csv(found)
        return
    assert to_extended_csv(found) == expected
