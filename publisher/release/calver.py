"""CalVer tags as the release names them: `YYYY.MM` for a month, `YYYY.MM.N` for its Nth
correction, in the order they were released."""

import re
from collections.abc import Iterable
from functools import cache

TAG = re.compile(r"(\d{4})\.(\d{2})(?:\.([1-9]\d*))?")


def is_release_tag(tag: str) -> bool:
    return TAG.fullmatch(tag) is not None


@cache  # a site's build asks it of the same few hundred tags tens of thousands of times
def tag_order(tag: str) -> tuple[int, int, int]:
    """Sort key: 2026.10 < 2026.10.1 < 2026.10.2 < 2026.10.10 < 2026.11."""
    match = TAG.fullmatch(tag)
    if match is None:
        raise ValueError(f"{tag!r} is not a CalVer release tag")
    year, month, correction = match.groups()
    return int(year), int(month), int(correction or 0)


def month_of(tag: str) -> str:
    """The month's own tag: `2026.11` for `2026.11.2`."""
    year, month, _ = tag_order(tag)
    return f"{year}.{month:02d}"


def corrected_tag(tag: str, released: list[str]) -> str | None:
    """The version a correction corrects: the month's latest release before it."""
    if tag_order(tag)[2] == 0:
        return None
    earlier = [
        t for t in released if month_of(t) == month_of(tag) and tag_order(t) < tag_order(tag)
    ]
    return max(earlier, key=tag_order) if earlier else None


def previous_tag(tags: Iterable[str], tag: str) -> str | None:
    """The release "the previous month" of `tag` is: the latest correction of the nearest
    earlier month among `tags` (`2026.10.2` for `2026.11` and for `2026.11.1`), or None."""
    month = tag_order(tag)[:2]
    earlier = [t for t in tags if is_release_tag(t) and tag_order(t)[:2] < month]
    return max(earlier, key=tag_order) if earlier else None
