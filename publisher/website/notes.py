"""What a reader must know to read a month's numbers right: the period, the engine, and when
counts are estimated, cut short or otherwise not comparable with other months.

The sentences are for people who do not know what a "sample" or a "window" is; the short
notes mark the same months on charts and in history tables.
"""

from datetime import date
from typing import Any

from publisher.base.days import LOGGING_CHANGE

ENGINE_NAMES = {"duckdb": "DuckDB", "bigquery": "BigQuery", "clickhouse": "ClickHouse (ClickPy)"}


def period_text(dataset: dict[str, Any]) -> str:
    period = dataset["period"]
    days = period["days"]
    return f"{period['start']} to {period['end']} ({days} day{'s' if days != 1 else ''}, UTC)"


def engine_text(dataset: dict[str, Any]) -> str:
    name = str(dataset["engine"].get("name", "unknown"))
    return ENGINE_NAMES.get(name, name)


def sampled_days(dataset: dict[str, Any]) -> list[str]:
    days = dataset["engine"].get("sampled_days", [])
    return [str(day) for day in days] if isinstance(days, list) else []


def incomplete_days(dataset: dict[str, Any]) -> list[str]:
    days = dataset["engine"].get("incomplete_days", [])
    return [str(day) for day in days] if isinstance(days, list) else []


def method_sentences(dataset: dict[str, Any]) -> list[str]:
    """Warnings in plain words; none for an exact count of a complete period."""
    method, days = dataset["engine"].get("method"), dataset["period"]["days"]
    said = []
    if method == "shrink":
        said.append(
            f"Shortened period: only {days} days fitted the query budget, so these counts cover"
            f" {period_text(dataset)} and are lower than a full month's would be."
        )
    if method == "sample":
        sampled = len(sampled_days(dataset))
        said.append(
            f"Estimated counts: downloads were counted on {sampled} of the {days} days, spread"
            f" over the period, and multiplied by {days}/{sampled}; they are not exact."
        )
    if incomplete_days(dataset):
        said.append(
            "Some days had missing or too little data and were counted anyway: "
            + ", ".join(incomplete_days(dataset))
            + ". Counts may be lower than the real ones."
        )
    if crosses_logging_change(dataset):
        said.append(
            f"PyPI changed how it logs downloads on {LOGGING_CHANGE} (only wheels, .tar.gz and"
            " .zip files since), within this period: compare it with other months with care."
        )
    return said


def short_notes(dataset: dict[str, Any], previous: dict[str, Any] | None) -> list[str]:
    """Why a month is not comparable with the others, in a few words each (none if it is)."""
    method, days = dataset["engine"].get("method"), dataset["period"]["days"]
    notes = []
    if method == "shrink":
        notes.append(f"shortened to {days} days")
    if method == "sample":
        notes.append(f"estimated from {len(sampled_days(dataset))} of {days} days")
    if incomplete_days(dataset):
        notes.append(f"{len(incomplete_days(dataset))} incomplete days")
    if crosses_logging_change(dataset) or first_after_logging_change(dataset, previous):
        notes.append(f"PyPI's logging changed on {LOGGING_CHANGE}")
    return notes


def crosses_logging_change(dataset: dict[str, Any]) -> bool:
    start, end = _period(dataset)
    return start < LOGGING_CHANGE <= end


def first_after_logging_change(dataset: dict[str, Any], previous: dict[str, Any] | None) -> bool:
    """A month wholly after the change whose previous month was wholly before it."""
    return previous is not None and _period(previous)[1] < LOGGING_CHANGE <= _period(dataset)[0]


def _period(dataset: dict[str, Any]) -> tuple[date, date]:
    period = dataset["period"]
    return date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
