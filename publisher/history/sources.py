"""A history month's rows from where they come: an engine's count, or a published month's
files (its latest correction's), copied as they are."""

from datetime import date
from typing import Any

import pyarrow as pa

from publisher.count.engines.base import Count
from publisher.dataset.history.folder import Month
from publisher.dataset.history.index import COUNTED, MonthFacts
from publisher.dataset.history.table import month_table


def counted_month(tag: str, count: Count, engine: str) -> Month:
    """A counted month: its ranked rows, and the days the source lacked or held too little of
    (kept and marked, never dropped nor filled)."""
    projects = pa.array([project for project, _ in count.rows], pa.string())
    downloads = pa.array([downloads for _, downloads in count.rows], pa.int64())
    period = count.period
    facts = MonthFacts(
        tag=tag,
        start=period.start,
        end=period.end,
        engine=engine,
        method=count.method,
        source=COUNTED,
        rows=len(count.rows),
        missing_days=tuple(b.day.isoformat() for b in count.bad_days if b.rows == 0),
        short_days=tuple(b.day.isoformat() for b in count.bad_days if b.rows > 0),
    )
    return Month(facts, month_table(tag, period.start, period.end, projects, downloads))


def low_days(extended: dict[str, Any] | None) -> dict[str, int]:
    """The extended file's low-day flags: day -> rows the source held (0: missing)."""
    flags = extended.get("anomalies", []) if extended else []
    return {f["day"]: int(f["rows"]) for f in flags if f.get("kind") == "low_day"}


def copied_month(
    tag: str, source: str, dataset: dict[str, Any], extended: dict[str, Any] | None
) -> Month:
    """A published month's rows, from its compatible file. Its incomplete days are missing or
    short as its extended file's flags say; a month from before the extended files marks them
    short (the files do not say which)."""
    rows = dataset["rows"]
    period, engine = dataset["period"], dataset["engine"]
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    known = low_days(extended)
    incomplete = [str(day) for day in engine.get("incomplete_days", [])]
    facts = MonthFacts(
        tag=tag,
        start=start,
        end=end,
        engine=str(engine["name"]),
        method=str(engine.get("method", "exact")),
        source=source,
        rows=len(rows),
        missing_days=tuple(day for day in incomplete if known.get(day) == 0),
        short_days=tuple(day for day in incomplete if known.get(day) != 0),
    )
    projects = pa.array([row["project"] for row in rows], pa.string())
    downloads = pa.array([row["download_count"] for row in rows], pa.int64())
    return Month(facts, month_table(tag, start, end, projects, downloads))
