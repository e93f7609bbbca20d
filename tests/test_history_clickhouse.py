"""`top-pypi history` with ClickHouse under a public server's row limit (issue 21 §1 and §3):
the first month the source holds whole found by bounded, proven queries (a `min(date)` of the
whole table would be cut silently), and every month counted as DuckDB counts the same events."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from publisher.base.progress import silent
from publisher.count.engines.base import Request
from publisher.count.engines.clickhouse.first_days import earliest
from publisher.count.engines.duckdb.engine import DuckDBEngine
from publisher.history.months import COUNT, history_months
from publisher.history.progress import kept_months, progress_folder
from publisher.history.run import Step, batch_of
from publisher.sample.generator import SampleSpec, write_sample
from tests.children import cli, kill_at, running
from tests.expect import assert_one_error_line, run_cli
from tests.fakes.clickhouse import ClickHouseStandIn
from tests.fakes.clickhouse_limits import Limits
from tests.repos import publishing_repo

# Whole days from 2026-07-03 to 2026-10-31, and a first day logged only in part, 2026-07-02:
# 2026.08's window (2026-07-02 to 2026-07-31) starts on that day, so the first month held whole
# is 2026.09 (a min(date), even a whole one, would say 2026.08).
SPEC = SampleSpec(events=40_000, projects=300, days=121, end=date(2026, 10, 31), seed=23)
PART_OF_JULY_2 = SampleSpec(events=20, projects=10, days=1, end=date(2026, 7, 2), seed=1)
NOW = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
USER = "demo"
YEAR_FILE = Path("data") / "history" / "top-pypi-packages-history-2026.parquet"


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("history-clickhouse-events")
    write_sample(folder, SPEC)
    return folder


@pytest.fixture(scope="module")
def server(events: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClickHouseStandIn]:
    part = tmp_path_factory.mktemp("history-clickhouse-part-day")
    write_sample(part, PART_OF_JULY_2)
    with ClickHouseStandIn(events, user=USER) as standin:
        standin.load_events(part)
        yield standin


@pytest.fixture
def limited(server: ClickHouseStandIn) -> Iterator[Limits]:
    """A row limit a fifth of the per-day table, overflow mode `break`: a cut answer, no error."""
    rows = server.rows("pypi.pypi_downloads_per_day")
    limits = Limits({"max_rows_to_read": rows // 5, "read_overflow_mode": "break"})
    with server.limited(limits):
        yield limits


def history(
    server: ClickHouseStandIn, tmp_path: Path, capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, str, str, Path]:
    work, _ = publishing_repo(tmp_path, "limit = 50\n")
    repo = str(work.working_tree_dir)
    code, out, err = run_cli(capsys, NOW, *history_argv(server, repo), *argv)
    return code, out, err, Path(repo)


def history_argv(server: ClickHouseStandIn, repo: str) -> list[str]:
    options = ["--engine", "clickhouse", "--clickhouse-url", server.url, "--clickhouse-user", USER]
    return ["history", "--repo", repo, "--no-push", *options]


def history_files(repo: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in (repo / YEAR_FILE.parent).iterdir()}


def month_rows(table: pa.Table, tag: str) -> list[tuple[str, int]]:
    month = table.filter(pa.compute.equal(table.column("tag"), tag))
    projects = month.column("project").to_pylist()
    return list(zip(projects, month.column("download_count").to_pylist(), strict=True))


def test_the_first_month_is_found_under_a_row_limit(
    server: ClickHouseStandIn,
    limited: Limits,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Before: "--from is needed with --engine clickhouse"."""
    code, out, err, _ = history(server, tmp_path, capsys, "--dry-run")
    assert code == 0, err
    assert "2026.09" in out
    assert "2026.10" in out
    assert "2026.08" not in out


def test_a_from_before_the_first_month_is_refused_naming_it(
    server: ClickHouseStandIn,
    limited: Limits,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err, _ = history(server, tmp_path, capsys, "--from", "2026.08", "--dry-run")
    assert code != 0
    assert_one_error_line(err, "--from 2026.08 is before 2026.09")


def test_history_under_a_row_limit_counts_as_duckdb(
    server: ClickHouseStandIn,
    limited: Limits,
    events: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = len(server.queries)
    code, out, err, repo = history(server, tmp_path, capsys)
    assert code == 0, err
    ranking = [q.sql for q in server.queries[before:] if "busiest_two_days" in q.sql]
    assert ranking
    assert all("month_indexes" in sql for sql in ranking)  # both months in one pass
    assert "counted: 2, copied: 0" in out
    table = pq.read_table(repo / YEAR_FILE)
    assert sorted(set(table.column("tag").to_pylist())) == ["2026.09", "2026.10"]
    for month in history_months("2026.09", "2026.10", 30, []):
        count = DuckDBEngine(str(events)).count(Request(month.window, 50, False), silent)
        assert month_rows(table, month.tag) == count.rows


def test_the_ranges_days_past_the_first_ones_are_left_out() -> None:
    """A range whose projects start later gives its own first days, past the table's: those
    hold only that range's downloads."""
    july = {date(2026, 7, day): 10 for day in range(4, 8)}
    later = {date(2026, 7, day): 3 for day in range(6, 10)}
    summed = {day: july.get(day, 0) + later.get(day, 0) for day in {*july, *later}}
    assert earliest(summed, 4) == {
        date(2026, 7, 4): 10,
        date(2026, 7, 5): 10,
        date(2026, 7, 6): 13,
        date(2026, 7, 7): 13,
    }
    assert earliest({}, 4) == {}


def test_a_pass_counts_the_months_in_a_row_whose_windows_share_no_day() -> None:
    """With 30 days, 2027.03's window (2027-01-30 to 2027-02-28) shares two days with
    2027.02's: it starts the next pass."""
    planned = [Step(month, COUNT) for month in history_months("2027.01", "2027.04", 30, [])]
    assert [m.tag for m in batch_of(planned, 0)] == ["2027.01", "2027.02"]
    assert [m.tag for m in batch_of(planned, 2)] == ["2027.03", "2027.04"]
    copied = [planned[0], Step(planned[1].month, "copy"), *planned[2:]]
    assert [m.tag for m in batch_of(copied, 0)] == ["2027.01"]


def test_a_run_killed_in_the_middle_of_a_pass_leaves_all_as_it_was_and_the_re_run_ends_as_one_run(
    server: ClickHouseStandIn,
    limited: Limits,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """SIGKILL once the stand-in has answered the pass's first range: nothing of the pass is
    kept (its months are kept when it is done), the tree and the branch are as they were."""
    code, _, err, one_run = history(server, tmp_path / "one-run", capsys)
    assert code == 0, err
    work, _ = publishing_repo(tmp_path / "killed", "limit = 50\n")
    repo, head = str(work.working_tree_dir), work.head.commit
    before = len(server.queries)

    def in_the_pass(pid: int) -> bool:
        return any("month_indexes" in query.sql for query in server.queries[before:])

    with running(cli(*history_argv(server, repo))) as child:
        assert kill_at(child, in_the_pass)
    assert work.head.commit == head
    assert work.git.status("--porcelain") == ""
    assert kept_months(progress_folder(Path(work.git_dir))) == {}
    code, out, err = run_cli(capsys, NOW, *history_argv(server, repo))
    assert code == 0, err
    assert "counted: 2, copied: 0, kept by a stopped run: 0" in out
    assert history_files(Path(repo)) == history_files(one_run)
