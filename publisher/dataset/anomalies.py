"""Anomaly flags: what makes a month look wrong, each flag with its numbers.

Pure: the count, the previous month, the limit in; a list of flags out.
"""

from typing import Any

from publisher.count.engines.base import Count
from publisher.dataset.previous import Previous


def find_anomalies(count: Count, previous: Previous | None, limit: int) -> list[dict[str, Any]]:
    """Every flag of the month, in the extended JSON's `anomalies` shape."""
    return []


def refuse_structural(anomalies: list[dict[str, Any]], accept: bool) -> None:
    """Raise AnomalyError for a structural flag unless `accept` (--accept-anomalies)."""
