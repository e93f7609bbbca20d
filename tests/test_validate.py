"""Each rule of validation, broken on purpose on an otherwise valid dataset."""

import copy
from datetime import UTC, date, datetime
from typing import Any

import pytest

from publisher.base.errors import ValidationError
from publisher.count.engines.base import Count, QueryStats
from publisher.count.window import Window
from publisher.dataset.build import build_dataset, to_csv
from publisher.dataset.validate import check_csv_matches, check_rows, validate_dataset

WINDOW = Window(date(2026, 10, 2), date(2026, 10, 31))
COUNT = Count(
    rows=[("numpy", 30), ("pandas", 20), ("attrs", 10), ("six", 10)],
    projects_counted=9,
    period=WINDOW,
    query=QueryStats(bytes_processed=1),
)


@pytest.fixture
def dataset() -> dict[str, Any]:
    return build_dataset(COUNT, "duckdb", datetime(2026, 11, 1, tzinfo=UTC))


def test_valid_dataset_passes(dataset: dict[str, Any]) -> None:
    validate_dataset(dataset, 4, WINDOW)


def test_fewer_rows_than_the_limit_when_fewer_projects(dataset: dict[str, Any]) -> None:
    dataset["projects_counted"] = 4
    validate_dataset(dataset, 15000, WINDOW)


def broken(dataset: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    result = copy.deepcopy(dataset)
    *parents, last = path.split(".")
    target: Any = result
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    target[int(last) if last.isdigit() else last] = value
    return result


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            "rows.0.project",
            "NumPy",
            "rows\\[0\\].project must match pattern .* \\(value 'NumPy'\\)",
        ),
        ("rows.0.project", "zope.interface", "value 'zope.interface'"),
        ("rows.1.project", "numpy", "'numpy' appears twice"),
        (
            "rows.0.download_count",
            0,
            "download_count must be bigger than or equal to 1 \\(value 0\\)",
        ),
        ("rows.0.download_count", 3.5, "download_count must be integer \\(value 3.5\\)"),
        ("rows.0.download_count", True, "must be integer \\(value True\\)"),
        ("rows.0.download_count", 5, "Row 2: 'pandas' is out of order"),
        ("rows.3.project", "abc", "'abc' is out of order"),
        ("total_rows", 3, "total_rows is 3 but the file has 4 rows"),
        ("projects_counted", 99, "4 rows, expected 5"),
        ("period.days", 29, "is not 29 days"),
        ("period.start", "2026-10-03", "is not 30 days"),
        ("engine.name", "sqlite", "engine.name must be one of .* \\(value 'sqlite'\\)"),
        ("schema_version", 1, "schema_version must be same as const definition: 4"),
        ("engine.unnamed_downloads", 0, "unnamed_downloads must be bigger than or equal to 1"),
        ("query.estimated_cost", "4.9", "estimated_cost must match pattern"),
        ("last_update", "2026-11-01T00:00:00", "last_update must match pattern"),
    ],
)
def test_broken_rule_is_named(
    dataset: dict[str, Any], path: str, value: object, message: str
) -> None:
    limit = 5 if path == "projects_counted" else 4
    with pytest.raises(ValidationError, match=message):
        validate_dataset(broken(dataset, path, value), limit, WINDOW)


def test_unnamed_downloads_are_valid_in_schema_version_2(dataset: dict[str, Any]) -> None:
    dataset["engine"]["unnamed_downloads"] = 12
    validate_dataset(dataset, 4, WINDOW)


def test_no_rows_is_not_a_dataset_of_schema_version_2(dataset: dict[str, Any]) -> None:
    empty = {**dataset, "rows": [], "total_rows": 0, "projects_counted": 0}
    with pytest.raises(ValidationError, match="data.rows must contain at least 1 items"):
        validate_dataset(empty, 4, WINDOW)


def test_sampled_days_must_lie_in_the_period(dataset: dict[str, Any]) -> None:
    dataset["engine"]["sampled_days"] = ["2026-10-05", "2026-11-05"]
    with pytest.raises(ValidationError, match="sampled_days: 2026-11-05 is outside"):
        validate_dataset(dataset, 4, WINDOW)


def test_missing_key_is_named(dataset: dict[str, Any]) -> None:
    del dataset["period"]
    with pytest.raises(ValidationError, match="data must contain \\['period'\\] properties\\."):
        validate_dataset(dataset, 4, WINDOW)


def test_csv_with_two_months_concatenated_is_caught(dataset: dict[str, Any]) -> None:
    csv = to_csv(dataset).decode()
    doubled = csv + "\n".join(csv.splitlines()[1:]) + "\n"
    with pytest.raises(ValidationError, match="The CSV has 8 rows but the JSON has 4"):
        check_csv_matches(doubled, dataset)


def test_error_is_one_line(dataset: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as info:
        validate_dataset(broken(dataset, "rows.0.project", "Bad Name"), 4, WINDOW)
    assert "\n" not in str(info.value)
    assert "Nothing was written" in str(info.value)


def test_period_must_be_what_the_engine_counted(dataset: dict[str, Any]) -> None:
    shrunk = Window(date(2026, 10, 19), date(2026, 10, 31))
    with pytest.raises(ValidationError, match="differs from what the engine counted"):
        validate_dataset(dataset, 4, shrunk)


@pytest.mark.parametrize("name", ["numpy\n", "numpy\r\n", "\nnumpy"])
def test_the_rows_own_name_check_ends_where_the_schemas_pattern_ends(name: str) -> None:
    # The schema runs first in every caller; check_rows on its own must say the same of a
    # name with a line end (Python's `$` also matches before a final newline).
    with pytest.raises(ValidationError, match="PEP 503"):
        check_rows([{"download_count": 1, "project": name}])
