"""The ClickHouse engine's ranges under a row limit, on a table as ClickHouse stores it: merged
in one part, or freshly loaded (a merged part and many small parts of the last day, not merged
yet). A range is planned to read at most half the limit, so a server a little busier or a
table a little bigger still answers it whole: no query reads more than half the limit, unless
a single project's rows do."""

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from publisher.base.progress import silent
from publisher.count.engines.base import Count, Request
from publisher.count.engines.clickhouse.engine import ClickHouseEngine
from publisher.count.engines.clickhouse.server import parse_url
from publisher.count.engines.duckdb.engine import DuckDBEngine
from publisher.count.window import Window
from publisher.sample.generator import SampleSpec, write_sample
from tests.fakes.clickhouse import ClickHouseStandIn
from tests.fakes.clickhouse_limits import Limits

USER = "demo"
SPEC = SampleSpec(events=60_000, projects=1000, days=31, end=date(2026, 10, 31), seed=11)
REQUEST = Request(Window(date(2026, 10, 1), date(2026, 10, 31)), 100)
PER_DAY = "pypi.pypi_downloads_per_day"
# The last day in 40 small parts of a few rows each (a granule each): the table's rows over
# its granules are then about 60 % of what a merged part's granule holds.
SMALL_PARTS = 40
MOST_READ = re.compile(r"the most rows one query read: ([\d,]+) of ([\d,]+) allowed")


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("parts-events")
    write_sample(folder, SPEC)
    return folder


@pytest.fixture(scope="module")
def duckdb(events: Path) -> Count:
    return DuckDBEngine(str(events)).count(REQUEST, silent)


@pytest.fixture(params=["merged", "freshly loaded"])
def server(events: Path, request: pytest.FixtureRequest) -> Iterator[ClickHouseStandIn]:
    with ClickHouseStandIn(events, user=USER) as standin:
        if request.param == "freshly loaded":
            standin.unmerge(SMALL_PARTS, days=1)
        yield standin


def most_read(count: Count) -> tuple[int, int]:
    """The most rows one query read and the limit, as the run says them."""
    said = MOST_READ.search(dict(count.facts)["queries"])
    assert said is not None, count.facts
    return int(said[1].replace(",", "")), int(said[2].replace(",", ""))


def test_no_query_reads_more_than_half_the_row_limit(
    server: ClickHouseStandIn, duckdb: Count
) -> None:
    """Before: ranges sized by the table's average rows per granule, and kept whole when a
    cut left one piece as big (names crowding a few letters were taken for a single project),
    read up to 69 % of the limit."""
    cap = server.rows(PER_DAY) // 3
    engine = ClickHouseEngine(parse_url(server.url), USER)
    with server.limited(Limits({"max_rows_to_read": cap, "read_overflow_mode": "break"})):
        count = engine.count(REQUEST, silent)
    assert count.rows == duckdb.rows
    most, allowed = most_read(count)
    assert allowed == cap
    assert 0 < most <= cap // 2
