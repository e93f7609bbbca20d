"""An independent count of the same events, in plain pyarrow: no SQL, no DuckDB, no sqlglot.
The engines' answers are checked against it. The long tail's count is made once per events
folder and days in a test process, as the engines' tests of one worker ask for the same month
many times."""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

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
    inside = _between([window.start, window.end])
    # Only the leaf read and only the window's rows: the files of other days are skipped.
    table = pq.read_table(events, columns=["timestamp", "file.project"], filters=inside)
    return table.column(1)


def _between(days: list[date]) -> list[tuple[str, str, pa.Scalar]]:
    """A filter for the events from the first of `days` to the end of the last."""
    type_ = pa.timestamp("us", tz="UTC")
    first = datetime.combine(min(days), time(), UTC)
    stop = datetime.combine(max(days) + timedelta(days=1), time(), UTC)
    return [
        ("timestamp", ">=", pa.scalar(first, type_)),
        ("timestamp", "<", pa.scalar(stop, type_)),
    ]


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


EVENT_LEAVES = {
    "timestamp": "timestamp",
    "project": "file.project",
    "installer": "details.installer.name",
    "ci": "details.ci",
}


def window_events(events: Path, days: list[date]) -> pa.Table:
    """project, UTC day, installer name and CI flag of every event on `days`, as flat columns."""
    table = pq.read_table(events, columns=list(EVENT_LEAVES.values()), filters=_between(days))
    table = table.rename_columns(list(EVENT_LEAVES))
    day = pc.cast(table["timestamp"], pa.date32())
    inside = pc.is_in(day, pa.array(days, pa.date32()))
    table = table.drop_columns("timestamp").append_column("day", day).filter(inside)
    return table.select(["project", "day", "installer", "ci"])


def independent_long_tail(
    events: Path, days: list[date], day_stats_top: int | None = None
) -> list[dict[str, Any]]:
    """Every named project's row of long_tail.SCHEMA on `days`, in rank order, counted in
    plain Python with `installer_group`; the day stats over every one of `days`, for the top
    `day_stats_top` projects only when given (null below)."""
    key = (str(events), tuple(days), files_stamp(events))
    if key not in _COUNTED:  # once per events and days
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
    """Every named project's row, ranked, counted by pyarrow's group_by over whole columns."""
    table = named_events(window_events(events, days))
    rows: dict[str, dict[str, Any]] = {
        project: dict.fromkeys(COUNTED, 0) | {DOWNLOADS: n}
        for project, n in counts_by(table, [PROJECT]).items()
    }
    for (project, group), n in counts_by(table, [PROJECT, "group"]).items():
        rows[project][GROUP_COLUMNS[INSTALLER_GROUPS.index(group)]] = n
    for project, n in counts_by(table.filter(pc.equal(table["ci"], True)), [PROJECT]).items():
        rows[project][CI] = n
    capable = table.filter(pc.is_in(table["group"], pa.array(CI_INSTALLERS)))
    for project, n in counts_by(capable, [PROJECT]).items():
        rows[project][CI_CAPABLE] = n
    for project, (busiest, middle) in day_stats(table, days).items():
        rows[project] |= {BUSIEST_TWO_DAYS: busiest, MEDIAN_DAY: middle}
    ranked = sorted(rows.items(), key=lambda item: (-item[1][DOWNLOADS], item[0]))
    return [{PROJECT: project, **row} for project, row in ranked]


def named_events(table: pa.Table) -> pa.Table:
    """The events with a project name, each with its installer group (`installer_group` asked
    once per distinct installer name)."""
    projects = pc.cast(table["project"], pa.string())
    table = table.set_column(0, PROJECT, projects).filter(
        pc.fill_null(pc.not_equal(projects, ""), False)
    )
    installers = pc.cast(table["installer"], pa.string())
    names = pc.unique(installers).to_pylist()
    groups = pa.array([installer_group(name) for name in names], pa.string())
    where = pc.index_in(installers, pa.array(names, pa.string()), skip_nulls=False)
    return table.append_column("group", pc.take(groups, where))


def counts_by(table: pa.Table, keys: list[str]) -> dict[Any, int]:
    """How many events hold each value of `keys` (a tuple of values for more than one key)."""
    counted = table.group_by(keys).aggregate([([], "count_all")]).to_pydict()
    values = [counted[key] for key in keys]
    found = values[0] if len(keys) == 1 else list(zip(*values, strict=True))
    return dict(zip(found, counted["count_all"], strict=True))


def day_stats(table: pa.Table, days: list[date]) -> dict[str, tuple[int, float]]:
    """(busiest two days summed, median day) of every project over all of `days`, the days
    without a download counted as 0: a matrix of projects by days, sorted along the days."""
    by_day = table.group_by([PROJECT, "day"]).aggregate([([], "count_all")])
    projects = pc.unique(by_day[PROJECT])
    matrix = np.zeros((len(projects), len(days)), dtype=np.int64)
    rows = pc.index_in(by_day[PROJECT], projects).to_numpy()
    columns = pc.index_in(by_day["day"], pa.array(days, pa.date32())).to_numpy()
    matrix[rows, columns] = by_day["count_all"].to_numpy()
    ordered = np.sort(matrix, axis=1)
    busiest = ordered[:, -2:].sum(axis=1).tolist()
    middle = np.median(ordered, axis=1).tolist()
    return dict(zip(projects.to_pylist(), zip(busiest, middle, strict=True), strict=True))


def independent_groups(events: Path, window: Window) -> dict[str, dict[str, int]]:
    """Downloads of every project by installer group, each named by its long-tail column."""
    rows = independent_long_tail(events, window.dates())
    return {row[PROJECT]: {name: row[name] for name in GROUP_COLUMNS} for row in rows}


def independent_day_stats(events: Path, window: Window) -> dict[str, tuple[int, float]]:
    """(busiest two days summed, median day) of every project."""
    rows = independent_long_tail(events, window.dates())
    return {row[PROJECT]: (row[BUSIEST_TWO_DAYS], row[MEDIAN_DAY]) for row in rows}
