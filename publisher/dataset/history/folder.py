"""The history folder's files after some months are added or replaced: only the years those
months fall in are rewritten; the index, its schema and the package follow."""

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from publisher.dataset.history.index import (
    MonthFacts,
    empty_index,
    index_bytes,
    read_index,
    with_facts,
)
from publisher.dataset.history.names import (
    DATAPACKAGE_FILE,
    INDEX_FILE,
    INDEX_SCHEMA_FILE,
    tag_year,
    year_file,
)
from publisher.dataset.history.package import build_package
from publisher.dataset.history.table import empty_table, from_parquet, to_parquet, with_months
from publisher.dataset.validate import shipped

SHIPPED_INDEX_SCHEMA = "top-pypi-packages-history.v1.schema.json"


@dataclass(frozen=True)
class Month:
    """A month to put into the history: what it is, and its rows."""

    facts: MonthFacts
    rows: pa.Table


def index_schema_bytes() -> bytes:
    return (json.dumps(shipped(SHIPPED_INDEX_SCHEMA), indent=2) + "\n").encode()


def years_of(months: Sequence[Month]) -> dict[int, list[Month]]:
    years: dict[int, list[Month]] = {}
    for month in months:
        years.setdefault(tag_year(month.facts.tag), []).append(month)
    return years


def with_history_months(current: dict[str, bytes], months: Sequence[Month]) -> dict[str, bytes]:
    """Every file of the folder once `months` are in it (a month already there is replaced
    whole). `current` is the folder's files by name, empty for a first history."""
    files = {name: body for name, body in current.items() if name != DATAPACKAGE_FILE}
    for year, held in years_of(months).items():
        name = year_file(year)
        table = from_parquet(files[name]) if name in files else empty_table()
        files[name] = to_parquet(with_months(table, [m.rows for m in held]))
    index = read_index(current[INDEX_FILE]) if INDEX_FILE in current else empty_index()
    index = with_facts(index, [m.facts for m in months])
    files[INDEX_FILE] = index_bytes(index)
    files[INDEX_SCHEMA_FILE] = index_schema_bytes()
    package = build_package(index, files)
    files[DATAPACKAGE_FILE] = (json.dumps(package, indent=2, sort_keys=True) + "\n").encode()
    return files
