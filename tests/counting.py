"""An independent count of the same events, in plain pyarrow: no SQL, no DuckDB, no sqlglot.
The engines' answers are checked against it."""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from publisher.count.window import Window


def independent_top(events: Path, window: Window, limit: int) -> tuple[list[tuple[str, int]], int]:
    """(ranked rows, projects counted) for the window, ties by name."""
    table = ds.dataset(events, format="parquet").to_table(columns=["timestamp", "file"])
    inside = pc.and_(
        pc.greater_equal(
            table["timestamp"], pa.scalar(window.start_timestamp, table["timestamp"].type)
        ),
        pc.less(table["timestamp"], pa.scalar(window.stop_timestamp, table["timestamp"].type)),
    )
    projects = pc.struct_field(table.filter(inside)["file"], "project")
    counts = pc.value_counts(projects)
    pairs = [(v["values"].as_py(), v["counts"].as_py()) for v in counts]
    ranked = sorted(pairs, key=lambda pair: (-pair[1], pair[0]))
    return ranked[:limit], len(pairs)
