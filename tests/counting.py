"""An independent count of the same events, in plain pyarrow: no SQL, no DuckDB, no sqlglot.
The engines' answers are checked against it."""

import statistics
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from publisher.base.installers import INSTALLER_GROUPS, installer_group
from publisher.count import long_tail
from publisher.count.window import Window


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


def window_events(events: Path, window: Window) -> pa.Table:
    """project, installer name ('' for none) and UTC day of every named event in the window."""
    table = ds.dataset(events, format="parquet").to_table(columns=["timestamp", "file", "details"])
    stamps = table["timestamp"]
    inside = pc.and_(
        pc.greater_equal(stamps, pa.scalar(window.start_timestamp, stamps.type)),
        pc.less(stamps, pa.scalar(window.stop_timestamp, stamps.type)),
    )
    table = table.filter(inside)
    installer = pc.struct_field(pc.struct_field(table["details"], "installer"), "name")
    events_table = pa.table(
        {
            "project": pc.struct_field(table["file"], "project"),
            "installer": pc.fill_null(installer, ""),
            "day": pc.cast(pc.cast(table["timestamp"], pa.timestamp("us")), pa.date32()),
        }
    )
    return events_table.filter(pc.fill_null(pc.not_equal(events_table["project"], ""), False))


def independent_groups(events: Path, window: Window) -> dict[str, dict[str, int]]:
    """Downloads of every project by installer group (publisher.base.installers), each group
    named by its column in the long-tail table."""
    counts = (
        window_events(events, window)
        .group_by(["project", "installer"])
        .aggregate([("day", "count")])
    )
    groups: dict[str, dict[str, int]] = {}
    for row in counts.to_pylist():
        column = long_tail.GROUP_COLUMNS[INSTALLER_GROUPS.index(installer_group(row["installer"]))]
        project = groups.setdefault(row["project"], dict.fromkeys(long_tail.GROUP_COLUMNS, 0))
        project[column] += row["day_count"]
    return groups


def independent_day_stats(events: Path, window: Window) -> dict[str, tuple[int, float]]:
    """(busiest two days summed, median day over every day of the window, a day without
    downloads counting 0) of every project."""
    counts = (
        window_events(events, window)
        .group_by(["project", "day"])
        .aggregate([("installer", "count")])
    )
    days: dict[str, list[int]] = {}
    for row in counts.to_pylist():
        days.setdefault(row["project"], []).append(row["installer_count"])
    return {
        project: (
            sum(sorted(per_day, reverse=True)[:2]),
            float(statistics.median(per_day + [0] * (window.days - len(per_day)))),
        )
        for project, per_day in days.items()
    }
