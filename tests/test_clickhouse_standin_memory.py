"""What the ClickHouse stand-in keeps to answer a request again (tests/fakes/clickhouse_memory.py)
never changes an answer: a request is answered from memory only as running it would answer,
summary included; under a row limit that would cut or refuse it, after a write, or under a time
limit on this machine's clock, it is run."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import clickhouse_connect
import pytest
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import DatabaseError

from publisher.sample.generator import SampleSpec, write_sample
from tests.fakes.clickhouse import ClickHouseStandIn
from tests.fakes.clickhouse_limits import Limits

# Enough rows for a few granules of the aggregates, so that a row limit can cut a read.
SPEC = SampleSpec(events=6_000, projects=200, days=4, end=date(2026, 3, 4), seed=3)
DAYS = [date(2026, 3, day) for day in range(1, 5)]

PER_PROJECT = """
SELECT project, sum(count) AS downloads
FROM pypi.pypi_downloads_per_day_by_version_by_installer_by_type
WHERE date >= {start:Date}
GROUP BY project
ORDER BY project
"""
PLAN = """
EXPLAIN json = 1, indexes = 1
SELECT 1 FROM pypi.pypi_downloads_per_day WHERE project >= {low:String}
"""
SUMMARY = ("read_rows", "total_rows_to_read", "result_rows")
# Blocks of a few rows, so that a row limit cuts the stand-in's few dozen rows of a table.
BLOCK_ROWS = 8

Asked = tuple[list[Any], dict[str, str]]


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("memory-events")
    write_sample(folder, SPEC)
    return folder


@pytest.fixture
def standin(events: Path) -> Iterator[ClickHouseStandIn]:
    with ClickHouseStandIn(events) as server:
        yield server


@pytest.fixture
def client(standin: ClickHouseStandIn) -> Iterator[Client]:
    client = clickhouse_connect.get_client(host=standin.host, port=standin.port, username="demo")
    yield client
    client.close()


def rows_limit(rows: int, mode: str = "break") -> Limits:
    return Limits({"max_rows_to_read": rows, "read_overflow_mode": mode}, block_rows=BLOCK_ROWS)


def asked(standin: ClickHouseStandIn, client: Client, limits: Limits, sql: str) -> Asked:
    """The answer's rows and the summary's row counts."""
    with standin.limited(limits):
        result = client.query(sql, parameters={"start": DAYS[0], "low": ""})
    rows = [tuple(row) for row in result.result_rows]
    return rows, {name: result.summary[name] for name in SUMMARY}


def test_a_request_asked_again_is_answered_as_it_was_under_any_limit_it_stays_within(
    standin: ClickHouseStandIn, client: Client
) -> None:
    first = asked(standin, client, rows_limit(10_000), PER_PROJECT)
    recalled = standin.memory.recalled
    assert asked(standin, client, rows_limit(10_000), PER_PROJECT) == first
    read = int(first[1]["read_rows"])
    assert asked(standin, client, rows_limit(read), PER_PROJECT) == first
    assert standin.memory.recalled == recalled + 2
    assert asked(standin, client, rows_limit(read, "throw"), PER_PROJECT) == first
    assert standin.memory.recalled == recalled + 2  # another mode: run
    assert first[1]["read_rows"] == first[1]["total_rows_to_read"]


def test_a_limit_that_cuts_the_answer_kept_whole_cuts_it_as_a_run_does(
    standin: ClickHouseStandIn, client: Client
) -> None:
    whole = asked(standin, client, rows_limit(10_000), PER_PROJECT)
    cut = asked(standin, client, rows_limit(BLOCK_ROWS), PER_PROJECT)
    assert int(cut[1]["read_rows"]) < int(cut[1]["total_rows_to_read"])
    assert cut[0] != whole[0]
    standin.memory.on = False
    assert asked(standin, client, rows_limit(BLOCK_ROWS), PER_PROJECT) == cut
    assert standin.memory.recalled == 0


def test_a_plan_is_refused_under_a_smaller_limit_in_mode_throw_and_kept_in_mode_break(
    standin: ClickHouseStandIn, client: Client
) -> None:
    plan = asked(standin, client, rows_limit(10_000, "throw"), PLAN)
    with pytest.raises(DatabaseError, match="TOO_MANY_ROWS"):
        asked(standin, client, rows_limit(BLOCK_ROWS, "throw"), PLAN)
    kept = asked(standin, client, rows_limit(10_000), PLAN)
    recalled = standin.memory.recalled
    assert asked(standin, client, rows_limit(BLOCK_ROWS), PLAN) == kept == plan
    assert standin.memory.recalled == recalled + 1


def test_a_write_and_a_time_limit_on_the_clock_are_run_again(
    standin: ClickHouseStandIn, client: Client
) -> None:
    before = asked(standin, client, rows_limit(10_000), PER_PROJECT)
    standin.drop_day(DAYS[1])
    after = asked(standin, client, rows_limit(10_000), PER_PROJECT)
    assert after[0] != before[0]
    assert standin.memory.recalled == 0
    clocked = Limits({"max_execution_time": 60})
    assert asked(standin, client, clocked, PER_PROJECT)[0] == after[0]
    assert asked(standin, client, clocked, PER_PROJECT)[0] == after[0]
    assert standin.memory.recalled == 0
