"""The embedded engine against an independent count of the same generated events."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from publisher.base.errors import EventsError, IncompleteDataError
from publisher.count import long_tail
from publisher.count.engines.base import Request
from publisher.count.engines.duckdb.engine import DuckDBEngine
from publisher.count.query import DAY_STATS_TOP
from publisher.count.window import Window
from publisher.sample.generator import write_sample
from tests.conftest import SAMPLE_SPEC, UNNAMED_WINDOW
from tests.counting import independent_long_tail, independent_top, independent_unnamed
from tests.expect import assert_one_error_line, read_dataset, run_cli


def silent(message: str) -> None:
    pass


@pytest.fixture
def events(events_dir: Path, tmp_path: Path) -> Path:
    """A private copy to damage."""
    return Path(shutil.copytree(events_dir, tmp_path / "events"))


@pytest.mark.parametrize(
    ("start", "end", "limit"),
    [
        (date(2026, 10, 2), date(2026, 10, 31), 15000),  # the usual month, every project
        (date(2026, 10, 2), date(2026, 10, 31), 100),
        (date(2026, 9, 28), date(2026, 10, 3), 50),  # across a month boundary
        (date(2026, 10, 31), date(2026, 10, 31), 7),  # one day
    ],
)
def test_counts_equal_an_independent_count(
    events_dir: Path, start: date, end: date, limit: int
) -> None:
    window = Window(start, end)
    count = DuckDBEngine(str(events_dir)).count(Request(window, limit), silent)
    expected_rows, expected_projects = independent_top(events_dir, window, limit)
    assert count.rows == expected_rows
    assert count.projects_counted == expected_projects
    assert count.period == window
    assert count.query.bytes_processed > 0
    assert count.query.bytes_billed == 0


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2026, 10, 2), date(2026, 10, 31)), (date(2026, 10, 25), date(2026, 10, 31))],
)
def test_the_long_tail_and_its_breakdown_equal_an_independent_count(
    events_dir: Path, start: date, end: date
) -> None:
    """Every project, every column: installer groups, CI, busiest days, median day (an odd
    and an even number of days)."""
    window = Window(start, end)
    count = DuckDBEngine(str(events_dir)).count(Request(window, 10), silent)
    expected = independent_long_tail(events_dir, window.dates(), DAY_STATS_TOP)
    assert count.table is not None
    assert count.table.schema == long_tail.SCHEMA
    assert count.table.to_pylist() == expected
    assert count.rows == [(row["project"], row["download_count"]) for row in expected[:10]]
    assert count.unavailable == {}
    # The mix holds every group and CI downloads, so no column is checked on zeros alone.
    for column in long_tail.BREAKDOWN_COLUMNS:
        assert sum(row[column] for row in expected) > 0, column


def test_without_breakdown_the_columns_are_null_and_say_why(events_dir: Path) -> None:
    window = Window(date(2026, 10, 2), date(2026, 10, 31))
    count = DuckDBEngine(str(events_dir)).count(Request(window, 10, breakdown=False), silent)
    expected = independent_long_tail(events_dir, window.dates(), DAY_STATS_TOP)
    assert count.table is not None
    kept = (*long_tail.DAY_COLUMNS, "project", "download_count")
    for row, wanted in zip(count.table.to_pylist(), expected, strict=True):
        assert row == {k: (wanted[k] if k in kept else None) for k in row}
    assert count.unavailable == dict.fromkeys(
        long_tail.BREAKDOWN_COLUMNS, "not counted (--no-breakdown)"
    )


def test_ties_are_broken_by_name(events_dir: Path) -> None:
    window = Window(date(2026, 10, 2), date(2026, 10, 31))
    rows = DuckDBEngine(str(events_dir)).count(Request(window, 15000), silent).rows
    tied = [(a, b) for a, b in pairwise(rows) if a[1] == b[1]]
    assert tied, "the sample should have ties in its long tail"
    assert all(a[0] < b[0] for a, b in tied)


@pytest.mark.parametrize("tz", ["America/Los_Angeles", "Asia/Kolkata", "Pacific/Kiritimati"])
def test_same_counts_under_another_time_zone(events_dir: Path, tmp_path: Path, tz: str) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-m", "publisher", "collect", "--events", str(events_dir)]
    command += ["--end-date", "2026-10-31", "--days", "3", "--limit", "40", "--out", str(out)]
    subprocess.run(command, env={**os.environ, "TZ": tz}, check=True, capture_output=True)
    rows = json.loads((out / "top-pypi-packages.json").read_text())["rows"]
    expected, _ = independent_top(events_dir, Window(date(2026, 10, 29), date(2026, 10, 31)), 40)
    assert [(r["project"], r["download_count"]) for r in rows] == expected


def test_plan_estimates_only_the_window(events_dir: Path) -> None:
    engine = DuckDBEngine(str(events_dir))
    month = engine.plan(Request(Window(date(2026, 10, 2), date(2026, 10, 31)), 10))
    day = engine.plan(Request(Window(date(2026, 10, 31), date(2026, 10, 31)), 10))
    month_bytes, day_bytes = (dict(p.facts)["estimate"] for p in (month, day))
    assert int(month_bytes.split()[1].replace(",", "")) > 20 * int(
        day_bytes.split()[1].replace(",", "")
    )


def no_project(path: Path) -> None:
    stamp = pa.array([0], pa.timestamp("us", tz="UTC"))
    pq.write_table(pa.table({"timestamp": stamp, "name": pa.array(["x"])}), path)


def numeric_timestamps(path: Path) -> None:
    pq.write_table(pa.table({"timestamp": pa.array([1]), "name": pa.array(["x"])}), path)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: None, "does not exist"),
        (lambda p: p.mkdir(), "holds no .parquet files"),
        (lambda p: p.write_text("not parquet"), "is not a readable Parquet file"),
        (no_project, "has no column 'file.project'"),
        (numeric_timestamps, "column 'timestamp' is int64, expected timestamp"),
    ],
)
def test_bad_events(tmp_path: Path, make: Callable[[Path], object], message: str) -> None:
    path = tmp_path / "events.parquet"
    make(path)
    with pytest.raises(EventsError, match=message):
        DuckDBEngine(str(path)).count(
            Request(Window(date(2026, 1, 1), date(2026, 1, 1)), 1), silent
        )


def test_a_file_rewritten_after_a_count_is_read_again(tmp_path: Path) -> None:
    """Footers are read once per file in a process (`read_footer`): a file written again in
    its place, even at once and with the same name, is checked as it is now."""
    path = tmp_path / "events.parquet"
    stamp = pa.array([0], pa.timestamp("us", tz="UTC"))
    project = pa.array([{"project": "x"}], pa.struct([("project", pa.string())]))
    pq.write_table(pa.table({"timestamp": stamp, "file": project}), path)
    request = Request(Window(date(1970, 1, 1), date(1970, 1, 1)), 1, breakdown=False)
    assert DuckDBEngine(str(path)).count(request, silent).rows == [("x", 1)]
    no_project(path)
    with pytest.raises(EventsError, match="has no column 'file.project'"):
        DuckDBEngine(str(path)).count(request, silent)


def test_a_missing_day_is_refused_before_counting(events: Path) -> None:
    (events / "2026-10-14.parquet").unlink()
    window = Window(date(2026, 10, 2), date(2026, 10, 31))
    with pytest.raises(IncompleteDataError, match="2026-10-14 missing"):
        DuckDBEngine(str(events)).count(Request(window, 10), silent)
    allowed = DuckDBEngine(str(events), allow_incomplete=True).count(Request(window, 10), silent)
    assert allowed.rows == independent_top(events, window, 10)[0]


def test_completeness_is_counted_when_row_groups_span_days(events: Path) -> None:
    merged = pa.concat_tables([pq.read_table(p) for p in sorted(events.glob("*.parquet"))])
    folder = events.parent / "merged"
    folder.mkdir()
    pq.write_table(merged, folder / "all.parquet", row_group_size=1_000_000)
    window = Window(date(2026, 10, 2), date(2026, 10, 31))
    count = DuckDBEngine(str(folder)).count(Request(window, 10), silent)
    assert count.rows == independent_top(events, window, 10)[0]


def test_allowed_incomplete_days_are_recorded_in_the_dataset(
    events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC

    from publisher.cli import main

    (events / "2026-10-14.parquet").unlink()
    out = tmp_path / "out"
    argv = ["collect", "--events", str(events), "--out", str(out), "--allow-incomplete"]
    assert main(argv, datetime(2026, 11, 1, 6, tzinfo=UTC)) == 0
    dataset = json.loads((out / "top-pypi-packages.json").read_text())
    assert dataset["engine"]["incomplete_days"] == ["2026-10-14"]


MONTH = Window(date(2026, 10, 2), date(2026, 10, 31))


@pytest.mark.parametrize(
    ("name", "sibling"),
    [("ev[12]", "ev1"), ("dir_*", "dir_x"), ("a?c", "abc"), ("~", "home")],
)
def test_an_events_path_is_literal(
    events_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, sibling: str
) -> None:
    """DuckDB reads `*`, `?` and `[` in a path as a glob, and pyarrow and DuckDB a leading `~`
    as the home folder (tmp_path/home here): the sibling's other events must not be read."""
    assert Path.home() == tmp_path / "home"
    shutil.copytree(events_dir, tmp_path / name)
    write_sample(tmp_path / sibling, replace(SAMPLE_SPEC, events=20_000, seed=8))
    monkeypatch.chdir(tmp_path)
    count = DuckDBEngine(name).count(Request(MONTH, 100), silent)
    assert count.rows == independent_top(events_dir, MONTH, 100)[0]


def day_folders(events: Path, names: dict[str, str]) -> None:
    """Move each day's file into a folder named after the day (`names` maps a day to the
    folder's name pattern), as partitioned exports lay them out."""
    for path in sorted(events.glob("*.parquet")):
        pattern = names.get(path.stem)
        if pattern:
            folder = events / pattern.format(day=path.stem)
            folder.mkdir()
            path.rename(folder / path.name)


def test_day_subfolders_are_read_and_the_plan_counts_folders(
    events_dir: Path, events: Path
) -> None:
    days = sorted(p.stem for p in events.glob("*.parquet"))
    day_folders(events, {d: "{day}" for d in days[:10]} | {d: "date={day}" for d in days[10:15]})
    (events / "README.txt").write_text("not events\n")
    count = DuckDBEngine(str(events)).count(Request(MONTH, 100), silent)
    assert count.rows == independent_top(events_dir, MONTH, 100)[0]
    plan = DuckDBEngine(str(events)).plan(Request(MONTH, 100))
    assert dict(plan.facts)["events"] == f"35 Parquet file(s) from 16 folder(s) in {events}"


@pytest.mark.parametrize(
    ("subfolder", "named"),
    [
        ("backup", "'backup'"),
        ("2026-10-03/old", "'2026-10-03/old'"),
        ("2026-13-01", "'2026-13-01'"),
        ("date=2026-10-03.parquet", "'date=2026-10-03.parquet'"),
    ],
)
def test_a_subfolder_that_is_not_a_day_is_refused_by_name(
    events: Path,
    tmp_path: Path,
    subfolder: str,
    named: str,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A recursive scan would count a backup's copies twice and say nothing."""
    (events / "2026-10-03").mkdir()
    (events / "2026-10-03.parquet").rename(events / "2026-10-03" / "2026-10-03.parquet")
    (events / subfolder).mkdir(parents=True, exist_ok=True)
    for path in sorted(events.glob("2026-10-1*.parquet")):
        shutil.copy(path, events / subfolder / path.name)
    out = tmp_path / "out"
    code, _, err = run_cli(capsys, now, "collect", "--events", str(events), "--out", str(out))
    assert code == 2
    assert_one_error_line(err, f"--events {events} has a subfolder {named} that is not a day.")
    assert not out.exists()


@pytest.mark.parametrize("limit", [15000, 10])
def test_events_without_a_name_are_no_project_and_their_downloads_are_recorded(
    unnamed_events_dir: Path,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    limit: int,
) -> None:
    """NULL and empty names: more downloads than any project, so ranked first unless dropped."""
    window = Window(*UNNAMED_WINDOW)
    count = DuckDBEngine(str(unnamed_events_dir)).count(Request(window, limit), silent)
    expected = independent_top(unnamed_events_dir, window, limit)
    assert count.table is not None
    assert count.table.to_pylist() == independent_long_tail(
        unnamed_events_dir, window.dates(), DAY_STATS_TOP
    )
    assert (count.rows, count.projects_counted) == expected
    assert count.unnamed_downloads == independent_unnamed(unnamed_events_dir, window)
    assert count.unnamed_downloads > count.rows[0][1]
    out = tmp_path / "out"
    argv = ["--events", str(unnamed_events_dir), "--end-date", "2026-06-30", "--days", "7"]
    assert run_cli(capsys, now, "collect", *argv, "--limit", str(limit), "--out", str(out))[0] == 0
    dataset = read_dataset(out)
    assert dataset["engine"]["unnamed_downloads"] == count.unnamed_downloads
    assert dataset["schema_version"] == 4
    assert run_cli(capsys, now, "validate", str(out))[0] == 0


def events_without_details(path: Path) -> None:
    """Events of an older extract: a name and a time, no `details`."""
    stamp = pa.array([datetime(2026, 10, d, 12, tzinfo=UTC) for d in (30, 31, 31)])
    file = pa.StructArray.from_arrays([pa.array(["six", "six", "numpy"])], names=["project"])
    pq.write_table(pa.table({"timestamp": stamp, "file": file}), path)


def test_no_breakdown_counts_events_without_installer_columns(
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The option and the key reach the engine; the breakdown needs the `details` columns."""
    # Its own folder: the top-pypi.toml it writes (allow_incomplete = true) must not reach
    # the later tests that share the session's folder (a low day then went through).
    monkeypatch.chdir(tmp_path)
    events = tmp_path / "old.parquet"
    events_without_details(events)
    argv = ["collect", "--events", str(events), "--end-date", "2026-10-31", "--days", "2"]
    code, _, err = run_cli(capsys, now, *argv, "--allow-incomplete", "--out", "a")
    assert code == 2
    assert_one_error_line(err, "has no column 'details.installer.name'.")
    assert "--no-breakdown" in err
    code, _, err = run_cli(capsys, now, *argv, "--no-breakdown", "--allow-incomplete", "--out", "b")
    assert code == 0, err
    assert read_dataset(Path("b"))["rows"] == [
        {"download_count": 2, "project": "six"},
        {"download_count": 1, "project": "numpy"},
    ]
    Path("top-pypi.toml").write_text("breakdown = false\nallow_incomplete = true\n")
    assert run_cli(capsys, now, *argv, "--out", "c")[0] == 0
    assert run_cli(capsys, now, *argv, "--breakdown", "--out", "d")[0] == 2


def test_duckdb_leaves_no_spill_folder_behind(
    events_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The memory cap's spill folder is made in the temporary folder for each count and is
    gone afterwards, after a refused count too."""
    spills = tmp_path / "tmp"
    spills.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spills))
    assert DuckDBEngine(str(events_dir)).count(Request(MONTH, 10), silent).rows
    assert list(spills.iterdir()) == []
    beyond = Window(date(2027, 1, 2), date(2027, 1, 31))
    with pytest.raises(IncompleteDataError):
        DuckDBEngine(str(events_dir)).count(Request(beyond, 10), silent)
    assert list(spills.iterdir()) == []
