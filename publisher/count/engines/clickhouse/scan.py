"""One table read in ranges of project names, every range's answer proven whole.

The ranges are planned from the server's index (planning.py) to read about half the row limit
each at most. An answer that met a limit a smaller range may stay under (the rows to read, the
bytes of the answer, the clock) is asked again in two halves; any other answer not proven
whole stops the run (proof.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from publisher.base.errors import EngineError
from publisher.base.progress import Progress
from publisher.count.engines.clickhouse import planning
from publisher.count.engines.clickhouse.answers import NOTHING_READ, Answer, Read
from publisher.count.engines.clickhouse.failures import WHAT_TO_DO, NotProven, TooBig
from publisher.count.engines.clickhouse.limits import Limits
from publisher.count.engines.clickhouse.proof import prove, smaller_may_pass
from publisher.count.engines.clickhouse.queries import TABLES, range_values, ranged
from publisher.count.engines.clickhouse.ranges import Planned, Range, halves


class Asker(Protocol):
    """How the scan reaches the server (the engine's client, retries and errors)."""

    @property
    def where(self) -> str: ...

    def estimate(self, sql: str, values: dict[str, Any]) -> int: ...

    def explain(self, sql: str, values: dict[str, Any]) -> str: ...

    def answer(self, sql: str, values: dict[str, Any], what: str) -> Answer: ...


@dataclass(frozen=True)
class Scan:
    """A ranged query: its template, the values bound besides the range, its answer's shape."""

    template: str
    values: dict[str, Any]
    schema: pa.Schema
    what: str  # what it counts, for messages: "the count"

    @property
    def table(self) -> str:
        return TABLES[self.template]

    def sql(self, part: Range) -> str:
        return ranged(self.template, part)

    def bound(self, part: Range) -> dict[str, Any]:
        return self.values | range_values(part)

    def describe(self, part: Range) -> str:
        return f"{self.what} of {self.table} for {part.describe()}"


@dataclass(frozen=True)
class Scanned:
    """Each range's answer, in name order, and what reading them all took."""

    parts: list[tuple[Range, pa.Table]]
    read: Read


def plan(asker: Asker, scan: Scan, limits: Limits) -> list[Planned]:
    """The ranges to read, each small enough under the row limit (planning.py)."""
    return planning.plan(asker, scan, limits)


def run(
    asker: Asker, scan: Scan, limits: Limits, planned: list[Planned], progress: Progress
) -> Scanned:
    pending = deque(item.range for item in planned)
    parts: list[tuple[Range, pa.Table]] = []
    read, done = NOTHING_READ, 0
    while pending:
        part = pending.popleft()
        progress(f"Counting in {scan.table}: range {done + 1} of {done + len(pending) + 1}")
        try:
            answer = asker.answer(scan.sql(part), scan.bound(part), scan.describe(part))
        except TooBig:
            answer = None
        if answer is not None:
            read += answer.read
        retry = answer is None or smaller_may_pass(answer.read, limits)
        smaller = halves(part) if retry else None
        if smaller is not None:
            pending.extendleft(reversed(smaller))
            continue
        if answer is None:
            raise NotProven(
                f"{asker.where}: {scan.describe(part)} is too big to answer.", WHAT_TO_DO
            )
        prove(answer.read, limits, answer.table.num_rows, asker.where, scan.describe(part))
        parts.append((part, answer.table))
        done += 1
    return Scanned(parts, read)


def flatten(tables: list[pa.Table], names: dict[str, str]) -> pa.Table:
    """The ranges' one-row answers as one table, a row per element, columns renamed."""
    if not tables:
        return pa.table({new: pa.array([]) for new in names.values()})
    joined = pa.concat_tables(tables)
    return pa.table({new: pc.list_flatten(joined.column(old)) for old, new in names.items()})


def either(call: Callable[[], Scanned]) -> Scanned | EngineError:
    """The scan, or why it could not be proven whole."""
    try:
        return call()
    except NotProven as reason:
        return reason
