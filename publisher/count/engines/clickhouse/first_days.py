"""Where the source starts: the downloads of each of the first days the per-day table holds.

`SELECT min(date)` of the whole table reads all of it, and a public server cuts such a read
short without a word: the day it gives may be any day. So the days are read as every other
count is, range by range of project names (scan.py), each answer proven whole; each range
gives its own first days, and together they are the table's first days.
"""

from __future__ import annotations

from datetime import date, timedelta

from publisher.base.progress import Progress, silent
from publisher.count.engines.clickhouse import scan
from publisher.count.engines.clickhouse.counted import downloads_per_day
from publisher.count.engines.clickhouse.engine import ClickHouseEngine
from publisher.count.engines.clickhouse.queries import DAYS_SCHEMA, FIRST_DAYS_SQL


def first_days_scan(days: int) -> scan.Scan:
    return scan.Scan(FIRST_DAYS_SQL, {"days": days}, DAYS_SCHEMA, "the search for the first days")


def earliest(per_day: dict[date, int], days: int) -> dict[date, int]:
    """The table's first `days` calendar days from the ranges' days summed: a range's days past
    them may stand for only a part of the table (other ranges stopped at their own first days)."""
    if not per_day:
        return {}
    end = min(per_day) + timedelta(days=days)
    return {day: number for day, number in sorted(per_day.items()) if day < end}


def first_days(engine: ClickHouseEngine, days: int, progress: Progress = silent) -> dict[date, int]:
    """Downloads per day of the first `days` calendar days the table holds (empty: none)."""
    progress(engine.waiting())
    with engine.session(progress) as session:
        limits = session.limits()
        found = first_days_scan(days)
        planned = scan.plan(session, found, limits)
        scanned = scan.run(session, found, limits, planned, progress)
    return earliest(downloads_per_day(scanned), days)
