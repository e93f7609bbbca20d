"""The ClickHouse stand-in under a public server's limits, driven by the real clickhouse-connect:
each limit cuts the answer short without a word (`break`) or fails the query (`throw`), the
answer's summary tells rows read from rows to read, and a read-only user may or may not set
anything. The sample's events, as the engine's tests load them."""

import http.client
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import clickhouse_connect
import pytest
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import DatabaseError
from clickhouse_connect.driver.query import QueryResult

from tests.fakes.clickhouse import ClickHouseStandIn
from tests.fakes.clickhouse_limits import Limits

USER = "demo"
EVERY_PROJECT = """
SELECT project, sum(count) AS downloads
FROM pypi.pypi_downloads_per_day
WHERE date >= '2026-10-02' AND date < '2026-11-01'
GROUP BY project"""


@pytest.fixture(scope="module")
def standin(events_dir: Path) -> Iterator[ClickHouseStandIn]:
    with ClickHouseStandIn(events_dir, user=USER) as server:
        yield server


def connect(standin: ClickHouseStandIn) -> Client:
    return clickhouse_connect.get_client(
        host=standin.host, port=standin.port, username=USER, interface="http", dedicated_pool=True
    )


def ask(standin: ClickHouseStandIn, limits: Limits, sql: str, **settings: Any) -> QueryResult:
    with standin.limited(limits), closing(connect(standin)) as client:
        return client.query(sql, settings=settings)


def refusal(standin: ClickHouseStandIn, limits: Limits, sql: str, **settings: Any) -> DatabaseError:
    with pytest.raises(DatabaseError) as caught:
        ask(standin, limits, sql, **settings)
    return caught.value


@pytest.fixture(scope="module")
def whole(standin: ClickHouseStandIn) -> QueryResult:
    return ask(standin, Limits(), EVERY_PROJECT)


@pytest.fixture(scope="module")
def table_rows(standin: ClickHouseStandIn) -> int:
    sql = "SELECT count() FROM pypi.pypi_downloads_per_day"
    return int(ask(standin, Limits(), sql).result_rows[0][0])


def raw_post(standin: ClickHouseStandIn, sql: str, **settings: str) -> tuple[int, str]:
    connection = http.client.HTTPConnection(standin.host, standin.port, timeout=30)
    try:
        connection.request("POST", "/?" + urlencode(settings | {"user": USER}), body=sql)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def read(result: QueryResult) -> tuple[int, int]:
    return int(result.summary["read_rows"]), int(result.summary["total_rows_to_read"])


def test_a_whole_read_reads_every_row_it_was_to_read(whole: QueryResult, table_rows: int) -> None:
    # A date filter prunes nothing of a table sorted by (project, date).
    assert read(whole) == (table_rows, table_rows)
    assert len(whole.result_rows) > 2000


def test_rows_to_read_come_from_the_index_not_from_the_rows_read(
    standin: ClickHouseStandIn, table_rows: int
) -> None:
    narrow = EVERY_PROJECT.replace("WHERE ", "WHERE project = 'requests' AND ")
    rows_read, to_read = read(ask(standin, Limits(), narrow))
    assert 0 < rows_read == to_read < table_rows


@pytest.mark.parametrize("setting", ["max_rows_to_read", "max_rows_to_read_leaf"])
def test_a_read_limit_with_break_cuts_the_answer_without_a_word(
    standin: ClickHouseStandIn, whole: QueryResult, table_rows: int, setting: str
) -> None:
    mode = setting.replace("max_rows_to_read", "read_overflow_mode")
    limits = Limits({setting: table_rows // 3, mode: "break"})
    cut = ask(standin, limits, EVERY_PROJECT)
    rows_read, to_read = read(cut)
    assert rows_read < to_read == table_rows
    assert 0 < len(cut.result_rows) < len(whole.result_rows)


def test_a_read_limit_with_throw_fails_the_query(
    standin: ClickHouseStandIn, table_rows: int
) -> None:
    error = refusal(standin, Limits({"max_rows_to_read": table_rows // 3}), EVERY_PROJECT)
    assert (error.code, error.name) == (158, "TOO_MANY_ROWS")


@pytest.mark.parametrize("mode", ["break", "throw"])
def test_a_bytes_limit(standin: ClickHouseStandIn, whole: QueryResult, mode: str) -> None:
    limits = Limits({"max_bytes_to_read": int(whole.summary["read_bytes"]) // 3})
    limits = Limits({**limits.settings, "read_overflow_mode": mode})
    if mode == "throw":
        assert refusal(standin, limits, EVERY_PROJECT).code == 307
        return
    cut = ask(standin, limits, EVERY_PROJECT)
    assert read(cut)[0] < read(cut)[1]
    assert len(cut.result_rows) < len(whole.result_rows)


def test_a_result_limit_with_break_keeps_whole_blocks(standin: ClickHouseStandIn) -> None:
    limits = Limits({"max_result_rows": 1000, "result_overflow_mode": "break"})
    cut = ask(standin, limits, EVERY_PROJECT, max_block_size=700)
    assert 1000 < len(cut.result_rows) == int(cut.summary["result_rows"]) < 2000
    assert read(cut)[0] == read(cut)[1]  # all was read: only the answer was cut


@pytest.mark.parametrize(("setting", "code"), [("max_result_rows", 396), ("max_result_bytes", 396)])
def test_a_result_limit_with_throw_fails(
    standin: ClickHouseStandIn, setting: str, code: int
) -> None:
    error = refusal(standin, Limits({setting: 1000}), EVERY_PROJECT)
    assert error.code == code


def test_the_time_limit_is_a_budget_of_rows(standin: ClickHouseStandIn, table_rows: int) -> None:
    speed = table_rows // 10  # the whole table takes 10 s
    limits = Limits(
        {"max_execution_time": 5, "timeout_overflow_mode": "break"}, rows_per_second=speed
    )
    cut = ask(standin, limits, EVERY_PROJECT)
    rows_read, to_read = read(cut)
    assert rows_read < to_read
    assert int(cut.summary["elapsed_ns"]) == rows_read * 1_000_000_000 // speed
    error = refusal(
        standin, Limits({"max_execution_time": 5}, rows_per_second=speed), EVERY_PROJECT
    )
    assert (error.code, error.name) == (159, "TIMEOUT_EXCEEDED")
    fast = ask(standin, Limits({"max_execution_time": 20}, rows_per_second=speed), EVERY_PROJECT)
    assert read(fast) == (table_rows, table_rows)
    assert int(fast.summary["elapsed_ns"]) == 10 * 1_000_000_000 * table_rows // (speed * 10)


def test_group_by_overflow_any_gives_wrong_counts_without_a_word(
    standin: ClickHouseStandIn, whole: QueryResult
) -> None:
    limits = Limits({"max_rows_to_group_by": 100, "group_by_overflow_mode": "any"})
    cut = ask(standin, limits, EVERY_PROJECT)
    assert read(cut)[0] == read(cut)[1]
    assert sorted(map(tuple, cut.result_rows)) != sorted(map(tuple, whole.result_rows))


def test_a_readonly_user_may_set_nothing(standin: ClickHouseStandIn) -> None:
    limits = Limits({"max_rows_to_read": 10**9, "read_overflow_mode": "break"}, readonly=1)
    inline = EVERY_PROJECT + "\nSETTINGS read_overflow_mode = 'throw'"
    error = refusal(standin, limits, inline)
    assert (error.code, error.name) == (164, "READONLY")
    assert "Cannot modify 'read_overflow_mode' setting in readonly mode" in str(error)
    # clickhouse-connect sends no setting system.settings shows as read-only: ask without it.
    with standin.limited(limits):
        status, body = raw_post(standin, EVERY_PROJECT, read_overflow_mode="throw")
    assert status == 403
    assert "Code: 164. DB::Exception: Cannot modify 'read_overflow_mode' setting" in body


def test_readonly_2_lets_a_query_change_its_settings(
    standin: ClickHouseStandIn, table_rows: int
) -> None:
    limits = Limits(
        {"max_rows_to_read": table_rows // 3, "read_overflow_mode": "break"}, readonly=2
    )
    assert read(ask(standin, limits, EVERY_PROJECT))[0] < table_rows
    error = refusal(standin, limits, EVERY_PROJECT, read_overflow_mode="throw")
    assert error.code == 158


def test_system_settings_show_the_limits(standin: ClickHouseStandIn) -> None:
    limits = Limits({"max_rows_to_read": 1234, "read_overflow_mode": "break"}, readonly=1)
    sql = (
        "SELECT name, value, changed FROM system.settings WHERE name IN"
        " ('max_rows_to_read', 'read_overflow_mode', 'readonly', 'max_result_rows') ORDER BY name"
    )
    assert ask(standin, limits, sql).result_rows == [
        ("max_result_rows", "0", 0),
        ("max_rows_to_read", "1234", 1),
        ("read_overflow_mode", "break", 1),
        ("readonly", "1", 1),
    ]


def test_the_per_month_table_keeps_the_last_six_months(standin: ClickHouseStandIn) -> None:
    sql = "SELECT DISTINCT month FROM pypi.pypi_downloads_per_month ORDER BY month"
    before = [row[0] for row in ask(standin, Limits(), sql).result_rows]
    assert date(2026, 9, 1) in before
    standin.today = date(2027, 3, 15)
    try:
        standin.forget_old_months()
        after = [row[0] for row in ask(standin, Limits(), sql).result_rows]
        assert after == [month for month in before if month >= date(2026, 10, 1)]
    finally:
        standin.today = None
        standin.rebuild_aggregates()
    assert [row[0] for row in ask(standin, Limits(), sql).result_rows] == before


def test_a_user_may_be_refused_the_read_of_the_limits(standin: ClickHouseStandIn) -> None:
    hidden = Limits({"max_rows_to_read": 1234}, settings_readable=False)
    error = refusal(
        standin, hidden, "SELECT value FROM system.settings WHERE name = 'max_rows_to_read'"
    )
    assert (error.code, error.name) == (497, "ACCESS_DENIED")
    assert "SELECT(name, value) ON system.settings" in str(error)
    # The client still connects (its listing at connect has no WHERE), and other queries run.
    assert ask(standin, hidden, "SELECT 1").result_rows == [(1,)]
