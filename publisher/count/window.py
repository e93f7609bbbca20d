"""The counting window: exactly N whole UTC days.

Time is an input: `publisher.base.clock` is the one place that reads the clock.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from publisher.base.days import check_days
from publisher.base.errors import UsageError


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


def window_ending(end: date | None, days: int, today: date, option: str = "--end-date") -> Window:
    """The `days` whole days up to and including `end`; by default yesterday, the last whole day.
    `option` names where `end` came from (the option or its variable)."""
    check_days(days)
    last_complete = today - timedelta(days=1)
    end = last_complete if end is None else end
    if end > last_complete:
        raise UsageError(
            f"{option} {end.isoformat()} is not a complete UTC day yet.",
            f"Give {last_complete.isoformat()} or earlier.",
        )
    return Window(start=end - timedelta(days=days - 1), end=end)
