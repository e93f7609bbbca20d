"""The release rule: a release is N whole UTC days ending on a month's last day, tagged with the
month after (`2026.11` holds the days up to 2026-10-31).

A window ending mid-month would take the month's tag, and the right run afterwards would find
the month "already published" (issue 8). Pure: `today` is an input.
"""

from datetime import date, timedelta

from publisher.base.errors import UsageError
from publisher.count.window import Window

ONE_DAY = timedelta(days=1)


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    first_of_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_of_next - ONE_DAY


def is_month_end(day: date) -> bool:
    return (day + ONE_DAY).day == 1


def previous_month_end(today: date) -> date:
    """The default end of a release: a run on the 1st, or on the 3rd after a failure, publishes
    the same month."""
    return today.replace(day=1) - ONE_DAY


def month_ends_around(day: date, today: date) -> list[date]:
    """The complete month ends either side of `day` (at least the latest complete one)."""
    around = [previous_month_end(day), month_end(day)]
    complete = [end for end in around if end < today]
    return complete or [previous_month_end(today)]


def release_end(end: date | None, today: date, option: str = "--end-date") -> date:
    """The last day of the release window: `end` if it ends a month, by default the last day of
    the previous month; any other day is refused."""
    if end is None:
        return previous_month_end(today)
    if not is_month_end(end):
        ends = " or ".join(day.isoformat() for day in month_ends_around(end, today))
        raise UsageError(
            f"{option} {end.isoformat()} is not the last day of a month, and a release counts"
            " the days up to a month's end.",
            f"Give {ends}; `top-pypi collect` counts any window.",
        )
    return end


def release_tag(window: Window) -> str:
    """CalVer `YYYY.MM` of the day after the window: data to 2026-10-31 is `2026.11`."""
    after = window.end + ONE_DAY
    return f"{after.year}.{after.month:02d}"
