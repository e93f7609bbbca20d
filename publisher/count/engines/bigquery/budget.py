"""Spending BigQuery's free quota honestly: what a query bills, what it costs, how much of the
window fits in what is left this month, and which days to sample when not all of it does.

Pure functions; the BigQuery engine measures (dry runs, metadata) and these decide.
"""

import math
from collections.abc import Callable
from datetime import date
from decimal import ROUND_UP, Decimal

from publisher.count.window import Window

MIB = 2**20
TIB = 2**40
MIN_BILLED = 10 * MIB  # per table referenced
PRICE_PER_TIB = Decimal("6.25")  # on-demand list price; pypinfo and the reference used $5


def billed_bytes(processed: int) -> int:
    """BigQuery bills whole MiB, and at least 10 MiB for a table it reads."""
    return max(MIN_BILLED, math.ceil(processed / MIB) * MIB) if processed > 0 else 0


def cost(billed: int) -> str:
    """Dollars at the list price, rounded up to cents, as the dataset's `estimated_cost`."""
    dollars = Decimal(billed) / TIB * PRICE_PER_TIB
    return str(dollars.quantize(Decimal("0.01"), rounding=ROUND_UP))


def allowance(budget: int, billed_this_month: int | None) -> int:
    """What this run may bill: the budget less what the month has billed already."""
    return max(0, budget - (billed_this_month or 0))


def largest_fit(measure: Callable[[int], int], most: int, allowed: int) -> int:
    """The largest k in 0..most with billed(measure(k)) <= allowed; measure grows with k.

    Binary search: each probe is a free dry run, and there are at most ~9 for 366 days.
    """
    low, high = 0, most
    while low < high:
        middle = (low + high + 1) // 2
        if billed_bytes(measure(middle)) <= allowed:
            low = middle
        else:
            high = middle - 1
    return low


def recent_days(window: Window, k: int) -> Window:
    """The most recent k whole days of the window (the `shrink` policy)."""
    return Window(window.dates()[-k], window.end)


def weekday_quotas(k: int) -> dict[int, int]:
    """How many of k sampled days fall on each weekday (0 = Monday): as even as possible,
    the extra days spread around the week rather than bunched at its start."""
    base, extra = divmod(k, 7)
    favoured = {math.floor(i * 7 / extra) for i in range(extra)} if extra else set()
    return {weekday: base + (weekday in favoured) for weekday in range(7)}


def spread_days(window: Window, k: int) -> list[date]:
    """k days of the window for the `sample` policy: spread evenly over the window and
    balanced across weekdays, so neither a trend nor the weekly rhythm skews the estimate.

    Each of k evenly spaced positions takes the nearest free day whose weekday still has room
    in its quota; a quota a short window cannot fill passes its room to any weekday."""
    days = window.dates()
    if k >= len(days):
        return days
    quotas = weekday_quotas(k)
    chosen: set[date] = set()
    for i in range(k):
        position = (i + 0.5) * len(days) / k - 0.5
        by_distance = sorted(days, key=lambda d: (abs(days.index(d) - position), d))
        free = [d for d in by_distance if d not in chosen]
        fitting = [d for d in free if quotas[d.weekday()] > 0]
        pick = (fitting or free)[0]
        quotas[pick.weekday()] -= 1
        chosen.add(pick)
    return sorted(chosen)


def scale(count: int, days: int, sampled: int) -> int:
    """A sampled count scaled to the whole window (N/k), rounded half up."""
    return int((Decimal(count) * days / sampled).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
