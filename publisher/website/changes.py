"""A project's change of rank since the previous month, in words a screen reader says well:
"up 3", "down 12", "new" (not in the previous month's list), "same"; and which month, and
which ranks, a month is compared with."""

from dataclasses import dataclass
from typing import Any

from publisher.dataset.extended import PREVIOUS_RANK
from publisher.website.history import History, missing_months
from publisher.website.tags import Month

UP, DOWN, NEW, SAME = "up", "down", "new", "same"


@dataclass(frozen=True)
class Change:
    kind: str  # one of UP, DOWN, NEW, SAME: the CSS class that draws an arrow beside the words
    text: str


def change(rank: int, previous_rank: int | None) -> Change:
    if previous_rank is None:
        return Change(NEW, NEW)
    if previous_rank == rank:
        return Change(SAME, SAME)
    moved = previous_rank - rank
    return Change(UP, f"up {moved:,}") if moved > 0 else Change(DOWN, f"down {-moved:,}")


def recorded_previous(month: Month) -> dict[str, Any] | None:
    """The previous month the extended files were made against (`previous`), if any: their
    `previous_rank` came from its every project, where the site sees only its rows."""
    extended = month.extended
    return extended.get("previous") if extended is not None else None


def previous_ranks(history: History, month: Month) -> dict[str, int | None] | None:
    """Project -> its rank the month before, for the change column: the extended rows'
    `previous_rank` where the month recorded its previous month, else the ranks in the rows
    of the previous published month; None when there is nothing to compare with."""
    if recorded_previous(month) is not None and month.extended is not None:
        return {row["project"]: row.get(PREVIOUS_RANK) for row in month.extended["rows"]}
    previous = history.previous(month)
    return dict(history.ranks[previous.tag]) if previous is not None else None


def comparison(history: History, month: Month) -> dict[str, Any] | None:
    recorded = recorded_previous(month)
    if recorded is not None:
        tag = recorded.get("tag") or f"{recorded['period']['start']} to {recorded['period']['end']}"
        earlier = [m for m in history.published if m.tag == recorded.get("tag")]
        missing = missing_months(earlier[0], month) if earlier else []
        return {"tag": tag, "missing": missing}
    previous = history.previous(month)
    if previous is None:
        return None
    return {"tag": previous.tag, "missing": missing_months(previous, month)}
