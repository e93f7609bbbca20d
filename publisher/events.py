"""Local download events for the embedded engine: finding the Parquet files and checking
that they hold the columns the query reads, before anything runs."""

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from publisher.errors import EventsError, UsageError
from publisher.window import Window

# The leaf columns the query reads, with the Arrow type the `file_downloads` schema gives them.
REQUIRED_COLUMNS = {
    "timestamp": pa.timestamp("us", tz="UTC"),
    "file.project": pa.string(),
}
TIP = "Give a Parquet file or folder in the file_downloads schema, e.g. made by `top-pypi sample`."


@dataclass(frozen=True)
class EventFiles:
    root: Path
    paths: tuple[Path, ...]
    metadata: tuple[pq.FileMetaData, ...]


def parquet_paths(root: Path) -> list[Path]:
    if root.is_dir():
        return sorted(p for p in root.rglob("*.parquet") if p.is_file())
    return [root]


def read_metadata(path: Path) -> pq.FileMetaData:
    try:
        return pq.read_metadata(path)
    except (OSError, pa.ArrowException) as exc:
        raise EventsError(f"--events {path} is not a readable Parquet file ({exc}).", TIP) from None


def check_columns(path: Path, schema: pa.Schema) -> None:
    leaves = dict(leaf_types(schema))
    for column, wanted in REQUIRED_COLUMNS.items():
        found = leaves.get(column)
        if found is None:
            raise EventsError(f"--events {path} has no column {column!r}.", TIP)
        if not _compatible(found, wanted):
            raise EventsError(
                f"--events {path}: column {column!r} is {found}, expected {wanted}.", TIP
            )


def leaf_types(
    fields: pa.Schema | pa.StructType, prefix: str = ""
) -> list[tuple[str, pa.DataType]]:
    """Dotted leaf names (`file.project`) and their types, structs opened."""
    leaves: list[tuple[str, pa.DataType]] = []
    for field in fields:
        name = prefix + field.name
        if pa.types.is_struct(field.type):
            leaves.extend(leaf_types(field.type, name + "."))
        else:
            leaves.append((name, field.type))
    return leaves


def _compatible(found: pa.DataType, wanted: pa.DataType) -> bool:
    if pa.types.is_timestamp(wanted):
        return pa.types.is_timestamp(found) and found.tz is not None
    return bool(pa.types.is_string(found) or pa.types.is_large_string(found)) or (
        pa.types.is_dictionary(found) and pa.types.is_string(found.value_type)
    )


def find_event_files(events: str | None) -> EventFiles:
    if not events:
        raise UsageError("--events is required for the duckdb engine.", TIP)
    root = Path(events)
    if not root.exists():
        raise EventsError(f"--events {events} does not exist.", TIP)
    paths = parquet_paths(root)
    if not paths:
        raise EventsError(f"--events {events} holds no .parquet files.", TIP)
    metadata = []
    for path in paths:
        meta = read_metadata(path)
        check_columns(path, meta.schema.to_arrow_schema())
        metadata.append(meta)
    return EventFiles(root=root, paths=tuple(paths), metadata=tuple(metadata))


def window_bytes(files: EventFiles, window: Window) -> int:
    """Compressed bytes of the queried columns in row groups that may hold window events:
    what a reader that prunes row groups by their timestamp statistics has to read."""
    total = 0
    for meta in files.metadata:
        for index in range(meta.num_row_groups):
            group = meta.row_group(index)
            columns = {
                group.column(c).path_in_schema: group.column(c) for c in range(group.num_columns)
            }
            if _may_overlap(columns["timestamp"], window):
                total += sum(columns[name].total_compressed_size for name in REQUIRED_COLUMNS)
    return total


def _may_overlap(column: pq.ColumnChunkMetaData, window: Window) -> bool:
    stats = column.statistics
    if stats is None or not stats.has_min_max:
        return True
    low, high = _as_utc(stats.min), _as_utc(stats.max)
    return low < window.stop_timestamp and high >= window.start_timestamp


def _as_utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
