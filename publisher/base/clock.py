"""The clock: the one function that reads the time. Everywhere else, time is an input."""

from datetime import UTC, datetime


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
