"""Running the command line and checking what people see, shared by the tests."""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from publisher.cli import main
from publisher.dataset.build import CSV_FILE, JSON_FILE


def assert_one_error_line(err: str, message: str) -> None:
    """The error is the last line, alone (progress lines may come before it), no traceback."""
    lines = err.strip().splitlines()
    assert lines[-1].startswith("error: ")
    assert message in lines[-1]
    assert sum("error" in line.lower() for line in lines) == 1
    assert "Traceback" not in err


def run_cli(capsys: pytest.CaptureFixture[str], now: datetime, *argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of the real command line at the clock `now`."""
    code = main(list(argv), now)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def read_dataset(folder: Path) -> dict[str, Any]:
    dataset: dict[str, Any] = json.loads((folder / JSON_FILE).read_text(encoding="utf-8"))
    return dataset


def assert_counts_like_duckdb(folder: Path, duckdb_folder: Path, engine: str) -> None:
    """Another engine's dataset counts exactly what DuckDB's does: rows, period, CSV bytes."""
    counted, expected = read_dataset(folder), read_dataset(duckdb_folder)
    assert counted["rows"] == expected["rows"]
    assert counted["projects_counted"] == expected["projects_counted"]
    assert counted["period"] == expected["period"]
    assert counted["engine"] == {"name": engine, "method": "exact"}
    assert (folder / CSV_FILE).read_bytes() == (duckdb_folder / CSV_FILE).read_bytes()
