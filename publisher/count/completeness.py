"""Is every day of the window there, and none suspiciously small? One rule for every engine.

Sources stall: PyPI's log pipeline and ClickPy have both lost or delayed whole days. A day is
suspicious when it has fewer than half the rows of the median of the window's days that fall
on the same weekday (weekends are naturally lower), or of all the window's days when fewer than
two days share its weekday.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from statistics import median

from publisher.base.errors import IncompleteDataError
from publisher.count.window import Window

SHOWN_DAYS = 8


@dataclass(frozen=True)
class BadDay:
    day: date
    rows: int  # 0 when missing
    expected: float  # the median it was compared with; 0 when missing

    def describe(self) -> str:
        if self.rows == 0:
            return f"{self.day} missing"
        return f"{self.day} has {self.rows:,} rows (median {self.expected:,.0f})"


def peers(day: date, present: Mapping[date, int]) -> list[int]:
    same_weekday = [n for d, n in present.items() if d.weekday() == day.weekday()]
    return same_weekday if len(same_weekday) >= 2 else list(present.values())


def find_bad_days(rows_per_day: Mapping[date, int], window: Window) -> list[BadDay]:
    """The window's days that are missing or below half their peers' median, in date order."""
    present = {d: n for d, n in rows_per_day.items() if n > 0 and window.start <= d <= window.end}
    bad = []
    for day in window.dates():
        if day not in present:
            bad.append(BadDay(day, 0, 0.0))
            continue
        expected = median(peers(day, present))
        if present[day] < expected / 2:
            bad.append(BadDay(day, present[day], expected))
    return bad


def describe_bad_days(bad: list[BadDay]) -> str:
    if not bad:
        return "every day present, none suspiciously small"
    shown = "; ".join(b.describe() for b in bad[:SHOWN_DAYS])
    more = f"; and {len(bad) - SHOWN_DAYS} more" if len(bad) > SHOWN_DAYS else ""
    return f"{len(bad)} bad day(s): {shown}{more}"


def check_complete(rows_per_day: Mapping[date, int], window: Window, allow: bool) -> list[BadDay]:
    """Refuse an incomplete window unless allowed; return the bad days either way."""
    bad = find_bad_days(rows_per_day, window)
    if bad and not allow:
        raise IncompleteDataError(
            f"The window {window.start} to {window.end} is incomplete: {describe_bad_days(bad)}.",
            "Wait for the source to catch up, choose another --end-date, "
            "or count anyway with --allow-incomplete.",
        )
    return bad


def incomplete_fields(bad: list[BadDay]) -> dict[str, list[str]]:
    """The `engine` block's record of days counted although bad (with --allow-incomplete)."""
    return {"incomplete_days": [b.day.isoformat() for b in bad]} if bad else {}
