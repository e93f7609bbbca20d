"""A ClickHouse user's limits, as a public server's settings profile applies them.

chDB is real ClickHouse: the profile's settings go in every query's trailing SETTINGS clause,
so chDB itself stops the reads, cuts the answers and refuses the settings (`readonly`), with
each overflow mode (`break`: a partial answer, HTTP 200, no error; `throw`: an exception),
and `system.settings` shows them (`changed`, `value`) as a server's would.

The time limit alone is not left to the machine's speed, so that no test depends on load: a
server reading `rows_per_second` may read `max_execution_time` times that many rows in a query
(a read limit with `timeout_overflow_mode`), reports the elapsed time those rows take, and
names the time limit when it throws.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from tests.fakes.clickhouse_wire import ServerError

READ_LIMIT, READ_MODE = "max_rows_to_read", "read_overflow_mode"
TIME_LIMIT, TIME_MODE = "max_execution_time", "timeout_overflow_mode"
# Where the time model does not reach: reading the settings must show them, and an EXPLAIN
# reads nothing (only the row limit it stands in for would stop one).
_SETTINGS_TABLE = re.compile(r"\bsystem\s*\.\s*settings\b|^\s*EXPLAIN\b", re.I)
_TOO_MANY_ROWS = 158
NO_CONDITION_CACHE = "use_query_condition_cache"
# A read of chosen rows of system.settings (the client's own listing at connect, which has no
# WHERE, is still answered: clickhouse-connect would not connect otherwise).
_SETTINGS_READ = re.compile(r"\bsystem\s*\.\s*settings\b.*\bWHERE\b", re.I | re.S)


@dataclass(frozen=True)
class Limits:
    """The settings profile of the stand-in's users; `readonly` 1 refuses any setting a
    request brings, 2 lets it override the profile."""

    settings: Mapping[str, str | int] = field(default_factory=dict)
    readonly: int = 0
    rows_per_second: int = 0  # the modelled speed; 0: the time limit is the machine's
    # ClickHouse checks its limits block by block; its blocks are tiny beside ClickPy's billion
    # rows, as these must be beside the tests' thousands for a limit to cut mid-way.
    block_rows: int = 1000
    # False: the user may not read the limits in system.settings (a server requiring grants).
    settings_readable: bool = True

    def profile(self) -> dict[str, str]:
        # ClickHouse's query condition cache skips granules a filter found empty before: off,
        # so that what a test reads does not depend on the queries asked before it.
        values = {NO_CONDITION_CACHE: "0"}
        values |= {name: str(value) for name, value in self.settings.items()}
        if self.settings:
            values["max_block_size"] = str(self.block_rows)
        if self.readonly:
            values["readonly"] = str(self.readonly)
        return values

    def time_budget(self) -> int:
        """Rows a query may read within the time limit; 0 without one."""
        seconds = float(self.settings.get(TIME_LIMIT, 0))
        return int(seconds * self.rows_per_second)

    def times_out_first(self) -> bool:
        budget, rows = self.time_budget(), int(self.settings.get(READ_LIMIT, 0))
        return budget > 0 and (rows == 0 or budget < rows)

    def applied(self, requested: dict[str, str], sql: str) -> dict[str, str]:
        """The settings a request's query runs with: the profile, then the request's own."""
        if not self.settings_readable and _SETTINGS_READ.search(sql):
            raise ServerError(
                497,
                "ACCESS_DENIED",
                "Not enough privileges. To execute this query, it's necessary to have the grant"
                " SELECT(name, value) ON system.settings",
            )
        if self.readonly == 1 and requested:
            name = next(iter(requested))
            raise ServerError(164, "READONLY", f"Cannot modify '{name}' setting in readonly mode")
        values = self.profile()
        if self.times_out_first() and not _SETTINGS_TABLE.search(sql):
            values[READ_LIMIT] = str(self.time_budget())
            values[READ_MODE] = str(self.settings.get(TIME_MODE, "throw"))
        return values | requested

    def error(self, error: ServerError, sql: str) -> ServerError:
        """A read limit standing in for the time limit throws as the time limit."""
        if error.code != _TOO_MANY_ROWS or not self.times_out_first():
            return error
        if _SETTINGS_TABLE.search(sql):
            return error
        seconds = self.settings[TIME_LIMIT]
        return ServerError(
            159,
            "TIMEOUT_EXCEEDED",
            f"Timeout exceeded: elapsed {float(seconds) + 0.001} seconds, maximum: {seconds}",
        )

    def elapsed_ns(self, rows_read: int, measured_ns: int) -> int:
        if not self.rows_per_second:
            return measured_ns
        return rows_read * 1_000_000_000 // self.rows_per_second


NO_LIMITS = Limits()
