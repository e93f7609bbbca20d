"""The first whole day the source holds: the first day with downloads that the completeness
rule does not call short (logging that began mid-day is no whole day)."""

from collections.abc import Mapping
from datetime import date

from publisher.count.completeness import find_bad_days
from publisher.count.window import Window


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
