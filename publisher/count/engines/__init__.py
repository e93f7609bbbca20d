"""The engines that count downloads, by name. Adding one means adding it here, nowhere else.

Each engine's module is imported only when chosen: their client libraries are heavy.
"""

from collections.abc import Callable
from functools import partial

from publisher.base.progress import Progress
from publisher.base.settings import Settings, check_engine
from publisher.count.engines.base import Count, Engine, Request

# Many windows counted in one pass, oldest first, none overlapping, without the breakdown.
CountMany = Callable[[list[Request], Progress], list[Count]]


def make_engine(settings: Settings) -> Engine:
    name = check_engine(settings.engine)
    if name == "bigquery":
        from publisher.count.engines.bigquery.engine import BigQueryEngine

        return BigQueryEngine.from_settings(settings)
    if name == "clickhouse":
        from publisher.count.engines.clickhouse.engine import ClickHouseEngine

        return ClickHouseEngine.from_settings(settings)
    from publisher.count.engines.duckdb.engine import DuckDBEngine

    return DuckDBEngine(
        events=settings.events,
        allow_incomplete=settings.allow_incomplete,
        events_name=settings.name("events", str(settings.events)),
    )


def many_months(engine: Engine) -> CountMany | None:
    """How the engine counts many months in one pass, where it can (ClickHouse: each range of
    names read once for all of them); None: a month at a time."""
    if engine.name != "clickhouse":
        return None
    from publisher.count.engines.clickhouse.engine import ClickHouseEngine
    from publisher.count.engines.clickhouse.many_months import count_months

    return partial(count_months, engine) if isinstance(engine, ClickHouseEngine) else None
