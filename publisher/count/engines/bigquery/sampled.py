"""A sample's long tail scaled to the window: every count column times N/k, rounded half up
as `budget.scale` rounds the compatible rows, in Arrow (800,000 rows: no Python loop)."""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from publisher.count import long_tail


def scaled(column: pa.ChunkedArray, days: int, sampled: int) -> pa.ChunkedArray:
    """round_half_up(count * N / k) in integers: floor((2 * count * N + k) / (2 * k))."""
    doubled = pc.add(pc.multiply(column.cast(pa.int64()), 2 * days), sampled)
    return pc.divide(doubled, 2 * sampled)


def scaled_groups(table: pa.Table, days: int, sampled: int) -> dict[str, pa.ChunkedArray]:
    """The five installer groups, scaled so that they still sum to the scaled download count.

    Scaling each group on its own can round the sum one or two away from the scaled total.
    So the running sums (pip, pip+uv, ..., all five = download_count) are scaled, and each
    group is the difference of two neighbours: rounding is monotone, so no group goes
    negative, a group of 0 stays 0, each is within 1 of its own scaled value, and the last
    running sum is exactly the scaled download count. ci_capable_downloads (pip + uv) is the
    second running sum, so the scaled CI downloads (<= pip + uv before) stay within it."""
    groups: dict[str, pa.ChunkedArray] = {}
    running = previous = pa.chunked_array([np.zeros(table.num_rows, np.int64)])
    for name in long_tail.GROUP_COLUMNS:
        running = pc.add(running, table.column(name))
        scaled_running = scaled(running, days, sampled)
        groups[name] = pc.subtract(scaled_running, previous)
        previous = scaled_running
    return groups


def scale_long_tail(table: pa.Table, days: int, sampled: int, breakdown: bool) -> pa.Table:
    """Every count column scaled; the day columns stay what the sampled days really held."""
    columns = {long_tail.DOWNLOADS: scaled(table.column(long_tail.DOWNLOADS), days, sampled)}
    if breakdown:
        groups = scaled_groups(table, days, sampled)
        pip, uv = long_tail.GROUP_COLUMNS[:2]
        columns |= groups
        columns[long_tail.CI] = scaled(table.column(long_tail.CI), days, sampled)
        columns[long_tail.CI_CAPABLE] = pc.add(groups[pip], groups[uv])
    for name, column in columns.items():
        table = table.set_column(table.schema.get_field_index(name), name, column)
    return table
