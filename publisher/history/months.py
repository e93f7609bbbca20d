"""Which months the history holds and where each one's rows come from. Pure: the published
tags, the first whole day the source holds and today are inputs.

A month is named by the tag it has or would have had (the release rule): `2019.04` is the window
of `days` days ending 2019-03-31. A month with a published tag takes the rows of its latest
correction, copied, never counted again; any other month is counted.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from publisher.base.errors import UsageError
from publisher.count.window import Window
from publisher.release.calver import is_release_tag, month_of, tag_order
from publisher.release.month import previous_month_end, release_tag

MONTH = re.compile(r"([0-9]{4})\.(0[1-9]|1[0-2])")
COUNT = "count"


@dataclass(frozen=True)
class HistoryMonth:
    tag: str
    window: Window
    source: str  # COUNT, or the published tag whose rows are copied


def parse_month(text: str, option: str) -> str:
    if MONTH.fullmatch(text) is None:
        raise UsageError(
            f"{option} {text!r} is not a month's tag.", "Give it as YYYY.MM, e.g. 2019.04."
        )
    return text


def month_window(tag: str, days: int) -> Window:
    """The `days` days ending the last day of the month before `tag`'s."""
    year, month, _ = tag_order(tag)
    end = date(year, month, 1) - timedelta(days=1)
    return Window(start=end - timedelta(days=days - 1), end=end)


def next_month(tag: str) -> str:
    year, month, _ = tag_order(tag)
    return f"{year + month // 12}.{month % 12 + 1:02d}"


def months_from(first: str, last: str) -> list[str]:
    tags, tag = [], first
    while tag_order(tag) <= tag_order(last):
        tags.append(tag)
        tag = next_month(tag)
    return tags


def newest_to(today: date) -> str:
    """The month before the newest month a publish would make today: that one is `publish`'s."""
    end = previous_month_end(previous_month_end(today))
    return release_tag(Window(start=end, end=end))


def first_from(first_day: date, days: int) -> str:
    """The first month whose whole window the source holds."""
    tag = release_tag(Window(start=first_day, end=first_day))
    while month_window(tag, days).start < first_day:
        tag = next_month(tag)
    return tag


def latest_corrections(published: list[str]) -> dict[str, str]:
    """Each published month's latest tag: `2026.10.2` for 2026.10."""
    latest: dict[str, str] = {}
    for tag in sorted((t for t in published if is_release_tag(t)), key=tag_order):
        latest[month_of(tag)] = tag
    return latest


def check_range(first: str, last: str, earliest: str, newest: str) -> None:
    if tag_order(first) < tag_order(earliest):
        raise UsageError(
            f"--from {first} is before {earliest}, the first month whose whole window the"
            " source holds.",
            f"Give --from {earliest} or later.",
        )
    if tag_order(last) > tag_order(newest):
        raise UsageError(
            f"--to {last} is not a finished month before the one `publish` makes now.",
            f"Give --to {newest} or earlier; `top-pypi publish` makes the newest month.",
        )
    if tag_order(first) > tag_order(last):
        raise UsageError(f"--from {first} is after --to {last}.", "Give --from before --to.")


def history_months(first: str, last: str, days: int, published: list[str]) -> list[HistoryMonth]:
    """Every month from `first` to `last`, oldest first, with where its rows come from."""
    copied = latest_corrections(published)
    return [
        HistoryMonth(tag, month_window(tag, days), copied.get(tag, COUNT))
        for tag in months_from(first, last)
    ]
