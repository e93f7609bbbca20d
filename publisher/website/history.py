"""The published months as the site shows them: every publish tag for the archive, each
month's latest correction for history, and "the previous month" of any tag."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from publisher.base.errors import UsageError
from publisher.release.calver import month_of, previous_tag, tag_order
from publisher.website.tags import Month


@dataclass(frozen=True)
class History:
    """`published`: every publish tag in release order; `monthly`: each month's latest
    correction, oldest month first. The latest month is the last of `monthly`."""

    published: list[Month]
    monthly: list[Month] = field(init=False)

    def __post_init__(self) -> None:
        if not self.published:
            raise UsageError(
                "The repository has no publish tags (CalVer tags made by `top-pypi publish`).",
                "Publish a month first; tags made by hand are not shown.",
            )
        object.__setattr__(self, "monthly", latest_per_month(self.published))

    @property
    def latest(self) -> Month:
        return self.monthly[-1]

    @cached_property
    def ranks(self) -> dict[str, dict[str, int]]:
        """tag -> project -> rank (1 first), for every published tag, made once."""
        return {
            m.tag: {row["project"]: i for i, row in enumerate(m.rows, 1)} for m in self.published
        }

    def previous(self, month: Month) -> Month | None:
        """The previous published month, as the release finds it (`calver.previous_tag`)."""
        found = previous_tag(self.by_tag, month.tag)
        return None if found is None else self.by_tag[found]

    @cached_property
    def by_tag(self) -> dict[str, Month]:
        return {m.tag: m for m in self.published}


def latest_per_month(published: Sequence[Month]) -> list[Month]:
    by_month: dict[str, Month] = {}
    for month in sorted(published, key=lambda m: tag_order(m.tag)):
        by_month[month_of(month.tag)] = month  # a later correction replaces the earlier
    return sorted(by_month.values(), key=lambda m: m.month)


def month_index(month: tuple[int, int]) -> int:
    """Months counted from year 0, so that a gap between two months is a difference > 1."""
    year, number = month
    return year * 12 + number - 1


def missing_months(earlier: Month, later: Month) -> list[str]:
    """The calendar months between two published months that have no tag: `["2026.09"]`."""
    first, last = month_index(earlier.month), month_index(later.month)
    return [f"{i // 12}.{i % 12 + 1:02d}" for i in range(first + 1, last)]
