"""Days as people type them: a date, and a number of days within bounds."""

from datetime import date

from publisher.base.errors import UsageError

MIN_DAYS = 1
MAX_DAYS = 366
DEFAULT_DAYS = 30
# The first day of `bigquery-public-data.pypi.file_downloads`: no date option goes earlier (and
# days near year 1 would overflow the window's arithmetic).
FIRST_DAY = date(2016, 1, 1)
# Since this day PyPI logs only .whl, .tar.gz and .zip downloads: counts across it differ.
LOGGING_CHANGE = date(2026, 8, 24)


def parse_date(text: str, option: str = "--end-date") -> date:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date.", "Give it as YYYY-MM-DD, e.g. 2026-10-31."
        ) from None
    if day < FIRST_DAY:
        raise UsageError(
            f"{option} {day} is before {FIRST_DAY}, the first day of PyPI's download data"
            " in BigQuery.",
            f"Give {FIRST_DAY} or later.",
        )
    return day


def check_days(days: int, option: str = "--days") -> int:
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise UsageError(
            f"{option} {days} is out of range.",
            f"Give a whole number of days from {MIN_DAYS} to {MAX_DAYS}.",
        )
    return days
