"""The engines that count downloads, by name. Adding one means adding it here, nowhere else.

Each engine's module is imported only when chosen: their client libraries are heavy.
"""

from publisher.base.settings import Settings, check_engine
from publisher.count.engines.base import Engine


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
