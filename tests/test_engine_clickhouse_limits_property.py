"""A seeded property of the ClickHouse engine under a public server's row limit: wherever the
limit falls between a tenth and nine tenths of the per-day table, with overflow mode `break`
(a public server's: a cut answer without a word; `throw` has its own cases beside the other
limits in test_engine_clickhouse_limits.py), the engine counts what DuckDB counts on the same
events (every project, its day stats and its installer breakdown; the CI columns empty, as
ClickPy has no CI flag), or it stops in one line. Never an answer cut short.

The examples share one stand-in and one DuckDB count, and run the engine in this process."""

from collections.abc import Iterator
from datetime import date
from itertools import pairwise
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.base.errors import EngineError
from publisher.base.progress import silent
from publisher.count.engines.base import Count, Request
from publisher.count.engines.clickhouse.engine import ClickHouseEngine
from publisher.count.engines.clickhouse.ranges import EVERY_NAME, Range, cuts
from publisher.count.engines.clickhouse.server import parse_url
from publisher.count.engines.duckdb.engine import DuckDBEngine
from publisher.count.long_tail import CI, CI_CAPABLE
from publisher.count.window import Window
from publisher.sample.generator import SampleSpec, write_sample
from tests.fakes.clickhouse import ClickHouseStandIn
from tests.fakes.clickhouse_limits import Limits

USER = "demo"
# Small, so that twenty runs stay quick, yet 63 granules of 256 rows in the per-day table: a
# tenth of it is still a few granules. Its names share prefixes as PyPI's do.
SPEC = SampleSpec(events=60_000, projects=1000, days=31, end=date(2026, 10, 31), seed=11)
WINDOW = Window(date(2026, 10, 1), date(2026, 10, 31))
REQUEST = Request(WINDOW, 100)
PER_DAY = "pypi.pypi_downloads_per_day"


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("property-events")
    write_sample(folder, SPEC)
    return folder


@pytest.fixture(scope="module")
def server(events: Path) -> Iterator[ClickHouseStandIn]:
    with ClickHouseStandIn(events, user=USER) as standin:
        yield standin


@pytest.fixture(scope="module")
def duckdb(events: Path) -> Count:
    return DuckDBEngine(str(events)).count(REQUEST, silent)


def without_ci(count: Count) -> pa.Table:
    table = count.every_project()
    return table.drop_columns([CI, CI_CAPABLE])


@settings(max_examples=20, derandomize=True, database=None)
@given(share=st.floats(0.1, 0.9))
def test_under_any_row_limit_the_count_is_duckdbs_or_a_refusal(
    server: ClickHouseStandIn, duckdb: Count, share: float
) -> None:
    cap = int(server.rows(PER_DAY) * share)
    limits = Limits({"max_rows_to_read": cap, "read_overflow_mode": "break"})
    engine = ClickHouseEngine(parse_url(server.url), USER)
    with server.limited(limits):
        count = counted_or_refused(engine)
    if isinstance(count, EngineError):
        assert "\n" not in f"{count.message} {count.tip}"
        assert "nothing was written" in count.message
        return
    assert count.rows == duckdb.rows
    assert count.projects_counted == duckdb.projects_counted
    assert without_ci(count).equals(without_ci(duckdb))
    assert count.every_project().column(CI).null_count == count.projects_counted


def counted_or_refused(engine: ClickHouseEngine) -> Count | EngineError:
    try:
        return engine.count(REQUEST, silent)
    except EngineError as refusal:
        return refusal


NAMES = st.text(alphabet="-._0123456789abcdefghijklmnopqrstuvwxyz~!Z\u00e9", max_size=12)


@settings(max_examples=100, derandomize=True, database=None)
@given(names=st.lists(NAMES, max_size=20), pieces=st.integers(2, 64), depth=st.integers(0, 6))
def test_cut_ranges_still_hold_every_name_once(names: list[str], pieces: int, depth: int) -> None:
    """Whatever is cut, however often, the ranges partition every name from '' on."""
    ranges = [EVERY_NAME]
    for level in range(depth):
        index = level * 7 % len(ranges)
        ranges[index : index + 1] = cuts(ranges[index], pieces) or [ranges[index]]
    assert ranges[0].low == ""
    assert ranges[-1].high is None
    assert all(ahead.high == behind.low for ahead, behind in pairwise(ranges))
    for name in ["", *names]:
        assert sum(part.holds(name) for part in ranges) == 1


def test_a_single_name_cannot_be_cut() -> None:
    assert cuts(Range("requests", "requests-"), 8) == []
    assert cuts(Range("", "-"), 8) == []
    assert len(cuts(Range("requests", "requestt"), 8)) > 1
