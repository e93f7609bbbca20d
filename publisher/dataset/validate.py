"""Validation of a dataset before anything is written: the schema, then the rules a schema
cannot say (order, uniqueness, row count, a period that matches what was counted)."""

import json
import re
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any, NoReturn

import fastjsonschema

from publisher.base.errors import ValidationError
from publisher.count.window import Window
from publisher.dataset.build import (
    BASENAME,
    CSV_HEADER,
    EXTENDED,
    EXTENDED_PARQUET_FILE,
    SCHEMA_VERSION,
    SCHEMA_VERSIONS,
)
from publisher.dataset.columns import column
from publisher.dataset.row_schema import RowsValidator

# PEP 503 normal form of a valid name: lowercase alphanumerics, single dashes inside.
NORMALISED_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
TIP = "Nothing was written; the published files are unchanged."


def shipped_schema_name(version: int) -> str:
    """The package's copy of a version's schema (published as `top-pypi-packages.schema.json`)."""
    return f"{BASENAME}.v{version}.schema.json"


def shipped_extended_schema_name(version: int) -> str:
    """The package's copy of `top-pypi-packages-extended.schema.json` (from version 3 on)."""
    return f"{EXTENDED}.v{version}.schema.json"


def shipped(name: str) -> dict[str, Any]:
    text = files("publisher.dataset").joinpath("schemas", name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def json_schema(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    return shipped(shipped_schema_name(version))


@cache
def extended_json_schema(version: int = SCHEMA_VERSION) -> dict[str, Any]:
    """JSON Schema of the extended JSON, and under `columns` the CSV's and Parquet's columns."""
    return shipped(shipped_extended_schema_name(version))


@cache
def schema_validator(version: int) -> RowsValidator:
    # Compiled to Python once, the rows checked by columns (row_schema.py).
    return RowsValidator(json_schema(version))


@cache
def extended_validator(version: int) -> RowsValidator:
    schema = {k: v for k, v in extended_json_schema(version).items() if k != "columns"}
    return RowsValidator(schema)


def fail(message: str) -> NoReturn:
    raise ValidationError(message, TIP)


def known_version(dataset: dict[str, Any]) -> int:
    """The file's schema_version, when this package ships its schema."""
    version = dataset.get("schema_version")
    if type(version) is not int or version not in SCHEMA_VERSIONS:
        known = ", ".join(map(str, SCHEMA_VERSIONS))
        fail(f"schema_version {version!r:.20} is not one this top-pypi knows ({known}).")
    return version


def check_schema(dataset: dict[str, Any], version: int = SCHEMA_VERSION) -> None:
    check_against(schema_validator(version), dataset, "Dataset")


def check_against(validator: RowsValidator, value: dict[str, Any], what: str) -> None:
    try:
        validator(value)
    except fastjsonschema.JsonSchemaValueException as exc:
        shown = "" if isinstance(exc.value, dict | list) else f" (value {exc.value!r:.60})"
        fail(f"{what} breaks its schema: {exc.message}{shown}.")


def check_rows(rows: list[dict[str, Any]]) -> None:
    seen: set[str] = set()
    previous: tuple[int, str] | None = None
    for index, row in enumerate(rows, start=1):
        name, downloads = row["project"], row["download_count"]
        if not NORMALISED_NAME.fullmatch(name):
            fail(f"Row {index}: {name!r} is not a PEP 503-normalised project name.")
        if type(downloads) is not int or downloads < 1:
            fail(
                f"Row {index}: download_count {downloads!r} for {name!r} is not a positive integer."
            )
        if name in seen:
            fail(f"Row {index}: {name!r} appears twice.")
        seen.add(name)
        key = (-downloads, name)
        if previous is not None and key < previous:
            fail(f"Row {index}: {name!r} is out of order (count descending, then name ascending).")
        previous = key


def check_total_rows(dataset: dict[str, Any]) -> None:
    rows, counted = len(dataset["rows"]), dataset["projects_counted"]
    if dataset["total_rows"] != rows:
        fail(f"total_rows is {dataset['total_rows']} but the file has {rows} rows.")
    if rows > counted:
        fail(f"{rows} rows but only {counted} projects counted.")


def check_period_length(dataset: dict[str, Any]) -> Window:
    """The period the file states, once its length is checked."""
    period = dataset["period"]
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    if (end - start).days + 1 != period["days"]:
        fail(f"Period {start} to {end} is not {period['days']} days.")
    return Window(start, end)


def check_counts(dataset: dict[str, Any], limit: int) -> None:
    check_total_rows(dataset)
    rows, counted = len(dataset["rows"]), dataset["projects_counted"]
    expected = min(limit, counted)
    if rows != expected:
        fail(f"{rows} rows, expected {expected} (limit {limit}, {counted} projects counted).")


def check_period(dataset: dict[str, Any], counted: Window) -> None:
    stated = check_period_length(dataset)
    start, end = stated.start, stated.end
    if (start, end) != (counted.start, counted.end):
        fail(f"Period {start} to {end} differs from what the engine counted ({counted.start} on).")
    for key in ("sampled_days", "incomplete_days"):
        for day in dataset["engine"].get(key, []):
            if not start <= date.fromisoformat(day) <= end:
                fail(f"{key}: {day} is outside the period {start} to {end}.")


def validate_dataset(dataset: dict[str, Any], limit: int, counted: Window) -> None:
    """Raise ValidationError naming the first broken rule; return quietly when all hold."""
    check_schema(dataset)
    check_rows(dataset["rows"])
    check_counts(dataset, limit)
    check_period(dataset, counted)


def check_csv_matches(csv_text: str, dataset: dict[str, Any]) -> None:
    """A published CSV must hold exactly the JSON's rows (a month once had two months' rows)."""
    lines = csv_text.splitlines()
    if not lines or lines[0] != CSV_HEADER:
        fail(f"The CSV does not start with the header {CSV_HEADER!r}.")
    if len(lines) - 1 != len(dataset["rows"]):
        fail(f"The CSV has {len(lines) - 1} rows but the JSON has {len(dataset['rows'])}.")
    for index, (line, row) in enumerate(zip(lines[1:], dataset["rows"], strict=True), start=1):
        if line != f'{row["download_count"]},"{row["project"]}"':
            fail(f"CSV row {index} {line!r} differs from the JSON row {row}.")


# --- the extended dataset (schema_version 3 on) ------------------------------------------------

SHARED_KEYS = ("schema_version", "last_update", "period", "engine", "query", "projects_counted")
# What an extended row repeats of the compatible row of its rank.
COMPATIBLE_KEYS = ("project", "download_count")


def check_extended(extended: dict[str, Any], dataset: dict[str, Any]) -> None:
    """The extended JSON against its schema, and its rows and blocks against the compatible
    JSON's: the same month, the same top rows in the same order, ranked 1 to N."""
    check_against(extended_validator(dataset["schema_version"]), extended, "The extended JSON")
    for key in SHARED_KEYS:
        if extended[key] != dataset[key]:
            fail(f"The extended JSON's {key} differs from the JSON's.")
    rows, compatible = extended["rows"], dataset["rows"]
    if len(rows) != len(compatible) or extended["total_rows"] != len(rows):
        fail(f"The extended JSON has {len(rows)} rows but the JSON has {len(compatible)}.")
    found = list(zip(*(column(rows, k) for k in ("rank", *COMPATIBLE_KEYS)), strict=True))
    ranks = range(1, len(rows) + 1)
    expected = list(zip(ranks, *(column(compatible, k) for k in COMPATIBLE_KEYS), strict=True))
    if found != expected:  # compared in one go, not row by row: 15,000 rows
        pairs = enumerate(zip(found, expected, strict=True), start=1)
        rank = next(rank for rank, (one, other) in pairs if one != other)
        row, other = rows[rank - 1], compatible[rank - 1]
        shown = f"{row['project']!r} ({row['download_count']}, rank {row['rank']})"
        fail(f"Extended row {rank} {shown} differs from the JSON row {other}.")


def extended_columns(version: int) -> list[tuple[str, str]]:
    """(name, type) of the extended CSV's and Parquet's columns, as the version's schema says."""
    columns = extended_json_schema(version)["columns"]
    return [(column["name"], column["type"]) for column in columns]


def check_columns(found: list[tuple[str, str]], version: int) -> None:
    """The Parquet file's columns (name, Arrow type) are the version's, in order."""
    expected = extended_columns(version)
    names = [name for name, _ in expected]
    if [name for name, _ in found] != names:
        shown = ", ".join(name for name, _ in found)
        fail(f"{EXTENDED_PARQUET_FILE} has the columns {shown}; expected {', '.join(names)}.")
    for (name, kind), (_, wanted) in zip(found, expected, strict=True):
        if kind != wanted:
            fail(
                f"{EXTENDED_PARQUET_FILE}: column {name} is {kind}, schema_version {version}"
                f" says {wanted}."
            )
