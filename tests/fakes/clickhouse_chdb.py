"""The ClickHouse stand-in's engine: one chDB connection on a folder, and what each query said
of its reads while it ran.

A server's `X-ClickHouse-Summary` is its query's progress at the end: `total_rows_to_read` is
what the index analysis planned to read, counted before the first block is read, so a read
cut short (`break`) still tells the rows it was to read. chDB is the same engine and reports
the same progress to a callback, each time the whole so far: the stand-in takes it from
there, as the server does, instead of asking chDB to plan every query a second time
(`EXPLAIN ESTIMATE`, as costly as the query).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import chdb

from tests.fakes.clickhouse_wire import DEFAULT_FORMAT, error_from_chdb, has_result

TOTAL_ROWS_TO_READ = "total_rows_to_read"


@dataclass(frozen=True)
class Ran:
    """A query's result, the rows its progress said it was to read, and how many statements
    that change what is stored had run before it (the tables' state it read)."""

    result: Any
    rows_to_read: int
    generation: int = 0


class ChDB:
    """One chDB connection on a folder, used by one thread at a time."""

    # chDB says it is typed (py.typed) but leaves its connection unannotated: the calls of it
    # below are the only untyped calls of the stand-in, each ignored by name. The packages chdb
    # and chdb-core both install chdb/__init__.py, and which one an install keeps decides
    # whether `connect` is typed: hence `unused-ignore` beside it.

    def __init__(self, path: Path) -> None:
        try:
            self._connection = chdb.connect(str(path))  # type: ignore[no-untyped-call, unused-ignore]
        except RuntimeError as exc:
            raise RuntimeError(
                f"chDB would not open {path} ({exc}). chDB runs one embedded server per "
                "process: close the other ClickHouseStandIn first."
            ) from None
        self._lock = threading.Lock()
        self._to_read = 0
        self.generation = 0  # statements run that change what is stored (or may have)
        self._connection.set_progress_callback(self._progress)

    def _progress(self, progress: dict[str, Any]) -> None:
        self._to_read = max(self._to_read, int(progress.get(TOTAL_ROWS_TO_READ) or 0))

    def ran(self, sql: str, fmt: str = DEFAULT_FORMAT, params: dict[str, str] | None = None) -> Ran:
        with self._lock:
            self._to_read = 0
            writes = not has_result(sql)
            try:
                result = self._connection.query(sql, fmt, params=params or None)
            except RuntimeError as exc:
                raise error_from_chdb(str(exc)) from None
            finally:
                self.generation += writes  # a failed write may have written a part
            return Ran(result, self._to_read, self.generation)

    def run(self, sql: str, fmt: str = DEFAULT_FORMAT, params: dict[str, str] | None = None) -> Any:
        return self.ran(sql, fmt, params).result

    def text(self, sql: str) -> str:
        return bytes(self.run(sql).bytes()).decode()

    def close(self) -> None:
        with self._lock:
            self._connection.set_progress_callback(None)
            self._connection.close()
