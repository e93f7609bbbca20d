"""Synthetic `file_downloads` events, so the whole pipeline can be rehearsed without BigQuery.

The events look like the real table where it matters to the counting code: the exact schema,
PEP 503 project names with Zipf-like popularity, a weekly rhythm, a realistic installer mix
(mirrors and a missing installer included) and files whose names match their type.

Speed comes from never touching a row in Python: every column is an index array drawn with
numpy into a small pool of values, handed to Parquet as a dictionary array. The Parquet writer
encodes those indices directly, so no string is ever built per row.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from math import ceil, pi
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from publisher.base.days import check_days
from publisher.base.errors import DiskSpaceError, UsageError
from publisher.base.events_schema import FILE_DOWNLOADS
from publisher.base.sizes import format_size
from publisher.sample.clients import client_pool, country_pool, tls_pool
from publisher.sample.draws import (
    DAY_STREAM,
    POOLS_STREAM,
    Floats,
    Ints,
    Pool,
    draw,
    leaf_column,
    seeded_rng,
)
from publisher.sample.files import (
    VERSIONS_PER_PROJECT,
    ZIPF_EXPONENT,
    ZIPF_OFFSET,
    Catalogue,
    build_catalogue,
    file_leaves,
)
from publisher.sample.names import project_names

__all__ = [
    "BYTES_PER_EVENT",
    "BYTES_PER_FILE",
    "COMPRESSION",
    "COMPRESSION_LEVEL",
    "DAY_US",
    "DIURNAL_AMPLITUDE",
    "DIURNAL_PEAK_HOUR",
    "MAX_EVENTS",
    "MAX_PROJECTS",
    "ROW_GROUP_ROWS",
    "VERSIONS_PER_PROJECT",
    "WEEKEND_FACTOR",
    "WRITE_SCHEMA",
    "ZIPF_EXPONENT",
    "ZIPF_OFFSET",
    "SampleSpec",
    "check_room",
    "check_spec",
    "daily_counts",
    "day_file",
    "estimated_bytes",
    "project_names",
    "sample_days",
    "write_sample",
]

MAX_PROJECTS = 2_000_000
# About 17 minutes and 30 GB on two cores: past this, a sample is a typo, not a rehearsal.
MAX_EVENTS = 1_000_000_000
# Parquet bytes written, at most: measured 26-38 bytes an event for a million events or more
# (50 with 2,000,000 projects over 35 days, whose dictionaries repeat in every file) and
# 6-7 KiB of metadata a file; with a margin, as the check runs before the first byte.
BYTES_PER_EVENT = 64
BYTES_PER_FILE = 32 * 1024
DAY_US = 86_400_000_000
# Rows per row group: each covers its own slice of the day, so DuckDB skips groups by timestamp.
ROW_GROUP_ROWS = 1 << 19
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 1
WEEKEND_FACTOR = 0.6
# Downloads peak in the US morning / European afternoon.
DIURNAL_AMPLITUDE = 0.3
DIURNAL_PEAK_HOUR = 14.0

# Each worker holds one row group at a time, ~100 MB at most.
_MAX_WORKERS = 4


@dataclass(frozen=True, kw_only=True)
class SampleSpec:
    """What to generate: `events` in total over the `days` UTC days that end on `end`."""

    events: int = 1_000_000
    projects: int = 20_000
    days: int = 35
    end: date
    seed: int = 0


def check_spec(spec: SampleSpec) -> SampleSpec:
    if spec.events < 1:
        raise UsageError(f"--events {spec.events} is below 1.", "Give at least 1 event.")
    if spec.events > MAX_EVENTS:
        raise UsageError(
            f"--events {spec.events} is more than {MAX_EVENTS:,} events.",
            f"Give a whole number of events from 1 to {MAX_EVENTS:,}.",
        )
    if not 1 <= spec.projects <= MAX_PROJECTS:
        raise UsageError(
            f"--projects {spec.projects} is out of range.",
            f"Give a whole number of projects from 1 to {MAX_PROJECTS:,}.",
        )
    if spec.seed < 0:
        raise UsageError(f"--seed {spec.seed} is negative.", "Give a seed of 0 or more.")
    check_days(spec.days)
    return spec


def estimated_bytes(spec: SampleSpec) -> int:
    """What `write_sample` writes for `spec`, at most (see BYTES_PER_EVENT)."""
    return spec.events * BYTES_PER_EVENT + spec.days * BYTES_PER_FILE


def check_room(out_dir: Path, spec: SampleSpec) -> None:
    """Refuse, before writing anything, a sample that would not fit in the free space."""
    existing = next(p for p in (out_dir, *out_dir.parents) if p.exists())
    free, needed = shutil.disk_usage(existing).free, estimated_bytes(spec)
    if needed > free:
        raise DiskSpaceError(
            f"{out_dir} has {format_size(free)} free, but {spec.events:,} events would take"
            f" up to {format_size(needed)}.",
            "Free some space, choose another folder, or give fewer --events.",
        )


def day_file(out_dir: Path, day: date) -> Path:
    return out_dir / f"{day.isoformat()}.parquet"


def sample_days(spec: SampleSpec) -> list[date]:
    return [spec.end - timedelta(days=back) for back in range(spec.days - 1, -1, -1)]


def daily_counts(total: int, days: Sequence[date]) -> list[int]:
    """Split `total` over `days` by the weekly rhythm, summing exactly to `total`."""
    weights = np.array([WEEKEND_FACTOR if d.weekday() >= 5 else 1.0 for d in days])
    quotas = total * weights / weights.sum()
    counts = np.floor(quotas).astype(np.int64)
    # Largest remainders get the leftover events; the stable sort makes ties go to earlier days.
    leftovers = np.argsort(counts - quotas, kind="stable")[: total - int(counts.sum())]
    counts[leftovers] += 1
    return [int(c) for c in counts]


def write_sample(
    out_dir: Path, spec: SampleSpec, progress: Callable[[int], None] | None = None
) -> list[Path]:
    """Write one Parquet file of `FILE_DOWNLOADS` events per day; return the files, oldest first."""
    check_spec(spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    universe = _universe(spec)
    days = sample_days(spec)
    counts = daily_counts(spec.events, days)
    # Days are independent (each has its own random stream), so they are written in parallel
    # and the files do not depend on the number of threads. numpy and Arrow release the GIL.
    executor = ThreadPoolExecutor(max_workers=_workers(len(days)))
    stop = threading.Event()
    try:
        written = 0
        write = partial(_write_day, universe, spec.seed, out_dir, stop)
        for rows in executor.map(write, days, counts):
            written += rows
            if progress is not None:
                progress(written)
    finally:
        # Ctrl-C reaches only this thread: without the event, the days being written would
        # run to their end (seconds each) before the interrupt is let through.
        stop.set()
        executor.shutdown(cancel_futures=True)
    return [day_file(out_dir, day) for day in days]


class _Stopped(Exception):
    """A day's writing was abandoned because the whole sample was (Ctrl-C, a failed day)."""


def _workers(days: int) -> int:
    return max(1, min(days, os.cpu_count() or 1, _MAX_WORKERS))


def _write_day(
    universe: _Universe, seed: int, out_dir: Path, stop: threading.Event, day: date, count: int
) -> int:
    batches = _day_batches(universe, day, count, seeded_rng(seed, DAY_STREAM, day.toordinal()))
    return _write_atomically(day_file(out_dir, day), _until(stop, batches))


def _until(stop: threading.Event, batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The batches, until `stop` is set: then the day's partial file is dropped."""
    for batch in batches:
        if stop.is_set():
            raise _Stopped
        yield batch


# --- One day of events ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Universe:
    catalogue: Catalogue
    pools: Sequence[Pool]


def _universe(spec: SampleSpec) -> _Universe:
    pools = (client_pool(seeded_rng(spec.seed, POOLS_STREAM)), country_pool(), tls_pool())
    return _Universe(build_catalogue(spec.projects, spec.seed), pools)


def _day_batches(
    universe: _Universe, day: date, count: int, rng: np.random.Generator
) -> Iterator[pa.RecordBatch]:
    """The day's events in row groups, each covering the next slice of the day, time-sorted."""
    slices = max(1, ceil(count / ROW_GROUP_ROWS))
    start = (day - date(1970, 1, 1)).days * DAY_US
    for index, rows in enumerate(rng.multinomial(count, [1.0 / slices] * slices).tolist()):
        if rows:
            offsets = _times_of_day(rng, rows, index / slices, (index + 1) / slices)
            yield _batch(universe, rng, offsets + start)


def _times_of_day(rng: np.random.Generator, count: int, low: float, high: float) -> Ints:
    """`count` sorted microsecond offsets into the day, between quantiles `low` and `high`."""
    # Cumulated exponential gaps are uniform order statistics: sorted times with no sort.
    gaps = np.cumsum(rng.standard_exponential(count + 1))
    quantiles = low + (high - low) * (gaps[:-1] / gaps[-1])
    offsets: Ints = np.interp(quantiles, _DIURNAL_CDF, _DIURNAL_TIMES).astype(np.int64)
    return np.minimum(offsets, DAY_US - 1)


def _diurnal_cdf(points: int = 1441) -> tuple[Floats, Floats]:
    """The share of a day's downloads before each minute, for density 1 + A cos(2π(t - peak))."""
    share = np.linspace(0.0, 1.0, points)
    phase = DIURNAL_PEAK_HOUR / 24.0
    wave = np.sin(2 * pi * (share - phase)) + np.sin(2 * pi * phase)
    return share + DIURNAL_AMPLITUDE / (2 * pi) * wave, share * DAY_US


_DIURNAL_CDF, _DIURNAL_TIMES = _diurnal_cdf()


def _batch(universe: _Universe, rng: np.random.Generator, timestamps: Ints) -> pa.RecordBatch:
    count = len(timestamps)
    leaves = {"timestamp": pa.array(timestamps, type=FILE_DOWNLOADS.field("timestamp").type)}
    leaves |= file_leaves(universe.catalogue, rng, count)
    masks: dict[str, pa.Array] = {}
    for pool in universe.pools:
        rows = draw(pool.table, rng, count)
        leaves |= {path: leaf_column(leaf, rows) for path, leaf in pool.leaves.items()}
        masks |= {path: pa.array(nulls[rows]) for path, nulls in pool.masks.items()}
    return pa.RecordBatch.from_arrays(_assemble(FILE_DOWNLOADS, leaves, masks), schema=WRITE_SCHEMA)


def _assemble(
    fields: pa.Schema | pa.StructType,
    leaves: Mapping[str, pa.Array],
    masks: Mapping[str, pa.Array],
    prefix: str = "",
) -> list[pa.Array]:
    """The columns of `fields` built from leaf columns, so the schema alone decides the nesting."""
    columns = []
    for field in fields:
        path = prefix + field.name
        if pa.types.is_struct(field.type):
            children = _assemble(field.type, leaves, masks, path + ".")
            names = [child.name for child in field.type]
            columns.append(pa.StructArray.from_arrays(children, names=names, mask=masks.get(path)))
        else:
            columns.append(leaves[path])
    return columns


def _dictionary_encoded(value_type: pa.DataType) -> pa.DataType:
    if pa.types.is_struct(value_type):
        return pa.struct([f.with_type(_dictionary_encoded(f.type)) for f in value_type])
    if pa.types.is_string(value_type):
        return pa.dictionary(pa.int32(), value_type)
    return value_type


# What the generator hands to Parquet: FILE_DOWNLOADS with every string dictionary-encoded.
# Files are written without the Arrow schema, so readers see plain strings: FILE_DOWNLOADS.
WRITE_SCHEMA = pa.schema([f.with_type(_dictionary_encoded(f.type)) for f in FILE_DOWNLOADS])


# --- Parquet -------------------------------------------------------------------------------


def _string_paths(fields: pa.Schema | pa.StructType, prefix: str = "") -> list[str]:
    paths = []
    for field in fields:
        if pa.types.is_struct(field.type):
            paths += _string_paths(field.type, prefix + field.name + ".")
        elif pa.types.is_string(field.type):
            paths.append(prefix + field.name)
    return paths


_STATISTICS_COLUMNS = ("timestamp",)
_WRITE_BATCH_ROWS = 1 << 16  # the default, 1024, costs ~20% more time in the writer


def _parquet_writer(path: Path) -> pq.ParquetWriter:
    return pq.ParquetWriter(
        path,
        WRITE_SCHEMA,
        compression=COMPRESSION,
        compression_level=COMPRESSION_LEVEL,
        use_dictionary=_string_paths(FILE_DOWNLOADS),
        column_encoding={"timestamp": "DELTA_BINARY_PACKED"},
        # Statistics of a dictionary column cost as much as writing it, and only time prunes:
        # every row group holds every popular project, so min/max names span the alphabet.
        write_statistics=list(_STATISTICS_COLUMNS),
        write_batch_size=_WRITE_BATCH_ROWS,
        store_schema=False,
        version="2.6",
    )


def _write_atomically(path: Path, batches: Iterator[pa.RecordBatch]) -> int:
    """Write `batches` to `path`, all or nothing, and return the number of rows."""
    unfinished = path.with_name(f".{path.name}.{os.getpid()}.partial")
    rows = 0
    try:
        with _parquet_writer(unfinished) as writer:
            for batch in batches:
                writer.write_batch(batch, row_group_size=len(batch))
                rows += len(batch)
        os.replace(unfinished, path)
    finally:
        unfinished.unlink(missing_ok=True)
    return rows
