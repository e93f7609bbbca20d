"""The server's limits, as its `system.settings` shows them to the user (a read-only user may
read them), or the tightest a public server documents when they cannot be read.

A public ClickHouse answers a query that meets a limit with overflow mode `break` with the part
it had, HTTP 200, no warning (KNOWLEDGE: ClickPy's limits). The engine sizes its queries to
stay well under the limits it knows and proves every answer whole (proof.py); a limit whose
overflow leaves no trace to prove against stops the run.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from publisher.base.errors import EngineError

ROWS, ROWS_LEAF = "max_rows_to_read", "max_rows_to_read_leaf"
BYTES, BYTES_LEAF = "max_bytes_to_read", "max_bytes_to_read_leaf"
RESULT_ROWS, RESULT_BYTES = "max_result_rows", "max_result_bytes"
SECONDS, GROUP_BY = "max_execution_time", "max_rows_to_group_by"
# Each limit and the setting that says what happens when a query meets it.
MODES = {
    ROWS: "read_overflow_mode",
    BYTES: "read_overflow_mode",
    ROWS_LEAF: "read_overflow_mode_leaf",
    BYTES_LEAF: "read_overflow_mode_leaf",
    RESULT_ROWS: "result_overflow_mode",
    RESULT_BYTES: "result_overflow_mode",
    SECONDS: "timeout_overflow_mode",
    GROUP_BY: "group_by_overflow_mode",
}
NAMES = tuple(dict.fromkeys([*MODES, *MODES.values()]))
SETTINGS_SQL = "SELECT name, value FROM system.settings WHERE name IN {names:Array(String)}"
# ClickHouse's public Playground's documented demo user, and the row limit ClickPy's users
# report (KNOWLEDGE §4a): the tightest values known, each mode `break`.
ASSUMED_VALUES = {ROWS: 1_000_000_000, RESULT_ROWS: 2000, RESULT_BYTES: 10_485_760, SECONDS: 60}
# Modes whose overflow shows as rows read short of rows to read, or as an error.
PROVABLE_MODES = frozenset({"throw", "break"})
# Bytes of the per-day tables a row may take when read (a date, a count, a long name): turns a
# bytes limit into rows.
ROW_BYTES = 64


@dataclass(frozen=True)
class Limits:
    """Each limit (0: none) and its overflow mode; `assumed` when not read from the server."""

    values: dict[str, float]
    modes: dict[str, str]
    assumed: bool = False

    def value(self, name: str) -> float:
        return self.values.get(name, 0)

    def mode(self, name: str) -> str:
        return self.modes.get(MODES[name], "throw")

    def rows_cap(self) -> int:
        """The most rows one query may read; 0 for no limit."""
        caps = [self.value(name) for name in (ROWS, ROWS_LEAF, GROUP_BY)]
        caps += [self.value(name) // ROW_BYTES for name in (BYTES, BYTES_LEAF)]
        return int(min((cap for cap in caps if cap > 0), default=0))

    def describe(self, name: str) -> str:
        value = float(self.value(name))
        shown = f"{int(value):,}" if value.is_integer() else f"{value:,}"  # never 1e+09
        return f"{name} = {shown} ({MODES[name]} = {self.mode(name)})"

    def describe_reads(self) -> str:
        """The limits that may stop a read."""
        names = (ROWS, ROWS_LEAF, BYTES, BYTES_LEAF, SECONDS, GROUP_BY)
        shown = [self.describe(name) for name in names if self.value(name)]
        return "; ".join(shown) or "no read limit known"

    def describe_all(self) -> str:
        """The limits in force, for the plan."""
        shown = [self.describe(name) for name in MODES if self.value(name)]
        source = "assumed, not readable from the server" if self.assumed else "read"
        return f"{'; '.join(shown) or 'none'} ({source})"

    def check_handled(self, where: str) -> None:
        """Stop on a limit whose overflow nothing could prove against."""
        for name in MODES:
            if self.value(name) and self.mode(name) not in PROVABLE_MODES:
                raise EngineError(
                    f"{where} limits {self.describe(name)}: an answer past it would hold wrong"
                    " numbers without a sign, so nothing it answers could be proven whole.",
                    "Count with --engine bigquery, or point --clickhouse-url at another server.",
                )


ASSUMED = Limits(
    values={name: float(value) for name, value in ASSUMED_VALUES.items()},
    modes=dict.fromkeys(MODES.values(), "break"),
    assumed=True,
)


def number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def from_settings(rows: Iterable[tuple[str, str]]) -> Limits:
    """The limits from `SETTINGS_SQL`'s rows; the assumed ones unless every name is there."""
    found = {str(name): str(value) for name, value in rows}
    if set(found) != set(NAMES):
        return ASSUMED
    values = {name: number(found[name]) for name in MODES}
    modes = {mode: found[mode] for mode in set(MODES.values())}
    return Limits(values, modes)
