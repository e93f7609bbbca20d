"""Whether an answer is whole: no answer is used unless the server's own account of the query
shows it was neither cut short in its reading nor in its answer, nor stopped by the clock.

A public ClickHouse that meets a limit with overflow mode `break` answers with what it had,
HTTP 200, no warning. What it cannot hide is its summary: the rows it read short of the rows
its index said it would read. An empty answer needs the same proof.
"""

from __future__ import annotations

from publisher.count.engines.clickhouse.answers import Read
from publisher.count.engines.clickhouse.failures import WHAT_TO_DO, NotProven
from publisher.count.engines.clickhouse.limits import (
    RESULT_BYTES,
    RESULT_ROWS,
    SECONDS,
    Limits,
)

TIMED_OUT = 0.9  # of the time limit: a read cut this late met the clock


def cut_short(where: str, what: str, why: str) -> NotProven:
    return NotProven(f"{where} cut short {what}: {why}; nothing was written.", WHAT_TO_DO)


def shortfall(read: Read, limits: Limits, rows: int) -> str | None:
    """Why the answer may not be whole, or None when it is proven whole."""
    if not read.summarized:
        return "the answer came without the server's account of the rows it read"
    if read.rows != read.to_read:
        return f"it read {read.rows:,} of {read.to_read:,} rows ({limits.describe_reads()})"
    cap = limits.value(RESULT_ROWS)
    if cap and max(rows, read.result_rows) >= cap:
        return (
            f"its answer has {max(rows, read.result_rows):,} rows ({limits.describe(RESULT_ROWS)})"
        )
    cap = limits.value(RESULT_BYTES)
    if cap and read.result_bytes >= cap:
        return f"its answer has {read.result_bytes:,} bytes ({limits.describe(RESULT_BYTES)})"
    seconds = limits.value(SECONDS)
    if seconds and read.elapsed_ns >= seconds * 1e9:
        return f"it ran {read.elapsed_ns / 1e9:.1f} s ({limits.describe(SECONDS)})"
    return None


def smaller_may_pass(read: Read, limits: Limits) -> bool:
    """Whether the answer met a limit that a query of a smaller range may stay under: cut
    short with more rows to read than a query may read, whole but over the byte cap, or cut
    by the clock (the server's speed is not known beforehand)."""
    if not read.summarized:
        return False
    cap, seconds, rows = limits.value(RESULT_BYTES), limits.value(SECONDS), limits.rows_cap()
    if seconds and read.elapsed_ns >= seconds * 1e9 * TIMED_OUT:
        return True
    if read.rows < read.to_read and rows and read.to_read > rows:
        return True
    return read.rows == read.to_read and bool(cap) and read.result_bytes >= cap


def prove(read: Read, limits: Limits, rows: int, where: str, what: str) -> None:
    """Raise unless the answer (`rows` rows, `read` by the server) is proven whole."""
    why = shortfall(read, limits, rows)
    if why is not None:
        raise cut_short(where, what, why)
