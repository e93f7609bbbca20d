"""A project's change of rank since the previous month, in words a screen reader says well:
"up 3", "down 12", "new" (not in the previous month's list), "same"."""

from dataclasses import dataclass

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
