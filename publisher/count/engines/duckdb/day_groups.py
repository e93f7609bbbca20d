"""Which row groups hold which day of the window, proven from the Parquet metadata alone.

When every row group of the events holds one UTC day inside the window, or lies wholly
outside it (as `sample` writes them: a file a day), a row group's counts are that day's
counts, and the engine counts row group by row group (publisher.count.engines.duckdb.tally)
instead of running the SQL. Anything the statistics cannot prove (a row group spanning days
or the window's edge, no statistics, events without a timestamp, which the SQL's filter
drops) sends the whole count back to the SQL, with the reason.
"""

from dataclasses import dataclass
from pathlib import Path

from publisher.count.engines.duckdb.events import EventFiles, one_day, span
from publisher.count.window import Window


@dataclass(frozen=True)
class DayGroup:
    """Row group `index` of `path` holds events of the window's day number `day` (0: its
    first day) and of no other."""

    path: Path
    index: int
    day: int


@dataclass(frozen=True)
class DayGroups:
    """The window's row groups, each one day; or, when the metadata cannot prove that,
    none and `why_not`, a line for people."""

    groups: tuple[DayGroup, ...] = ()
    why_not: str | None = None


def day_groups(files: EventFiles, window: Window) -> DayGroups:
    groups: list[DayGroup] = []
    for path, footer in zip(files.paths, files.footers, strict=True):
        meta = footer.metadata
        for index in range(meta.num_row_groups):
            group = meta.row_group(index)
            if group.num_rows == 0:
                continue
            where = f"row group {index} of {path}"
            bounds = span(footer, group)
            if bounds is None:
                return DayGroups(why_not=f"{where} has no timestamp statistics")
            if not bounds.overlaps(window):
                continue
            day = one_day(footer, group, bounds)
            if isinstance(day, str):
                return DayGroups(why_not=f"{where} {day}")
            # One day that overlaps the window is inside it.
            groups.append(DayGroup(path, index, (day - window.start).days))
    return DayGroups(tuple(groups))
