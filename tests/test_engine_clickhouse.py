"""The ClickHouse engine against the local stand-in (ClickPy's tables in chDB, behind
ClickHouse's HTTP interface), driven by the real clickhouse-connect: the same rows as DuckDB on
the same events, and one clear line for every way a server can fail.

chDB runs one embedded server per process, so the whole module shares one stand-in; the
fixtures that break it (a missing day, a changed schema) mend it afterwards.
"""

import base64
import re
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import clickhouse_connect
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError
from clickhouse_connect.driver.query import QueryResult

from publisher.base.errors import EngineError
from publisher.base.retry import Retry
from publisher.base.settings import ENVIRONMENT, Settings, environment_settings
from publisher.count.engines.base import QueryStats, Request
from publisher.count.engines.clickhouse.answers import Read, as_text, check_table, summary_of
from publisher.count.engines.clickhouse.breakdown import INSTALLER_TABLE, MISMATCH, NO_CI_FLAG
from publisher.count.engines.clickhouse.engine import PER_DAY_SHAPE, ClickHouseEngine, check_shape
from publisher.count.engines.clickhouse.failures import (
    engine_error,
    is_transient,
    with_retries,
    without_secret,
)
from publisher.count.engines.clickhouse.queries import (
    INSTALLERS_RANGE_SQL,
    RANKING_SQL,
    RECOUNT_SQL,
    template_text,
)
from publisher.count.engines.clickhouse.server import Server, parse_url
from publisher.count.long_tail import (
    BREAKDOWN_COLUMNS,
    CI,
    CI_CAPABLE,
    DAY_COLUMNS,
    GROUP_COLUMNS,
    NOT_COUNTED,
)
from publisher.count.window import Window
from publisher.sample.generator import day_file
from tests.conftest import UNNAMED_WINDOW
from tests.counting import (
    independent_day_stats,
    independent_groups,
    independent_top,
    independent_unnamed,
)
from tests.expect import assert_counts_like_duckdb, assert_one_error_line, read_dataset, run_cli
from tests.fakes.clickhouse import AGGREGATES, ClickHouseStandIn
from tests.fakes.misbehaving import EchoingProxy, SilentServer
from tests.repos import publishing_repo

USER, PASSWORD = "publisher", "correct-horse-battery-staple"
MONTH = Window(date(2026, 10, 2), date(2026, 10, 31))
MISSING = date(2026, 10, 15)
TABLE = "pypi.pypi_downloads_per_day"
EXPECTED_TABLE = "does not have ClickPy's pypi.pypi_downloads_per_day(date, project, count) table"


@pytest.fixture(scope="module")
def server(events_dir: Path) -> Iterator[ClickHouseStandIn]:
    with ClickHouseStandIn(events_dir, user=USER, password=PASSWORD) as standin:
        yield standin


@pytest.fixture(autouse=True)
def hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No ClickHouse variable from the developer's shell, no top-pypi.toml but the test's own,
    and a console wide enough that table cells stay on one line."""
    for name in ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")


def connect(server: ClickHouseStandIn) -> Client:
    return clickhouse_connect.get_client(
        host=server.host,
        port=server.port,
        username=USER,
        password=PASSWORD,
        interface="http",
        dedicated_pool=True,
    )


def totals(server: ClickHouseStandIn) -> list[Any]:
    with closing(connect(server)) as client:
        sql = "SELECT date, sum(count) FROM pypi.pypi_downloads_per_day GROUP BY date ORDER BY date"
        return list(client.query(sql).result_rows)


def fingerprints(server: ClickHouseStandIn) -> dict[str, Any]:
    """Every aggregate's rows, downloads and a hash of its keys with their counts (a column
    outside the key, such as `type`, keeps whichever value a merge met first)."""
    with closing(connect(server)) as client:
        return {
            table: client.query(
                f"SELECT count(), sum(count), groupBitXor(cityHash64({key}, count))"
                f" FROM pypi.{table}"
            ).result_rows
            for table, (_, key, _) in AGGREGATES.items()
        }


@pytest.fixture
def missing_day(server: ClickHouseStandIn, events_dir: Path) -> Iterator[date]:
    """MISSING never loaded, as in ClickPy's stalls; loaded again afterwards."""
    before, contents = totals(server), fingerprints(server)
    server.drop_day(MISSING)
    yield MISSING
    server.load_events(day_file(events_dir, MISSING))
    assert totals(server) == before
    assert fingerprints(server) == contents


@pytest.fixture
def unnamed_loaded(server: ClickHouseStandIn, unnamed_events_dir: Path) -> Iterator[Window]:
    """Events without a name (ClickPy stores a NULL name as ''), in June, beside the sample's."""
    window = Window(*UNNAMED_WINDOW)
    before = fingerprints(server)
    server.load_events(unnamed_events_dir)
    yield window
    server.drop_days(window.dates())
    assert fingerprints(server) == before


@pytest.fixture
def wrong_schema(server: ClickHouseStandIn) -> Iterator[None]:
    server.serve_wrong_schema()
    yield
    with closing(connect(server)) as client:
        for table in AGGREGATES:
            client.command(f"ALTER TABLE pypi.{table} RENAME COLUMN downloads TO count")


def silent(message: str) -> None:
    pass


def engine(server: ClickHouseStandIn, **changes: Any) -> ClickHouseEngine:
    """An engine for the stand-in with short timeouts and retries that do not wait."""
    fast = ClickHouseEngine(
        parse_url(server.url),
        USER,
        PASSWORD,
        connect_timeout=2,
        send_receive_timeout=5,
        retry=Retry(sleep=silent_sleep),
    )
    return replace(fast, **changes)


def silent_sleep(seconds: float) -> None:
    pass


def options(server: ClickHouseStandIn, password: str = PASSWORD) -> list[str]:
    return [
        "--engine",
        "clickhouse",
        "--clickhouse-url",
        server.url,
        "--clickhouse-user",
        USER,
        "--clickhouse-password",
        password,
    ]


def new_queries(server: ClickHouseStandIn, before: int) -> list[str]:
    return [query.sql for query in server.queries[before:]]


def counted_top_projects(sql: list[str]) -> bool:
    """Whether the main query ran (an EXPLAIN of it only estimates)."""
    return any("GROUP BY project" in text and not text.startswith("EXPLAIN") for text in sql)


# The same rows as DuckDB.


@pytest.mark.parametrize(
    ("end", "days", "limit"),
    [
        ("2026-10-31", 30, 15000),  # the usual month, every project, ties in the long tail
        ("2026-10-03", 6, 50),  # across the September/October boundary
        ("2026-10-31", 1, 7),  # one day
        ("2026-10-31", 35, 100),  # every day the sample holds
    ],
)
def test_same_rows_as_duckdb(
    server: ClickHouseStandIn,
    events_dir: Path,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    end: str,
    days: int,
    limit: int,
) -> None:
    window = ["--end-date", end, "--days", str(days), "--limit", str(limit)]
    duckdb = ["--engine", "duckdb", "--events", str(events_dir)]
    assert run_cli(capsys, now, "collect", *duckdb, *window, "--out", "duckdb")[0] == 0
    assert run_cli(capsys, now, "collect", *options(server), *window, "--out", "clickhouse")[0] == 0
    assert_counts_like_duckdb(tmp_path / "clickhouse", tmp_path / "duckdb", "clickhouse")


@pytest.mark.parametrize("limit", [15000, 10])
def test_events_without_a_name_are_no_project_and_their_downloads_are_recorded(
    server: ClickHouseStandIn, unnamed_loaded: Window, unnamed_events_dir: Path, limit: int
) -> None:
    count = engine(server).count(Request(unnamed_loaded, limit), silent)
    expected = independent_top(unnamed_events_dir, unnamed_loaded, limit)
    assert (count.rows, count.projects_counted) == expected
    assert count.unnamed_downloads == independent_unnamed(unnamed_events_dir, unnamed_loaded)
    assert count.unnamed_downloads > count.rows[0][1]


def test_statistics_are_what_clickhouse_reported(server: ClickHouseStandIn) -> None:
    """Every query counts: the check of the days reads the table too, and so does the
    installer query, on its own, larger table."""
    count = engine(server).count(Request(MONTH, 100), silent)
    with closing(connect(server)) as client:
        tables = [TABLE, INSTALLER_TABLE]
        rows = sum(client.query(f"SELECT count() FROM {t}").result_rows[0][0] for t in tables)
    statistics = count.blocks["statistics"]
    assert set(statistics) == {"rows_read", "bytes_read", "elapsed"}
    assert statistics["rows_read"] >= rows  # every row of both tables, and the recounts
    assert isinstance(statistics["elapsed"], float)
    assert statistics["elapsed"] > 0
    assert count.query == QueryStats(bytes_processed=statistics["bytes_read"])
    assert (count.query.bytes_billed, count.query.estimated_cost) == (0, "0.00")


def test_values_are_bound_by_the_server(server: ClickHouseStandIn) -> None:
    before = len(server.queries)
    engine(server).count(Request(Window(date(2026, 9, 28), date(2026, 10, 3)), 50), silent)
    sent = [query for query in server.queries[before:] if "GROUP BY" in query.sql]
    first = {"start": "2026-09-28", "stop": "2026-10-04", "days": "6", "low": ""}
    assert sent[0].params == first
    assert sent[0].sql.startswith("EXPLAIN ESTIMATE " + RANKING_SQL.split("{range}")[0])
    installers = [query.params for query in sent if INSTALLER_TABLE in query.sql]
    assert installers[0] == {
        "start": "2026-09-28",
        "stop": "2026-10-04",
        "pip": "pip",
        "uv": "uv",
        "mirrors": "['bandersnatch', 'z3c.pypimirror', 'Artifactory', 'devpi', 'Nexus', "
        "'pep381client']",
        "low": "",
    }
    assert not any("2026" in query.sql or "devpi" in query.sql for query in sent)


# The long tail, its day stats and the installer breakdown.


def counting_queries(server: ClickHouseStandIn, before: int) -> list[str]:
    """The queries that read a table to count (not the handshake, not an estimate)."""
    sent = new_queries(server, before)
    return [sql for sql in sent if "GROUP BY" in sql and not sql.startswith("EXPLAIN")]


@pytest.mark.parametrize(
    "window", [MONTH, Window(date(2026, 9, 27), date(2026, 10, 1)), Window(MONTH.end, MONTH.end)]
)
def test_every_project_matches_an_independent_count(
    server: ClickHouseStandIn, events_dir: Path, window: Window
) -> None:
    """Installer groups and day stats of every project, the long tail included, exactly as a
    plain count of the events finds them; the CI columns null, with the reason."""
    count = engine(server).count(Request(window, 10), silent)
    assert count.table is not None
    rows = count.table.to_pylist()
    groups, days = independent_groups(events_dir, window), independent_day_stats(events_dir, window)
    assert len(rows) == count.projects_counted == len(groups) > 1000
    top = [(row["project"], row["download_count"]) for row in rows[:10]]
    assert count.rows == top == independent_top(events_dir, window, 10)[0]
    assert {row["project"]: {name: row[name] for name in GROUP_COLUMNS} for row in rows} == groups
    assert {row["project"]: (row["busiest_two_days"], row["median_day"]) for row in rows} == days
    assert all(sum(row[name] for name in GROUP_COLUMNS) == row["download_count"] for row in rows)
    assert {row[CI] for row in rows} == {row[CI_CAPABLE] for row in rows} == {None}
    assert count.unavailable == NO_CI_FLAG
    assert MISMATCH not in count.engine_fields  # the two tables agree


def test_the_sample_has_every_installer_group(events_dir: Path) -> None:
    """Else the exact match above would prove less than it says."""
    groups = independent_groups(events_dir, MONTH)
    assert all(sum(project[name] for project in groups.values()) > 100 for name in GROUP_COLUMNS)


def test_without_breakdown_the_installer_table_is_not_read(server: ClickHouseStandIn) -> None:
    full = engine(server).count(Request(MONTH, 10), silent)
    middle = len(server.queries)
    plain = engine(server).count(Request(MONTH, 10, breakdown=False), silent)
    assert not any(INSTALLER_TABLE in sql for sql in new_queries(server, middle))
    assert plain.unavailable == dict.fromkeys(BREAKDOWN_COLUMNS, NOT_COUNTED)
    assert plain.table is not None
    assert full.table is not None
    assert (
        plain.table.select(BREAKDOWN_COLUMNS).to_pylist()
        == [dict.fromkeys(BREAKDOWN_COLUMNS)] * plain.table.num_rows
    )
    same = ["project", "download_count", *DAY_COLUMNS]
    assert plain.table.select(same) == full.table.select(same)  # day stats without breakdown
    assert plain.rows == full.rows
    assert plain.query.bytes_processed < full.query.bytes_processed


def test_dry_run_estimates_the_installer_query_too(server: ClickHouseStandIn) -> None:
    before = len(server.queries)
    facts = dict(engine(server).plan(Request(MONTH, 10)).facts)
    installers = rf"about [\d,]+ rows of {INSTALLER_TABLE} to read; [\d]+ range\(s\) .*"
    assert re.fullmatch(installers, facts["installers"])
    estimates = [sql for sql in new_queries(server, before) if sql.startswith("EXPLAIN ESTIMATE")]
    assert any(INSTALLER_TABLE in sql for sql in estimates)
    before = len(server.queries)
    facts = dict(engine(server).plan(Request(MONTH, 10, breakdown=False)).facts)
    assert facts["installers"] == f"{NOT_COUNTED} of {INSTALLER_TABLE} to read"
    assert not any(INSTALLER_TABLE in sql for sql in new_queries(server, before))


@pytest.fixture
def disagreeing(server: ClickHouseStandIn) -> Iterator[ClickHouseStandIn]:
    """An installer table that ClickPy loaded apart from the per-day one; mended afterwards."""
    yield server
    server.rebuild_aggregates()


def test_a_disagreeing_installer_table_is_recorded_and_other_is_the_remainder(
    disagreeing: ClickHouseStandIn,
    events_dir: Path,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The per-day count stays the download count. 40 poetry downloads too many for the top
    project: `other` is what its count leaves after the groups the installer table names. A
    pip count beyond a project's whole count: that project has no breakdown. A project only
    the installer table has: counted in the record too."""
    groups = independent_groups(events_dir, MONTH)
    ranked, _ = independent_top(events_dir, MONTH, 15000)
    (first, _), (last, last_count) = ranked[0], ranked[-1]
    disagreeing.add_installer_downloads(first, MONTH.end, "poetry", 40)
    disagreeing.add_installer_downloads(last, MONTH.start, "pip", last_count + 5)
    disagreeing.add_installer_downloads("only-in-the-installer-table", MONTH.start, "uv", 7)
    count = engine(disagreeing).count(Request(MONTH, 10), silent)
    assert count.engine_fields[MISMATCH] == {
        "projects": 3,
        "downloads": 40 + last_count + 5 + 7,
        "without_breakdown": 1,
    }
    assert count.table is not None
    rows = {row["project"]: row for row in count.table.to_pylist()}
    assert {name: rows[first][name] for name in GROUP_COLUMNS} == groups[first]
    assert {name: rows[last][name] for name in GROUP_COLUMNS} == dict.fromkeys(GROUP_COLUMNS)
    assert rows[last]["download_count"] == last_count
    assert "only-in-the-installer-table" not in rows
    code, _, err = run_cli(capsys, now, "collect", *options(disagreeing), "--out", "out")
    assert code == 0, err
    assert read_dataset(tmp_path / "out")["engine"][MISMATCH]["projects"] == 3


@pytest.mark.parametrize("needle", [INSTALLER_TABLE, "FORMAT ArrowStream"])
def test_a_proxy_refusing_the_installer_query_is_one_line(
    server: ClickHouseStandIn,
    needle: str,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The days pass, then a proxy refuses the second query (or every Arrow answer): the usual
    line, the password never shown, nothing written."""
    with EchoingProxy(400, upstream=(server.host, server.port), needle=needle) as proxy:
        argv = [*options(server), "--clickhouse-url", proxy.url, "--out", "out"]
        code, out, err = run_cli(capsys, now, "collect", *argv)
    assert code == 1
    assert_one_error_line(err, f"ClickHouse at {proxy.url} refused the query: HTTP 400: ")
    assert "Counting in pypi.pypi_downloads_per_day: range 1 of" in err
    assert PASSWORD not in out + err
    assert not (tmp_path / "out").exists()


def test_the_installer_query_is_tried_again_like_the_others(server: ClickHouseStandIn) -> None:
    """A proxy busy for the second query only: three tries with the same pauses, then the
    usual line."""
    pauses: list[float] = []
    with EchoingProxy(503, upstream=(server.host, server.port), needle=INSTALLER_TABLE) as proxy:
        busy = replace(
            engine(server, retry=Retry(sleep=pauses.append)), server=parse_url(proxy.url)
        )
        with pytest.raises(EngineError) as caught:
            busy.count(Request(MONTH, 10), silent)
        assert len(busy.count(Request(MONTH, 10, breakdown=False), silent).rows) == 10
    assert str(caught.value).startswith(
        f"ClickHouse at {proxy.url} did not answer (HTTP 503) after 3 attempt(s)."
    )
    assert pauses == [1.0, 2.0]


# What people see before anything is counted.


def test_print_sql_shows_placeholders_and_asks_nothing(
    server: ClickHouseStandIn, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(server.queries)
    code, out, _ = run_cli(capsys, now, "collect", *options(server), "--print-sql")
    ranges = [template_text(RANKING_SQL), RECOUNT_SQL, template_text(INSTALLERS_RANGE_SQL)]
    assert (code, out) == (0, ";\n\n".join(ranges) + "\n")
    assert "project >= {low:String} AND project < {high:String}" in out
    assert "date >= {start:Date} AND date < {stop:Date}" in out
    assert "LIMIT" not in out  # every project counted: the long tail
    assert new_queries(server, before) == []


def test_dry_run_reports_completeness_and_writes_nothing(
    server: ClickHouseStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(server.queries)
    code, out, err = run_cli(capsys, now, "collect", *options(server), "--dry-run", "--out", "out")
    assert code == 0
    assert f"{server.url} as {USER}" in out
    assert "every day present, none suspiciously small" in out
    assert "rows of pypi.pypi_downloads_per_day to read" in out
    assert "start = 2026-10-02, stop = 2026-11-01, days = 30" in out
    assert f"rows of {INSTALLER_TABLE} to read" in out
    assert not (tmp_path / "out").exists()
    assert not counted_top_projects(new_queries(server, before))
    assert PASSWORD not in out + err


def test_dry_run_names_the_missing_day(
    server: ClickHouseStandIn, missing_day: date, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, now, "collect", *options(server), "--dry-run")
    assert code == 0
    assert "1 bad day(s): 2026-10-15 missing" in out


# Completeness.


def test_a_missing_day_is_refused_before_anything_is_written(
    server: ClickHouseStandIn,
    missing_day: date,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    before = len(server.queries)
    code, _, err = run_cli(capsys, now, "collect", *options(server), "--out", "out")
    assert code == 1
    assert_one_error_line(err, "is incomplete: 1 bad day(s): 2026-10-15 missing.")
    assert "--allow-incomplete" in err
    assert not (tmp_path / "out").exists()
    assert not any(INSTALLER_TABLE in sql for sql in new_queries(server, before))


def test_allow_incomplete_counts_what_is_there(
    server: ClickHouseStandIn,
    missing_day: date,
    events_dir: Path,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = [*options(server), "--allow-incomplete", "--out", "out"]
    assert run_cli(capsys, now, "collect", *argv)[0] == 0
    dataset = read_dataset(tmp_path / "out")
    loaded = [day for day in MONTH.dates() if day != missing_day]
    events = sum(pq.ParquetFile(day_file(events_dir, day)).metadata.num_rows for day in loaded)
    assert sum(row["download_count"] for row in dataset["rows"]) == events
    assert dataset["period"] == {"start": "2026-10-02", "end": "2026-10-31", "days": 30}


def test_a_window_without_downloads_writes_nothing(
    server: ClickHouseStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    window = ["--end-date", "2026-09-15", "--days", "5", "--allow-incomplete"]
    code, _, err = run_cli(capsys, now, "collect", *options(server), *window, "--out", "out")
    assert code == 1
    assert_one_error_line(err, "No downloads were counted from 2026-09-11 to 2026-09-15")
    assert not (tmp_path / "out").exists()


# Failures: one line each, the URL named, the password never.


@pytest.mark.parametrize(("user", "password"), [(USER, "not-the-password"), ("nobody", PASSWORD)])
def test_wrong_credentials(
    server: ClickHouseStandIn,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    user: str,
    password: str,
) -> None:
    argv = [*options(server, password), "--clickhouse-user", user, "--out", "out"]
    code, out, err = run_cli(capsys, now, "collect", *argv)
    assert code == 1
    assert_one_error_line(
        err, f"ClickHouse at {server.url}: authentication failed for user {user!r}."
    )
    assert "Check --clickhouse-user and --clickhouse-password" in err
    assert password not in out + err
    assert not (tmp_path / "out").exists()


def test_unreachable_server(
    closed_port: int, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    argv = ["--engine", "clickhouse", "--clickhouse-url", url, "--clickhouse-password", PASSWORD]
    code, out, err = run_cli(capsys, now, "collect", *argv, "--out", "out")
    assert code == 1
    assert_one_error_line(
        err, f"ClickHouse at {url} did not answer (connection refused) after 3 attempt(s)."
    )
    assert PASSWORD not in out + err


@pytest.mark.parametrize(
    "url", ["not a url", "ftp://x", "http://", "http://localhost:port", "https://x/?query=1"]
)
def test_malformed_url(url: str, now: datetime, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(
        capsys, now, "collect", "--engine", "clickhouse", "--clickhouse-url", url
    )
    assert code == 2
    assert_one_error_line(err, f"--clickhouse-url {url!r} is not an http:// or https:// URL")


def test_a_password_in_the_url_is_refused_and_not_shown(
    now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"https://{USER}:{PASSWORD}@example.org"
    code, out, err = run_cli(
        capsys, now, "collect", "--engine", "clickhouse", "--clickhouse-url", url
    )
    assert code == 2
    assert_one_error_line(err, "--clickhouse-url must not hold a user or password.")
    assert PASSWORD not in out + err


def test_a_changed_schema_is_named(
    server: ClickHouseStandIn,
    wrong_schema: None,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run_cli(capsys, now, "collect", *options(server), "--out", "out")
    assert code == 1
    assert_one_error_line(err, f"ClickHouse at {server.url} {EXPECTED_TABLE}")
    assert "In scope" not in err  # ClickHouse's copy of the query is left out


@pytest.mark.parametrize(("code", "name"), [(60, "UNKNOWN_TABLE"), (81, "UNKNOWN_DATABASE")])
def test_a_missing_table_or_database_is_named(code: int, name: str) -> None:
    answer = DatabaseError(f"Code: {code}. DB::Exception: Gone. ({name})", code=code, name=name)
    error = engine_error(answer, Server("http", "localhost", 8123), USER, 3)
    assert str(error).startswith(f"ClickHouse at http://localhost:8123 {EXPECTED_TABLE} (Gone).")


# Transient failures: tried again, with growing pauses.


def test_503s_are_tried_again(server: ClickHouseStandIn) -> None:
    pauses: list[float] = []
    news: list[str] = []
    server.fail_next(2, kind="503")
    count = engine(server, retry=Retry(sleep=pauses.append)).count(Request(MONTH, 10), news.append)
    assert len(count.rows) == 10
    assert pauses == [1.0, 2.0]
    assert f"ClickHouse at {server.url}: HTTP 503; trying again in 1 s (2 of 3)" in news
    assert not any("error" in line.lower() for line in news)  # only the last line says error


def test_dropped_connections_are_tried_again(server: ClickHouseStandIn) -> None:
    before = len(server.queries)
    server.fail_next(3, kind="disconnect")
    count = engine(server).count(Request(MONTH, 10), silent)
    assert len(count.rows) == 10
    failures = [query.failure for query in server.queries[before:]]
    assert failures[:4] == ["disconnect", "disconnect", "disconnect", None]


def test_a_stalled_answer_times_out_and_is_tried_again(server: ClickHouseStandIn) -> None:
    news: list[str] = []
    server.fail_next(1, kind="slow", seconds=20)
    began = time.monotonic()
    count = engine(server, send_receive_timeout=1).count(Request(MONTH, 10), news.append)
    assert time.monotonic() - began < 10
    assert len(count.rows) == 10
    assert any("timed out; trying again" in line for line in news)


def test_gives_up_after_three_attempts(server: ClickHouseStandIn) -> None:
    server.fail_next(3, kind="503")
    with pytest.raises(EngineError) as caught:
        engine(server).count(Request(MONTH, 10), silent)
    assert str(caught.value) == (
        f"ClickHouse at {server.url} did not answer (HTTP 503) after 3 attempt(s). "
        "Check the URL and the network, or try again later."
    )
    assert len(engine(server).count(Request(MONTH, 10), silent).rows) == 10  # nothing left over


def test_credentials_and_sql_errors_are_not_tried_again(server: ClickHouseStandIn) -> None:
    pauses: list[float] = []
    with pytest.raises(EngineError, match="authentication failed"):
        engine(server, password="wrong", retry=Retry(sleep=pauses.append)).plan(Request(MONTH, 10))
    assert pauses == []
    assert not is_transient(DatabaseError("Code: 62. Syntax error", code=62, name="SYNTAX_ERROR"))
    assert is_transient(OperationalError("HTTP driver received HTTP status 503"))


# Settings: command line over environment over top-pypi.toml over the public server.


def test_defaults_are_clickpys_public_server() -> None:
    engine = ClickHouseEngine.from_settings(Settings(engine="clickhouse"))
    assert engine.server.url == "https://sql-clickhouse.clickhouse.com:443"
    assert (engine.user, engine.password) == ("demo", "")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:8123", Server("http", "localhost", 8123)),
        ("http://example.org/", Server("http", "example.org", 80)),
        (
            "https://example.org:8443/clickhouse/",
            Server("https", "example.org", 8443, "/clickhouse"),
        ),
        (" http://[::1]:8123 ", Server("http", "::1", 8123)),
    ],
)
def test_urls(url: str, expected: Server) -> None:
    assert parse_url(url) == expected


def test_ipv6_hosts_are_shown_in_brackets() -> None:
    assert Server("http", "::1", 8123).url == "http://[::1]:8123"


def test_password_is_not_in_the_engines_repr(server: ClickHouseStandIn) -> None:
    assert PASSWORD not in repr(engine(server))


def test_environment_variables_point_it_elsewhere(
    server: ClickHouseStandIn,
    monkeypatch: pytest.MonkeyPatch,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TOP_PYPI_CLICKHOUSE_URL", server.url)
    monkeypatch.setenv("TOP_PYPI_CLICKHOUSE_USER", USER)
    monkeypatch.setenv("TOP_PYPI_CLICKHOUSE_PASSWORD", PASSWORD)
    code, out, err = run_cli(capsys, now, "collect", "--engine", "clickhouse", "--out", "out")
    assert code == 0, err
    assert read_dataset(tmp_path / "out")["engine"]["name"] == "clickhouse"
    assert PASSWORD not in out + err


def test_settings_file_points_it_elsewhere(
    server: ClickHouseStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "top-pypi.toml").write_text(
        f'engine = "clickhouse"\nclickhouse_url = "{server.url}"\n'
        f'clickhouse_user = "{USER}"\nclickhouse_password = "{PASSWORD}"\nlimit = 20\n'
    )
    code, out, err = run_cli(capsys, now, "collect", "--out", "out")
    assert code == 0, err
    assert read_dataset(tmp_path / "out")["total_rows"] == 20
    assert PASSWORD not in out + err


def test_command_line_over_environment_over_file(
    server: ClickHouseStandIn,
    closed_port: int,
    monkeypatch: pytest.MonkeyPatch,
    now: datetime,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "top-pypi.toml").write_text(
        f'clickhouse_url = "http://127.0.0.1:{closed_port}"\n'
        f'clickhouse_user = "{USER}"\nclickhouse_password = "{PASSWORD}"\n'
    )
    monkeypatch.setenv("TOP_PYPI_CLICKHOUSE_URL", server.url)  # over the file's closed port
    monkeypatch.setenv("TOP_PYPI_CLICKHOUSE_PASSWORD", "from-the-environment")  # over the file's
    code, _, err = run_cli(capsys, now, "collect", "--engine", "clickhouse", "--dry-run")
    assert code == 1
    assert_one_error_line(err, f"ClickHouse at {server.url}: authentication failed")
    argv = ["--engine", "clickhouse", "--clickhouse-password", PASSWORD, "--dry-run"]
    assert run_cli(capsys, now, "collect", *argv)[0] == 0


def test_empty_environment_variables_count_as_unset() -> None:
    environ = {"TOP_PYPI_CLICKHOUSE_URL": "", "TOP_PYPI_CLICKHOUSE_USER": "me", "HOME": "/"}
    assert environment_settings(environ) == {"clickhouse_user": "me"}


# Publishing.


def test_publish_with_clickhouse(
    server: ClickHouseStandIn, now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = (
        f'engine = "clickhouse"\nclickhouse_url = "{server.url}"\n'
        f'clickhouse_user = "{USER}"\nlimit = 500\n'
    )
    work, remote = publishing_repo(tmp_path, settings)
    argv = ["publish", "--repo", str(tmp_path / "work"), "--clickhouse-password", PASSWORD]
    code, out, err = run_cli(capsys, now, *argv)
    assert code == 0, err
    assert sorted(tag.name for tag in remote.tags) == ["2026.11"]
    assert "counted by clickhouse (exact)" in str(work.head.commit.message)
    data = tmp_path / "work" / "data"
    dataset = read_dataset(data)
    assert (dataset["engine"]["name"], dataset["total_rows"]) == ("clickhouse", 500)
    assert set(dataset["statistics"]) == {"rows_read", "bytes_read", "elapsed"}
    written = b"".join(path.read_bytes() for path in data.rglob("*") if path.is_file())
    assert PASSWORD.encode() not in written
    assert PASSWORD not in out + err


@pytest.mark.parametrize(
    ("rows", "names", "message"),
    [
        ([[datetime(2026, 10, 1), 5]], ("date", "downloads"), "date datetime.datetime(2026"),
        ([[date(2026, 10, 1), "5"]], ("date", "downloads"), "downloads '5' (str)"),
        ([[date(2026, 10, 1), 5]], ("day", "downloads"), "columns day, downloads"),
    ],
)
def test_answers_of_another_shape_are_named(
    rows: list[list[Any]], names: tuple[str, ...], message: str
) -> None:
    """A server whose `date` is a DateTime, or whose counts are text, is not ClickPy's."""
    answer = QueryResult(result_set=rows, column_names=names)
    server = Server("http", "127.0.0.1", 8123)
    with pytest.raises(EngineError, match=re.escape(message)) as caught:
        check_shape(answer, PER_DAY_SHAPE, server)
    assert "does not have ClickPy's pypi.pypi_downloads_per_day" in str(caught.value)


def test_a_null_project_is_named() -> None:
    """A server whose project name may be NULL is not ClickPy's."""
    schema = pa.schema([("project", pa.string()), ("download_count", pa.int64())])
    answer = pa.table([["numpy", None], [10, 1]], schema=schema)
    with pytest.raises(EngineError, match="project None"):
        check_table(answer, schema, Server("http", "127.0.0.1", 8123))


def test_names_answered_as_binary_are_read_as_text() -> None:
    """A readonly user cannot ask for Arrow strings: ClickHouse then sends names as binary."""
    answer = pa.table({"project": pa.array([b"numpy", "caf\u00e9".encode()]), "n": [1, 2]})
    assert as_text(answer) == pa.table({"project": ["numpy", "caf\u00e9"], "n": [1, 2]})
    with pytest.raises(pa.ArrowInvalid):
        as_text(pa.table({"project": pa.array([b"\xff"])}))


@pytest.mark.parametrize(
    ("header", "read"),
    [
        (
            '{"read_rows":"3","read_bytes":"40","elapsed_ns":"7","total_rows_to_read":"3"}',
            Read(3, 40, 7, to_read=3, most_rows=3),
        ),
        # Without rows to read, the answer proves nothing.
        ('{"read_rows":"3","read_bytes":"40"}', Read(3, 40, summarized=False, most_rows=3)),
        (None, Read(summarized=False)),  # a proxy dropped it
        ("read_rows=3", Read(summarized=False)),
        ('["3"]', Read(summarized=False)),
    ],
)
def test_a_summary_a_proxy_dropped_or_mangled_reads_as_nothing(
    header: str | None, read: Read
) -> None:
    assert Read.of_summary(summary_of(header)) == read


@pytest.mark.parametrize("limit", [str(2**32), str(2**32 + 7)])
def test_a_limit_beyond_uint32_is_refused_before_asking(
    server: ClickHouseStandIn, limit: str, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """A limit beyond 100,000 rows (2**32 would once have wrapped around to 0 in a bound
    UInt32) is refused before anything is asked."""
    before = len(server.queries)
    code, _, err = run_cli(capsys, now, "collect", *options(server), "--limit", limit, "--dry-run")
    assert code == 2
    assert_one_error_line(err, f"--limit {limit} is more than 100,000 rows.")
    assert new_queries(server, before) == []


# What a person reads when the way to the server fails.


@pytest.mark.parametrize("status", [400, 500])
def test_a_password_echoed_back_by_a_proxy_is_never_shown(
    status: int, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """In any form: as typed, URL-encoded, or inside the Basic credentials (base64 of
    user:password) that a proxy's error page echoes. The page is cut to its first line."""
    password = "p@ss w/rd:é+1"
    basic = base64.b64encode(f"{USER}:{password}".encode()).decode()
    with EchoingProxy(status) as proxy:
        argv = ["--engine", "clickhouse", "--clickhouse-url", proxy.url]
        argv += ["--clickhouse-user", USER, "--clickhouse-password", password, "--dry-run"]
        code, out, err = run_cli(capsys, now, "collect", *argv)
    assert code == 1
    assert_one_error_line(err, f"ClickHouse at {proxy.url} refused the query: HTTP {status}: ")
    assert "Request rejected by proxy. Headers: Authorization=***" in err
    forms = {password, basic, basic.rstrip("="), quote(password, safe=""), quote_plus(password)}
    for form in forms | {base64.urlsafe_b64encode(f"{USER}:{password}".encode()).decode()}:
        assert form not in out + err
    assert "Request id" not in err


def test_redaction_covers_every_encoding_of_the_password() -> None:
    password = "s3cret/pa ss"
    basic = base64.b64encode(f"{USER}:{password}".encode()).decode()
    error = EngineError(
        f"echo: {password} {quote(password)} {quote_plus(password)} Basic {basic} x-key={basic}"
        f" {basic.rstrip('=')}",
        f"tip {password}",
    )
    cleaned = str(without_secret(error, password, USER))
    assert "s3cret" not in cleaned
    assert basic.rstrip("=") not in cleaned
    assert "tip ***" in cleaned


def test_a_host_that_does_not_resolve_is_named(
    now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """The name lookup fails for real inside urllib3 (conftest's guard answers it as an
    unknown name, as a resolver does for .invalid): said in words, not tried again."""
    url = "https://clickhouse.example.invalid"
    argv = ["--engine", "clickhouse", "--clickhouse-url", url, "--dry-run"]
    code, _, err = run_cli(capsys, now, "collect", *argv)
    assert code == 1
    assert_one_error_line(
        err,
        "ClickHouse at https://clickhouse.example.invalid:443: could not resolve the host "
        "clickhouse.example.invalid.",
    )
    assert "HTTPSConnectionPool" not in err
    assert "trying again" not in err


# Waits: every request bounded by --timeout, retries within it.


@pytest.mark.parametrize("how", ["option", "variable", "file"])
def test_a_server_that_never_answers_is_given_up_after_the_timeout(
    how: str,
    now: datetime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """It accepts the connection and says nothing. With --timeout 1 the dry run ends after
    one attempt (another would start past the timeout), saying what it waited for."""
    with SilentServer() as silent_server:
        argv = ["--engine", "clickhouse", "--clickhouse-url", silent_server.url, "--dry-run"]
        if how == "option":
            argv += ["--timeout", "1"]
        elif how == "variable":
            monkeypatch.setenv("TOP_PYPI_TIMEOUT", "1")
        else:
            (tmp_path / "top-pypi.toml").write_text("timeout = 1\n")
        code, _, err = run_cli(capsys, now, "collect", *argv)
        assert silent_server.connections >= 1
    assert code == 1
    url = silent_server.url
    assert f"Waiting for ClickHouse at {url} as demo (up to 1 s)" in err
    assert_one_error_line(
        err, f"ClickHouse at {url} did not answer (timed out) after 1 attempt(s)."
    )
    assert "raise --timeout" in err


def test_publish_waits_no_longer_than_the_timeout(
    now: datetime, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with SilentServer() as silent_server:
        settings = f'engine = "clickhouse"\nclickhouse_url = "{silent_server.url}"\ntimeout = 1\n'
        publishing_repo(tmp_path, settings)
        argv = ["publish", "--repo", str(tmp_path / "work"), "--dry-run"]
        code, _, err = run_cli(capsys, now, *argv)
    assert code == 1
    assert_one_error_line(err, "did not answer (timed out) after 1 attempt(s).")


def test_retries_stop_at_the_deadline_so_waits_do_not_multiply() -> None:
    """Each try takes 2 s of a pretend clock and times out. With a deadline of 3 s the second
    try starts at 3 s (1 s pause), the third would start at 7 s: it is not made."""
    clock = [0.0]

    def times_out() -> None:
        clock[0] += 2
        raise OperationalError("Error HTTPConnectionPool(...): Read timed out.")

    def pause(seconds: float) -> None:
        clock[0] += seconds

    retry = Retry(deadline=3, clock=lambda: clock[0], sleep=pause)
    news: list[str] = []
    with pytest.raises(OperationalError):
        with_retries(times_out, retry, news.append)
    assert news == ["timed out; trying again in 1 s (2 of 3)"]
    assert clock[0] == 5  # within twice the deadline


def test_the_password_is_cut_out_before_a_long_answer_is_shortened() -> None:
    """An answer cut at its 160th character must not keep half of the encoded password."""
    basic = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    body = "x" * 95 + f" {basic} and more"
    answer = DatabaseError(f"HTTP driver received HTTP status 400, server response: {body}")
    server = Server("http", "127.0.0.1", 8123)
    error = without_secret(engine_error(answer, server, USER, 1, PASSWORD), PASSWORD, USER)
    assert basic[:12] not in str(error)
    assert "HTTP 400: " in str(error)
