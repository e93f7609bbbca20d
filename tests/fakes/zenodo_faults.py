"""Failures the Zenodo stand-in can be told to show, one queue per route.

A fault meets the next call of its route (or of any route, for route "*"):
  - "429": refused with Retry-After (seconds) and X-RateLimit-* headers, nothing done;
  - "500": Zenodo's JSON error; "502", "503", "504": the load balancer's HTML page;
  - "reset": the connection closed without an answer (TCP reset); on an upload, after
    `read_bytes` of the body have arrived (half of it by default), so nothing is stored;
  - "slow": the answer comes `seconds` late (the request has taken effect by then);
  - "cut": the request takes effect, then its answer stops halfway (a proxy or a network
    that drops the connection mid-answer): the client has the headers and half the body.
With `after=True` the request takes effect first and only its answer is lost: a publish that
succeeded but whose client saw a reset, a 504 or a timeout.

A hold is the point where a test kills its client: the request takes effect, then its answer
waits until the test releases it (or the stand-in stops), the test knowing it was reached.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["429", "500", "502", "503", "504", "reset", "slow", "cut"]
KINDS: tuple[FaultKind, ...] = ("429", "500", "502", "503", "504", "reset", "slow", "cut")
ANY_ROUTE = "*"


@dataclass(frozen=True)
class Fault:
    kind: FaultKind
    after: bool = False
    retry_after: int = 1
    seconds: float = 0.0
    read_bytes: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault {self.kind!r}; one of {', '.join(KINDS)}")

    @property
    def status(self) -> int | None:
        return int(self.kind) if self.kind.isdigit() else None


class Hold:
    """One answer held back: that of the next call of `route` once calls of the routes
    `after` have come, in that order."""

    def __init__(self, route: str, after: tuple[str, ...] = ()) -> None:
        self.route, self._after = route, list(after)
        self.reached = threading.Event()  # set when the request has taken effect
        self._released = threading.Event()
        self._met = False

    def meets(self, route: str) -> bool:
        """Whether the call of `route` arriving now is the one held (called once per request,
        in the order they arrive)."""
        if self._met:
            return False
        if self._after:
            if route == self._after[0]:
                self._after.pop(0)
            return False
        self._met = route == self.route
        return self._met

    def wait(self) -> None:
        self.reached.set()
        self._released.wait()

    def release(self) -> None:
        self._released.set()


class Faults:
    """The queued faults, by route name, and the holds; thread-safe, each met once."""

    def __init__(self) -> None:
        self._queues: dict[str, deque[Fault]] = {}
        self._holds: list[Hold] = []
        self._lock = threading.Lock()

    def hold(self, hold: Hold) -> None:
        with self._lock:
            self._holds.append(hold)

    def take_hold(self, route: str) -> Hold | None:
        with self._lock:
            met = [hold for hold in self._holds if hold.meets(route)]
        return met[0] if met else None

    def release_holds(self) -> None:
        """Every answer held now or later is let go: the stand-in stops."""
        with self._lock:
            for hold in self._holds:
                hold.release()

    def add(self, route: str, fault: Fault, times: int = 1) -> None:
        with self._lock:
            self._queues.setdefault(route, deque()).extend([fault] * times)

    def take(self, route: str) -> Fault | None:
        with self._lock:
            for name in (route, ANY_ROUTE):
                queue = self._queues.get(name)
                if queue:
                    return queue.popleft()
        return None

    def pending(self) -> dict[str, int]:
        with self._lock:
            return {route: len(queue) for route, queue in self._queues.items() if queue}

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()
