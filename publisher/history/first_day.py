"""The first whole day the source holds: the first day with downloads that the completeness
rule does not call short (logging that began mid-day is no whole day)."""

import hashlib
from collections.abc import Mapping
from datetime import date
from pathlib import Path

from publisher.base.settings import Settings
from publisher.count.completeness import find_bad_days
from publisher.count.window import Window

# Days read from the source's start: four weeks, each weekday four times, so that the
# completeness rule compares every day with its weekday's peers.
FIRST_DAYS = 28


def first_whole_day(per_day: Mapping[date, int]) -> date | None:
    """None when the source holds no day at all."""
    days = sorted(day for day, rows in per_day.items() if rows > 0)
    if not days:
        return None
    bad = {b.day for b in find_bad_days(per_day, Window(days[0], days[-1]))}
    return next((day for day in days if day not in bad), None)


def duckdb_days(events: str | None, events_name: str | None) -> dict[date, int]:
    """Rows per day of the local events (from their Parquet statistics when it can)."""
    from publisher.count.engines.duckdb.engine import rows_per_day, session
    from publisher.count.engines.duckdb.events import find_event_files

    files = find_event_files(events, events_name, False)
    with session(files) as con:
        return rows_per_day(files, con)


def clickhouse_days(settings: Settings) -> dict[date, int]:
    """Downloads per day of the server's first days, read in ranges proven whole."""
    from publisher.count.engines.clickhouse.engine import ClickHouseEngine
    from publisher.count.engines.clickhouse.first_days import first_days

    return first_days(ClickHouseEngine.from_settings(settings), FIRST_DAYS)


def source_days(settings: Settings) -> dict[date, int] | None:
    """The source's first days and their downloads; None where the engine cannot tell
    (BigQuery: a scan of its first partitions is billed)."""
    if settings.engine == "duckdb":
        return duckdb_days(settings.events, settings.name("events", str(settings.events)))
    if settings.engine == "clickhouse":
        return clickhouse_days(settings)
    return None


def source_name(settings: Settings) -> str:
    """The source as an error names it: the events as given, or the server."""
    if settings.engine == "clickhouse":
        return f"ClickHouse at {settings.name('clickhouse_url', str(settings.clickhouse_url))}"
    return settings.name("events", str(settings.events))


def source_identity(settings: Settings) -> tuple[str, str] | None:
    """(the source, what names its days) for remembering its first month without reading it:
    local events by their files' names and sizes (listed, none opened), the server by its
    address; None where no first month is read (BigQuery)."""
    if settings.engine == "duckdb" and settings.events:
        from publisher.count.engines.duckdb.events import parquet_paths

        root = Path(settings.events)
        if not root.exists():
            return None
        files = sorted(parquet_paths(root))
        names = "\n".join(f"{p.relative_to(root)} {p.stat().st_size}" for p in files)
        source = f"duckdb {root.resolve()} days={settings.days}"
        return source, hashlib.sha256(names.encode()).hexdigest()
    if settings.engine == "clickhouse":
        return f"clickhouse {settings.clickhouse_url} days={settings.days}", ""
    return None
