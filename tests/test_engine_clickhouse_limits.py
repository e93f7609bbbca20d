"""The ClickHouse engine against a stand-in that applies a public server's limits: every answer
is the one DuckDB gives on the same events, or the run stops in one line and writes nothing.
Never a ranking cut short."""

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from publisher.base.settings import ENVIRONMENT
from publisher.count.engines.clickhouse.breakdown import INSTALLER_TABLE
from publisher.count.long_tail import CI, CI_CAPABLE, GROUP_COLUMNS
from publisher.sample.generator import SampleSpec, write_sample
from tests.expect import assert_one_error_line, read_dataset, run_cli
from tests.fakes.clickhouse import ClickHouseStandIn
from tests.fakes.clickhouse_limits import Limits
from tests.repos import publishing_repo

USER = "demo"
EXTENDED = "top-pypi-packages-extended.parquet"
FEBRUARY = SampleSpec(events=30_000, projects=400, days=28, end=date(2026, 2, 28), seed=5)
WHAT_TO_DO = "--engine bigquery"


@pytest.fixture(scope="module")
def february(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("february")
    write_sample(folder, FEBRUARY)
    return folder


@pytest.fixture(scope="module")
def every_event(tmp_path_factory: pytest.TempPathFactory, events_dir: Path, february: Path) -> Path:
    """The sample's days and February's, in one folder (links), for a year's window."""
    folder = tmp_path_factory.mktemp("every-event")
    for day in [*events_dir.glob("*.parquet"), *february.glob("*.parquet")]:
        (folder / day.name).symlink_to(day)
    return folder


@pytest.fixture(scope="module")
def server(every_event: Path) -> Iterator[ClickHouseStandIn]:
    with ClickHouseStandIn(every_event, user=USER) as standin:
        yield standin


@pytest.fixture(scope="module")
def table_rows(server: ClickHouseStandIn) -> int:
    return server.rows("pypi.pypi_downloads_per_day")


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")


def options(server: ClickHouseStandIn) -> list[str]:
    return ["--engine", "clickhouse", "--clickhouse-url", server.url, "--clickhouse-user", USER]


DUCKDB_RUNS: dict[tuple[str, ...], Path] = {}


def duckdb_run(
    capsys: pytest.CaptureFixture[str], now: datetime, events: Path, window: list[str]
) -> Path:
    """DuckDB's dataset for the window, counted once per module."""
    key = (str(events), *window)
    if key not in DUCKDB_RUNS:
        out = Path.cwd() / "duckdb"
        argv = ["--engine", "duckdb", "--events", str(events), *window, "--out", str(out)]
        assert run_cli(capsys, now, "collect", *argv)[0] == 0
        DUCKDB_RUNS[key] = out
    return DUCKDB_RUNS[key]


def assert_same_as_duckdb(
    folder: Path, duckdb: Path, breakdown_may_be_left_out: bool = False
) -> None:
    """Rows, long tail and breakdown as DuckDB's; the CI columns empty (ClickPy has no flag)."""
    counted, expected = read_dataset(folder), read_dataset(duckdb)
    for key in ("rows", "projects_counted", "period"):
        assert counted[key] == expected[key]
    assert counted["engine"] == expected["engine"] | {"name": "clickhouse"}
    ours, theirs = pq.read_table(folder / EXTENDED), pq.read_table(duckdb / EXTENDED)
    left_out = ours.column(GROUP_COLUMNS[0]).null_count == ours.num_rows
    assert breakdown_may_be_left_out or not left_out
    derived = (*GROUP_COLUMNS, "rank_without_mirrors") if left_out else ()
    skipped = (CI, CI_CAPABLE, *derived)
    same = [name for name in theirs.column_names if name not in skipped]
    assert ours.select(same).equals(theirs.select(same))
    assert ours.column(CI).null_count == ours.num_rows


def collect(
    server: ClickHouseStandIn,
    limits: Limits,
    capsys: pytest.CaptureFixture[str],
    now: datetime,
    *argv: str,
) -> tuple[int, str, str]:
    with server.limited(limits):
        return run_cli(capsys, now, "collect", *options(server), *argv, "--out", "clickhouse")


def limit_cases(rows: int) -> dict[str, Limits]:
    third = rows // 3
    return {
        "rows, break": Limits({"max_rows_to_read": third, "read_overflow_mode": "break"}),
        "rows, throw": Limits({"max_rows_to_read": third}),
        "leaf rows, break": Limits(
            {"max_rows_to_read_leaf": third, "read_overflow_mode_leaf": "break"}
        ),
        "bytes, break": Limits({"max_bytes_to_read": third * 64, "read_overflow_mode": "break"}),
        "rows, throw, leaf": Limits({"max_rows_to_read_leaf": third}),
        "result rows, break": Limits({"max_result_rows": 1000, "result_overflow_mode": "break"}),
        # system.settings has more rows than 1,000: the client's handshake would fail.
        "result rows, throw": Limits({"max_result_rows": 2000}),
        # The engine cannot know how fast the server reads: a range cut by the clock is asked
        # again in halves, which read faster.
        "time, break": Limits(
            {"max_execution_time": 10, "timeout_overflow_mode": "break"},
            rows_per_second=third // 20,
        ),
        "time, throw": Limits({"max_execution_time": 10}, rows_per_second=third // 20),
        "all, read-only": Limits(
            {
                "max_rows_to_read": third,
                "read_overflow_mode": "break",
                "max_result_rows": 2000,
                "max_result_bytes": 10_485_760,
                "result_overflow_mode": "break",
                "max_execution_time": 60,
                "timeout_overflow_mode": "break",
            },
            readonly=1,
        ),
    }


CASES = list(limit_cases(1))


@pytest.mark.parametrize("case", CASES)
def test_a_limited_server_gives_duckdbs_numbers(
    server: ClickHouseStandIn,
    events_dir: Path,
    table_rows: int,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
) -> None:
    """Today's engine wrote a ranking cut short here: every project after some name missing."""
    window = ["--end-date", "2026-10-31"]
    duckdb = duckdb_run(capsys, now, events_dir, window)
    code, _, err = collect(server, limit_cases(table_rows)[case], capsys, now, *window)
    assert code == 0, err
    assert_same_as_duckdb(tmp_path / "clickhouse", duckdb)


@pytest.mark.parametrize(
    "window",
    [
        ["--end-date", "2026-10-31", "--days", "30"],  # 30 days of a 31-day month
        ["--end-date", "2026-02-28", "--days", "28"],  # February
        ["--end-date", "2026-10-31", "--days", "365", "--allow-incomplete"],
    ],
)
def test_windows_under_a_read_limit(
    server: ClickHouseStandIn,
    events_dir: Path,
    february: Path,
    every_event: Path,
    table_rows: int,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    window: list[str],
) -> None:
    events = february if "2026-02-28" in window else events_dir
    events = every_event if "365" in window else events
    duckdb = duckdb_run(capsys, now, events, window)
    limits = Limits({"max_rows_to_read": table_rows // 3, "read_overflow_mode": "break"})
    code, _, err = collect(server, limits, capsys, now, *window)
    assert code == 0, err
    assert_same_as_duckdb(tmp_path / "clickhouse", duckdb)


def assert_refused(code: int, err: str, message: str, folder: Path) -> None:
    assert code == 1
    assert_one_error_line(err, message)
    assert not folder.exists()


def test_group_by_overflow_any_is_refused(
    server: ClickHouseStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    limits = Limits({"max_rows_to_group_by": 100_000, "group_by_overflow_mode": "any"})
    code, _, err = collect(server, limits, capsys, now)
    message = "limits max_rows_to_group_by = 100,000 (group_by_overflow_mode = any)"
    assert_refused(code, err, message, tmp_path / "clickhouse")
    assert WHAT_TO_DO in err


def test_publish_summary_says_the_queries_and_the_most_rows_read(
    server: ClickHouseStandIn,
    table_rows: int,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cap = table_rows // 3
    settings = (
        f'engine = "clickhouse"\nclickhouse_url = "{server.url}"\n'
        f'clickhouse_user = "{USER}"\nlimit = 500\n'
    )
    publishing_repo(tmp_path, settings)
    summary = tmp_path / "summary.md"
    argv = ["publish", "--repo", str(tmp_path / "work"), "--summary", str(summary)]
    with server.limited(Limits({"max_rows_to_read": cap, "read_overflow_mode": "break"})):
        code, _, err = run_cli(capsys, now, *argv)
    assert code == 0, err
    said = re.search(
        r"^- queries: (\d+) queries; the most rows one query read: ([\d,]+) of ([\d,]+)"
        r" allowed \((\d+)%\)$",
        summary.read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert said is not None, summary.read_text(encoding="utf-8")
    queries, most, allowed = int(said[1]), int(said[2].replace(",", "")), said[3]
    assert queries > 3  # the limits, then a count and a recount per range at least
    assert 0 < most <= cap
    assert allowed == f"{cap:,}"
    assert abs(int(said[4]) - 100 * most / cap) <= 0.5


PER_DAY = "pypi.pypi_downloads_per_day"
RANGES = r"(\d+) range\(s\) of project names in {table}, the largest about ([\d,]+) rows to read"


def plan_lines(out: str) -> dict[str, str]:
    """The plan table's lines by label, a wrapped value joined again."""
    lines: dict[str, str] = {}
    label = ""
    for row in out.splitlines():
        cells = [cell.strip() for cell in row.split("│")]
        if len(cells) != 4:
            continue
        label = cells[1] or label
        lines[label] = f"{lines.get(label, '')} {cells[2]}".strip()
    return lines


def dry_run(
    server: ClickHouseStandIn, limits: Limits, capsys: pytest.CaptureFixture[str], now: datetime
) -> dict[str, str]:
    with server.limited(limits):
        code, out, err = run_cli(capsys, now, "collect", *options(server), "--dry-run")
    assert code == 0, err
    return plan_lines(out)


def ranges(plan: dict[str, str], label: str, table: str) -> tuple[int, int]:
    """(how many ranges, rows to read of the largest) the plan gives for `table`."""
    found = re.search(RANGES.format(table=re.escape(table)), plan[label])
    assert found is not None, plan[label]
    return int(found[1]), int(found[2].replace(",", ""))


def assert_queries(plan: dict[str, str]) -> None:
    """The limits, then a count and a recount per range, a breakdown per installer range."""
    counted, _ = ranges(plan, "ranges", PER_DAY)
    broken_down, _ = ranges(plan, "installers", INSTALLER_TABLE)
    assert plan["queries"].startswith(f"at least {1 + 2 * counted + broken_down}: ")


def test_dry_run_shows_the_limits_read_and_ranges_under_them(
    server: ClickHouseStandIn, table_rows: int, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    cap = table_rows // 3
    limits = Limits({"max_rows_to_read": cap, "read_overflow_mode": "break"}, readonly=1)
    before = len(server.queries)
    plan = dry_run(server, limits, capsys, now)
    assert plan["limits"] == f"max_rows_to_read = {cap:,} (read_overflow_mode = break) (read)"
    # Planned in a few statements, many ranges each, not an estimate per range tried.
    plans = [query.sql for query in server.queries[before:] if query.sql.startswith("EXPLAIN")]
    assert all(sql.startswith("EXPLAIN json = 1, indexes = 1 ") for sql in plans)
    assert len(plans) <= 12
    count, largest = ranges(plan, "ranges", PER_DAY)
    assert count >= 3  # a third of the table each at most
    assert 0 < largest <= cap
    assert ranges(plan, "installers", INSTALLER_TABLE)[1] <= cap
    assert_queries(plan)


def test_dry_run_says_the_limits_are_assumed_when_they_cannot_be_read(
    server: ClickHouseStandIn, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = dry_run(server, Limits(settings_readable=False), capsys, now)
    assert plan["limits"] == (
        "max_rows_to_read = 1,000,000,000 (read_overflow_mode = break);"
        " max_result_rows = 2,000 (result_overflow_mode = break);"
        " max_result_bytes = 10,485,760 (result_overflow_mode = break);"
        " max_execution_time = 60 (timeout_overflow_mode = break)"
        " (assumed, not readable from the server)"
    )
    count, largest = ranges(plan, "ranges", PER_DAY)
    assert count >= 1
    assert largest > 0
    assert_queries(plan)


def statement(sql: str) -> str:
    """The statement a request asked, without the FORMAT clause the client adds."""
    return re.sub(r"\n ?FORMAT \w+$", "", sql)


def test_print_sql_prints_the_range_template_the_ranges_are_asked_with(
    server: ClickHouseStandIn,
    table_rows: int,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    limits = Limits({"max_rows_to_read": table_rows // 3, "read_overflow_mode": "break"})
    before = len(server.queries)
    with server.limited(limits):
        code, out, err = run_cli(capsys, now, "collect", *options(server), "--print-sql")
    assert code == 0, err
    assert len(server.queries) == before  # printed without asking the server anything
    template = out.split(";\n\n")[0]
    names = set(re.findall(r"\{(\w+):\w+\}", template))
    assert {"low", "high", "start", "stop"} <= names
    assert collect(server, limits, capsys, now)[0] == 0
    asked = [query for query in server.queries[before:] if statement(query.sql) == template]
    assert len(asked) >= 2  # every range but the last, which has no upper bound
    assert all(set(query.params) == names for query in asked)
