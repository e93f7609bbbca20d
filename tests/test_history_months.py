"""Which months `top-pypi history` holds (issue 21 §1): named by the tag they have or would have
had, from the first month whose whole window the source holds to the month before the newest
one `publish` makes; a published month copied from its latest correction, never counted."""

from datetime import date

import pytest

from publisher.base.errors import UsageError
from publisher.history.months import (
    COUNT,
    check_range,
    first_from,
    history_months,
    month_window,
    newest_to,
    parse_month,
)


def test_a_month_is_the_window_of_the_release_rule() -> None:
    window = month_window("2019.04", 30)
    assert (window.start, window.end) == (date(2019, 3, 2), date(2019, 3, 31))
    february = month_window("2024.03", 30)  # a leap year's February is 29 days
    assert (february.start, february.end) == (date(2024, 1, 31), date(2024, 2, 29))
    year = month_window("2020.01", 365)
    assert (year.start, year.end) == (date(2019, 1, 1), date(2019, 12, 31))


@pytest.mark.parametrize(
    ("today", "newest"),
    [
        (date(2026, 12, 7), "2026.11"),
        (date(2026, 12, 1), "2026.11"),
        (date(2027, 1, 31), "2026.12"),
    ],
)
def test_to_defaults_to_the_month_before_the_one_publish_makes_now(
    today: date, newest: str
) -> None:
    assert newest_to(today) == newest


@pytest.mark.parametrize(
    ("first_day", "days", "first"),
    [
        (date(2016, 1, 1), 30, "2016.02"),  # 2016-01-02 to 01-31: held whole
        (date(2016, 1, 3), 30, "2016.03"),  # January's window starts 01-02: not whole
        (date(2016, 1, 31), 30, "2016.03"),  # 30 days up to 2016-02-29 start on 01-31
        (date(2016, 1, 1), 365, "2017.01"),
    ],
)
def test_from_defaults_to_the_first_month_held_whole(
    first_day: date, days: int, first: str
) -> None:
    assert first_from(first_day, days) == first
    assert month_window(first, days).start >= first_day


def test_a_published_month_is_copied_from_its_latest_correction_others_counted() -> None:
    published = ["2026.10", "2026.10.2", "2026.10.10", "2026.11", "v1.0", "2025.13"]
    months = history_months("2026.08", "2026.11", 30, published)
    assert [(m.tag, m.source) for m in months] == [
        ("2026.08", COUNT),
        ("2026.09", COUNT),
        ("2026.10", "2026.10.10"),
        ("2026.11", "2026.11"),
    ]
    across = history_months("2019.11", "2020.02", 30, [])
    assert [m.tag for m in across] == ["2019.11", "2019.12", "2020.01", "2020.02"]


@pytest.mark.parametrize(
    ("first", "last", "said"),
    [
        ("2016.01", "2016.05", "--from 2016.01 is before 2016.02, the first month"),
        ("2016.04", "2026.12", "--to 2026.12 is not a finished month"),
        ("2020.05", "2020.04", "--from 2020.05 is after --to 2020.04"),
    ],
)
def test_a_range_outside_the_source_is_refused_naming_the_bound(
    first: str, last: str, said: str
) -> None:
    with pytest.raises(UsageError) as raised:
        check_range(first, last, earliest="2016.02", newest="2026.11")
    assert said in str(raised.value)


@pytest.mark.parametrize(
    "text", ["2019.4", "2019.13", "2019-04", "2019.04.1", "", "\uff12\uff10\uff11\uff19.04"]
)
def test_a_month_option_takes_only_a_months_tag(text: str) -> None:
    with pytest.raises(UsageError) as raised:
        parse_month(text, "--from")
    assert f"--from {text!r} is not a month's tag" in str(raised.value)
