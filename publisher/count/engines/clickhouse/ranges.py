"""Ranges of project names that together cover every name, each small enough to be read whole.

ClickPy's tables are sorted by project first, so a query bounded to a range of names reads
only that range (the server's index prunes the rest), whatever its date filter. The ranges
partition the whole string space: the first starts at '' inclusive (ClickPy's unnamed project
'' and names starting with a digit are in it), each ends where the next starts, and the last
has no end. A range is split at a name half-way between its ends until the server's own
estimate of what it would read (EXPLAIN ESTIMATE) is small enough, then neighbours are joined
back while their estimates together still are.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

# Names are split on the characters of PyPI's normalized project names (and one above them),
# so that no split is spent between names nobody has; any other name still falls in exactly
# one range, since the ranges' ends are compared as ClickHouse compares them.
CHARACTERS = "-.0123456789_abcdefghijklmnopqrstuvwxyz~"
BASE = len(CHARACTERS) + 1  # the digits of a name, 0 marking its end
PRECISIONS = (4, 8, 16, 32, 64)  # characters considered when looking for a name in between


@dataclass(frozen=True)
class Range:
    """Names from `low` (inclusive) to `high` (exclusive; None: no end)."""

    low: str = ""
    high: str | None = None

    def holds(self, name: str) -> bool:
        return self.low <= name and (self.high is None or name < self.high)

    def describe(self) -> str:
        end = repr(self.high) if self.high is not None else "the last name"
        return f"names from {self.low!r} up to {end}"


EVERY_NAME = Range()


def digits(name: str, precision: int) -> int:
    value = 0
    for index in range(precision):
        digit = 0 if index >= len(name) else bisect_left(CHARACTERS, name[index]) + 1
        value = value * BASE + min(digit, BASE - 1)
    return value


def name_of(value: int, precision: int) -> str:
    """The name of `value`'s digits, up to its first 0 (where a name ends)."""
    found: list[int] = []
    for _ in range(precision):
        value, digit = divmod(value, BASE)
        found.append(digit)
    characters = []
    for digit in reversed(found):
        if not digit:
            break
        characters.append(CHARACTERS[digit - 1])
    return "".join(characters)


def midpoint(part: Range) -> str | None:
    """A name strictly inside `part`, about half-way; None when there is none to find."""
    for precision in PRECISIONS:
        low = digits(part.low, precision)
        high = BASE**precision if part.high is None else digits(part.high, precision)
        name = name_of((low + high) // 2, precision)
        # Its shortest beginning still inside, for names a person can read in a plan.
        for end in range(1, len(name) + 1):
            if part.holds(name[:end]) and part.low != name[:end]:
                return name[:end]
    return None


def halves(part: Range) -> tuple[Range, Range] | None:
    middle = midpoint(part)
    if middle is None:
        return None
    return Range(part.low, middle), Range(middle, part.high)


Estimate = Callable[[Range], int]


@dataclass(frozen=True)
class Planned:
    """A range and the rows the server estimates a query of it reads."""

    range: Range
    rows: int


def split(
    estimate: Estimate, target: int, cap: int = 0, whole: Range = EVERY_NAME
) -> list[Planned]:
    """Ranges covering `whole` in order, each estimated at `target` rows or fewer unless it
    cannot be split: it holds a single name, or as few rows as the smallest range estimated
    (the server's index counts whole granules of rows, so no query reads less)."""
    done: list[Planned] = []
    pending = [Planned(whole, estimate(whole))]
    least = 0  # the fewest rows a range was estimated at, once one was split
    while pending:
        current = pending.pop()
        parts = halves(current.range) if target and current.rows > max(target, least) else None
        if parts is None:
            done.append(current)
            continue
        first, second = (Planned(part, estimate(part)) for part in parts)
        least = min([least, *(item.rows for item in (first, second) if item.rows)])
        if cap and least > cap:  # no query reads less than the least range: none can pass
            return [next(item for item in (first, second) if item.rows == least)]
        if min(first.rows, second.rows) >= current.rows:  # no smaller: the index cannot tell
            done.append(current)
            continue
        pending += [second, first]
    return join(done, target, estimate)


def join(planned: list[Planned], target: int, estimate: Estimate) -> list[Planned]:
    """Neighbours joined while the server estimates them together within `target`, so that
    the empty stretches of the name space and the splits inside one granule cost no query of
    their own."""
    joined: list[Planned] = []
    for item in planned:
        if joined and (not target or joined[-1].rows + item.rows <= target):
            whole = Range(joined[-1].range.low, item.range.high)
            joined[-1] = Planned(whole, joined[-1].rows + item.rows)
            continue
        if joined and item.rows <= target:
            whole = Range(joined[-1].range.low, item.range.high)
            rows = estimate(whole)
            if rows <= target:
                joined[-1] = Planned(whole, rows)
                continue
        joined.append(item)
    return joined
