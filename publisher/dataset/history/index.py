"""`top-pypi-packages-history.json`: what each month of the history is.

Per month (keyed by its tag): the period counted, the engine and its method, where the rows came
from (`count`, or the published tag they were copied from), how many rows it has, the days the
source lacked or held too little of (a month with a gap is kept and marked, never dropped nor
filled), and notes a reader needs to compare it with other months.
"""

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from publisher.base.days import LOGGING_CHANGE
from publisher.dataset.history.names import INDEX_VERSION

COUNTED = "count"


@dataclass(frozen=True)
class MonthFacts:
    """One month of the history, as the index says it."""

    tag: str
    start: date
    end: date
    engine: str
    method: str
    source: str  # COUNTED, or the tag whose rows were copied
    rows: int
    missing_days: tuple[str, ...] = ()
    short_days: tuple[str, ...] = ()


def logging_notes(start: date, end: date) -> list[str]:
    """Where PyPI's logging changed: inside the period, the counts mix two ways of logging."""
    if start < LOGGING_CHANGE <= end:
        return [
            f"PyPI changed how it logs downloads on {LOGGING_CHANGE} (only .whl, .tar.gz and"
            " .zip files since): this period mixes both ways."
        ]
    return []


def month_block(facts: MonthFacts) -> dict[str, Any]:
    return {
        "period": {
            "start": facts.start.isoformat(),
            "end": facts.end.isoformat(),
            "days": (facts.end - facts.start).days + 1,
        },
        "engine": {"name": facts.engine, "method": facts.method},
        "source": facts.source,
        "rows": facts.rows,
        "missing_days": list(facts.missing_days),
        "short_days": list(facts.short_days),
        "notes": logging_notes(facts.start, facts.end),
    }


def empty_index() -> dict[str, Any]:
    return {"schema_version": INDEX_VERSION, "months": {}}


def with_facts(index: dict[str, Any], facts: list[MonthFacts]) -> dict[str, Any]:
    """The index with each month's block set (a correction's facts replace its month's)."""
    months = dict(index.get("months", {}))
    months.update({f.tag: month_block(f) for f in facts})
    return {"schema_version": INDEX_VERSION, "months": dict(sorted(months.items()))}


def index_bytes(index: dict[str, Any]) -> bytes:
    """One month per line, so a monthly publish's diff is one line or two."""
    months = index["months"]
    lines = [f"  {json.dumps(tag)}: {json.dumps(b, sort_keys=True)}" for tag, b in months.items()]
    body = "{\n" + ",\n".join(lines) + "\n }" if lines else "{}"
    return (f'{{\n "months": {body},\n "schema_version": {index["schema_version"]}\n}}\n').encode()


def read_index(body: bytes) -> dict[str, Any]:
    index: dict[str, Any] = json.loads(body)
    return index
