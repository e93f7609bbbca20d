"""What the ClickHouse engine says of its plan and its run, for people: the bound values, the
ranges planned and the most rows one query read against the limit."""

from typing import Any

from publisher.count.engines.clickhouse.answers import Read
from publisher.count.engines.clickhouse.limits import Limits
from publisher.count.engines.clickhouse.ranges import Planned


def describe_parameters(values: dict[str, Any]) -> str:
    return ", ".join(f"{name} = {value}" for name, value in values.items())


def describe_ranges(planned: list[Planned], table: str) -> str:
    largest = max((item.rows for item in planned), default=0)
    sizes = {item.size for item in planned if item.size is not None}
    granules = f" ({next(iter(sizes)).describe()})" if len(sizes) == 1 else ""
    return (
        f"{len(planned)} range(s) of project names in {table},"
        f" the largest about {largest:,} rows to read{granules}"
    )


def describe_reads(read: Read, limits: Limits) -> str:
    """How many queries ran and the most rows one read, against the limit."""
    cap = limits.rows_cap()
    share = f" of {cap:,} allowed ({read.most_rows / cap:.0%})" if cap else " (no row limit)"
    return f"{read.queries} queries; the most rows one query read: {read.most_rows:,}{share}"
