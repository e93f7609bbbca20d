"""What the ClickHouse stand-in has answered, to answer the same request again without asking
chDB: tests ask the same statements over the same tables again and again (every example of a
property under another row limit, every count of the same window), and chDB spends most of a
query analysing its statement.

An answer is given again only where running the request would give the same one, summary
included (rows read, rows to read): the same statement, bound values and settings, over
tables not written since, reading no system table and calling no function of the clock or of
chance. One setting may differ, the row limit (`max_rows_to_read`), and only where it cannot
have touched the answer: ClickHouse stops a read (`break`) or refuses it (`throw`) only when
its rows read or to read exceed the limit (`SizeLimits::check`: rows > max), so an answer read
whole within both limits is the one either gives. A plan (`EXPLAIN`) reads nothing: the row
limit only refuses it in mode `throw`, when its index selects more rows; in mode `break` it is
the same plan under any limit. A time limit measured on this machine is never answered from
memory: whether a query meets it depends on the machine's load.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

READ_LIMIT, READ_MODE, TIME_LIMIT = "max_rows_to_read", "read_overflow_mode", "max_execution_time"
_NOT_REPEATABLE = re.compile(
    r"\bsystem\s*\.|\b(?:now\w*|today|yesterday|rand\w*|generateUUID\w*|currentUser|queryID"
    r"|version|uptime|timezone)\s*\(",
    re.I,
)
_EXPLAIN = re.compile(r"^\s*EXPLAIN\b", re.I)

Key = tuple[str, str, frozenset[tuple[str, str]], frozenset[tuple[str, str]]]


@dataclass(frozen=True)
class Answered:
    """A query's answer and what the server says of it: the numbers of X-ClickHouse-Summary,
    the time as measured, and the tables' state it was read from (`generation`)."""

    body: bytes
    read_rows: int
    read_bytes: int
    written_rows: int
    written_bytes: int
    rows_to_read: int
    result_rows: int
    result_bytes: int
    measured_ns: int
    generation: int

    @classmethod
    def of(cls, result: Any, rows_to_read: int, generation: int) -> Answered:
        """From a chDB result: its `rows_read`/`bytes_read` describe the result, its
        `storage_*` counters are what was read."""
        return cls(
            body=bytes(result.bytes()),
            read_rows=int(result.storage_rows_read()),
            read_bytes=int(result.storage_bytes_read()),
            written_rows=int(result.rows_written()),
            written_bytes=int(result.bytes_written()),
            rows_to_read=rows_to_read,
            result_rows=int(result.rows_read()),
            result_bytes=int(result.bytes_read()),
            measured_ns=int(result.elapsed() * 1e9),
            generation=generation,
        )

    def summary(self, elapsed_ns: int) -> str:
        """`X-ClickHouse-Summary` as clickhouse-server writes it, every number as a string.
        Rows to read are what the server planned to read (its index analysis, in its
        progress), so a cut read shows fewer rows read than to read."""
        values = {
            "read_rows": self.read_rows,
            "read_bytes": self.read_bytes,
            "written_rows": self.written_rows,
            "written_bytes": self.written_bytes,
            "total_rows_to_read": self.rows_to_read,
            "result_rows": self.result_rows,
            "result_bytes": self.result_bytes,
            "elapsed_ns": elapsed_ns,
        }
        return json.dumps({k: str(v) for k, v in values.items()}, separators=(",", ":"))


def row_limit(settings: Mapping[str, str]) -> int:
    return int(settings.get(READ_LIMIT) or 0)


def within(rows: int, limit: int) -> bool:
    return not limit or rows <= limit


def same_answer(kept: Answered, kept_limit: int, limit: int, explain: bool, mode: str) -> bool:
    """Whether a request under row limit `limit` is answered as the one kept, asked under
    `kept_limit` with every other setting the same (`mode` the overflow mode)."""
    if kept_limit == limit:
        return True
    if explain:
        return mode == "break"
    most = max(kept.read_rows, kept.rows_to_read)
    whole = kept.read_rows == kept.rows_to_read
    return whole and within(most, kept_limit) and within(most, limit)


@dataclass
class Memory:
    """The answers kept, by request (off: none kept, every request run)."""

    on: bool = True
    answers: dict[Key, tuple[int, Answered]] = field(default_factory=dict)
    recalled: int = 0  # answers given from memory

    def key(
        self,
        sql: str,
        fmt: str,
        bound: Mapping[str, str],
        settings: Mapping[str, str],
        clocked: bool,
    ) -> Key | None:
        """The request's key, or None when its answer may not be given again (`clocked`: a
        time limit is measured on this machine's clock)."""
        if not self.on or _NOT_REPEATABLE.search(sql) or (clocked and TIME_LIMIT in settings):
            return None
        others = frozenset((k, v) for k, v in settings.items() if k != READ_LIMIT)
        return sql, fmt, frozenset(bound.items()), others

    def recall(
        self, key: Key | None, settings: Mapping[str, str], generation: int
    ) -> Answered | None:
        """The answer kept for the request, if running it would give the same."""
        kept = self.answers.get(key) if key is not None else None
        if kept is None or kept[1].generation != generation:
            return None
        explain = bool(_EXPLAIN.match(key[0])) if key is not None else False
        mode = settings.get(READ_MODE, "throw")
        if not same_answer(kept[1], kept[0], row_limit(settings), explain, mode):
            return None
        self.recalled += 1
        return kept[1]

    def keep(self, key: Key | None, settings: Mapping[str, str], answered: Answered) -> None:
        if key is not None:
            self.answers[key] = (row_limit(settings), answered)
