"""Seeded random streams, and exact weighted draws into small pools of values.

The building blocks of `publisher.sample`: every column of an event is an index drawn with an
alias table into a pool of distinct values, so no value is ever built per row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from publisher.base.events_schema import FILE_DOWNLOADS

Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]
Value = str | bool | None

NAMES_STREAM = 1
CATALOGUE_STREAM = 2
POOLS_STREAM = 3
DAY_STREAM = 4


def seeded_rng(seed: int, *stream: int) -> np.random.Generator:
    # Each stream (names, each day, ...) gets its own generator, so changing one part of the
    # sample, e.g. the number of days, leaves the others as they were.
    return np.random.default_rng([seed, *stream])


# --- Weighted draws ------------------------------------------------------------------------


@dataclass(frozen=True)
class Alias:
    """Walker's alias table: an exact weighted draw costs one random number and two lookups."""

    keep: Floats  # the chance of keeping a slot once picked
    alias: Codes  # what to take instead


def alias_table(weights: Sequence[float] | Floats) -> Alias:
    scaled = (np.asarray(weights, dtype=np.float64) * len(weights) / np.sum(weights)).tolist()
    keep = [1.0] * len(scaled)
    alias = list(range(len(scaled)))
    small = [i for i, s in enumerate(scaled) if s < 1.0]
    large = [i for i, s in enumerate(scaled) if s >= 1.0]
    while small and large:
        lo, hi = small.pop(), large[-1]
        keep[lo], alias[lo] = scaled[lo], hi
        scaled[hi] -= 1.0 - scaled[lo]
        if scaled[hi] < 1.0:
            small.append(large.pop())
    return Alias(np.array(keep), np.array(alias, dtype=np.int32))


def draw(table: Alias, rng: np.random.Generator, count: int) -> Codes:
    # One uniform number serves twice: its integer part (scaled) picks the slot, its fraction
    # decides between slot and alias. With 53 bits, even 2M slots leave 32 bits for the
    # fraction, and it is a third faster than drawing two numbers.
    scaled = rng.random(count) * len(table.keep)
    picks = scaled.astype(np.int32)
    scaled -= picks
    return np.where(scaled < table.keep[picks], picks, table.alias[picks])


@dataclass(frozen=True)
class _Leaf:
    """One column of a pool: its distinct values, and each pool row's index into them (-1: null)."""

    values: pa.Array
    codes: Codes
    has_nulls: bool


def _leaf(column: Sequence[Value], value_type: pa.DataType) -> _Leaf:
    distinct = list(dict.fromkeys(v for v in column if v is not None))
    position = {v: i for i, v in enumerate(distinct)}
    codes = np.array([-1 if v is None else position[v] for v in column], dtype=np.int32)
    return _Leaf(pa.array(distinct, type=value_type), codes, bool((codes < 0).any()))


def leaf_column(leaf: _Leaf, rows: Codes) -> pa.Array:
    codes = leaf.codes[rows]
    valid = _validity(codes >= 0) if leaf.has_nulls else None
    indices = pa.Array.from_buffers(pa.int32(), len(codes), [valid, pa.py_buffer(codes)])
    if pa.types.is_boolean(leaf.values.type):
        return leaf.values.take(indices)
    # The codes come from the pool itself, so the bounds check of safe=True is wasted time.
    return pa.DictionaryArray.from_arrays(indices, leaf.values, safe=False)


def _validity(valid: Flags) -> pa.Buffer:
    """An Arrow validity bitmap; packing it here is faster than letting pa.array do it."""
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


@dataclass(frozen=True)
class Pool:
    """Weighted rows of correlated values, e.g. one client: installer, Python, OS, CI flag."""

    table: Alias
    leaves: Mapping[str, _Leaf]
    masks: Mapping[str, Flags]  # struct path -> pool rows where the whole struct is null


def weighted_pool(
    rows: Sequence[Mapping[str, Value]], weights: Sequence[float], prefix: str = ""
) -> Pool:
    """A pool whose leaves are keyed by their full column path, e.g. `details.installer.name`."""
    paths = {prefix + k: k for k in dict.fromkeys(k for row in rows for k in row)}
    leaves = {p: _leaf([row.get(k) for row in rows], _leaf_type(p)) for p, k in paths.items()}
    return Pool(alias_table(weights), leaves, {})


def _leaf_type(path: str) -> pa.DataType:
    """The type of a leaf column of `FILE_DOWNLOADS`, given its dotted path."""
    head, *rest = path.split(".")
    value_type = FILE_DOWNLOADS.field(head).type
    for name in rest:
        value_type = value_type.field(name).type
    return value_type
