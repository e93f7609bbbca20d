"""The byte layout of the data files, against golden files written by hand to the reference
recipe: `.json` is indent=0, `.min.json` has no spaces, CSV quotes names and not numbers."""

import json
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from publisher import __version__
from publisher.count.engines.base import Count, QueryStats
from publisher.count.window import Window
from publisher.dataset.build import build_dataset, serialise, to_json
from publisher.dataset.datapackage import build_datapackage

GOLDEN = Path(__file__).parent / "golden"
COUNT = Count(
    rows=[("boto3", 1500), ("requests", 900), ("typing-extensions", 900), ("zope-interface", 7)],
    projects_counted=41,
    period=Window(date(2026, 10, 2), date(2026, 10, 31)),
    query=QueryStats(bytes_processed=123456789),
)
UPDATED = datetime(2026, 11, 1, 6, 34, 5, tzinfo=UTC)


@pytest.fixture
def files() -> dict[str, bytes]:
    return serialise(build_dataset(COUNT, "duckdb", UPDATED))


@pytest.mark.parametrize(
    "name", ["top-pypi-packages.json", "top-pypi-packages.min.json", "top-pypi-packages.csv"]
)
def test_file_matches_golden(files: dict[str, bytes], name: str) -> None:
    assert files[name] == (GOLDEN / name).read_bytes()


def test_keys_are_sorted_at_every_level(files: dict[str, bytes]) -> None:
    def check(value: object) -> None:
        if isinstance(value, dict):
            assert list(value) == sorted(value)
            for item in value.values():
                check(item)
        elif isinstance(value, list):
            for item in value:
                check(item)

    check(json.loads(files["top-pypi-packages.json"]))


def test_unnamed_downloads_are_in_the_engine_block_only_when_not_0() -> None:
    unnamed = build_dataset(replace(COUNT, unnamed_downloads=321), "duckdb", UPDATED)
    assert unnamed["engine"] == {"method": "exact", "name": "duckdb", "unnamed_downloads": 321}
    assert "unnamed_downloads" not in build_dataset(COUNT, "duckdb", UPDATED)["engine"]
    assert b'"unnamed_downloads": 321' in to_json(unnamed)


def test_consumers_read_rows_as_before(files: dict[str, bytes]) -> None:
    rows = json.loads(files["top-pypi-packages.min.json"])["rows"]
    assert [(r["project"], r["download_count"]) for r in rows] == COUNT.rows


def test_datapackage_hashes_and_describes_the_files(files: dict[str, bytes]) -> None:
    dataset = build_dataset(COUNT, "duckdb", UPDATED)
    package = build_datapackage(dataset, files, "2026.11")
    assert package["version"] == "2026.11"
    sizes = {r["path"]: r["bytes"] for r in package["resources"]}
    assert sizes == {name: len(body) for name, body in files.items()}
    assert "2026-10-02 to 2026-10-31 (30 whole UTC days)" in package["description"]


def test_datapackage_names_what_made_it(files: dict[str, bytes]) -> None:
    package = build_datapackage(build_dataset(COUNT, "duckdb", UPDATED), files, "2026.11")
    assert package["generator"] == {"name": "top-pypi", "version": __version__}
