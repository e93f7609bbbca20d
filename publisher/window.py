"""The counting window: exactly N whole UTC days, and the CalVer tag it is published under.

Time is an input everywhere else: `now_utc` is the one function that reads the clock.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from publisher.errors import UsageError

MIN_DAYS = 1
MAX_DAYS = 366
DEFAULT_DAYS = 30


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class Window:
    """The half-open interval [first day 00:00:00, last day + 1 00:00:00) in UTC."""

    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def start_timestamp(self) -> datetime:
        return datetime(self.start.year, self.start.month, self.start.day, tzinfo=UTC)

    @property
    def stop_timestamp(self) -> datetime:
        """The first instant after the window."""
        return self.start_timestamp + timedelta(days=self.days)

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(self.days)]


def parse_date(text: str, option: str = "--end-date") -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"{option} {text!r} is not a date.", "Give it as YYYY-MM-DD, e.g. 2026-10-31."
        ) from None


def check_days(days: int, option: str = "--days") -> int:
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise UsageError(
            f"{option} {days} is out of range.",
            f"Give a whole number of days from {MIN_DAYS} to {MAX_DAYS}.",
        )
    return days


def window_ending(end: date | None, days: int, today: date) -> Window:
    """The `days` whole days up to and including `end`; by default yesterday, the last whole day."""
    check_days(days)
    last_complete = today - timedelta(days=1)
    end = last_complete if end is None else end
    if end > last_complete:
        raise UsageError(
            f"--end-date {end.isoformat()} is not a complete UTC day yet.",
            f"Give {last_complete.isoformat()} or earlier.",
        )
    return Window(start=end - timedelta(days=days - 1), end=end)


def release_tag(window: Window) -> str:
    """CalVer `YYYY.MM` of the day after the window: data to 2026-10-31 is `2026.11`."""
    after = window.end + timedelta(days=1)
    return f"{after.year}.{after.month:02d}"
