"""What every engine takes and gives back: one small interface, so that adding an engine
touches neither the dataset, nor git, nor Zenodo, nor the site."""

from dataclasses import dataclass, field
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from publisher.base.progress import Progress, silent
from publisher.count import long_tail
from publisher.count.completeness import BadDay
from publisher.count.window import Window


@dataclass(frozen=True)
class Request:
    """What to count: every download in `window`, the `limit` most-downloaded projects, and
    with `breakdown` the installer groups and CI counts of every project (extra bytes in
    BigQuery)."""

    window: Window
    limit: int
    breakdown: bool = True


@dataclass(frozen=True)
class QueryStats:
    """The dataset's `query` block, in the reference files' shape."""

    bytes_processed: int
    bytes_billed: int = 0
    cached: bool = False
    estimated_cost: str = "0.00"


@dataclass(frozen=True)
class Count:
    """An engine's answer: ranked rows and an honest account of what was counted."""

    rows: list[tuple[str, int]]  # (project, download_count), ranked
    projects_counted: int  # projects with at least one download in `period`
    period: Window  # the days the counts cover (may be smaller than asked, with a method saying so)
    query: QueryStats
    method: str = "exact"
    unnamed_downloads: int = 0  # downloads of events without a project name, not in `rows`
    engine_fields: dict[str, Any] = field(default_factory=dict)  # extra keys of the `engine` block
    blocks: dict[str, Any] = field(default_factory=dict)  # extra top-level blocks: plan, statistics
    # Every project counted, in rank order, in publisher.count.long_tail.SCHEMA; `rows` are its
    # first rows. None from an engine that does not give it yet: `long_tail.from_rows(rows)`.
    table: pa.Table | None = None
    unavailable: dict[str, str] = field(default_factory=dict)  # null column -> why, in a line
    # The window's missing or small days, counted anyway with --allow-incomplete: the low-day
    # anomaly flag reports them with their numbers.
    bad_days: tuple[BadDay, ...] = ()
    # What the run did, as labelled lines for people (the run's summary), in no file: for
    # ClickHouse, how many queries ran and the most rows one read against the limit.
    facts: tuple[tuple[str, str], ...] = ()

    def every_project(self) -> pa.Table:
        """The long tail: the engine's table, or its top rows where it gave none."""
        return self.table if self.table is not None else long_tail.from_rows(self.rows)

    def all_downloads(self) -> int:
        """Every download counted, those without a project name too."""
        named = self.every_project().column(long_tail.DOWNLOADS)
        return int(pc.sum(named).as_py() or 0) + self.unnamed_downloads


@dataclass(frozen=True)
class Plan:
    """What an engine would do, for `--dry-run`: labelled lines, nothing spent."""

    engine: str
    window: Window
    sql: str
    facts: list[tuple[str, str]] = field(default_factory=list)


class Engine(Protocol):
    @property
    def name(self) -> str: ...

    def sql(self, request: Request) -> str:
        """The query text this engine runs for `request` (`--print-sql`)."""
        ...

    def plan(self, request: Request, progress: Progress = silent) -> Plan:
        """Measure without spending: what would be read, and what it would cost; `progress`
        hears what it waits for."""
        ...

    def count(self, request: Request, progress: Progress) -> Count: ...
