"""Local download events for the embedded engine: finding the Parquet files and checking
that they hold the columns the query reads, before anything runs."""

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from publisher.base.errors import EventsError, UsageError
from publisher.base.paths import missing_words
from publisher.count.window import Window

# The leaf columns the query reads, with the Arrow type the `file_downloads` schema gives them.
REQUIRED_COLUMNS = {
    "timestamp": pa.timestamp("us", tz="UTC"),
    "file.project": pa.string(),
}
# And those the installer breakdown reads (not with --no-breakdown).
BREAKDOWN_COLUMNS = {
    "details.installer.name": pa.string(),
    "details.ci": pa.bool_(),
}
BREAKDOWN_TIP = "Or count without the installer breakdown: --no-breakdown."
TIP = "Give a Parquet file or folder in the file_downloads schema, e.g. made by `top-pypi sample`."
# The subfolders an events folder may have: one per day, plain or Hive-partitioned.
DAY_FOLDER = re.compile(r"^(date=)?(\d{4}-\d{2}-\d{2})$")
LAYOUT_TIP = (
    "Keep Parquet files directly in the folder or in day subfolders (YYYY-MM-DD/ or"
    " date=YYYY-MM-DD/); move anything else out, or copies would be counted twice."
)


@dataclass(frozen=True)
class Footer:
    """What the count reads of a Parquet file's footer: its metadata, each leaf column's type
    (`file.project`) and each column's index, worked out once per file."""

    metadata: pq.FileMetaData
    leaves: dict[str, pa.DataType]
    columns: dict[str, int]


@dataclass(frozen=True)
class EventFiles:
    root: Path
    paths: tuple[Path, ...]
    footers: tuple[Footer, ...]

    def describe(self) -> str:
        folders = len({path.parent for path in self.paths})
        return f"{len(self.paths)} Parquet file(s) from {folders} folder(s) in {self.root}"


def is_day_folder(name: str) -> bool:
    found = DAY_FOLDER.match(name)
    try:
        return found is not None and bool(date.fromisoformat(found.group(2)))
    except ValueError:
        return False


def folder_entries(folder: Path) -> tuple[list[Path], list[Path]]:
    """The folder's Parquet files and its subfolders, sorted by name."""
    entries = sorted(folder.iterdir())
    files = [p for p in entries if p.name.endswith(".parquet") and p.is_file()]
    return files, [p for p in entries if p.is_dir()]


def refuse_subfolder(root: Path, folder: Path) -> EventsError:
    where = folder.relative_to(root).as_posix()
    return EventsError(f"--events {root} has a subfolder {where!r} that is not a day.", LAYOUT_TIP)


def parquet_paths(root: Path) -> list[Path]:
    """The files directly in `root` and in its day subfolders. Not a recursive search: a
    `backup/` of copies beside the days would count every download twice."""
    if not root.is_dir():
        return [root]
    files, subfolders = folder_entries(root)
    for folder in subfolders:
        if not is_day_folder(folder.name):
            raise refuse_subfolder(root, folder)
        day_files, nested = folder_entries(folder)
        if nested:
            raise refuse_subfolder(root, nested[0])
        files.extend(day_files)
    return files


def literal(path: Path) -> Path:
    """Absolute: pyarrow and DuckDB take a leading `~` for the home folder, even of a folder
    named `~` in the current one."""
    return path.absolute()


def read_footer(path: Path, where: str) -> Footer:
    """The file's footer, read once in a process while the file stays the same: `demo` and
    `history` count the same day files a dozen times, each count checking every file."""
    try:
        found = literal(path).stat()
        identity = (found.st_dev, found.st_ino, found.st_size, found.st_mtime_ns)
        return _footer(str(literal(path)), identity)
    except (OSError, pa.ArrowException) as exc:
        raise EventsError(f"{where} is not a readable Parquet file ({exc}).", TIP) from None


# A file rewritten has another inode, size or modification time, so another key: never the
# old footer. Bounded, so that a long process reading many folders keeps a few MB of them.
@lru_cache(maxsize=4096)
def _footer(path: str, identity: tuple[int, int, int, int]) -> Footer:
    metadata = pq.read_metadata(path)
    columns = {metadata.schema.column(i).path: i for i in range(metadata.num_columns)}
    return Footer(metadata, dict(leaf_types(metadata.schema.to_arrow_schema())), columns)


def read_columns(breakdown: bool) -> dict[str, pa.DataType]:
    """The leaf columns the query reads."""
    return {**REQUIRED_COLUMNS, **(BREAKDOWN_COLUMNS if breakdown else {})}


def check_columns(where: str, leaves: dict[str, pa.DataType], breakdown: bool = False) -> None:
    for column, wanted in read_columns(breakdown).items():
        tip = f"{TIP} {BREAKDOWN_TIP}" if column in BREAKDOWN_COLUMNS else TIP
        found = leaves.get(column)
        if found is None:
            raise EventsError(f"{where} has no column {column!r}.", tip)
        if not _compatible(found, wanted):
            raise EventsError(f"{where}: column {column!r} is {found}, expected {wanted}.", tip)


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
    if pa.types.is_boolean(wanted):
        return bool(pa.types.is_boolean(found))
    return bool(pa.types.is_string(found) or pa.types.is_large_string(found)) or (
        pa.types.is_dictionary(found) and pa.types.is_string(found.value_type)
    )


def find_event_files(
    events: str | None, name: str | None = None, breakdown: bool = False
) -> EventFiles:
    """The Parquet files of `events`, with the columns the query reads (the breakdown's too
    with `breakdown`); errors name it as `name` (by default `--events PATH`: a value from
    top-pypi.toml is named as the file has it)."""
    if not events:
        raise UsageError("--events is required for the duckdb engine.", TIP)
    root, name = Path(events), name or f"--events {events}"
    if not root.exists():
        raise EventsError(f"{name} {missing_words(root)}.", TIP)
    paths = parquet_paths(root)
    if not paths:
        raise EventsError(f"{name} holds no .parquet files.", TIP)
    footers = []
    for path in paths:
        where = name if path == root else f"{path} (in {name})"
        footer = read_footer(path, where)
        check_columns(where, footer.leaves, breakdown)
        footers.append(footer)
    return EventFiles(root=root, paths=tuple(paths), footers=tuple(footers))


UNITS_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True)
class Span:
    """A row group's first and last timestamp, as integers in the column's unit since 1970.

    Raw integers, because pyarrow turns time-zone-aware statistics into datetimes through
    pandas, which costs a third of a second to import."""

    low: int
    high: int
    per_second: int

    def day(self, value: int) -> date:
        return date.fromordinal(EPOCH_ORDINAL + value // (self.per_second * SECONDS_PER_DAY))

    def overlaps(self, window: Window) -> bool:
        start = int(window.start_timestamp.timestamp()) * self.per_second
        stop = int(window.stop_timestamp.timestamp()) * self.per_second
        return self.low < stop and self.high >= start


EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def span(footer: Footer, group: pq.RowGroupMetaData) -> Span | None:
    stats = group.column(footer.columns["timestamp"]).statistics
    if stats is None or not stats.has_min_max:
        return None
    unit = footer.leaves["timestamp"].unit
    return Span(int(stats.min_raw), int(stats.max_raw), UNITS_PER_SECOND[unit])


def window_bytes(files: EventFiles, window: Window, breakdown: bool = False) -> int:
    """Compressed bytes of the queried columns in row groups that may hold window events:
    what a reader that prunes row groups by their timestamp statistics has to read."""
    total = 0
    for footer in files.footers:
        meta = footer.metadata
        wanted = [footer.columns[name] for name in read_columns(breakdown)]
        for index in range(meta.num_row_groups):
            group = meta.row_group(index)
            bounds = span(footer, group)
            if bounds is None or bounds.overlaps(window):
                total += sum(group.column(c).total_compressed_size for c in wanted)
    return total


def one_day(footer: Footer, group: pq.RowGroupMetaData, bounds: Span) -> date | str:
    """The UTC day every event of the row group (first and last timestamp `bounds`) falls
    on, when its statistics prove it; else why not, for people. One rule for the rows per
    day and for the count by row group: one day, and no event without a timestamp (which
    the SQL's filters drop)."""
    first, last = bounds.day(bounds.low), bounds.day(bounds.high)
    if first != last:
        return f"spans {first} to {last}"
    stats = group.column(footer.columns["timestamp"]).statistics
    if not stats.has_null_count or stats.null_count:
        return "may hold events without a timestamp"
    return first


def rows_per_day_from_metadata(files: EventFiles) -> dict[date, int] | None:
    """Rows per UTC day, read from row-group statistics alone; None when a row group is not
    proven one day (`one_day`) or has no statistics (then the rows must be counted)."""
    days: dict[date, int] = {}
    for footer in files.footers:
        meta = footer.metadata
        for index in range(meta.num_row_groups):
            group = meta.row_group(index)
            bounds = span(footer, group)
            day = None if bounds is None else one_day(footer, group, bounds)
            if not isinstance(day, date):
                return None
            days[day] = days.get(day, 0) + group.num_rows
    return days
