"""A seeded property of the ClickHouse engine under a public server's row limit: wherever the
limit falls between a tenth and nine tenths of the per-day table, in either overflow mode, the
engine counts what DuckDB counts on the same events (every project, its day stats and its
installer breakdown; the CI columns empty, as ClickPy has no CI flag), or it stops in one line.
Never an answer cut short.

The examples share one stand-in and one DuckDB count, and run the engine in this process."""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.base.errors import EngineError
from publisher.base.progress import silent
from publisher.count.engines.base import Count, Request
from publisher.count.engines.clickhouse.engine import ClickHouseEngine
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
@given(share=st.floats(0.1, 0.9), mode=st.sampled_from(["break", "throw"]))
def test_under_any_row_limit_the_count_is_duckdbs_or_a_refusal(
    server: ClickHouseStandIn, duckdb: Count, share: float, mode: str
) -> None:
    cap = int(server.rows(PER_DAY) * share)
    limits = Limits({"max_rows_to_read": cap, "read_overflow_mode": mode})
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
