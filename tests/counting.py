"""An independent count of the same events, in plain pyarrow: no SQL, no DuckDB, no sqlglot.
The engines' answers are checked against it."""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

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
