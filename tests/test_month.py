"""The release rule's month arithmetic, with the clock as an input: January and December,
leap years, the 1st and the last of a month."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.base.errors import UsageError
from publisher.release.month import (
    is_month_end,
    month_end,
    previous_month_end,
    release_end,
)


@pytest.mark.parametrize(
    ("day", "end"),
    [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 2, 14), date(2026, 2, 28)),
        (date(2028, 2, 1), date(2028, 2, 29)),
        (date(2100, 2, 10), date(2100, 2, 28)),  # a century, not a leap year
        (date(2000, 2, 10), date(2000, 2, 29)),
        (date(2026, 4, 30), date(2026, 4, 30)),
        (date(2026, 12, 31), date(2026, 12, 31)),
    ],
)
def test_month_end(day: date, end: date) -> None:
    assert month_end(day) == end


@pytest.mark.parametrize(
    ("today", "end"),
    [
        (date(2026, 11, 1), date(2026, 10, 31)),  # the monthly job's moment
        (date(2026, 11, 3), date(2026, 10, 31)),  # a re-run after a failure: the same month
        (date(2026, 11, 30), date(2026, 10, 31)),
        (date(2027, 1, 1), date(2026, 12, 31)),  # across the year
        (date(2026, 12, 31), date(2026, 11, 30)),
        (date(2028, 3, 1), date(2028, 2, 29)),  # leap year
        (date(2027, 3, 15), date(2027, 2, 28)),
    ],
)
def test_default_end_is_the_previous_months_last_day(today: date, end: date) -> None:
    assert previous_month_end(today) == end
    assert release_end(None, today) == end


@settings(deadline=None)  # no timed assertion on a shared machine
@given(st.dates(date(2001, 1, 1), date(2099, 12, 31)))
def test_month_ends_are_the_days_before_a_first(day: date) -> None:
    assert is_month_end(day) == ((day + timedelta(days=1)).day == 1)
    assert is_month_end(month_end(day))
    assert month_end(day) >= day
    assert is_month_end(previous_month_end(day))
    assert previous_month_end(day) < day


@pytest.mark.parametrize(
    ("end", "today", "use"),
    [
        (date(2026, 10, 15), date(2026, 11, 1), "Give 2026-09-30 or 2026-10-31;"),
        (date(2026, 11, 25), date(2026, 11, 26), "Give 2026-10-31;"),  # November is not over
        (date(2027, 1, 5), date(2027, 2, 1), "Give 2026-12-31 or 2027-01-31;"),
        (date(2028, 2, 28), date(2028, 3, 1), "Give 2028-01-31 or 2028-02-29;"),
        (date(2027, 3, 1), date(2026, 11, 1), "Give 2026-10-31;"),  # in the future
    ],
)
def test_another_end_is_refused_naming_the_month_ends(end: date, today: date, use: str) -> None:
    with pytest.raises(UsageError) as caught:
        release_end(end, today)
    text = str(caught.value)
    assert f"--end-date {end.isoformat()} is not the last day of a month" in text
    assert use in text
    assert "`top-pypi collect` counts any window" in text
    assert "\n" not in text


def test_a_month_end_is_taken_as_given() -> None:
    assert release_end(date(2026, 9, 30), date(2026, 11, 1)) == date(2026, 9, 30)
