"""A history run's months (issue 21 §1): counted by a real engine, a gap kept and marked, a
published month copied as it is; each finished month kept in the git directory whole or not at
all, so a stopped run loses none of them."""

import shutil
from datetime import date
from pathlib import Path

import pytest

from publisher.base.progress import silent
from publisher.count.engines.base import Request
from publisher.count.engines.duckdb.engine import DuckDBEngine
from publisher.dataset.history.folder import Month
from publisher.dataset.history.index import COUNTED
from publisher.history.months import month_window
from publisher.history.progress import forget_months, kept_months, save_month, usable
from publisher.history.sources import copied_month, counted_month


@pytest.fixture(scope="module")
def gap_events(events_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's events without 2026-10-10."""
    folder = tmp_path_factory.mktemp("gap-events")
    shutil.copytree(events_dir, folder, dirs_exist_ok=True)
    (folder / "2026-10-10.parquet").unlink()
    return folder


def test_a_counted_month_with_a_missing_day_is_kept_and_marked(gap_events: Path) -> None:
    window = month_window("2026.11", 30)
    count = DuckDBEngine(str(gap_events), allow_incomplete=True).count(Request(window, 100), silent)
    month = counted_month("2026.11", count, "duckdb")
    assert month.facts.missing_days == ("2026-10-10",)
    assert month.facts.source == COUNTED
    assert month.facts.rows == month.rows.num_rows == 100
    assert month.rows.column("project").to_pylist() == [p for p, _ in count.rows]
    assert month.rows.column("rank").to_pylist() == list(range(1, 101))
    assert set(month.rows.column("period_end").to_pylist()) == {date(2026, 10, 31)}


def test_a_published_month_is_copied_with_its_days_as_its_files_say() -> None:
    dataset = {
        "period": {"start": "2026-10-02", "end": "2026-10-31", "days": 30},
        "engine": {
            "name": "clickhouse",
            "method": "exact",
            "incomplete_days": ["2026-10-10", "2026-10-11"],
        },
        "rows": [
            {"project": "boto3", "download_count": 9},
            {"project": "urllib3", "download_count": 8},
        ],
    }
    extended = {"anomalies": [{"kind": "low_day", "day": "2026-10-10", "rows": 0}]}
    month = copied_month("2026.11", "2026.11.1", dataset, extended)
    assert month.facts.source == "2026.11.1"
    assert (month.facts.missing_days, month.facts.short_days) == (("2026-10-10",), ("2026-10-11",))
    assert month.rows.column("download_count").to_pylist() == [9, 8]
    older = copied_month("2026.11", "2026.11", dataset, None)  # before the extended files
    assert older.facts.short_days == ("2026-10-10", "2026-10-11")


def month_of(tag: str, rows: int) -> Month:
    window = month_window(tag, 30)
    dataset = {
        "period": {"start": str(window.start), "end": str(window.end), "days": 30},
        "engine": {"name": "duckdb", "method": "exact"},
        "rows": [{"project": f"p{i}", "download_count": rows - i} for i in range(rows)],
    }
    return copied_month(tag, COUNTED, dataset, None)


def test_kept_months_come_back_whole_and_a_cut_file_is_counted_again(tmp_path: Path) -> None:
    folder = tmp_path / "git" / "top-pypi-history"
    first, second = month_of("2019.04", 5), month_of("2019.05", 7)
    for month in (first, second):
        save_month(folder, month, 50)
    kept = kept_months(folder)
    assert kept["2019.04"].month.facts == first.facts
    assert kept["2019.05"].month.rows.equals(second.rows)
    assert kept["2019.04"].limit == 50
    cut = (folder / "2019.05.parquet").read_bytes()
    (folder / "2019.05.parquet").write_bytes(cut[: len(cut) // 2])  # as a full disk leaves it
    (folder / ".2019.06.123.partial").write_bytes(b"PAR1")  # a run killed while writing
    (folder / "notes.parquet").write_bytes(b"x")
    assert list(kept_months(folder)) == ["2019.04"]
    forget_months(folder, ["2019.04"])
    assert sorted(p.name for p in folder.iterdir()) == ["2019.05.parquet", "notes.parquet"]


def test_no_folder_means_no_month_kept(tmp_path: Path) -> None:
    assert kept_months(tmp_path / "absent") == {}
    forget_months(tmp_path / "absent", ["2019.04"])


def test_a_kept_month_stands_only_for_the_same_engine_limit_and_window(tmp_path: Path) -> None:
    month = month_of("2019.04", 5)
    save_month(tmp_path, month, 50)
    kept = kept_months(tmp_path)["2019.04"]
    window = month_window("2019.04", 30)
    assert usable(kept, "duckdb", 50, window.start, window.end)
    assert not usable(kept, "duckdb", 100, window.start, window.end)  # another --limit
    assert not usable(kept, "clickhouse", 50, window.start, window.end)
    shorter = month_window("2019.04", 28)  # another `days`
    assert not usable(kept, "duckdb", 50, shorter.start, shorter.end)
