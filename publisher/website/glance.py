"""The home page's month at a glance: every download on PyPI per month (the extended files'
totals; a month released before them is a labelled gap), the biggest rank gains within the
top 1,000 and the highest new entrants to it. Pure: the months in, what the block shows out.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from publisher.website.chart import Chart, Frame, bar_chart
from publisher.website.tags import Month

TOP = 1000  # gains and entrants are about this many top projects
SHOWN = 10  # projects in each list


@dataclass(frozen=True)
class Move:
    name: str
    link: str | None  # its project page, from the site's top
    rank: int
    previous: int | None  # its rank the month before; None: not ranked then

    @property
    def gain(self) -> int:
        return (self.previous or self.rank) - self.rank


def movers(
    names: Sequence[str], before: Mapping[str, int | None], links: Mapping[str, str]
) -> tuple[list[Move], list[Move]]:
    """(gains, entrants) among the top TOP `names` (in rank order). A gain: a project in the
    top TOP both months that rose, the biggest rise (previous rank minus rank) first, ties by
    rank. An entrant: one not in the top TOP the month before, the best ranked first."""
    gains, entrants = [], []
    for rank, name in enumerate(names[:TOP], 1):
        previous = before.get(name)
        move = Move(name, links.get(name), rank, previous)
        if previous is None or previous > TOP:
            entrants.append(move)
        elif previous > rank:
            gains.append(move)
    gains.sort(key=lambda m: (-m.gain, m.rank))
    return gains[:SHOWN], entrants[:SHOWN]


def month_total(month: Month) -> int | None:
    """Every download of the month's period (unnamed projects too), when its files say."""
    extended = month.extended
    totals = extended.get("totals") if extended is not None else None
    downloads = totals.get("downloads") if isinstance(totals, dict) else None
    return downloads if isinstance(downloads, int) else None


def totals_chart(axis: Frame, months: Sequence[Month]) -> Chart:
    totals = [month_total(month) for month in months]
    return bar_chart(axis, totals, "Every download on PyPI per month", gaps=True)


def glance(
    axis: Frame,
    months: Sequence[Month],
    before: Mapping[str, int | None] | None,
    links: Mapping[str, str],
) -> dict[str, Any]:
    """The home page's block: the totals chart, and the movers of the latest month (None when
    there is no earlier month to compare with)."""
    latest = months[-1]
    names = [row["project"] for row in latest.rows[:TOP]]
    moved = movers(names, before, links) if before is not None else None
    return {
        "chart": totals_chart(axis, months),
        "gains": moved[0] if moved is not None else None,
        "entrants": moved[1] if moved is not None else None,
        "top": TOP,
        "shown": SHOWN,
    }
