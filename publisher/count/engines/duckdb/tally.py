"""Counting row group by row group, when each row group is one day of the window
(publisher.count.engines.duckdb.day_groups): the same answers as the SQL, without hashing a
name per event.

Each row group's `file.project` (and, for the breakdown, the installer name and the CI flag) is
read with pyarrow as dictionary columns, and its dictionary indices are counted with
numpy.bincount: that row group's, so that day's, counts of every project. The row groups are
then merged by a global project number (their dictionaries unified once by pyarrow), which
gives every project's total, installer groups and CI count, and the per-day counts of the top
DAY_STATS_TOP projects. Measured in docs/benchmarks.md (`collect`): reading the dictionary
columns is most of the time, unifying the row groups' dictionaries most of the rest.
"""

from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from publisher.base.installers import INSTALLER_GROUPS, installer_group
from publisher.count.engines.duckdb.day_groups import DayGroup
from publisher.count.engines.duckdb.events import BREAKDOWN_COLUMNS, literal

Counts = npt.NDArray[np.int64]
Integers = npt.NDArray[np.signedinteger[Any]]  # 32-bit for a row group, 64-bit merged
PROJECT_COLUMN = "file.project"
INSTALLER_COLUMN, CI_COLUMN = BREAKDOWN_COLUMNS
DICTIONARY_COLUMNS = [PROJECT_COLUMN, INSTALLER_COLUMN]
# A row group's counts per project, one row each (and a last row for events without a
# name): without the breakdown the downloads alone; with it the downloads of each installer
# group, in INSTALLER_GROUPS order, then the CI count.
GROUPS = len(INSTALLER_GROUPS)
CI_FIELD = GROUPS
GROUP_CODES = {group: code for code, group in enumerate(INSTALLER_GROUPS)}
UNKNOWN = GROUP_CODES["unknown"]
# Both cores: pyarrow decodes and numpy counts with the GIL released for the most part.
THREADS = 2


Numbers = npt.NDArray[np.int32]


@dataclass(frozen=True)
class DayPart:
    """Where one row group's downloads went: its names' columns in a Counted, and how many
    downloads each had that day."""

    day: int
    columns: Numbers | None  # None: the Counted's own columns, in order
    downloads: Numbers

    def at(self, numbers: Integers) -> Integers:
        """`numbers`, one for each column of the Counted, for this row group's names."""
        return numbers if self.columns is None else numbers[self.columns]


@dataclass(frozen=True)
class Counted:
    """Counts by name. `names`: each name once (NULL excluded); `counts`: a row a field (the
    downloads alone, or the installer groups then CI), a column a name, the last column the
    events without a name; `days`: each row group counted, by its day."""

    names: pa.Array
    counts: Integers
    days: tuple[DayPart, ...]


def downloads(counts: Integers) -> Counts:
    """Each column's downloads: the only count, or the installer groups' sum."""
    found: Counts = counts[0] if len(counts) == 1 else counts[:GROUPS].sum(axis=0)
    return found.astype(np.int64, copy=False)


def leaf(table: pa.Table, path: str) -> pa.ChunkedArray:
    """A dotted leaf column (`details.installer.name`); NULL where a struct above it is."""
    parent, *fields = path.split(".")
    column = table.column(parent)
    for name in fields:
        column = pc.struct_field(column, name)
    return column


def one_dictionary(column: pa.ChunkedArray) -> pa.DictionaryArray:
    """The column as one dictionary array. A row group read as dictionaries is one chunk;
    a writer that gave up its dictionary midway can leave several, with other dictionaries."""
    if column.num_chunks == 1:
        chunk: pa.DictionaryArray = column.chunk(0)
        return chunk
    return column.cast(column.type.value_type).combine_chunks().dictionary_encode()


def codes(array: pa.DictionaryArray) -> npt.NDArray[np.int32]:
    """The dictionary indices, NULL as len(dictionary): one past the last entry."""
    indices = array.indices
    if indices.null_count:
        indices = pc.fill_null(indices, len(array.dictionary))
    found: npt.NDArray[np.int32] = indices.to_numpy(zero_copy_only=False)
    return found


def installer_codes(array: pa.DictionaryArray) -> npt.NDArray[np.int64]:
    """Each event's installer group (GROUP_CODES), from its dictionary: the rule of
    publisher.base.installers applied once a distinct name, not once an event."""
    by_entry = [GROUP_CODES[installer_group(name)] for name in array.dictionary.to_pylist()]
    table = np.array([*by_entry, UNKNOWN], dtype=np.int64)
    found: npt.NDArray[np.int64] = table[codes(array)]
    return found


def ci_flags(column: pa.ChunkedArray) -> npt.NDArray[np.int64]:
    """1 where `details.ci` is true; NULL, as in the SQL's `IS TRUE`, counts as false."""
    flags = pc.fill_null(column, False).combine_chunks()
    found: npt.NDArray[np.int64] = flags.to_numpy(zero_copy_only=False).astype(np.int64)
    return found


def read_group(group: DayGroup, breakdown: bool) -> pa.Table:
    columns = [PROJECT_COLUMN, *(BREAKDOWN_COLUMNS if breakdown else [])]
    # Only the columns read: without the breakdown a file may lack the installer's column.
    dictionary = [name for name in DICTIONARY_COLUMNS if name in columns]
    parquet = pq.ParquetFile(literal(group.path), read_dictionary=dictionary)
    # The row groups are read on THREADS threads already; pyarrow's own threads on top cost
    # a third more CPU time for the same read.
    return parquet.read_row_group(group.index, columns=columns, use_threads=False)


def count_group(group: DayGroup, breakdown: bool) -> Counted:
    """One row group's counts, by its dictionary's numbers. Kept as 32-bit integers (a row
    group holds fewer than 2**31 events): the long tail keeps many row groups' counts at once."""
    table = read_group(group, breakdown)
    projects = one_dictionary(leaf(table, PROJECT_COLUMN))
    names = projects.dictionary.cast(pa.string())
    columns = len(names) + 1
    project = codes(projects).astype(np.int64)
    if breakdown:
        installer = installer_codes(one_dictionary(leaf(table, INSTALLER_COLUMN)))
        key = (installer * 2 + ci_flags(leaf(table, CI_COLUMN))) * columns + project
        both = np.bincount(key, minlength=GROUPS * 2 * columns).reshape(GROUPS, 2, columns)
        counts = np.concatenate([both.sum(axis=1), both[:, 1].sum(axis=0)[None]])
    else:
        counts = np.bincount(project, minlength=columns)[None]
    part = DayPart(group.day, None, downloads(counts).astype(np.int32))
    return Counted(names, counts.astype(np.int32), (part,))


def global_numbers(names: Sequence[pa.Array]) -> tuple[pa.Array, list[Counts]]:
    """Every name of `names` once, and each array's names at their numbers in it, with
    len(the names) for the column of events without a name appended."""
    entries = [
        pa.DictionaryArray.from_arrays(pa.array(np.arange(len(n), dtype=np.int32)), n)
        for n in names
    ]
    kind = pa.dictionary(pa.int32(), pa.string())
    chunks = pa.table({"n": pa.chunked_array(entries, kind)}).unify_dictionaries()["n"].chunks
    unified = chunks[0].dictionary if chunks else pa.array([], pa.string())
    return unified, [np.append(c.indices.to_numpy(), len(unified)).astype(np.int64) for c in chunks]


def fields(breakdown: bool) -> int:
    """How many counts a name has: the installer groups and CI, or the downloads alone."""
    return GROUPS + 1 if breakdown else 1


def merged(parts: Sequence[Counted], breakdown: bool) -> Counted:
    """The parts' counts added up by name."""
    names, numbers = global_numbers([part.names for part in parts])
    totals = np.zeros((fields(breakdown), len(names) + 1), dtype=np.int64)
    for part, number in zip(parts, numbers, strict=True):
        for total, counts in zip(totals, part.counts, strict=True):
            np.add.at(total, number, counts.astype(np.int64, copy=False))
    days = tuple(
        DayPart(day.day, day.at(number).astype(np.int32), day.downloads)
        for part, number in zip(parts, numbers, strict=True)
        for day in part.days
    )
    return Counted(names, totals, days)


# Row groups counted before they are merged: a batch's counts by row group take about 50 bytes
# a name a row group, where merged they take a name once. Batches bound the memory (the long
# tail's month of 120 row groups peaked at 956 MiB when all were kept until one merge) and
# let one core merge a batch while the other counts the next.
BATCH = 24


def count_groups(groups: Sequence[DayGroup], breakdown: bool) -> Counted:
    """Every row group counted, batch by batch, each batch merged (pyarrow unifies
    dictionaries with the GIL released) while the next is counted, then the batches merged."""
    with ThreadPoolExecutor(THREADS) as pool:
        batches: list[Future[Counted]] = []
        for start in range(0, len(groups), BATCH):
            batch = groups[start : start + BATCH]
            parts = list(pool.map(lambda group: count_group(group, breakdown), batch))
            batches.append(pool.submit(merged, parts, breakdown))
            del parts
        return merged([batch.result() for batch in batches], breakdown)


@dataclass(frozen=True)
class Tally:
    """Every name counted, `order`: the columns of the named projects in rank order, and the
    per-day downloads of the first `len(per_day)` of them, a column a day of the window."""

    counted: Counted
    order: Counts
    per_day: Counts


def tally(counted: Counted, days: int, head: int) -> Tally:
    """The ranking, and the per-day downloads of its `head` first projects."""
    order = ranked(counted.names, downloads(counted.counts))
    top = order[:head]
    position = np.full(len(counted.names) + 1, -1, dtype=np.int64)
    position[top] = np.arange(len(top))
    per_day = np.zeros((len(top), days), dtype=np.int64)
    for day in counted.days:
        at = day.at(position)
        kept = at >= 0
        np.add.at(per_day[:, day.day], at[kept], day.downloads[kept].astype(np.int64))
    return Tally(counted, order, per_day)


def ranked(names: pa.Array, totals: Counts) -> npt.NDArray[np.int64]:
    """The numbers of the named projects (neither NULL nor empty), most downloads first,
    ties by name."""
    table = pa.table({"name": names, "n": totals[: len(names)]})
    order = pc.sort_indices(table, sort_keys=[("n", "descending"), ("name", "ascending")])
    order = order.filter(pc.not_equal(pc.take(names, order), ""))
    found: npt.NDArray[np.int64] = order.to_numpy().astype(np.int64)
    return found
