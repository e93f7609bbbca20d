"""The engines that count downloads, by name. Adding one means adding it here, nowhere else."""

from publisher.engines.base import Engine
from publisher.engines.duckdb import DuckDBEngine
from publisher.errors import UsageError
from publisher.settings import Settings, check_engine


def make_engine(settings: Settings) -> Engine:
    name = check_engine(settings.engine)
    if name == "duckdb":
        return DuckDBEngine(events=settings.events)
    raise UsageError(f"--engine {name} is not available in this version.", "Use --engine duckdb.")
