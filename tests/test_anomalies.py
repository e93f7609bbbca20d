"""Anomaly flags (issue 11, item 4) on counts built from per-day data, and the low day found by
the real DuckDB engine in generated events."""

import json
import shutil
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from publisher.base.errors import AnomalyError
from publisher.base.progress import silent
from publisher.count.engines.base import Count, QueryStats, Request
from publisher.count.engines.duckdb.engine import DuckDBEngine
from publisher.count.long_tail import conform, from_rows, top_rows
from publisher.count.window import Window
from publisher.dataset.anomalies import find_anomalies, refuse_structural
from publisher.dataset.previous import Previous
from publisher.sample.generator import SampleSpec, day_file, write_sample
from tests.expect import assert_one_error_line, run_cli

END = date(2026, 9, 30)
WINDOW = Window(END - timedelta(days=29), END)


def long_tail_count(per_day: dict[str, list[int]], unnamed: int = 0) -> Count:
    """A count of these per-day downloads, the day columns computed as the engines' SQL does:
    the two busiest days summed, the median over every day (a day without downloads is 0)."""
    days = {
        project: counts + [0] * (WINDOW.days - len(counts)) for project, counts in per_day.items()
    }
    ranked = sorted(days, key=lambda project: (-sum(days[project]), project))
    table = conform(
        pa.table(
            {
                "project": ranked,
                "download_count": [sum(days[p]) for p in ranked],
                "busiest_two_days": [sum(sorted(days[p])[-2:]) for p in ranked],
                "median_day": [float(median(days[p])) for p in ranked],
            }
        )
    )
    return Count(
        rows=top_rows(table, 15000),
        projects_counted=len(ranked),
        period=WINDOW,
        query=QueryStats(0),
        unnamed_downloads=unnamed,
        table=table,
    )


def previous_month(ranked: list[str], mean_per_day: float | None = None) -> Previous:
    ranks = pa.table({"project": ranked, "rank": pa.array(range(1, len(ranked) + 1), pa.int32())})
    period = {"start": "2026-08-02", "end": "2026-08-31", "days": 30}
    block = {"tag": "2026.09", "period": period, "file": "top-pypi-packages.json"}
    return Previous({**block, "ranked_rows": len(ranked)}, ranks, mean_per_day)


def kinds(flags: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [flag for flag in flags if flag["kind"] == kind]


FLAT = {f"steady-{n}": [100 - n] * 30 for n in range(12)}


def test_a_bot_spike_is_flagged_with_its_numbers() -> None:
    spiky = [20] * 28 + [400, 500]  # 1,460 downloads, 900 of them on two days; median 20
    count = long_tail_count({**FLAT, "spiky": spiky})
    [flag] = find_anomalies(count, None, limit=100)
    assert flag == {
        "kind": "bot_spike",
        "message": flag["message"],
        "structural": False,
        "project": "spiky",
        "rank": 13,
        "busiest_two_days": 900,
        "download_count": 1460,
        "median_day": 20.0,
    }
    assert "spiky (rank 13) had 900 of its 1,460 downloads" in flag["message"]
    assert "\n" not in flag["message"]


def test_a_spike_needs_half_the_window_not_only_ten_median_days() -> None:
    per_day = {
        "ten-medians-not-half": [40] * 28 + [300, 300],  # 600 >= 10 x 40, but < 1,720 / 2
        "half-on-two-days": [1] * 16 + [500, 600],  # median 1 and most on two days: a spike
    }
    flags = find_anomalies(long_tail_count({**FLAT, **per_day}), None, limit=100)
    assert [flag["project"] for flag in flags] == ["half-on-two-days"]


def test_a_median_day_below_one_download_is_no_spike() -> None:
    """Most small projects get most of their downloads on release days (mirrors fetch every
    new file): their median day is 0, and that is not a bot."""
    per_day = {"release-days": [500, 600], "half-a-download": [1] * 13 + [500, 600]}
    count = long_tail_count({**FLAT, **per_day})
    assert count.table is not None
    table = count.table.to_pydict()
    medians = dict(zip(table["project"], table["median_day"], strict=True))
    assert (medians["release-days"], medians["half-a-download"]) == (0.0, 0.5)
    assert find_anomalies(count, None, limit=100) == []


def test_only_the_top_thousand_is_checked_whatever_the_limit() -> None:
    steady = {f"steady-{n:04}": [200] * 30 for n in range(1000)}
    spiky = [3] * 28 + [40, 50]  # rank 1,001 or 1,000: 174 downloads, 90 on two days
    past = find_anomalies(long_tail_count({**steady, "spiky": spiky}), None, limit=15000)
    assert past == []
    del steady["steady-0999"]
    [flag] = find_anomalies(long_tail_count({**steady, "spiky": spiky}), None, limit=15000)
    assert (flag["project"], flag["rank"]) == ("spiky", 1000)


def test_only_the_top_limit_is_checked_and_no_day_counts_check_nothing() -> None:
    count = long_tail_count({**FLAT, "spiky": [3] * 28 + [400, 500]})  # rank 13
    assert [flag["rank"] for flag in find_anomalies(count, None, limit=13)] == [13]
    assert find_anomalies(count, None, limit=12) == []
    table = from_rows([("spiky", 1000), ("steady", 900)])  # day columns null: not counted
    plain = Count(top_rows(table, 2), 2, WINDOW, QueryStats(0), table=table)
    assert find_anomalies(plain, None, limit=2) == []


def test_a_top_ten_entry_from_outside_the_top_thousand() -> None:
    before = [f"old-{n}" for n in range(1, 1501)]
    before[899], before[1199] = "climber", "riser"  # ranks 900 and 1,200
    top = {f"old-{n}": [1000 - n] * 30 for n in range(1, 8)}
    now = {**top, "climber": [500] * 30, "riser": [400] * 30, "fresh": [300] * 30}
    flags = find_anomalies(long_tail_count(now), previous_month(before), limit=100)
    assert [(f["project"], f["rank"], f["previous_rank"]) for f in flags] == [
        ("riser", 9, 1200),
        ("fresh", 10, None),
    ]
    assert all(f["kind"] == "top10_entry" and not f["structural"] for f in flags)
    assert (
        flags[0]["message"]
        == "riser entered the top 10 at rank 9, from rank 1,200 the month before"
    )
    assert find_anomalies(long_tail_count(now), None, limit=100) == []  # no month to compare


def test_unranked_is_not_outside_when_the_previous_month_ranked_few_rows() -> None:
    now = {"fresh": [300] * 30, "old": [200] * 30}
    assert find_anomalies(long_tail_count(now), previous_month(["old"]), limit=100) == []
    known = previous_month(["old", *(f"other-{n}" for n in range(999))])  # 1,000 rows ranked
    flags = find_anomalies(long_tail_count(now), known, limit=100)
    assert [(f["project"], f["previous_rank"]) for f in flags] == [("fresh", None)]


def mean_flags(change: float | None) -> list[dict[str, Any]]:
    """The mean-per-day flags of a month `change` above the previous one (None: unknown)."""
    count = long_tail_count(FLAT, unnamed=600)
    now = (sum(sum(days) for days in FLAT.values()) + 600) / 30  # unnamed downloads count too
    before = None if change is None else now / (1 + change)
    return kinds(
        find_anomalies(count, previous_month(list(FLAT), before), limit=100), "mean_per_day"
    )


def test_a_mean_per_day_move_over_a_quarter_is_flagged() -> None:
    [flag] = mean_flags(0.30)
    now = (sum(sum(days) for days in FLAT.values()) + 600) / 30
    assert flag["mean_per_day"] == pytest.approx(now)
    assert flag["previous_mean_per_day"] == pytest.approx(now / 1.3)
    assert flag["change"] == pytest.approx(0.30)
    assert flag["structural"] is False
    assert (
        "rose 30.0 % against the previous month, 2026.09 (2026-08-02 to 2026-08-31)"
        in (flag["message"])
    )
    assert (mean_flags(0.20), mean_flags(-0.20), mean_flags(None)) == ([], [], [])


def test_no_mean_from_the_top_rows_of_more_projects() -> None:
    """An engine without the long tail gives the top rows only: their sum is not the month's."""
    rows = [("boto3", 900), ("requests", 800)]
    count = Count(rows, 2, WINDOW, QueryStats(0))
    previous = previous_month(["boto3", "requests"], mean_per_day=10.0)
    [flag] = find_anomalies(count, previous, limit=2)
    assert flag["mean_per_day"] == pytest.approx(1700 / 30)  # every project counted is there
    assert find_anomalies(replace(count, projects_counted=3), previous, limit=2) == []


def test_a_mean_per_day_down_by_more_than_half_is_structural() -> None:
    [flag] = mean_flags(-0.60)
    assert flag["structural"] is True
    assert flag["change"] == pytest.approx(-0.60)
    with pytest.raises(AnomalyError, match=r"fell 60\.0 %.*--accept-anomalies") as refused:
        refuse_structural([flag], accept=False)
    assert refused.value.exit_code == 1
    assert "\n" not in str(refused.value)
    refuse_structural([flag], accept=True)
    refuse_structural(mean_flags(0.30), accept=False)  # flagged, but not structural


# --- a low day, found by the DuckDB engine ---------------------------------------------------

LOW_SPEC = SampleSpec(events=60_000, projects=200, days=30, end=END, seed=5)
LOW_DAY = date(2026, 9, 16)  # a Wednesday


@pytest.fixture(scope="module")
def low_day_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated month whose LOW_DAY holds 30 % of its usual rows."""
    folder = tmp_path_factory.mktemp("low-day")
    write_sample(folder, LOW_SPEC)
    day = pq.read_table(day_file(folder, LOW_DAY))
    pq.write_table(day.slice(0, day.num_rows * 3 // 10), day_file(folder, LOW_DAY))
    return folder


def rows_of(folder: Path, day: date) -> int:
    return int(pq.ParquetFile(day_file(folder, day)).metadata.num_rows)


def test_a_low_day_is_refused_then_flagged_with_its_numbers(
    low_day_events: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    events = Path(shutil.copytree(low_day_events, tmp_path / "events"))
    argv = [
        "collect",
        "--events",
        str(events),
        "--end-date",
        str(END),
        "--out",
        str(tmp_path / "o"),
    ]
    code, _, err = run_cli(capsys, now, *argv)
    assert code == 1
    assert_one_error_line(err, f"{LOW_DAY} has")
    assert run_cli(capsys, now, *argv, "--allow-incomplete")[0] == 0
    count = DuckDBEngine(str(events), allow_incomplete=True).count(Request(WINDOW, 100), silent)
    [flag] = kinds(find_anomalies(count, None, limit=100), "low_day")
    wednesdays = [rows_of(events, d) for d in WINDOW.dates() if d.weekday() == LOW_DAY.weekday()]
    assert flag["day"] == LOW_DAY.isoformat()
    assert flag["rows"] == rows_of(events, LOW_DAY)
    assert flag["expected"] == median(wednesdays)
    assert flag["rows"] < 0.35 * flag["expected"]
    assert flag["structural"] is False
    assert f"{LOW_DAY} has {flag['rows']:,} rows" in flag["message"]


SPIKE_SPEC = SampleSpec(events=60_000, projects=200, days=30, end=END, seed=7)
SPIKE_DAYS = (date(2026, 9, 10), date(2026, 9, 11))


def as_project(events: pa.Table, name: str) -> pa.Table:
    """The same events, every one a download of `name` (top-level and `file.project`)."""
    file = events.column("file").combine_chunks()
    names = pa.array([name] * events.num_rows, pa.string())
    fields = [names if f.name == "project" else file.field(f.name) for f in file.type]
    renamed = pa.StructArray.from_arrays(fields, fields=list(file.type))
    events = events.set_column(events.schema.get_field_index("file"), "file", renamed)
    return events.set_column(events.schema.get_field_index("project"), "project", names)


def test_a_generated_month_with_an_injected_bot_spike_is_flagged(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """Twice a mid-table project's month, downloaded on two days: flagged in the extended
    JSON with its numbers, and no other project of the generated month is."""
    events = tmp_path / "events"
    write_sample(events, SPIKE_SPEC)
    before = DuckDBEngine(str(events)).count(Request(WINDOW, 100), silent)
    target, downloads = before.rows[40]
    for day in SPIKE_DAYS:
        pool = pq.read_table(day_file(events, day))
        pq.write_table(
            as_project(pool.slice(0, downloads), target), events / f"spike-{day}.parquet"
        )
    out = tmp_path / "out"
    argv = ["collect", "--events", str(events), "--end-date", str(END), "--out", str(out)]
    assert run_cli(capsys, now, *argv, "--limit", "100")[0] == 0
    extended = json.loads((out / "top-pypi-packages-extended.json").read_text())
    [flag] = kinds(extended["anomalies"], "bot_spike")
    assert flag["project"] == target
    assert flag["download_count"] == 3 * downloads
    assert flag["busiest_two_days"] >= 2 * downloads
    assert flag["structural"] is False
    assert target in flag["message"]
    assert kinds(find_anomalies(before, None, 100), "bot_spike") == []  # before the spike
