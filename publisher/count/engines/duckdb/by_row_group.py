"""The count by row group (publisher.count.engines.duckdb.tally) as the SQL answers it: every
named project in rank order with its breakdown, the day stats of the top DAY_STATS_TOP, the
projects counted and the downloads without a name."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from publisher.base.installers import CI_INSTALLERS, INSTALLER_GROUPS
from publisher.count import long_tail
from publisher.count.engines.duckdb.day_groups import DayGroup
from publisher.count.engines.duckdb.tally import (
    CI_FIELD,
    GROUP_CODES,
    Counts,
    Integers,
    Tally,
    count_groups,
    downloads,
    tally,
)
from publisher.count.query import BUSIEST_DAYS, DAY_STATS_TOP, median_ranks
from publisher.count.window import Window


@dataclass(frozen=True)
class Answer:
    table: pa.Table  # every named project, ranked, in long_tail's columns
    projects_counted: int
    unnamed_downloads: int


def count_by_row_group(groups: Sequence[DayGroup], window: Window, breakdown: bool) -> Answer:
    counted = count_groups(groups, breakdown)
    return answer(tally(counted, window.days, DAY_STATS_TOP), breakdown)


def answer(found: Tally, breakdown: bool) -> Answer:
    counts = found.counted.counts[:, found.order]
    named = downloads(counts)
    columns: dict[str, pa.Array] = {
        long_tail.PROJECT: found.counted.names.take(pa.array(found.order)),
        long_tail.DOWNLOADS: pa.array(named),
    }
    if breakdown:
        columns |= breakdown_columns(counts)
    busiest, median = day_stats(found.per_day)
    columns[long_tail.BUSIEST_TWO_DAYS] = padded(busiest, len(named))
    columns[long_tail.MEDIAN_DAY] = padded(median, len(named))
    unnamed = int(downloads(found.counted.counts).sum() - named.sum())
    return Answer(pa.table(columns), len(named), unnamed)


def breakdown_columns(counts: Integers) -> dict[str, pa.Array]:
    """The installer groups' columns, the CI count, and the CI-capable downloads (those of
    the installers that report CI)."""
    columns = {
        name: pa.array(counts[GROUP_CODES[group]])
        for name, group in zip(long_tail.GROUP_COLUMNS, INSTALLER_GROUPS, strict=True)
    }
    capable = counts[[GROUP_CODES[group] for group in CI_INSTALLERS]].sum(axis=0)
    return columns | {
        long_tail.CI: pa.array(counts[CI_FIELD]),
        long_tail.CI_CAPABLE: pa.array(capable),
    }


def day_stats(per_day: Counts) -> tuple[Counts, npt.NDArray[np.float64]]:
    """The query's day stats (publisher.count.query.day_stats), from each project's counts on
    every day of the window (0 on a day without downloads)."""
    busiest = -np.sort(-per_day, axis=1)
    low, high = median_ranks(per_day.shape[1])
    median = (busiest[:, low - 1] + busiest[:, high - 1]) / 2
    return busiest[:, :BUSIEST_DAYS].sum(axis=1), median


def padded(values: npt.NDArray[np.int64] | npt.NDArray[np.float64], rows: int) -> pa.Array:
    """`values` for the first rows, NULL below."""
    mask = np.arange(rows) >= len(values)
    full = np.zeros(rows, dtype=values.dtype)
    full[: len(values)] = values
    return pa.array(full, mask=mask)
