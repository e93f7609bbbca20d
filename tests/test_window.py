from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from publisher.base.days import parse_date
from publisher.base.errors import UsageError
from publisher.count.window import Window, window_ending
from publisher.release.month import release_tag

TODAY = date(2026, 11, 1)


def test_default_window_is_thirty_whole_days_ending_yesterday() -> None:
    window = window_ending(None, 30, TODAY)
    assert (window.start, window.end, window.days) == (date(2026, 10, 2), date(2026, 10, 31), 30)


def test_bounds_are_half_open_midnights_in_utc() -> None:
    window = window_ending(date(2026, 10, 31), 30, TODAY)
    assert window.start_timestamp.isoformat() == "2026-10-02T00:00:00+00:00"
    assert window.stop_timestamp.isoformat() == "2026-11-01T00:00:00+00:00"


@given(st.dates(date(2001, 1, 2), date(2099, 12, 30)), st.integers(1, 366))
def test_window_has_exactly_the_days_asked(end: date, days: int) -> None:
    window = window_ending(end, days, end + timedelta(days=1))
    assert window.days == days == len(window.dates())
    assert window.dates()[-1] == end
    assert window.stop_timestamp - window.start_timestamp == timedelta(days=days)


@pytest.mark.parametrize(
    ("end", "tag"),
    [
        (date(2026, 10, 31), "2026.11"),
        (date(2026, 12, 31), "2027.01"),
        (date(2027, 1, 15), "2027.01"),
        (date(2028, 2, 29), "2028.03"),
    ],
)
def test_tag_is_the_month_after_the_last_day(end: date, tag: str) -> None:
    assert release_tag(Window(end - timedelta(days=29), end)) == tag


@pytest.mark.parametrize("days", [0, 367, 400, -1])
def test_days_out_of_range(days: int) -> None:
    with pytest.raises(UsageError, match=f"--days {days} is out of range"):
        window_ending(None, days, TODAY)


def test_today_is_not_complete() -> None:
    with pytest.raises(
        UsageError, match="2026-11-01 is not a complete UTC day yet. Give 2026-10-31"
    ):
        window_ending(TODAY, 30, TODAY)


@pytest.mark.parametrize("text", ["2026-13-01", "yesterday", "2026-02-30", ""])
def test_bad_dates(text: str) -> None:
    with pytest.raises(UsageError, match="is not a date"):
        parse_date(text)
