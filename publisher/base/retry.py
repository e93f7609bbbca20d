"""How a failure worth another try is tried again, for every server we ask (ClickHouse, Zenodo):
a few tries, a pause before each that doubles, the pause a server asks for (`Retry-After`)
when it asks, and when to give up. Each caller says which failures are worth another try by
raising `Transient`; the other rules are here, once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Retry:
    """How often, and how patiently, a transient failure is tried again."""

    attempts: int = 3
    backoff: float = 1.0  # seconds before the second try, doubled before each later one
    # No try starts later than this many seconds after the first began (None: no limit), so
    # that retries do not multiply a wait: a call ends within about twice the deadline.
    deadline: float | None = None
    longest_wait: float = 300.0  # a pause a server asks for beyond this is not waited for
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def delay(self, attempt: int, asked: float | None = None) -> float:
        """The pause after try `attempt` failed: what the server asked for, if it did."""
        return self.backoff * 2.0 ** (attempt - 1) if asked is None else asked

    def too_late(self, started: float, delay: float) -> bool:
        """Whether a try after `delay` more seconds would start past the deadline."""
        return self.deadline is not None and self.clock() + delay - started > self.deadline

    def gives_up(self, attempt: int, delay: float, started: float) -> bool:
        """Whether no try follows try `attempt`, whose pause would be `delay`: it was the
        last, the server asked for too long a wait, or the next would start too late."""
        return (
            attempt >= self.attempts or delay > self.longest_wait or self.too_late(started, delay)
        )

    def why_given_up(self, reason: str, delay: float) -> str:
        """A failure's reason, with the wait the server asked for when it was too long."""
        return f"{reason}, retry after {delay:g} s" if delay > self.longest_wait else reason


class Transient(Exception):
    """A failure worth another try; `wait` is the pause the server asked for, if any, and
    `cause` the failure as it was raised."""

    def __init__(
        self, reason: str, wait: float | None = None, cause: Exception | None = None
    ) -> None:
        super().__init__(reason)
        self.reason, self.wait, self.cause = reason, wait, cause


class GaveUp(Exception):
    """The last transient failure, after `attempts` tries; `reason` is its reason, with the
    wait the server asked for when that was too long."""

    def __init__(self, last: Transient, attempts: int, reason: str) -> None:
        super().__init__(reason)
        self.last, self.attempts, self.reason = last, attempts, reason


def retrying(call: Callable[[], T], retry: Retry, notify: Callable[[str], None] | None = None) -> T:
    """`call()`, tried again after each `Transient` it raises, until `retry` gives up
    (`GaveUp`); `notify` hears each failure and the pause before the next try."""
    started, attempt = retry.clock(), 1
    while True:
        try:
            return call()
        except Transient as failure:
            delay = retry.delay(attempt, failure.wait)
            if retry.gives_up(attempt, delay, started):
                reason = retry.why_given_up(failure.reason, delay)
                raise GaveUp(failure, attempt, reason) from None
            if notify is not None:
                next_try = f"{attempt + 1} of {retry.attempts}"
                notify(f"{failure.reason}; trying again in {delay:g} s ({next_try})")
            retry.sleep(delay)
            attempt += 1
