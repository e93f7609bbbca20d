"""The local ClickHouse stand-in, driven by the real clickhouse-connect client.

Counts are checked against a plain-Python count of the same Parquet events, so the stand-in's
loading (ClickPy's tables and materialized views in chDB) cannot agree with itself by accident.
"""

import base64
import http.client
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import clickhouse_connect
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import DatabaseError, OperationalError

from publisher.base.events_schema import FILE_DOWNLOADS
from tests.fakes.clickhouse import ClickHouseStandIn

USER, PASSWORD = "demo", "s3cret"
FIRST_DAY = date(2026, 3, 1)
DAYS = [FIRST_DAY + timedelta(days=n) for n in range(5)]
PROJECTS = ("numpy", "requests", "boto3", "urllib3", "certifi", "idna", "six", "attrs")
INSTALLERS = ({"name": "pip", "version": "24.0"}, {"name": "uv", "version": "0.5.1"}, None)
SYSTEMS = ({"name": "Linux", "release": "6.1"}, {"name": "Windows", "release": "11"}, None)

TOP_PROJECTS = """
SELECT project, sum(count) AS download_count
FROM pypi.pypi_downloads_per_day
WHERE date >= {start:Date} AND date < {stop:Date}
GROUP BY project
ORDER BY download_count DESC, project ASC
LIMIT {limit:UInt32}
"""
DAILY_TOTALS = """
SELECT date, sum(count)
FROM pypi.pypi_downloads_per_day
WHERE date >= {start:Date} AND date < {stop:Date}
GROUP BY date
ORDER BY date
"""
RAW_ROWS = """
SELECT date, country_code, project, type, installer, python_minor, system, version, count()
FROM pypi.pypi
GROUP BY ALL
"""


def event(rng: random.Random, moment: datetime) -> dict[str, Any]:
    project = rng.choices(PROJECTS, weights=range(len(PROJECTS) * 3, 0, -3))[0]
    return {
        "timestamp": moment,
        "country_code": rng.choice(["US", "DE", None]),
        "url": f"/packages/{project}.tar.gz",
        "project": project,
        "file": {
            "filename": f"{project}.tar.gz",
            "project": project,
            "version": rng.choice(["1.0", "2.1.3"]),
            "type": rng.choice(["sdist", "bdist_wheel"]),
        },
        "details": {
            "installer": rng.choice(INSTALLERS),
            "python": rng.choice(["3.12.1", "3.9.18", "3.13.0rc1", None]),
            "system": rng.choice(SYSTEMS),
        },
    }


def day_events(rng: random.Random, day: date, count: int) -> list[dict[str, Any]]:
    midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
    # The first and last microsecond of the day belong to it: no off-by-one at the edges.
    moments = [midnight, midnight + timedelta(days=1, microseconds=-1)]
    moments += [midnight + timedelta(seconds=rng.randrange(86_400)) for _ in range(count - 2)]
    return [event(rng, moment) for moment in moments]


def write_events(folder: Path, days: list[date], per_day: int, seed: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    for day in days:
        rows = day_events(rng, day, rng.randint(per_day // 2, per_day))
        table = pa.Table.from_pylist(rows, schema=FILE_DOWNLOADS)
        pq.write_table(table, folder / f"{day.isoformat()}.parquet")
    return folder


def read_events(folder: Path) -> list[dict[str, Any]]:
    return [
        row for path in sorted(folder.glob("*.parquet")) for row in pq.read_table(path).to_pylist()
    ]


def utc_day(row: dict[str, Any]) -> date:
    moment: datetime = row["timestamp"]
    return moment.astimezone(UTC).date()


def count_projects(folder: Path, start: date, stop: date) -> Counter[str]:
    return Counter(row["project"] for row in read_events(folder) if start <= utc_day(row) < stop)


def by_day(rows: Sequence[Sequence[Any]]) -> dict[date, int]:
    """An answer's (day, downloads) rows, by day."""
    return {day: total for day, total in rows}


def count_days(folder: Path, start: date, stop: date) -> Counter[date]:
    return Counter(utc_day(row) for row in read_events(folder) if start <= utc_day(row) < stop)


def clickpy_row(row: dict[str, Any]) -> tuple[Any, ...]:
    """The raw-table row ClickPy stores for one event, computed here without ClickHouse."""
    details, file = row["details"], row["file"]
    python = ".".join((details["python"] or "").split(".")[:2])
    return (
        utc_day(row),
        row["country_code"] or "",
        row["project"],
        file["type"],
        (details["installer"] or {}).get("name") or "",
        python,
        (details["system"] or {}).get("name") or "",
        file["version"],
    )


def ranked(counts: Counter[str], limit: int) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_events(tmp_path_factory.mktemp("events"), DAYS, per_day=240, seed=11)


@pytest.fixture
def standin(events: Path) -> Iterator[ClickHouseStandIn]:
    with ClickHouseStandIn(events, user=USER, password=PASSWORD) as server:
        yield server


@pytest.fixture
def connect(standin: ClickHouseStandIn) -> Iterator[Callable[..., Client]]:
    """Real clickhouse-connect clients for the stand-in, each with its own connection pool."""
    clients: list[Client] = []

    def make(**options: Any) -> Client:
        defaults: dict[str, Any] = {"username": USER, "password": PASSWORD, "dedicated_pool": True}
        client = clickhouse_connect.get_client(
            host=standin.host, port=standin.port, interface="http", **(defaults | options)
        )
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(connect: Callable[..., Client]) -> Client:
    return connect()


def basic_auth(password: str = PASSWORD) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{USER}:{password}".encode()).decode()}


def raw_post(
    standin: ClickHouseStandIn, sql: str, headers: dict[str, str] | None = None, path: str = "/"
) -> tuple[int, Any, str]:
    """One request without clickhouse-connect: status, headers and body exactly as sent."""
    connection = http.client.HTTPConnection(standin.host, standin.port, timeout=10)
    try:
        connection.request(
            "POST", path, body=sql, headers=basic_auth() if headers is None else headers
        )
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode()
    finally:
        connection.close()


def test_client_connects_with_the_handshake_it_always_sends(
    standin: ClickHouseStandIn, client: Client
) -> None:
    assert client.server_version == standin.version
    assert client.server_tz == UTC
    handshake = [query.sql for query in standin.queries]
    assert handshake[0] == "SELECT version(), timezone()"
    assert handshake[1].startswith("SELECT name, value, readonly FROM system.settings")
    assert {query.user for query in standin.queries} == {USER}


def test_top_projects_match_an_independent_count_of_the_events(
    events: Path, client: Client
) -> None:
    start, stop = DAYS[1], DAYS[4]  # half-open: the first and last day stay out
    result = client.query(TOP_PROJECTS, parameters={"start": start, "stop": stop, "limit": 5})
    assert result.result_rows == ranked(count_projects(events, start, stop), 5)


def test_daily_totals_match_an_independent_count_of_the_events(
    events: Path, client: Client
) -> None:
    start, stop = DAYS[0], DAYS[3]
    result = client.query(DAILY_TOTALS, parameters={"start": start, "stop": stop})
    assert by_day(result.result_rows) == count_days(events, start, stop)
    assert [day for day, _ in result.result_rows] == DAYS[0:3]


def test_raw_table_holds_each_event_as_clickpy_stores_it(events: Path, client: Client) -> None:
    stored = {row[:-1]: row[-1] for row in client.query(RAW_ROWS).result_rows}
    assert stored == Counter(clickpy_row(row) for row in read_events(events))


def test_parameters_are_bound_by_the_server_not_the_client(
    standin: ClickHouseStandIn, client: Client
) -> None:
    client.query(TOP_PROJECTS, parameters={"start": DAYS[0], "stop": DAYS[1], "limit": 3})
    received = standin.queries[-1]
    assert "{start:Date}" in received.sql
    assert received.params == {"start": "2026-03-01", "stop": "2026-03-02", "limit": "3"}


def test_string_parameters_round_trip_with_quotes_backslashes_and_tabs(client: Client) -> None:
    awkward = "it's a \\ back\tslash'); DROP TABLE pypi.pypi; --"
    assert client.query("SELECT {name:String}", parameters={"name": awkward}).result_rows == [
        (awkward,)
    ]
    assert client.query("SELECT count() FROM pypi.pypi").result_rows[0][0] > 0


def test_form_encoded_parameters_are_accepted(
    standin: ClickHouseStandIn, connect: Callable[..., Client], events: Path
) -> None:
    client = connect(form_encode_query_params=True)
    result = client.query(TOP_PROJECTS, parameters={"start": DAYS[0], "stop": DAYS[2], "limit": 2})
    assert result.result_rows == ranked(count_projects(events, DAYS[0], DAYS[2]), 2)
    assert standin.queries[-1].params["limit"] == "2"


def test_summary_reports_rows_and_bytes_read(client: Client) -> None:
    result = client.query(DAILY_TOTALS, parameters={"start": DAYS[0], "stop": DAYS[4]})
    per_day_rows = client.query("SELECT count() FROM pypi.pypi_downloads_per_day").result_rows
    # The per-day table is sorted by (project, date): a date filter cannot skip any of it.
    assert int(result.summary["read_rows"]) == per_day_rows[0][0]
    assert int(result.summary["read_bytes"]) > 0
    assert int(result.summary["result_rows"]) == 4
    assert int(result.summary["elapsed_ns"]) > 0
    assert result.summary["query_id"]


def test_wrong_password_fails_with_code_516(connect: Callable[..., Client]) -> None:
    with pytest.raises(DatabaseError) as caught:
        connect(password="wrong")
    assert caught.value.code == 516
    assert (
        "Code: 516. DB::Exception: demo: Authentication failed: password is incorrect, "
        "or there is no user with such name. (AUTHENTICATION_FAILED)"
    ) in str(caught.value)


def test_syntax_error_fails_with_code_62(client: Client) -> None:
    with pytest.raises(DatabaseError) as caught:
        client.query("SELEC project FROM pypi.pypi")
    assert caught.value.code == 62
    assert caught.value.name == "SYNTAX_ERROR"


def test_unknown_table_fails_with_code_60(client: Client) -> None:
    with pytest.raises(DatabaseError) as caught:
        client.query("SELECT sum(count) FROM pypi.pypi_downloads_per_week")
    assert caught.value.code == 60
    assert "Code: 60. DB::Exception: " in str(caught.value)


def test_unknown_setting_fails_with_code_115(client: Client) -> None:
    with pytest.raises(DatabaseError) as caught:
        client.query("SELECT 1", settings={"max_bytes_to_raed": 10})
    assert caught.value.code == 115


def test_several_statements_in_one_request_are_refused(client: Client) -> None:
    with pytest.raises(DatabaseError) as caught:
        client.query("SELECT 1; DROP TABLE pypi.pypi")
    assert caught.value.code == 62
    assert client.query("SELECT count() FROM pypi.pypi").result_rows[0][0] > 0
    assert client.query("SELECT 'a;b' -- a comment\n;").result_rows == [("a;b",)]


def test_errors_carry_clickhouse_status_header_and_body(standin: ClickHouseStandIn) -> None:
    status, headers, body = raw_post(standin, "SELECT * FROM pypi.nope")
    assert (status, headers["X-ClickHouse-Exception-Code"]) == (404, "60")
    assert re.fullmatch(
        r"Code: 60\. DB::Exception: .+\. \(UNKNOWN_TABLE\) \(version [\d.]+\)\n", body
    )
    status, headers, body = raw_post(standin, "SELECT 1", basic_auth("wrong"))
    assert (status, headers["X-ClickHouse-Exception-Code"]) == (403, "516")


def test_user_and_key_headers_authenticate_but_may_not_mix_with_basic_auth(
    standin: ClickHouseStandIn,
) -> None:
    keys = {"X-ClickHouse-User": USER, "X-ClickHouse-Key": PASSWORD}
    assert raw_post(standin, "SELECT 7", keys)[::2] == (200, "7\n")
    status, _, body = raw_post(standin, "SELECT 7", keys | basic_auth())
    assert status == 403
    assert "Invalid authentication" in body


def test_answers_carry_clickhouse_headers(standin: ClickHouseStandIn) -> None:
    status, headers, body = raw_post(standin, "SELECT 1 AS one FORMAT JSONCompact")
    assert status == 200
    assert headers["X-ClickHouse-Format"] == "JSONCompact"
    assert headers["X-ClickHouse-Timezone"] == standin.timezone
    assert '"read_rows":"1"' in headers["X-ClickHouse-Summary"]
    assert '"data":' in body


def test_ping_answers_ok(client: Client) -> None:
    assert client.ping()


def test_a_503_is_retried_and_the_query_succeeds(
    standin: ClickHouseStandIn, client: Client, events: Path
) -> None:
    standin.fail_next(1, kind="503")
    result = client.query(DAILY_TOTALS, parameters={"start": DAYS[0], "stop": DAYS[1]})
    assert by_day(result.result_rows) == count_days(events, DAYS[0], DAYS[1])
    attempts = [query.failure for query in standin.queries if "GROUP BY date" in query.sql]
    assert attempts == ["503", None]


def test_a_dropped_connection_is_retried_and_the_query_succeeds(
    standin: ClickHouseStandIn, client: Client
) -> None:
    standin.fail_next(1, kind="disconnect")
    assert client.query("SELECT 42").result_rows == [(42,)]
    assert [query.failure for query in standin.queries if "42" in query.sql] == ["disconnect", None]


def test_a_stalled_answer_times_out_then_the_next_query_succeeds(
    standin: ClickHouseStandIn, connect: Callable[..., Client]
) -> None:
    client = connect(send_receive_timeout=1)
    standin.fail_next(1, kind="slow", seconds=30)
    began = time.monotonic()
    with pytest.raises(OperationalError, match="timed out"):
        client.query("SELECT 1")
    assert time.monotonic() - began < 10
    assert client.query("SELECT 2").result_rows == [(2,)]


def test_a_dropped_day_is_missing_from_the_aggregates(
    standin: ClickHouseStandIn, client: Client, events: Path
) -> None:
    standin.drop_day(DAYS[2])
    loaded = count_days(events, DAYS[0], DAYS[-1] + timedelta(days=1))
    del loaded[DAYS[2]]
    result = client.query(DAILY_TOTALS, parameters={"start": DAYS[0], "stop": DAYS[-1]})
    assert by_day(result.result_rows) == {day: n for day, n in loaded.items() if day < DAYS[-1]}
    month = client.query(
        "SELECT month, sum(count) FROM pypi.pypi_downloads_per_month GROUP BY month"
    ).result_rows
    assert month == [(date(2026, 3, 1), sum(loaded.values()))]


def test_a_late_small_load_shows_as_a_small_day(
    standin: ClickHouseStandIn, client: Client, tmp_path: Path
) -> None:
    standin.drop_day(DAYS[2])
    small = write_events(tmp_path / "small", [DAYS[2]], per_day=8, seed=3)
    standin.load_events(small)
    result = client.query(DAILY_TOTALS, parameters={"start": DAYS[2], "stop": DAYS[3]})
    assert result.result_rows == [(DAYS[2], len(read_events(small)))]


def test_a_renamed_column_fails_the_query_with_code_47(
    standin: ClickHouseStandIn, client: Client
) -> None:
    standin.serve_wrong_schema()
    with pytest.raises(DatabaseError) as caught:
        client.query(DAILY_TOTALS, parameters={"start": DAYS[0], "stop": DAYS[1]})
    assert caught.value.code == 47
    assert caught.value.name == "UNKNOWN_IDENTIFIER"


def test_tables_follow_clickpy_definitions(client: Client) -> None:
    columns = client.query(
        "SELECT table, name, type FROM system.columns WHERE database = 'pypi' "
        "AND table IN ('pypi', 'pypi_downloads_per_day') ORDER BY table, position"
    ).result_rows
    low = "LowCardinality(String)"
    assert columns == [
        ("pypi", "date", "Date"),
        ("pypi", "country_code", low),
        ("pypi", "project", "String"),
        ("pypi", "type", low),
        ("pypi", "installer", low),
        ("pypi", "python_minor", low),
        ("pypi", "system", low),
        ("pypi", "version", "String"),
        ("pypi_downloads_per_day", "date", "Date"),
        ("pypi_downloads_per_day", "project", "String"),
        ("pypi_downloads_per_day", "count", "Int64"),
    ]
    engines = client.query(
        "SELECT name, engine, sorting_key FROM system.tables WHERE database = 'pypi' ORDER BY name"
    ).result_rows
    assert ("pypi_downloads_per_day", "SummingMergeTree", "project, date") in engines
    assert ("pypi_downloads_per_day_mv", "MaterializedView", "") in engines


def test_installer_table_follows_clickpys_definition(client: Client) -> None:
    """ClickPy's ClickHouse.md, "Downloads per day by version by installer by type"."""
    table = "pypi_downloads_per_day_by_version_by_installer_by_type"
    columns = client.query(
        "SELECT name, type FROM system.columns WHERE database = 'pypi' AND table = {t:String}"
        " ORDER BY position",
        parameters={"t": table},
    ).result_rows
    assert columns == [
        ("project", "String"),
        ("version", "String"),
        ("date", "Date"),
        ("installer", "String"),
        ("type", "LowCardinality(String)"),
        ("count", "Int64"),
    ]
    engines = client.query(
        "SELECT name, engine, sorting_key FROM system.tables WHERE database = 'pypi' ORDER BY name"
    ).result_rows
    assert (table, "SummingMergeTree", "project, version, date, installer") in engines
    assert (f"{table}_mv", "MaterializedView", "") in engines


def test_installer_table_holds_the_events_summed_by_version_and_installer(
    events: Path, client: Client
) -> None:
    """From the same events as the per-day table; an unknown installer is ''. `type` is not in
    the sorting key, so merging rows of one key keeps one of their types: per type the table is
    not exact (ClickPy's definition), per key it is."""
    stored = client.query(
        "SELECT project, version, date, installer, sum(count)"
        " FROM pypi.pypi_downloads_per_day_by_version_by_installer_by_type GROUP BY ALL"
    ).result_rows
    expected: Counter[tuple[Any, ...]] = Counter()
    for row in read_events(events):
        day, _, project, _, installer, _, _, version = clickpy_row(row)
        expected[(project, version, day, installer)] += 1
    assert {row[:-1]: row[-1] for row in stored} == expected
    assert any(row[3] == "" for row in stored)


def test_only_one_standin_may_be_open_in_a_process(standin: ClickHouseStandIn) -> None:
    with pytest.raises(RuntimeError, match="one embedded server per process"):
        ClickHouseStandIn(None)
