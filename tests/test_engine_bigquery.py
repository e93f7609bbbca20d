"""The BigQuery engine against the local stand-in (the REST API on 127.0.0.1, DuckDB behind it),
driven by the real google-cloud-bigquery: the same rows as DuckDB, a budget that BigQuery itself
enforces, the over-budget policies, and one clear line for every way it can fail.

Two stand-ins serve the whole module: one on the session's events (300k), one on a larger sample
whose 30-day query bills several tens of MiB, so that a budget can hold part of a window. Each
test that reads the month's bill starts a month of its own on the stand-in's clock: the jobs of
earlier tests are then last month's.
"""

import json
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from pypinfo import db as pypinfo_db
from pypinfo.cli import pypinfo as pypinfo_cli

from publisher.base.errors import BudgetError, EngineError
from publisher.base.sizes import format_size
from publisher.count import long_tail
from publisher.count.engines.base import Request
from publisher.count.engines.bigquery.budget import (
    MIB,
    TIB,
    billed_bytes,
    cost,
    recent_days,
    scale,
    spread_days,
)
from publisher.count.engines.bigquery.client import Answer, Patience, redact
from publisher.count.engines.bigquery.engine import METADATA_CAP, BigQueryEngine, count_from
from publisher.count.engines.bigquery.plan import Choice
from publisher.count.engines.duckdb.engine import connect
from publisher.count.engines.duckdb.events import find_event_files
from publisher.count.query import DAY_STATS_TOP, sampled_projects_sql, to_duckdb, top_projects_sql
from publisher.count.window import Window
from publisher.sample.generator import SampleSpec, day_file, write_sample
from tests.conftest import UNNAMED_WINDOW
from tests.counting import independent_long_tail, independent_top, independent_unnamed
from tests.expect import assert_counts_like_duckdb, assert_one_error_line, read_dataset, run_cli
from tests.fakes.bigquery import BigQueryStandIn, Job
from tests.fakes.bigquery_auth import ServiceAccount
from tests.fakes.misbehaving import SilentServer
from tests.repos import publishing_repo

MONTH = Window(date(2026, 10, 2), date(2026, 10, 31))
MISSING = date(2026, 10, 15)
# ~0.8 MiB of timestamp and file.project per day: 30 days process 23.47 MiB, billed 24 MiB.
LARGE_SPEC = SampleSpec(events=1_500_000, projects=3_000, days=35, end=date(2026, 10, 31), seed=11)
# Two metadata checks (the month's bill, the partitions) bill 10 MiB each; 11 MiB is then left
# for the count: 46% of the 24 MiB the whole window bills.
CHECKS = 2 * METADATA_CAP
LEFT_FOR_COUNT = 11 * MIB
BUDGET = CHECKS + LEFT_FOR_COUNT
FAST = Patience(deadline=2.0, first_delay=0.01, longest_delay=0.05, request_timeout=10.0)


def silent(message: str) -> None:
    pass


# -- stand-ins and the environment ---------------------------------------------------------------


class Clock:
    """BigQuery's clock in a stand-in; `next_month` starts a month with nothing billed yet."""

    def __init__(self) -> None:
        self.months = 0

    def __call__(self) -> datetime:
        year, month = divmod(self.months, 12)
        return datetime(2027 + year, 1 + month, 1, 6, 30, tzinfo=UTC)

    def next_month(self) -> None:
        self.months += 1


@pytest.fixture(scope="module")
def large_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("large-events")
    write_sample(folder, LARGE_SPEC)
    return folder


@pytest.fixture(scope="module")
def large_standin(large_events: Path) -> Iterator[BigQueryStandIn]:
    with BigQueryStandIn(large_events, clock=Clock()) as standin:
        yield standin


@pytest.fixture(scope="module")
def small_standin(events_dir: Path) -> Iterator[BigQueryStandIn]:
    with BigQueryStandIn(events_dir, clock=Clock()) as standin:
        yield standin


def point_at(standin: BigQueryStandIn, monkeypatch: pytest.MonkeyPatch) -> BigQueryStandIn:
    """The client finds the stand-in the standard way, from the environment; a new month."""
    for name, value in standin.env().items():
        monkeypatch.setenv(name, value)
    clock = standin.clock
    assert isinstance(clock, Clock)
    clock.next_month()
    return standin


@pytest.fixture(scope="module")
def unnamed_standin(unnamed_events_dir: Path) -> Iterator[BigQueryStandIn]:
    with BigQueryStandIn(unnamed_events_dir, clock=Clock()) as standin:
        yield standin


@pytest.fixture
def unnamed(unnamed_standin: BigQueryStandIn, monkeypatch: pytest.MonkeyPatch) -> BigQueryStandIn:
    return point_at(unnamed_standin, monkeypatch)


@pytest.fixture
def large(large_standin: BigQueryStandIn, monkeypatch: pytest.MonkeyPatch) -> BigQueryStandIn:
    return point_at(large_standin, monkeypatch)


@pytest.fixture
def small(small_standin: BigQueryStandIn, monkeypatch: pytest.MonkeyPatch) -> BigQueryStandIn:
    return point_at(small_standin, monkeypatch)


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No Google settings from the developer's shell, no pypinfo key of theirs, a wide console.
    (conftest's `loopback_only` keeps Google's libraries off the network.)"""
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "BIGQUERY_EMULATOR_HOST", "CLOUDSDK_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(pypinfo_db, "DB_FILE", str(tmp_path / "pypinfo" / "db.json"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")


# -- running things ------------------------------------------------------------------------------


def collect(capsys: pytest.CaptureFixture[str], now: datetime, *argv: str) -> dict[str, Any]:
    code, _, err = run_cli(capsys, now, "collect", "--engine", "bigquery", *argv, "--out", "out")
    assert code == 0, err
    return read_dataset(Path("out"))


def billed_jobs(standin: BigQueryStandIn, before: int) -> list[Job]:
    return [job for job in standin.jobs[before:] if not job.dry_run]


def reads_events(job: Job) -> bool:
    return "file_downloads" in job.query and "INFORMATION_SCHEMA" not in job.query


def engine(**changes: Any) -> BigQueryEngine:
    return replace(BigQueryEngine(patience=FAST), **changes)


def day_bytes(events: Path, day: date) -> int:
    """What BigQuery bills for one day of the query's two columns, from the Parquet file:
    TIMESTAMP 8 bytes, STRING 2 + UTF-8 bytes."""
    table = pq.read_table(day_file(events, day), columns=["timestamp", "file"])
    names = pc.cast(pc.struct_field(table["file"], "project"), "string")
    return 8 * int(table.num_rows) + int(pc.sum(pc.add(pc.binary_length(names), 2)).as_py())


def duckdb_rows(events: Path, sql: str) -> list[tuple[str, int]]:
    with closing(connect(find_event_files(str(events)))) as con:
        return [(str(p), int(n)) for p, n, *_ in con.execute(to_duckdb(sql)).fetchall()]


# -- the same rows as DuckDB -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "days", "limit"),
    [
        ("2026-10-31", 30, 15000),  # the usual month, every project, ties in the long tail
        ("2026-10-03", 6, 50),  # across the September/October boundary
        ("2026-10-31", 1, 7),  # one day
    ],
)
def test_same_rows_as_duckdb(
    small: BigQueryStandIn,
    events_dir: Path,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    end: str,
    days: int,
    limit: int,
) -> None:
    window = ["--end-date", end, "--days", str(days), "--limit", str(limit)]
    duckdb_argv = ["--engine", "duckdb", "--events", str(events_dir), *window]
    assert run_cli(capsys, now, "collect", *duckdb_argv, "--out", "duckdb")[0] == 0
    collect(capsys, now, *window)
    assert_counts_like_duckdb(tmp_path / "out", tmp_path / "duckdb", "bigquery")


def test_query_block_is_the_jobs_statistics_and_plan_block_the_budget(
    small: BigQueryStandIn, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(small.jobs)
    dataset = collect(capsys, now, "--limit", "100")
    main_job = next(job for job in billed_jobs(small, before) if reads_events(job))
    assert dataset["query"] == {
        "bytes_processed": main_job.bytes_processed,
        "bytes_billed": main_job.bytes_billed,
        "cached": False,
        "estimated_cost": "0.01",  # 10 MiB at $6.25/TiB, rounded up to a cent
    }
    assert dataset["plan"] == {
        "budget": TIB,
        "billed_this_month": 0,
        "estimate": main_job.bytes_processed,
        "allowed": TIB - CHECKS,
        "policy": "fail",
        "days_queried": [day.isoformat() for day in MONTH.dates()],
    }
    assert main_job.maximum_bytes_billed == TIB - CHECKS


def test_our_query_bills_no_more_than_pypinfo_all(
    large: BigQueryStandIn, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same 30 days through the unmodified pypinfo CLI (in-process, its credentials
    database isolated by `hermetic`), which reads the same two columns (timestamp,
    file.project). Measured: 24,613,270 bytes processed and 25,165,824 (24 MiB) billed, both."""
    ours = collect(capsys, now, "--no-breakdown")["query"]
    args = ["--all", "--json", "--start-date", "2026-10-02", "--end-date", "2026-10-31"]
    argv = [*args, "--limit", "15000", "", "project"]
    done = CliRunner().invoke(pypinfo_cli, argv, env=large.env(), catch_exceptions=False)
    assert done.exit_code == 0, done.stderr
    theirs = json.loads(done.stdout)["query"]
    message = f"ours {ours}, pypinfo --all {theirs}"
    assert ours["bytes_processed"] <= theirs["bytes_processed"], message
    assert ours["bytes_billed"] <= theirs["bytes_billed"], message
    assert (ours["bytes_processed"], ours["bytes_billed"]) == (24_613_270, 24 * MIB), message


def test_events_without_a_name_are_no_project_and_their_downloads_are_recorded(
    unnamed: BigQueryStandIn,
    unnamed_events_dir: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    window = Window(*UNNAMED_WINDOW)
    dataset = collect(capsys, now, "--end-date", "2026-06-30", "--days", "7", "--limit", "10")
    rows, projects = independent_top(unnamed_events_dir, window, 10)
    assert [(r["project"], r["download_count"]) for r in dataset["rows"]] == rows
    assert dataset["projects_counted"] == projects
    assert dataset["engine"]["unnamed_downloads"] == independent_unnamed(unnamed_events_dir, window)


# The query before unnamed downloads were counted: the same two columns, the same bill.
COUNT_ONLY_SQL = """\
SELECT file.project AS project, COUNT(*) AS download_count, COUNT(*) OVER () AS projects_counted
FROM `bigquery-public-data.pypi.file_downloads`
WHERE timestamp >= TIMESTAMP("2026-10-02 00:00:00") AND timestamp < TIMESTAMP("2026-11-01 00:00:00")
GROUP BY project
ORDER BY download_count DESC, project ASC
LIMIT 15000"""


def test_counting_the_unnamed_downloads_bills_nothing_more(large: BigQueryStandIn) -> None:
    """BigQuery bills the columns a query names; the unnamed downloads come from the one
    already read."""
    assert large.bytes_for(top_projects_sql(MONTH, breakdown=False)) == large.bytes_for(
        COUNT_ONLY_SQL
    )


# The query before the long tail and its breakdown (issue 11), word for word.
PLAIN_SQL = """\
SELECT
  file.project AS project,
  COUNT(*) AS download_count,
  COUNTIF(file.project != '') OVER () AS projects_counted,
  SUM(IF(file.project != '', 0, COUNT(*))) OVER () AS unnamed_downloads
FROM `bigquery-public-data.pypi.file_downloads`
WHERE timestamp >= TIMESTAMP("2026-10-02 00:00:00") AND timestamp < TIMESTAMP("2026-11-01 00:00:00")
GROUP BY project
QUALIFY file.project != ''
ORDER BY download_count DESC, project ASC
LIMIT 15000"""


def breakdown_bytes(events: Path, window: Window) -> int:
    """What BigQuery bills for `details.installer.name` (STRING: 2 + UTF-8 bytes, NULL 0) and
    `details.ci` (BOOL: 1, NULL 0) over the window's days, from the Parquet files."""
    total = 0
    for day in window.dates():
        details = pq.read_table(day_file(events, day), columns=["details"])["details"]
        name = pc.struct_field(pc.struct_field(details, "installer"), "name")
        ci = pc.struct_field(details, "ci")
        total += int(pc.sum(pc.add(pc.binary_length(name), 2)).as_py() or 0)
        total += len(ci) - ci.null_count
    return total


def test_without_breakdown_the_bytes_are_the_plain_querys_and_with_it_the_two_columns_more(
    large: BigQueryStandIn, large_events: Path
) -> None:
    plain = large.bytes_for(PLAIN_SQL)
    assert large.bytes_for(top_projects_sql(MONTH, breakdown=False)) == plain
    extra = breakdown_bytes(large_events, MONTH)
    assert extra > 0
    assert large.bytes_for(top_projects_sql(MONTH)).processed == plain.processed + extra


def test_the_long_tail_and_its_breakdown_equal_an_independent_count(
    small: BigQueryStandIn, events_dir: Path
) -> None:
    count = engine().count(Request(MONTH, 10), lambda _: None)
    expected = independent_long_tail(events_dir, MONTH.dates(), DAY_STATS_TOP)
    assert count.table is not None
    assert count.table.schema == long_tail.SCHEMA
    assert count.table.to_pylist() == expected
    assert count.rows == [(row["project"], row["download_count"]) for row in expected[:10]]
    assert count.unavailable == {}


def test_without_breakdown_the_columns_are_null_and_say_why(
    small: BigQueryStandIn, events_dir: Path
) -> None:
    count = engine().count(Request(MONTH, 10, breakdown=False), lambda _: None)
    expected = independent_long_tail(events_dir, MONTH.dates(), DAY_STATS_TOP)
    assert count.table is not None
    kept = (*long_tail.DAY_COLUMNS, "project", "download_count")
    for row, wanted in zip(count.table.to_pylist(), expected, strict=True):
        assert row == {k: (wanted[k] if k in kept else None) for k in row}
    reason = "not counted (--no-breakdown)"
    assert count.unavailable == dict.fromkeys(long_tail.BREAKDOWN_COLUMNS, reason)


def test_the_plan_states_the_cost_with_and_without_the_breakdown(
    large: BigQueryStandIn, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    full = large.bytes_for(top_projects_sql(MONTH))
    plain = large.bytes_for(PLAIN_SQL)
    for option in ("--breakdown", "--no-breakdown"):
        code, out, _ = run_cli(capsys, now, "collect", "--engine", "bigquery", option, "--dry-run")
        assert code == 0
        assert (
            f"with it {format_size(full.billed)} billed (${cost(full.billed)}), "
            f"with --no-breakdown {format_size(plain.billed)} billed (${cost(plain.billed)}): "
            f"the installer and CI columns add {format_size(full.processed - plain.processed)}"
            " processed"
        ) in out


def test_over_budget_suggests_no_breakdown_first_when_the_plain_count_fits(
    large: BigQueryStandIn, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    full = large.bytes_for(top_projects_sql(MONTH))
    plain = large.bytes_for(PLAIN_SQL)
    assert plain.billed < full.billed
    # Each run bills its metadata checks (CHECKS) before it measures the count.
    argv = ["--budget", f"{CHECKS + plain.billed}", "--over-budget", "shrink", "--dry-run"]
    code, out, _ = run_cli(capsys, now, "collect", "--engine", "bigquery", *argv)
    assert code == 0
    assert (
        f"--no-breakdown would count exact counts of all 30 days: {format_size(plain.billed)}"
        in (" ".join(out.split()))
    )
    budget = ["--budget", f"{2 * CHECKS + plain.billed}"]
    code, _, err = run_cli(capsys, now, "collect", "--engine", "bigquery", *budget, "--out", "o")
    assert code == 1
    assert (
        f"Use --no-breakdown (exact counts of all 30 days: {format_size(plain.billed)} billed, "
        f"${cost(plain.billed)} without the installer breakdown), --over-budget shrink"
    ) in err


def test_a_samples_unnamed_downloads_are_scaled_like_its_counts() -> None:
    days = [date(2026, 10, 5), date(2026, 10, 15), date(2026, 10, 25)]
    chosen = Choice("sample", MONTH, days, "", 0)
    answered = pa.table(
        {
            "project": ["numpy", "six"],
            "download_count": [11, 4],
            "projects_counted": [2, 2],
            "unnamed_downloads": [7, 7],
        }
    )
    answer = Answer([], 0, 0, cached=False, table=answered)
    plan = {"days_queried": [str(d) for d in days]}
    count = count_from(answer, chosen, plan, Request(MONTH, 10, breakdown=False))
    assert count.rows == [("numpy", 110), ("six", 40)]
    assert count.unnamed_downloads == scale(7, 30, 3) == 70


def test_a_samples_groups_are_scaled_and_still_sum_to_the_scaled_count() -> None:
    """Scaled on their own, 1 + 1 + 1 + 0 + 1 = 4 downloads times 30/9 would round to
    3 + 3 + 3 + 0 + 3 = 12, not round(13.3) = 13: the running sums keep the total."""
    days = [date(2026, 10, d) for d in (3, 6, 9, 12, 15, 18, 21, 24, 27)]
    chosen = Choice("sample", MONTH, days, "", 0)
    groups = dict(zip(long_tail.GROUP_COLUMNS, ([1], [1], [1], [0], [1]), strict=True))
    answered = pa.table(
        {
            "project": ["tiny"],
            "download_count": [4],
            **groups,
            "ci_downloads": [2],
            "ci_capable_downloads": [2],
            "busiest_two_days": [2],
            "median_day": [0.0],
            "projects_counted": [1],
            "unnamed_downloads": [0],
        }
    )
    answer = Answer([], 0, 0, cached=False, table=answered)
    plan = {"days_queried": [str(d) for d in days]}
    count = count_from(answer, chosen, plan, Request(MONTH, 10))
    assert count.table is not None
    (row,) = count.table.to_pylist()
    assert row["download_count"] == scale(4, 30, 9) == 13
    assert sum(row[column] for column in long_tail.GROUP_COLUMNS) == 13
    assert row["other_downloads"] == 0
    for column in long_tail.GROUP_COLUMNS:
        assert abs(row[column] - groups[column][0] * 30 / 9) < 1, column
    assert row["ci_capable_downloads"] == row["pip_downloads"] + row["uv_downloads"]
    assert row["ci_downloads"] == scale(2, 30, 9)
    # The day columns are what the sampled days held: two real days, not an estimate.
    assert (row["busiest_two_days"], row["median_day"]) == (2, 0.0)


def test_print_sql_is_the_shared_query_and_asks_nothing(
    small: BigQueryStandIn, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(small.requests)
    code, out, _ = run_cli(capsys, now, "collect", "--engine", "bigquery", "--print-sql")
    assert (code, out) == (0, top_projects_sql(MONTH) + "\n")
    assert small.requests[before:] == []


def test_sampled_query_runs_in_duckdb_too(events_dir: Path) -> None:
    days = [date(2026, 10, 3), date(2026, 10, 4), date(2026, 10, 9)]
    expected: dict[str, int] = {}
    for day in days:
        for project, n in independent_top(events_dir, Window(day, day), 15000)[0]:
            expected[project] = expected.get(project, 0) + n
    ranked = sorted(expected.items(), key=lambda pair: (-pair[1], pair[0]))
    assert duckdb_rows(events_dir, sampled_projects_sql(days)) == ranked


# -- the budget, enforced by BigQuery ------------------------------------------------------------


def assert_within_budget(standin: BigQueryStandIn, before: int, budget: int) -> None:
    """Every job that could bill carried a cap, and the caps together stay within the budget."""
    jobs = billed_jobs(standin, before)
    assert jobs
    assert all(job.maximum_bytes_billed is not None for job in jobs)
    assert sum(job.maximum_bytes_billed or 0 for job in jobs) <= budget
    assert standin.billed_this_month() <= budget


def test_fail_gives_the_figures_and_the_alternatives(
    large: BigQueryStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(large.jobs)
    code, _, err = run_cli(
        capsys,
        now,
        "collect",
        "--engine",
        "bigquery",
        "--no-breakdown",
        "--budget",
        f"{BUDGET}",
        "--out",
        "out",
    )
    assert code == 1
    assert_one_error_line(
        err,
        "30 days would process 23.47 MiB; 11.00 MiB left this month. Use --over-budget shrink "
        "(exact counts for the last 13 days), --over-budget sample (estimated 30-day counts "
        "from 13 days spread over the window), or --engine clickhouse (free, exact).",
    )
    assert not any(reads_events(job) for job in billed_jobs(large, before))
    assert not (tmp_path / "out").exists()


def test_shrink_counts_the_most_recent_days_that_fit(
    large: BigQueryStandIn, large_events: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(large.jobs)
    dataset = collect(
        capsys, now, "--no-breakdown", "--budget", f"{BUDGET}", "--over-budget", "shrink"
    )

    sizes = [day_bytes(large_events, day) for day in reversed(MONTH.dates())]
    k = max(n for n in range(1, 31) if billed_bytes(sum(sizes[:n])) <= LEFT_FOR_COUNT)
    assert k == 13
    counted = recent_days(MONTH, k)
    assert dataset["period"] == {"start": "2026-10-19", "end": "2026-10-31", "days": k}
    assert dataset["engine"] == {"name": "bigquery", "method": "shrink"}
    assert dataset["plan"]["days_queried"] == [day.isoformat() for day in counted.dates()]
    assert dataset["plan"]["allowed"] == LEFT_FOR_COUNT
    assert dataset["query"]["bytes_processed"] == sum(sizes[:k])
    exact = duckdb_rows(large_events, top_projects_sql(counted))
    assert [(r["project"], r["download_count"]) for r in dataset["rows"]] == exact
    assert_within_budget(large, before, BUDGET)


def test_sample_scales_days_spread_over_the_window(
    large: BigQueryStandIn, large_events: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(large.jobs)
    dataset = collect(
        capsys, now, "--no-breakdown", "--budget", f"{BUDGET}", "--over-budget", "sample"
    )

    days = [date.fromisoformat(day) for day in dataset["engine"]["sampled_days"]]
    k = len(days)
    assert k == 13
    assert days == spread_days(MONTH, k)
    assert billed_bytes(sum(day_bytes(large_events, d) for d in days)) <= LEFT_FOR_COUNT
    wider = spread_days(MONTH, k + 1)
    assert billed_bytes(sum(day_bytes(large_events, d) for d in wider)) > LEFT_FOR_COUNT
    assert dataset["engine"]["method"] == "sample"
    assert dataset["period"] == {"start": "2026-10-02", "end": "2026-10-31", "days": 30}
    assert dataset["plan"]["days_queried"] == dataset["engine"]["sampled_days"]
    sampled = duckdb_rows(large_events, sampled_projects_sql(days))
    expected = [(project, scale(n, 30, k)) for project, n in sampled]
    assert [(r["project"], r["download_count"]) for r in dataset["rows"]] == expected
    # Projects seen on the sampled days: how many the whole window has is not estimated.
    assert dataset["projects_counted"] == len(sampled)
    assert_within_budget(large, before, BUDGET)


def test_sample_estimates_the_top_100_closely(
    large: BigQueryStandIn, large_events: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """13 of 30 days, scaled, against the exact counts of the exact top 100. Measured: mean
    absolute relative error 3.1% (largest 8.2%), 98 of the top 100 the same, a project's rank
    off by 0.74 places on average. The error is mostly sampling noise: the 100th project has
    2,128 downloads in 30 days here, orders of magnitude fewer than on PyPI."""
    dataset = collect(
        capsys, now, "--no-breakdown", "--budget", f"{BUDGET}", "--over-budget", "sample"
    )
    estimate = {r["project"]: r["download_count"] for r in dataset["rows"]}
    rank = {r["project"]: i for i, r in enumerate(dataset["rows"])}
    top = independent_top(large_events, MONTH, 100)[0]

    errors = [abs(estimate[project] - n) / n for project, n in top]
    mean_error = sum(errors) / len(errors)
    overlap = len({p for p, _ in top} & {r["project"] for r in dataset["rows"][:100]})
    rank_shift = sum(abs(rank[project] - i) for i, (project, _) in enumerate(top)) / 100
    measured = f"mean error {mean_error:.2%}, max {max(errors):.2%}, overlap {overlap}"
    assert mean_error < 0.05, measured
    assert max(errors) < 0.15, measured
    assert overlap >= 95, measured
    assert rank_shift < 2, measured


def test_month_to_date_lowers_the_allowance(
    small: BigQueryStandIn, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    small.seed_billed(300 * MIB)
    small.seed_billed(5 * TIB, when=small.clock() - timedelta(days=40))  # an earlier month
    code, out, _ = run_cli(
        capsys, now, "collect", "--engine", "bigquery", "--budget", "1GiB", "--dry-run"
    )
    assert code == 0
    assert "300.00 MiB billed before this run (JOBS_BY_PROJECT)" in out
    assert "1.00 GiB; 704.00 MiB left" in out  # 1024 - 300 - 2 x 10 MiB of checks

    dataset = collect(capsys, now, "--budget", "1GiB")
    assert dataset["plan"]["billed_this_month"] == 300 * MIB + CHECKS  # the dry run's checks
    assert dataset["plan"]["allowed"] == 1024 * MIB - 300 * MIB - 2 * CHECKS


def test_a_denied_jobs_view_is_reported_and_the_budget_used_as_given(
    small: BigQueryStandIn, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    small.deny_jobs_view()
    try:
        code, out, _ = run_cli(capsys, now, "collect", "--engine", "bigquery", "--dry-run")
        dataset = collect(capsys, now)
    finally:
        small.deny_jobs_view(False)
    assert code == 0
    assert "not readable (403 accessDenied: Access Denied: Table test-project:region-us." in out
    assert "the budget is used as given" in out
    # Only the partitions check billed; the refused read of the jobs view bills nothing.
    assert (dataset["plan"]["billed_this_month"], dataset["plan"]["allowed"]) == (
        None,
        TIB - METADATA_CAP,
    )


def test_dry_run_prints_the_plan_and_counts_nothing(
    large: BigQueryStandIn, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(large.jobs)
    argv = ["--no-breakdown", "--budget", f"{BUDGET}", "--over-budget", "shrink", "--dry-run"]
    code, out, _ = run_cli(capsys, now, "collect", "--engine", "bigquery", *argv)
    assert code == 0
    for fact in [
        "test-project (credentials: GOOGLE_APPLICATION_CREDENTIALS)",
        "0 B billed before this run (JOBS_BY_PROJECT)",
        "31.00 MiB; 11.00 MiB left",
        "every day present, none suspiciously small",
        "30 days: 23.47 MiB processed, 24.00 MiB billed, $0.01 at $6.25/TiB",
        "--over-budget shrink: would count exact counts for the last 13 days: 11.00 MiB billed",
        "2026-10-19 to 2026-10-31",
        "metadata queries billed 20.00 MiB",
    ]:
        assert fact in out
    assert not any(reads_events(job) for job in billed_jobs(large, before))


@pytest.mark.parametrize(
    ("policy", "outcome"),
    [
        ("fail", "--over-budget fail: would stop: 30 days would process 23.47 MiB; 11.00 MiB"),
        ("sample", "would count estimated 30-day counts from 13 days spread over the window"),
    ],
)
def test_a_dry_run_over_budget_says_what_the_policy_would_do(
    large: BigQueryStandIn,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    policy: str,
    outcome: str,
) -> None:
    argv = ["--no-breakdown", "--budget", f"{BUDGET}", "--over-budget", policy, "--dry-run"]
    code, out, _ = run_cli(capsys, now, "collect", "--engine", "bigquery", *argv)
    assert code == 0
    assert outcome in out
    if policy == "sample":
        assert "2026-10-03, 2026-10-05, 2026-10-07, 2026-10-10, 2026-10-12" in out
        # The query shown is the one that would run: the sampled days' bounds, not the month's.
        assert 'timestamp >= TIMESTAMP("2026-10-03 00:00:00")' in out
    else:  # shrink's last 13 days; fail shows the whole window it refuses
        first = "2026-10-19" if policy == "shrink" else "2026-10-02"
        assert f'timestamp >= TIMESTAMP("{first} 00:00:00")' in out


@pytest.mark.parametrize(
    ("budget", "policy", "message"),
    [
        ("5MiB", "fail", "not enough for reading this month's bill (10.00 MiB)"),
        ("15MiB", "fail", "not enough for the completeness check (10.00 MiB)"),
        ("29MiB", "shrink", "Not even one day fits: 9.00 MiB left this month"),
        ("29MiB", "fail", "23.47 MiB; 9.00 MiB left this month. Not even one day fits."),
    ],
)
def test_a_budget_too_small_for_anything(
    large: BigQueryStandIn,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    budget: str,
    policy: str,
    message: str,
) -> None:
    before = len(large.jobs)
    argv = ["--no-breakdown", "--budget", budget, "--over-budget", policy]
    code, _, err = run_cli(capsys, now, "collect", "--engine", "bigquery", *argv, "--out", "out")
    assert code == 1
    assert_one_error_line(err, message)
    assert "--engine clickhouse (free, exact)" in err
    assert_within_budget_or_nothing(large, before, int(budget.removesuffix("MiB")) * MIB)


def assert_within_budget_or_nothing(standin: BigQueryStandIn, before: int, budget: int) -> None:
    jobs = billed_jobs(standin, before)
    assert not any(reads_events(job) for job in jobs)
    caps = [job.maximum_bytes_billed for job in jobs]
    assert None not in caps
    assert sum(cap or 0 for cap in caps) <= budget


# -- completeness ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def gappy_standin(
    events_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BigQueryStandIn]:
    """The session's events without MISSING, as when PyPI's log pipeline lost a day."""
    folder = tmp_path_factory.mktemp("gappy-events")
    for path in events_dir.glob("*.parquet"):
        if path.name != day_file(events_dir, MISSING).name:
            (folder / path.name).symlink_to(path)
    with BigQueryStandIn(folder, clock=Clock()) as standin:
        yield standin


@pytest.fixture
def gappy(gappy_standin: BigQueryStandIn, monkeypatch: pytest.MonkeyPatch) -> BigQueryStandIn:
    return point_at(gappy_standin, monkeypatch)


def test_a_missing_day_is_caught_before_anything_is_spent(
    gappy: BigQueryStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(gappy.jobs)
    code, _, err = run_cli(capsys, now, "collect", "--engine", "bigquery", "--out", "out")
    assert code == 1
    assert_one_error_line(err, "is incomplete: 1 bad day(s): 2026-10-15 missing.")
    assert "--allow-incomplete" in err
    assert not any(reads_events(job) for job in gappy.jobs[before:])  # not even a dry run
    assert not (tmp_path / "out").exists()


def test_allow_incomplete_counts_the_days_there_are(
    gappy: BigQueryStandIn, events_dir: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, now, "collect", "--engine", "bigquery", "--dry-run")
    assert code == 0
    assert "1 bad day(s): 2026-10-15 missing" in out
    dataset = collect(capsys, now, "--allow-incomplete")
    present = [day for day in MONTH.dates() if day != MISSING]
    events = sum(pq.ParquetFile(day_file(events_dir, day)).metadata.num_rows for day in present)
    assert sum(row["download_count"] for row in dataset["rows"]) == events
    assert dataset["engine"]["incomplete_days"] == [MISSING.isoformat()]


def test_a_window_without_downloads_writes_nothing(
    small: BigQueryStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    window = ["--end-date", "2026-09-15", "--days", "5", "--allow-incomplete"]
    code, _, err = run_cli(capsys, now, "collect", "--engine", "bigquery", *window, "--out", "out")
    assert code == 1
    assert_one_error_line(err, "No downloads were counted from 2026-09-11 to 2026-09-15")
    assert not (tmp_path / "out").exists()


# -- refusals and failures: one line each, no credential ------------------------------------------


def key_text(standin: BigQueryStandIn) -> str:
    """A line from the middle of the private key: it must never be shown."""
    return str(standin.account.key_info()["private_key"]).splitlines()[5]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--budget", "lots"], "--budget 'lots' is not a size."),
        (["--budget=-5GiB"], "--budget '-5GiB' is negative."),
        (["--over-budget", "spend"], "--over-budget 'spend' is not a policy."),
    ],
)
def test_bad_options_are_one_line(
    now: datetime, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    code, _, err = run_cli(capsys, now, "collect", "--engine", "bigquery", *argv, "--out", "out")
    assert code == 2
    assert_one_error_line(err, message)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (None, "does not exist."),
        ("pem", "is not JSON."),
        ('["a", "list"]', "is not a JSON object."),
        (
            '{"type": "authorized_user", "refresh_token": "1//secret"}',
            "is not a service-account key",
        ),
        ("no-email", "is not a complete service-account key (no client_email)."),
        ("bad-key", "holds a private key that cannot be read."),
    ],
)
def test_unusable_credentials_files(
    small: BigQueryStandIn,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    problem: str,
) -> None:
    info = small.account.key_info()
    texts = {
        "pem": info["private_key"],
        "no-email": json.dumps(info | {"client_email": ""}),
        "bad-key": json.dumps(info | {"private_key": info["private_key"][:300]}),
    }
    path = tmp_path / "key.json"
    if content is not None:
        write(path, texts.get(content, content))
    argv = ["--credentials", str(path), "--out", "out"]
    code, out, err = run_cli(capsys, now, "collect", "--engine", "bigquery", *argv)
    assert code == 2
    assert_one_error_line(err, f"--credentials {path} {problem}")
    assert "GOOGLE_APPLICATION_CREDENTIALS" in err  # the tip names the other ways
    assert key_text(small) not in out + err
    assert "1//secret" not in out + err


def test_no_credentials_anywhere(now: datetime, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, now, "collect", "--engine", "bigquery", "--dry-run")
    assert code == 2
    assert_one_error_line(err, "No Google credentials: Your default credentials were not found.")
    assert "--credentials FILE" in err


def test_a_missing_key_named_by_the_variable(
    now: datetime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(tmp_path / "gone.json"))
    code, _, err = run_cli(capsys, now, "collect", "--engine", "bigquery", "--dry-run")
    assert code == 2
    assert_one_error_line(
        err, f"No Google credentials: File {tmp_path / 'gone.json'} was not found."
    )


def test_no_billing_project(
    small: BigQueryStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    info = small.account.key_info()
    del info["project_id"]
    key = write(tmp_path / "key.json", json.dumps(info))
    argv = ["collect", "--engine", "bigquery", "--credentials", str(key), "--dry-run"]
    code, _, err = run_cli(capsys, now, *argv)
    assert code == 2
    assert_one_error_line(err, f"No billing project: the credentials from --credentials {key}")
    code, out, err = run_cli(capsys, now, *argv, "--billing-project", small.project)
    assert code == 0, err
    assert f"{small.project} (credentials: --credentials {key})" in out


def test_pypinfos_stored_key_is_used(
    small: BigQueryStandIn,
    now: datetime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key = small.write_key(tmp_path / "stored.json")
    pypinfo_db.set_credentials(str(key))  # what `pypinfo --auth stored.json` does
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS")
    code, out, err = run_cli(capsys, now, "collect", "--engine", "bigquery", "--dry-run")
    assert code == 0, err
    assert f"(credentials: pypinfo's stored key {key})" in out


def test_a_key_bigquery_does_not_know(
    small: BigQueryStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stranger = ServiceAccount(small.project, small.account.token_uri, fresh_key=True)
    key = stranger.write_key(tmp_path / "stranger.json")
    argv = ["--credentials", str(key), "--out", "out"]
    code, out, err = run_cli(capsys, now, "collect", "--engine", "bigquery", *argv)
    assert code == 2
    assert_one_error_line(
        err,
        "Google credentials refused: invalid_grant: assertion not signed with this service "
        "account's key.",
    )
    assert str(stranger.key_info()["private_key"]).splitlines()[5] not in out + err


def test_free_tier_used_up_is_quota_exceeded(
    events_dir: Path,
    now: datetime,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Without billing, BigQuery refuses what the free tier no longer covers: 15 MiB of it
    left, the first check's 10 MiB fit, the second's do not."""
    with BigQueryStandIn(events_dir, free_tier_bytes=15 * MIB, clock=Clock()) as standin:
        point_at(standin, monkeypatch)
        code, _, err = run_cli(capsys, now, "collect", "--engine", "bigquery", "--out", "out")
    assert code == 1
    assert_one_error_line(
        err,
        "quota exceeded (Quota exceeded: Your project exceeded quota for free query bytes "
        "scanned. For more information, see "
        "https://cloud.google.com/bigquery/docs/troubleshoot-quotas). Raise --budget,",
    )


def test_bytes_billed_limit_exceeded_is_a_budget_error(small: BigQueryStandIn) -> None:
    """The cap always holds what the dry run measured, so this shows only if the data grew in
    between; the refusal (a 500 on this API path) must still read as a budget matter."""
    with engine().session(silent) as session, pytest.raises(BudgetError) as refused:
        session.attempt("the count", lambda: session.query(top_projects_sql(MONTH), MIB))
    assert str(refused.value).startswith(
        "BigQuery refused the count: it would bill more than its maximum_bytes_billed "
        "(Query exceeded limit for bytes billed: 1048576. 10485760 or higher required). Raise"
    )


def test_billing_project_without_access(
    small: BigQueryStandIn, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--billing-project", "someone-else", "--dry-run"]
    code, _, err = run_cli(capsys, now, "collect", "--engine", "bigquery", *argv)
    assert code == 1
    # The jobs view reads as denied too (and is skipped); the next job names the cause.
    assert_one_error_line(err, "BigQuery denied the completeness check in project 'someone-else'")
    assert "bigquery.jobs.create permission" in err
    assert "BigQuery Job User" in err


# -- transient failures --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 503},
        {"status": 429, "reason": "rateLimitExceeded"},
        {"status": 500, "reason": "backendError"},
        {"drop": True},
    ],
    ids=["503", "429", "500", "dropped"],
)
def test_transient_failures_are_tried_again(
    small: BigQueryStandIn, failure: dict[str, Any]
) -> None:
    before = len(small.requests)
    small.fail_next(2, **failure)
    count = engine().count(Request(MONTH, 10), silent)
    assert len(count.rows) == 10
    # The first jobs.insert, sent three times with the same job id: failed, failed, done.
    first, second, third = small.requests[before : before + 3]
    assert first.body == second.body == third.body
    assert first.body["jobReference"]["jobId"].startswith("top_pypi_")
    assert [job.job_id for job in small.jobs].count(first.body["jobReference"]["jobId"]) == 1


def test_an_answer_lost_after_the_count_ran_bills_once(
    small: BigQueryStandIn, events_dir: Path
) -> None:
    """The client named the job before sending it: the retry meets the same job."""
    before = len(small.jobs)
    with engine().session(silent) as session:
        small.fail_next(1, status=503, after_processing=True)
        answer = session.query(top_projects_sql(MONTH, breakdown=False), 100 * MIB)
    # Every project: the query has no LIMIT since the long tail is published.
    assert len(answer.rows) == independent_top(events_dir, MONTH, 15000)[1]
    counts = [job for job in billed_jobs(small, before) if reads_events(job)]
    assert len(counts) == 1
    assert counts[0].job_id is not None
    assert counts[0].job_id.startswith("top_pypi_")


def test_gives_up_after_the_deadline(events_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with BigQueryStandIn(events_dir, clock=Clock()) as standin:
        point_at(standin, monkeypatch)
        standin.fail_next(10_000, status=503)
        with pytest.raises(EngineError) as gave_up:
            engine(patience=replace(FAST, deadline=0.3)).count(Request(MONTH, 10), silent)
    assert str(gave_up.value) == (
        "BigQuery did not answer reading this month's bill (503 backendError) within 0.3 s of "
        "retries. Try again later."
    )


def test_redact_cuts_out_credentials() -> None:
    text = (
        "refused: -----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY----- token "
        "ya29.a0AfH6SM Authorization: Bearer abc.def jwt eyJhbGciOi.eyJpc3Mi.c2ln"
    )
    assert redact(text) == ("refused: *** token *** Authorization: *** jwt ***")


# -- publishing ----------------------------------------------------------------------------------


def test_publish_with_bigquery(
    small: BigQueryStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work, remote = publishing_repo(tmp_path, 'engine = "bigquery"\nlimit = 500\n')
    before = len(small.jobs)

    code, out, err = run_cli(capsys, now, "publish", "--repo", str(tmp_path / "work"))
    assert code == 0, err
    assert sorted(tag.name for tag in remote.tags) == ["2026.11"]
    assert "counted by bigquery (exact)" in str(work.head.commit.message)
    data = tmp_path / "work" / "data"
    dataset = read_dataset(data)
    main_job = next(job for job in billed_jobs(small, before) if reads_events(job))
    assert dataset["query"]["bytes_processed"] == main_job.bytes_processed > 0
    assert dataset["query"]["bytes_billed"] == main_job.bytes_billed == 10 * MIB
    assert set(dataset["plan"]) == {
        "budget", "billed_this_month", "estimate", "allowed", "policy", "days_queried"
    }  # fmt: skip
    assert dataset["total_rows"] == 500
    written = b"".join(path.read_bytes() for path in data.rglob("*") if path.is_file())
    assert key_text(small).encode() not in written
    assert key_text(small) not in out + err


def test_a_shrunk_month_is_published_once(
    large: BigQueryStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """shrink counts fewer days than were asked for; the release records the request, so the
    same run again finds the month done, and asks BigQuery nothing."""
    settings = (
        f'engine = "bigquery"\nbudget = "{BUDGET}"\nover_budget = "shrink"\nbreakdown = false\n'
    )
    work, remote = publishing_repo(tmp_path, settings)
    argv = ["publish", "--repo", str(tmp_path / "work")]
    code, _, err = run_cli(capsys, now, *argv)
    assert code == 0, err
    commit = work.head.commit
    assert commit.summary == "Publish 2026.11: downloads 2026-10-19 to 2026-10-31 (13 days)"
    assert commit.trailers_dict["Top-PyPI-Window"] == ["2026-10-02..2026-10-31"]
    before = len(large.jobs)
    code, out, _ = run_cli(capsys, now, *argv)
    assert (code, out.strip()) == (0, "2026.11 is already published; nothing to do.")
    assert len(large.jobs) == before
    assert sorted(tag.name for tag in remote.tags) == ["2026.11"]


# -- waits: Google's token endpoint, bounded by --timeout ----------------------------------------


@pytest.mark.parametrize("endpoint", ["refusing", "silent"])
def test_a_token_endpoint_that_refuses_or_never_answers_is_given_up_at_once(
    small: BigQueryStandIn,
    endpoint: str,
    closed_port: int,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The key's token_uri leads nowhere: a closed port, or a server that accepts and never
    answers. The wait is its own, said in the status line, and lasts one --timeout."""
    jobs = len(small.jobs)
    with SilentServer() as silent_server:
        refusing = f"http://127.0.0.1:{closed_port}/token"
        token_uri = refusing if endpoint == "refusing" else f"{silent_server.url}/token"
        account = ServiceAccount(small.project, token_uri)
        key = account.write_key(tmp_path / "key.json")
        argv = ["--engine", "bigquery", "--credentials", str(key), "--timeout", "1", "--dry-run"]
        code, out, err = run_cli(capsys, now, "collect", *argv)
    assert code == 1
    assert "Waiting for Google's token endpoint (--credentials" in err
    assert "up to 1 s" in err
    why = "connection refused" if endpoint == "refusing" else "timed out"
    assert_one_error_line(
        err,
        f"Google's token endpoint did not answer for an access token ({why}, waiting up to 1 s)",
    )
    assert len(small.jobs) == jobs  # BigQuery was never asked
    assert str(account.key_info()["private_key"]).splitlines()[5] not in out + err
