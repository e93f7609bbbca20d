"""An independent count of the same events, in plain pyarrow: no SQL, no DuckDB, no sqlglot.
The engines' answers are checked against it. The long tail's count, in plain Python, is made
once per events folder and days in a test process, as the engines' tests of one worker ask
for the same month many times."""

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from publisher.base.installers import CI_INSTALLERS, INSTALLER_GROUPS, installer_group
from publisher.count.long_tail import (
    BREAKDOWN_COLUMNS,
    BUSIEST_TWO_DAYS,
    CI,
    CI_CAPABLE,
    DOWNLOADS,
    GROUP_COLUMNS,
    MEDIAN_DAY,
    PROJECT,
)
from publisher.count.window import Window

COUNTED = (DOWNLOADS, *BREAKDOWN_COLUMNS)


def window_projects(events: Path, window: Window) -> pa.ChunkedArray:
    """`file.project` of every event in the window, NULL and empty names included."""
    table = ds.dataset(events, format="parquet").to_table(columns=["timestamp", "file"])
    inside = pc.and_(
        pc.greater_equal(
            table["timestamp"], pa.scalar(window.start_timestamp, table["timestamp"].type)
        ),
        pc.less(table["timestamp"], pa.scalar(window.stop_timestamp, table["timestamp"].type)),
    )
    return pc.struct_field(table.filter(inside)["file"], "project")


def named(projects: pa.ChunkedArray) -> pa.ChunkedArray:
    return projects.filter(pc.fill_null(pc.not_equal(projects, ""), False))


def independent_top(events: Path, window: Window, limit: int) -> tuple[list[tuple[str, int]], int]:
    """(ranked rows, projects counted) for the window, ties by name; no name is no project."""
    counts = pc.value_counts(named(window_projects(events, window)))
    pairs = [(v["values"].as_py(), v["counts"].as_py()) for v in counts]
    ranked = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
    return ranked[:limit], len(pairs)


def independent_unnamed(events: Path, window: Window) -> int:
    """Downloads in the window whose project name is NULL or empty."""
    projects = window_projects(events, window)
    return len(projects) - len(named(projects))


def window_events(events: Path, days: list[date]) -> pa.Table:
    """project, UTC day, installer name and CI flag of every event on `days`, as flat columns."""
    table = ds.dataset(events, format="parquet").to_table(columns=["timestamp", "file", "details"])
    day = pc.cast(table["timestamp"], pa.date32())
    inside = pc.is_in(day, pa.array(days, pa.date32()))
    table, day = table.filter(inside), day.filter(inside)
    details = table["details"]
    installer = pc.struct_field(pc.struct_field(details, "installer"), "name")
    return pa.table(
        {
            "project": pc.struct_field(table["file"], "project"),
            "day": day,
            "installer": installer,
            "ci": pc.struct_field(details, "ci"),
        }
    )


def median(values: list[int]) -> float:
    ordered, middle = sorted(values), len(values) // 2
    if len(values) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def independent_long_tail(
    events: Path, days: list[date], day_stats_top: int | None = None
) -> list[dict[str, Any]]:
    """Every named project's row of long_tail.SCHEMA on `days`, in rank order, counted in
    plain Python with `installer_group`; the day stats over every one of `days`, for the top
    `day_stats_top` projects only when given (null below)."""
    key = (str(events), tuple(days), files_stamp(events))
    if key not in _COUNTED:  # a few seconds of plain Python: once per events and days
        _COUNTED[key] = long_tail_rows(events, days)
    ranked = [dict(row) for row in _COUNTED[key]]
    for row in ranked[day_stats_top:] if day_stats_top is not None else []:
        row[BUSIEST_TWO_DAYS] = row[MEDIAN_DAY] = None
    return ranked


# The counts made so far, by events folder, days and the folder's files as they were.
_COUNTED: dict[tuple[str, tuple[date, ...], tuple[tuple[str, int, int], ...]], Any] = {}


def files_stamp(events: Path) -> tuple[tuple[str, int, int], ...]:
    """Each file's name, size and time: a folder written again is counted again."""
    paths = sorted(events.rglob("*")) if events.is_dir() else [events]
    stats = [(str(path), path.stat()) for path in paths if path.is_file()]
    return tuple((name, stat.st_size, stat.st_mtime_ns) for name, stat in stats)


def long_tail_rows(events: Path, days: list[date]) -> list[dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    per_day: dict[str, Counter[date]] = {}
    for event in window_events(events, days).to_pylist():
        if not event["project"]:
            continue
        row = rows.setdefault(event["project"], dict.fromkeys(COUNTED, 0))
        group = installer_group(event["installer"])
        row[DOWNLOADS] += 1
        row[GROUP_COLUMNS[INSTALLER_GROUPS.index(group)]] += 1
        row[CI] += event["ci"] is True
        row[CI_CAPABLE] += group in CI_INSTALLERS
        per_day.setdefault(event["project"], Counter())[event["day"]] += 1
    for project, row in rows.items():
        counts = [per_day[project][day] for day in days]
        row[BUSIEST_TWO_DAYS] = sum(sorted(counts, reverse=True)[:2])
        row[MEDIAN_DAY] = median(counts)
    ranked = sorted(rows.items(), key=lambda item: (-item[1][DOWNLOADS], item[0]))
    return [{PROJECT: project, **row} for project, row in ranked]


def independent_groups(events: Path, window: Window) -> dict[str, dict[str, int]]:
    """Downloads of every project by installer group, each named by its long-tail column."""
    rows = independent_long_tail(events, window.dates())
    return {row[PROJECT]: {name: row[name] for name in GROUP_COLUMNS} for row in rows}


def independent_day_stats(events: Path, window: Window) -> dict[str, tuple[int, float]]:
    """(busiest two days summed, median day) of every project."""
    rows = independent_long_tail(events, window.dates())
    return {row[PROJECT]: (row[BUSIEST_TWO_DAYS], row[MEDIAN_DAY]) for row in rows}
