"""Ranges of project names that together cover every name, each small enough to be read whole.

ClickPy's tables are sorted by project first, so a query bounded to a range of names reads
only that range (the server's index prunes the rest), whatever its date filter. The ranges
partition the whole string space: the first starts at '' inclusive (ClickPy's unnamed project
'' and names starting with a digit are in it), each ends where the next starts, and the last
has no end. A range too big is cut into as many ranges of equal spans of names as the server's
index shows to be needed (`cuts`, planning.py), then neighbours are joined back while they are
still small enough together; an answer that still meets a limit is asked again in two halves.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from itertools import pairwise

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


def between(part: Range, share: float) -> str | None:
    """A name strictly inside `part`, about `share` of the way from its low end to its high
    one (as names are numbers, a character a digit); None when there is none to find."""
    for precision in PRECISIONS:
        low = digits(part.low, precision)
        high = BASE**precision if part.high is None else digits(part.high, precision)
        name = name_of(low + int((high - low) * share), precision)
        # Its shortest beginning still inside, for names a person can read in a plan.
        for end in range(1, len(name) + 1):
            if part.holds(name[:end]) and part.low != name[:end]:
                return name[:end]
    return None


def cuts(part: Range, pieces: int) -> list[Range]:
    """`part` cut into about `pieces` ranges of about equal spans of names, in order; none
    when it holds no name to cut at (a single name, or '' and what sorts below '-')."""
    ends = [part.low]
    for index in range(1, pieces):
        name = between(part, index / pieces)
        if name is not None and name > ends[-1]:
            ends.append(name)
    if len(ends) == 1:
        return []
    return [Range(low, high) for low, high in pairwise([*ends, part.high]) if low is not None]


def halves(part: Range) -> tuple[Range, Range] | None:
    found = cuts(part, 2)
    return (found[0], found[1]) if found else None


@dataclass(frozen=True)
class GranuleSize:
    """The most rows one granule of a table holds: its `index_granularity`, read from the
    server, or ClickHouse's default, assumed. Adaptive granularity only makes granules smaller,
    so granules times this is at least what a read of them reads."""

    rows: int
    read: bool

    def describe(self) -> str:
        how = "read from the table's settings" if self.read else "assumed: ClickHouse's default"
        return f"a granule holds at most {self.rows:,} rows ({how})"


@dataclass(frozen=True)
class Planned:
    """A range and the granules of rows the server's index selects to read it (ClickHouse
    reads whole granules), with the rows they hold at most (or exactly, where the index was
    asked for them), and the granules' size the plan assumed."""

    range: Range
    granules: int
    rows: int
    size: GranuleSize | None = None  # None: planned without a row limit


def grouped(planned: list[Planned], most: int, half: int, shared: int) -> list[list[Planned]]:
    """Neighbours grouped while they may read `most` granules or fewer together (past one in
    each part, when the table has many), or their rows together are `half` or fewer, so that
    the empty stretches of the name space cost no query of their own. Two neighbours may share
    up to `shared` granules (one per part of the table, where one range ends and the next
    starts): counted once."""
    groups: list[list[Planned]] = []
    for item in planned:
        group = [*groups[-1], item] if groups else []
        if group and (together(group, shared) <= most + per_part(shared) or rows_of(group) <= half):
            groups[-1].append(item)
        else:
            groups.append([item])
    return groups


def per_part(shared: int) -> int:
    """The granules a range may read past `most`, one in each of many parts (a freshly loaded
    table's small parts), and still be shown small, by its exact rows (planning.py)."""
    return shared if shared > 1 else 0


def rows_of(group: list[Planned]) -> int:
    return sum(item.rows for item in group)


def together(group: list[Planned], shared: int) -> int:
    """The granules a range of the group's ranges reads, each shared granule counted once."""
    read = [item.granules for item in group if item.granules]
    return max([*read, sum(read) - shared * (len(read) - 1), 0])


def joined(group: list[Planned], granules: int = 0, exact: int | None = None) -> Planned:
    """The group's ranges as one, reading `granules` (its rows, the fewer of what they hold
    and the sum of the group's: a range of several reads the granules of each, no more; or
    `exact`, as the server's index gave them)."""
    whole = Range(group[0].range.low, group[-1].range.high)
    size = group[0].size
    rows = rows_of(group) if exact is None else exact
    if size is not None and granules and exact is None:
        rows = min(rows, granules * size.rows)
    return Planned(whole, granules or sum(item.granules for item in group), rows, size)
