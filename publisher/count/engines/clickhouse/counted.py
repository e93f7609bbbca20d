"""The ranges' answers made one count: every project ranked, the days of the window summed
for the completeness check, the installer groups joined, and the recount's comparison."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from publisher.base.errors import EngineError
from publisher.count import long_tail
from publisher.count.engines.base import Count, QueryStats, Request
from publisher.count.engines.clickhouse.answers import Read
from publisher.count.engines.clickhouse.breakdown import (
    INSTALLERS_SCHEMA,
    total,
    unavailable,
    with_breakdown,
)
from publisher.count.engines.clickhouse.failures import WHAT_TO_DO, NotProven
from publisher.count.engines.clickhouse.scan import Scanned, flatten
from publisher.count.long_tail import (
    BUSIEST_TWO_DAYS,
    DOWNLOADS,
    GROUP_COLUMNS,
    MEDIAN_DAY,
    PROJECT,
)

RANKING_COLUMNS = {
    "projects": PROJECT,
    "download_counts": DOWNLOADS,
    "busiest_two_days": BUSIEST_TWO_DAYS,
    "median_days": MEDIAN_DAY,
}
INSTALLER_COLUMNS = {"projects": PROJECT} | {name: name for name in INSTALLERS_SCHEMA.names[1:]}
TOP_RECOUNTED = 3  # the month's top projects, counted again by name


def ranked_of(counted: Scanned) -> pa.Table:
    """Every project of every range, '' included, in rank order: downloads down, then name."""
    table = flatten([answer for _, answer in counted.parts], RANKING_COLUMNS)
    return table.sort_by([(DOWNLOADS, "descending"), (PROJECT, "ascending")])


def downloads_per_day(counted: Scanned) -> dict[date, int]:
    """The downloads of each day of the window, over every range."""
    days: dict[date, int] = defaultdict(int)
    for _, answer in counted.parts:
        dates = answer.column("dates").to_pylist()[0]
        downloads = answer.column("date_downloads").to_pylist()[0]
        for day, number in zip(dates, downloads, strict=True):
            days[day] += number
    return dict(days)


def installers_of(breakdown: Scanned | EngineError | None) -> pa.Table | EngineError | None:
    if isinstance(breakdown, Scanned):
        return flatten([answer for _, answer in breakdown.parts], INSTALLER_COLUMNS)
    return breakdown


def recount_names(counted: Scanned, ranked: pa.Table) -> list[list[str]]:
    """Per range, the names to count again: its first and last, and any of the top 3 in it."""
    top = ranked.column(PROJECT).to_pylist()[:TOP_RECOUNTED]
    batches = []
    for part, answer in counted.parts:
        names = sorted(answer.column("projects").to_pylist()[0])
        chosen = {*names[:1], *names[-1:]}
        chosen |= {name for name in top if part.holds(name)}
        if chosen:
            batches.append(sorted(chosen))
    return batches


def recounted(rows: Sequence[Sequence[Any]], ranked: pa.Table, where: str) -> None:
    """The recount's numbers are the ranges' numbers, or the run stops."""
    again = {str(name): int(number) for name, number in rows}
    wanted = pc.is_in(ranked.column(PROJECT), value_set=pa.array(list(again), pa.string()))
    found = ranked.filter(wanted)
    before = dict(
        zip(found.column(PROJECT).to_pylist(), found.column(DOWNLOADS).to_pylist(), strict=True)
    )
    for name, number in again.items():
        if before.get(name) != number:
            raise NotProven(
                f"{where} counted {name!r} {number:,} times by name but"
                f" {before.get(name, 0):,} times in its range: an answer was cut short;"
                " nothing was written.",
                WHAT_TO_DO,
            )


def split_unnamed(ranked: pa.Table) -> tuple[pa.Table, int]:
    """The named projects, still ranked, and the downloads without a name ('' in ClickPy)."""
    named = pc.fill_null(pc.not_equal(ranked.column(PROJECT), ""), False)
    unnamed = ranked.column(DOWNLOADS).filter(pc.invert(named))
    return ranked.filter(named), total(unnamed)


def count_from(
    ranked: pa.Table, installers: pa.Table | EngineError | None, request: Request, read: Read
) -> Count:
    ranked, unnamed = split_unnamed(ranked)
    fields: dict[str, Any] = {}
    why = unavailable(request.breakdown)
    if isinstance(installers, pa.Table):
        ranked, fields = with_breakdown(ranked, installers)
    elif isinstance(installers, EngineError):
        why = why | dict.fromkeys(GROUP_COLUMNS, f"not proven whole: {installers.message}")
    table = long_tail.conform(ranked)
    return Count(
        rows=long_tail.top_rows(table, request.limit),
        projects_counted=table.num_rows,
        period=request.window,
        query=QueryStats(bytes_processed=read.bytes),
        unnamed_downloads=unnamed,
        engine_fields=fields,
        blocks={"statistics": read.block()},
        table=table,
        unavailable=why,
    )
