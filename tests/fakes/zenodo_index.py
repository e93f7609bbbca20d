"""The depositions list of the Zenodo stand-in is a search index, as Zenodo's is: a change
(a new draft, its metadata, its publication, its deletion) shows there only some seconds after
it was made, while the deposition itself (`GET .../depositions/{id}`) is current at once.

The lag is counted in requests, not in seconds, so that tests never depend on the machine's
speed: a change made while the stand-in answers request k is listed from request k + lag + 1
on; until then the list shows the deposition as it was before (or not at all, if it is new).
`settle()` is "some seconds later": everything listed as it is now.
"""

from __future__ import annotations

from typing import Any

View = dict[str, Any]


class SearchIndex:
    def __init__(self, lag: int, views: dict[int, View]) -> None:
        self.lag = lag
        self.requests = 0  # requests received so far
        self._seen = dict(views)  # every deposition as it was at the last request
        self._pending: dict[int, tuple[int, View | None]] = {}  # id -> (due, what is listed)

    def request(self, views: dict[int, View]) -> None:
        """A request arrives: `views` is every deposition now. Changes since the last request
        are noted, each listed `lag` requests later."""
        self.requests += 1
        for dep_id in set(views) | set(self._seen):
            before, now = self._seen.get(dep_id), views.get(dep_id)
            if before == now:
                continue
            listed = self._pending.get(dep_id, (0, before))[1]
            self._pending[dep_id] = (self.requests - 1 + self.lag, listed)
        self._seen = dict(views)

    def listed(self) -> list[View]:
        """The depositions as the index has them now, oldest first."""
        shown: list[View] = []
        for dep_id in sorted(set(self._seen) | set(self._pending)):
            due, listed = self._pending.get(dep_id, (0, self._seen.get(dep_id)))
            if self.requests > due:
                self._pending.pop(dep_id, None)
                listed = self._seen.get(dep_id)
            if listed is not None:
                shown.append(listed)
        return shown

    def settle(self, views: dict[int, View]) -> None:
        self._seen, self._pending = dict(views), {}
