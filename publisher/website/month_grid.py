"""A project page's earlier months (those before the detailed table) as a grid of years by
months: a row a year, newest first, a column a month, each cell the month's downloads (to
three digits: the exact count is in the month's files) and rank; an empty cell where the
project has no rank. Ten years of months are on each of 15,000 pages, so a cell is only its
two numbers, one above the other by the stylesheet: a history month (counted later, from the
history files) is marked by a class on its cell, or on its row where the whole year is
history months; a month not comparable with the others by `*`, its note under the grid.
Each release's folder and DOI are in the archive, which the grid's caption links. The header
row's cells need no `scope` (a header cell of a table's head is its column's), a year's cell
does: Chromium makes it a row header only when it says so.
"""

from collections.abc import Sequence
from typing import Protocol

from publisher.website.history_files import HistoryMonth, history_notes
from publisher.website.pages import MonthView, entry_month

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
HEAD = "".join(f"<th>{m}" for m in MONTHS)
MARK = "h"  # the class of a history month's cell (or of a year's row of them)


class Placed(Protocol):
    """A project in one month (project.Point)."""

    @property
    def entry(self) -> MonthView | HistoryMonth: ...
    @property
    def rank(self) -> int | None: ...
    @property
    def downloads(self) -> int | None: ...


def notes(entry: MonthView | HistoryMonth) -> Sequence[str]:
    return history_notes(entry) if isinstance(entry, HistoryMonth) else entry.notes


def cell(point: Placed | None, mark: bool) -> str:
    """A month's cell: empty without a rank; `mark`: its history month is marked here."""
    if point is None:
        return "<td>"
    tag = f"<td class={MARK}>" if mark and isinstance(point.entry, HistoryMonth) else "<td>"
    if point.rank is None or point.downloads is None:
        return tag
    star = "*" if notes(point.entry) else ""
    return f"{tag}{rounded(point.downloads)} #{point.rank:,}{star}"


def rounded(number: int) -> str:
    """Three digits at most: 1.23B, 45.6M, 789k, 12."""
    near = float(f"{number:.3g}")
    for scale, suffix in ((10**9, "B"), (10**6, "M"), (10**3, "k")):
        if near >= scale:
            return f"{near / scale:.3g}{suffix}"
    return f"{near:.0f}"


def grid_rows(points: Sequence[Placed]) -> str:
    """The grid's rows, newest year first (`points` in any order, one a month)."""
    by_month: dict[tuple[int, int], Placed] = {}
    for point in points:
        by_month.setdefault(entry_month(point.entry), point)
    rows = []
    for year in sorted({year for year, _ in by_month}, reverse=True):
        months = [by_month.get((year, m)) for m in range(1, 13)]
        shown = [p for p in months if p is not None]
        whole = all(isinstance(p.entry, HistoryMonth) for p in shown)
        head = f"<tr class={MARK}>" if whole else "<tr>"
        cells = "".join(cell(p, not whole) for p in months)
        rows.append(f"{head}<th scope=row>{year}{cells}")
    return "".join(rows)


def any_history(points: Sequence[Placed]) -> bool:
    return any(isinstance(p.entry, HistoryMonth) for p in points)


def grid_notes(points: Sequence[Placed]) -> list[tuple[str, str]]:
    """(tag, why) of each month of the grid marked `*`, newest first as given."""
    return [(tag_of(p), "; ".join(notes(p.entry))) for p in points if p.rank and notes(p.entry)]


def tag_of(point: Placed) -> str:
    entry = point.entry
    return entry.month.tag if isinstance(entry, MonthView) else entry.tag
