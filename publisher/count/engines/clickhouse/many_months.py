"""Many windows in one pass (history's months): each range of project names read once for all
of them (MONTHS_SQL), every answer proven whole as a single window's is, then each window's
part made a count as `ClickHouseEngine.count` makes one, its recount included.

The windows must not overlap (a day belongs to one window): `apart` says which may go together.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import pairwise

import pyarrow as pa

from publisher.base.progress import Progress
from publisher.count.completeness import check_complete, incomplete_fields
from publisher.count.engines.base import Count, Request
from publisher.count.engines.clickhouse import scan
from publisher.count.engines.clickhouse.counted import count_from, downloads_per_day, ranked_of
from publisher.count.engines.clickhouse.describing import describe_reads
from publisher.count.engines.clickhouse.engine import ClickHouseEngine, Session
from publisher.count.engines.clickhouse.limits import Limits
from publisher.count.engines.clickhouse.queries import MONTHS_SCHEMA, MONTHS_SQL, RANKING_SCHEMA
from publisher.count.window import Window

MOST_MONTHS = 12  # windows per pass: a year, so that an answer stays a few times a month's size


def apart(windows: list[Window]) -> bool:
    """Whether the windows, oldest first, share no day."""
    return all(a.end < b.start for a, b in pairwise(windows))


def months_scan(windows: list[Window]) -> scan.Scan:
    values = {
        "start": windows[0].start,
        "stop": windows[-1].stop_timestamp.date(),
        "starts": [w.start for w in windows],
        "stops": [w.stop_timestamp.date() for w in windows],
        "days": windows[0].days,
    }
    return scan.Scan(MONTHS_SQL, values, MONTHS_SCHEMA, "the count of many months")


def window_part(answer: pa.Table, index: int, window: Window) -> pa.Table:
    """A range's answer for many windows cut to one (`index` from 1), shaped as RANKING_SQL's."""
    indexes = answer.column("month_indexes").to_pylist()[0]
    kept = [position for position, found in enumerate(indexes) if found == index]
    columns: dict[str, list[list[object]]] = {}
    for name in ("projects", "download_counts", "busiest_two_days", "median_days"):
        values = answer.column(name).to_pylist()[0]
        columns[name] = [[values[position] for position in kept]]
    days: list[date] = answer.column("dates").to_pylist()[0]
    downloads = answer.column("date_downloads").to_pylist()[0]
    inside = [i for i, day in enumerate(days) if window.start <= day <= window.end]
    columns["dates"] = [[days[i] for i in inside]]
    columns["date_downloads"] = [[downloads[i] for i in inside]]
    return pa.table(columns, schema=RANKING_SCHEMA)


def window_count(
    session: Session, counted: scan.Scanned, request: Request, limits: Limits, allow: bool
) -> Count:
    window = request.window
    bad = check_complete(downloads_per_day(counted), window, allow)
    ranked = ranked_of(counted)
    read = counted.read + session.recount(counted, ranked, limits, window)
    count = count_from(ranked, None, request, read)
    fields = incomplete_fields(bad) | count.engine_fields
    facts = (("queries", describe_reads(read, limits)),)
    return replace(count, engine_fields=fields, bad_days=tuple(bad), facts=facts)


def count_months(
    engine: ClickHouseEngine, requests: list[Request], progress: Progress
) -> list[Count]:
    """Each request counted (without the breakdown) in one pass over the ranges; the windows
    oldest first, none overlapping."""
    windows = [request.window for request in requests]
    if not apart(windows) or any(request.breakdown for request in requests):
        raise ValueError("many months are counted apart and without the breakdown")
    progress(engine.waiting())
    with engine.session(progress) as session:
        limits = session.limits()
        months = months_scan(windows)
        scanned = scan.run(session, months, limits, scan.plan(session, months, limits), progress)
        counts = []
        for index, request in enumerate(requests, start=1):
            parts = [(p, window_part(a, index, request.window)) for p, a in scanned.parts]
            part = scan.Scanned(parts, scanned.read)
            counts.append(window_count(session, part, request, limits, engine.allow_incomplete))
    return counts
