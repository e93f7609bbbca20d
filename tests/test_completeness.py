from datetime import date, timedelta

import pytest

from publisher.base.errors import IncompleteDataError
from publisher.count.completeness import check_complete, find_bad_days
from publisher.count.window import Window

WINDOW = Window(date(2026, 10, 2), date(2026, 10, 31))


def weekly_rhythm(window: Window) -> dict[date, int]:
    """Weekdays 1000 rows, weekends 600: a weekend is low, but not suspicious."""
    return {d: 600 if d.weekday() >= 5 else 1000 for d in window.dates()}


def test_a_normal_month_is_complete() -> None:
    assert find_bad_days(weekly_rhythm(WINDOW), WINDOW) == []


def test_missing_and_zero_days_are_named() -> None:
    days = weekly_rhythm(WINDOW)
    del days[date(2026, 10, 7)]
    days[date(2026, 10, 20)] = 0
    bad = find_bad_days(days, WINDOW)
    assert [(b.day, b.rows) for b in bad] == [(date(2026, 10, 7), 0), (date(2026, 10, 20), 0)]


def test_a_day_below_half_its_weekdays_median_is_suspicious() -> None:
    days = weekly_rhythm(WINDOW)
    days[date(2026, 10, 14)] = 499  # a Wednesday: median of Wednesdays is 1000
    days[date(2026, 10, 22)] = 500  # a Thursday: exactly half is not below half
    bad = find_bad_days(days, WINDOW)
    assert [(b.day, b.rows, b.expected) for b in bad] == [(date(2026, 10, 14), 499, 1000)]


def test_a_saturday_is_compared_with_saturdays_not_weekdays() -> None:
    days = weekly_rhythm(WINDOW)
    days[date(2026, 10, 10)] = 400  # below half of weekdays' 1000, not below half of 600
    assert find_bad_days(days, WINDOW) == []


def test_short_window_compares_with_all_days() -> None:
    window = Window(date(2026, 10, 26), date(2026, 10, 30))  # Monday to Friday, one of each
    days = {d: 1000 for d in window.dates()}
    days[date(2026, 10, 28)] = 300
    assert [b.day for b in find_bad_days(days, window)] == [date(2026, 10, 28)]


def test_days_outside_the_window_do_not_count() -> None:
    days = weekly_rhythm(WINDOW)
    days[WINDOW.start - timedelta(days=1)] = 1
    days[WINDOW.end + timedelta(days=1)] = 10**9
    assert find_bad_days(days, WINDOW) == []


def test_refusal_lists_the_bad_days_unless_allowed() -> None:
    days = weekly_rhythm(WINDOW)
    del days[date(2026, 10, 7)]
    with pytest.raises(IncompleteDataError, match=r"2026-10-07 missing.*--allow-incomplete"):
        check_complete(days, WINDOW, allow=False)
    assert [b.day for b in check_complete(days, WINDOW, allow=True)] == [date(2026, 10, 7)]
