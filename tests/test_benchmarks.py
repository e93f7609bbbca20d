"""The benchmarks' own logic: peak memory measured from a small parent, and the ClickHouse
benchmark's generated month (its tables agree with each other, as ClickPy's loaded together do)."""

import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tests.benchmarks.clickhouse_month import (
    ANCHORS,
    INSTALLERS,
    PER_DAY,
    PER_MONTH,
    MonthStandIn,
    expected_per_day,
    kind_of,
)
from tests.benchmarks.measure import measure, measure_apart

HELD = 256 * 2**20


def test_peak_memory_is_the_commands_own_not_its_big_parents(tmp_path: Path) -> None:
    held = bytearray(HELD)
    held[::4096] = b"\1" * len(held[::4096])  # touched: resident, not just reserved
    command = [sys.executable, "-c", "pass"]
    # Started straight from this big process, a child is charged with the parent's memory ...
    assert measure(command).peak_bytes >= HELD
    # ... from a small parent of its own, with its own.
    apart = measure_apart(command, tmp_path / "out")
    assert apart.peak_bytes < HELD // 4
    assert apart.seconds > 0
    del held


def test_expected_downloads_pass_through_the_anchors() -> None:
    expected = expected_per_day(1_000_000)
    for rank, downloads in ANCHORS:
        assert expected[rank - 1] == pytest.approx(downloads, rel=1e-9)
    assert np.all(np.diff(expected) <= 0)  # never more downloads further down the ranking


def test_the_engines_queries_are_told_apart() -> None:
    assert kind_of("EXPLAIN ESTIMATE SELECT 1 FROM pypi.pypi_downloads_per_day") == "estimate"
    assert kind_of("SELECT name, value FROM system.settings WHERE name IN {n:Array(String)}") == (
        "limits"
    )
    assert kind_of(f"SELECT project FROM {INSTALLERS} WHERE project >= {{low:String}}") == (
        "breakdown"
    )
    assert kind_of(f"SELECT project FROM {PER_DAY} WHERE project IN {{names:Array(String)}}") == (
        "recount"
    )
    assert kind_of(f"SELECT groupArray(project) FROM {PER_DAY}") == "count"
    assert kind_of("SELECT version()") == "other"


def test_the_generated_months_tables_agree() -> None:
    with MonthStandIn() as standin:
        standin.load_month(2000, date(2026, 9, 2), 60)
        per_day = standin.rows(PER_DAY)
        # The busiest projects are downloaded every day, from the first day to the last.
        assert per_day == 2000 * 60
        assert standin.rows(INSTALLERS) > per_day  # a day's count spread over installers
        for table in (INSTALLERS, PER_MONTH):
            differ = standin.rows(
                f"(SELECT project, sum(count) AS n FROM {table} GROUP BY project) AS t"
                f" FULL JOIN (SELECT project, sum(count) AS n FROM {PER_DAY} GROUP BY project)"
                " AS d USING project WHERE t.n != d.n"
            )
            assert differ == 0, table
