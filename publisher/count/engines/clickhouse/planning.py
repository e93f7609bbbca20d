"""The ranges a scan reads, planned from the server's index in a few statements.

One `EXPLAIN json = 1, indexes = 1` of many ranges at once (a UNION ALL of the template's one
read of its table, a branch per range) shows, branch by branch, how many granules of rows the
index selects for each range; it runs nothing. A granule holds at most the table's
`index_granularity` rows (read from the server; ClickHouse's 8,192 assumed when it cannot be),
fewer in a small part or at a part's end, so granules times that is at least what a range
reads: a range is planned when that is at most half the row limit. Every name is asked first;
a range over that is cut into as many ranges as its granules call for (ranges.cuts), all asked
in the next statement, until every range is small enough; a range no smaller than the one it
was cut from (names crowding a small span) is cut into the most pieces. Where the granules
alone cannot show a range small enough (a read of one granule a part, however few its rows,
or a single name), `EXPLAIN ESTIMATE` of that range gives its rows exactly. Then neighbours are
joined back, each round of joins checked in one more statement (and a join that only its
granules in many parts keep over, by its own `EXPLAIN ESTIMATE`). The boundaries come from the
per-day and installer tables themselves, never from which months another table holds.

Under a row limit with overflow mode `throw` the server refuses the whole statement if one
branch would read past it: the ranges are then asked in halves, and a range refused alone is
over the limit. A range holding a single name that is over the limit stops the run, named.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from publisher.base.errors import EngineError
from publisher.count.engines.clickhouse.answers import Answer
from publisher.count.engines.clickhouse.failures import WHAT_TO_DO, NotProven, TooBig
from publisher.count.engines.clickhouse.limits import Limits
from publisher.count.engines.clickhouse.queries import (
    GRANULARITY_SQL,
    probe_sql,
    probe_values,
    read_of,
)
from publisher.count.engines.clickhouse.ranges import (
    EVERY_NAME,
    GranuleSize,
    Planned,
    Range,
    cuts,
    grouped,
    joined,
    rows_of,
)

PROBED_AT_ONCE = 100  # ranges per statement: a short query text, a small answer
CUT_MOST, CUT_UNKNOWN = 64, 8  # ranges one is cut into at most; when its size is unknown
UNKNOWN_ROWS = 2**63  # rows of a range not asked: more than any limit
# ClickHouse's default index_granularity: the most rows a granule holds, when it cannot be read.
DEFAULT_GRANULE_ROWS = 8192
OWN_GRANULARITY = re.compile(r"\bindex_granularity\s*=\s*(\d+)")


class Prober(Protocol):
    """How planning reaches the server (scan.Asker)."""

    @property
    def where(self) -> str: ...

    def estimate(self, sql: str, values: dict[str, Any]) -> int: ...

    def explain(self, sql: str, values: dict[str, Any]) -> str: ...

    def answer(self, sql: str, values: dict[str, Any], what: str) -> Answer: ...


class Planning(Protocol):
    """What planning needs of a scan (scan.Scan)."""

    @property
    def template(self) -> str: ...

    @property
    def values(self) -> dict[str, Any]: ...

    def sql(self, part: Range) -> str: ...

    def bound(self, part: Range) -> dict[str, Any]: ...

    def describe(self, part: Range) -> str: ...


@dataclass(frozen=True)
class Granules:
    """What the index selects for one read: granules, in how many parts, of how many."""

    selected: int
    parts: int  # the fewest granules a read of any name in the range takes
    total: int  # the table's granules


def reads_of(node: Any) -> Iterator[Granules]:
    """The reads of a table in a JSON plan, in the order of the statement's branches."""
    if not isinstance(node, dict):
        return
    if node.get("Node Type") == "ReadFromMergeTree":
        indexes = node.get("Indexes") or []
        if indexes:
            yield Granules(
                selected=min(int(index["Selected Granules"]) for index in indexes),
                parts=int(indexes[-1]["Selected Parts"]),
                total=max(int(index["Initial Granules"]) for index in indexes),
            )
    for child in node.get("Plans", []):
        yield from reads_of(child)


def read_plan(text: str) -> list[Granules]:
    """Each read's granules from `EXPLAIN json = 1, indexes = 1`; ValueError if unreadable."""
    try:
        plans = json.loads(text)
        return [found for plan in plans for found in reads_of(plan.get("Plan"))]
    except (TypeError, KeyError, AttributeError, json.JSONDecodeError) as exc:
        raise ValueError(str(exc)) from None


def probe(asker: Prober, scan: Planning, parts: list[Range]) -> list[Granules | None]:
    """What the index selects for each range; None for one the server refused to plan alone
    (its read is over a row limit in mode `throw`)."""
    found: list[Granules | None] = []
    for start in range(0, len(parts), PROBED_AT_ONCE):
        found += probe_batch(asker, scan, parts[start : start + PROBED_AT_ONCE])
    return found


def probe_batch(asker: Prober, scan: Planning, parts: list[Range]) -> list[Granules | None]:
    sql, values = probe_sql(scan.template, parts), probe_values(scan.template, scan.values, parts)
    try:
        found: list[Granules | None] = list(read_plan(asker.explain(sql, values)))
        if len(found) == len(parts):
            return found
        why = f"{len(found)} reads of a table for {len(parts)} ranges"
    except NotProven:
        if len(parts) == 1:
            return [None]
        why = ""
    except ValueError as exc:
        why = f"a plan it could not read ({exc})"
    if len(parts) == 1:
        raise EngineError(
            f"{asker.where} showed {why} in its plan of {scan.describe(parts[0])}.",
            "Point --clickhouse-url at a ClickPy server, or count with --engine bigquery.",
        )
    half = len(parts) // 2
    return probe_batch(asker, scan, parts[:half]) + probe_batch(asker, scan, parts[half:])


def granule_size(asker: Prober, scan: Planning) -> GranuleSize:
    """The table's `index_granularity`: its own setting, else the server's default for
    MergeTree tables (both readable by a read-only user); ClickHouse's default when neither
    can be read."""
    database, _, table = read_of(scan.template)[0].partition(".")
    values = {"database": database, "table": table}
    try:
        answer = asker.answer(GRANULARITY_SQL, values, "the table's index granularity")
        row = answer.table.to_pylist()[0]
    except (EngineError, TooBig, IndexError, TypeError, ValueError):
        return GranuleSize(DEFAULT_GRANULE_ROWS, read=False)
    own = OWN_GRANULARITY.search(str(row.get("create_table_query") or ""))
    found = own[1] if own else str(row.get("default_granularity") or "")
    if not found.isdigit() or not int(found):
        return GranuleSize(DEFAULT_GRANULE_ROWS, read=False)
    return GranuleSize(int(found), read=True)


def exact_rows(asker: Prober, scan: Planning, part: Range) -> int:
    """The rows the index selects for `part`, exactly (EXPLAIN ESTIMATE: one statement a
    range, so asked only where granules times their most rows do not show it small)."""
    return asker.estimate(scan.sql(part), scan.bound(part))


def floor(found: Granules, most: int) -> bool:
    """Whether only a granule in each of many parts, however few its rows, keeps a read over
    `most` granules: then only its exact rows tell whether it fits."""
    return found.parts > 1 and found.selected - found.parts <= most


def floor_rows(
    asker: Prober, scan: Planning, part: Range, found: Granules | None, most: int
) -> int:
    """A joined range's exact rows where only its granules in many parts keep it over `most`;
    else more than any limit (no question asked)."""
    if found is None or not floor(found, most):
        return UNKNOWN_ROWS
    return exact_rows(asker, scan, part)


def pieces_for(found: Granules | None, parent: int, most: int) -> int:
    """How many ranges to cut a range into that reads `found`, for each to read half of
    `most` if its rows were spread evenly; a range the server refused to plan, into a few; a
    range whose granules past one a part are no fewer than its parent's (its names crowd a
    small span of the name space: many share a long beginning, or one project fills it), into
    the most, to close in on them in fewer rounds."""
    if found is None:
        return CUT_UNKNOWN
    if parent and found.selected - found.parts >= parent:
        return CUT_MOST
    return min(CUT_MOST, max(2, -(-2 * found.selected // most)))


def too_big(asker: Prober, scan: Planning, part: Range, limits: Limits) -> NotProven:
    return NotProven(
        f"{asker.where}: {scan.describe(part)} would read more rows in one query than"
        f" {limits.describe_reads()}, and a single project's rows cannot be split further;"
        " nothing was written.",
        WHAT_TO_DO,
    )


def plan(asker: Prober, scan: Planning, limits: Limits) -> list[Planned]:
    """The ranges to read in name order, each half the row limit at most (a range holding a
    single name, the whole limit); without a row limit, every name in one range, its rows as
    the server estimates them."""
    cap = limits.rows_cap()
    if not cap:
        rows = asker.estimate(scan.sql(EVERY_NAME), scan.bound(EVERY_NAME))
        return [Planned(EVERY_NAME, 0, rows)]
    size = granule_size(asker, scan)
    half = cap // 2
    most = half // size.rows  # granules that hold half the limit at most
    done: list[Planned] = []
    # Each range with its parent's granules past one a part.
    pending: list[tuple[Range, int]] = [(EVERY_NAME, 0)]
    shared = 0
    while pending:
        probed = probe(asker, scan, [part for part, _ in pending])
        shared = max([shared, *(found.parts for found in probed if found)])
        cut: list[tuple[Range, int]] = []
        for (part, parent), found in zip(pending, probed, strict=True):
            if found is not None and found.selected <= most:
                done.append(Planned(part, found.selected, found.selected * size.rows, size))
                continue
            smaller = cuts(part, pieces_for(found, parent, max(1, most)))
            # A granule in each of many parts, however few its rows, or a single name: only
            # the rows the granules hold tell whether it fits.
            if found is not None and (floor(found, most) or not smaller):
                rows = exact_rows(asker, scan, part)
                if rows <= half or (not smaller and rows <= cap):
                    done.append(Planned(part, found.selected, rows, size))
                    continue
            if not smaller:
                raise too_big(asker, scan, part, limits)
            cut += [(piece, found.selected - found.parts if found else 0) for piece in smaller]
        pending = cut
    return join(asker, scan, sorted(done, key=lambda item: item.range.low), most, half, shared)


def join(
    asker: Prober, scan: Planning, pieces: list[Planned], most: int, half: int, shared: int
) -> list[Planned]:
    """Neighbours joined as far as the granules they may share allow, every join checked in
    one plan per round (or shown small by its ranges' rows together); a join that reads more
    is tried again as two halves."""
    planned: list[Planned] = []
    pending = grouped(pieces, most, half, shared)
    while pending:
        planned += [group[0] for group in pending if len(group) == 1]
        pending = [group for group in pending if len(group) > 1]
        found = probe(asker, scan, [joined(group).range for group in pending])
        halves: list[list[Planned]] = []
        for group, granules in zip(pending, found, strict=True):
            if granules is not None and granules.selected <= most:
                planned.append(joined(group, granules.selected))
            elif rows_of(group) <= half:
                planned.append(joined(group))
            elif (rows := floor_rows(asker, scan, joined(group).range, granules, most)) <= half:
                planned.append(joined(group, granules.selected if granules else 0, rows))
            else:
                middle = len(group) // 2
                halves += [group[:middle], group[middle:]]
        pending = halves
    return sorted(planned, key=lambda item: item.range.low)
