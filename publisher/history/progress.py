"""A history run's finished months, kept in the git directory (never the work tree) until they
are committed: a run stopped at any point keeps every month it finished, and the next run takes
them instead of counting them again.

Each month is one Parquet file holding its rows, its facts in the file's metadata; it is written
beside its final name and renamed into place, so a kill leaves either the whole month or none.
"""

import json
import os
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa

from publisher.dataset.history.folder import Month
from publisher.dataset.history.index import MonthFacts
from publisher.dataset.history.names import is_month_tag
from publisher.dataset.history.table import HISTORY_SCHEMA, from_parquet, to_parquet

FOLDER = "top-pypi-history"
FACTS_KEY = b"top-pypi-history-month"
LIMIT_KEY = b"top-pypi-history-limit"


@dataclass(frozen=True)
class Kept:
    """A month a stopped run finished, and the row limit it was counted with."""

    month: Month
    limit: int


def progress_folder(git_dir: Path) -> Path:
    return git_dir / FOLDER


def facts_text(facts: MonthFacts) -> str:
    fields = asdict(facts)
    fields["start"], fields["end"] = facts.start.isoformat(), facts.end.isoformat()
    return json.dumps(fields, sort_keys=True)


def facts_of(text: str) -> MonthFacts:
    fields = json.loads(text)
    fields["start"], fields["end"] = (date.fromisoformat(fields[k]) for k in ("start", "end"))
    fields["missing_days"] = tuple(fields["missing_days"])
    fields["short_days"] = tuple(fields["short_days"])
    return MonthFacts(**fields)


def month_bytes(month: Month, limit: int) -> bytes:
    metadata = {FACTS_KEY: facts_text(month.facts).encode(), LIMIT_KEY: str(limit).encode()}
    return to_parquet(month.rows.replace_schema_metadata(metadata))


def save_month(folder: Path, month: Month, limit: int) -> Path:
    """Keep a finished month; the file appears whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{month.facts.tag}.parquet"
    partial = folder / f".{month.facts.tag}.{os.getpid()}.partial"
    with partial.open("wb") as out:
        out.write(month_bytes(month, limit))
        out.flush()
        os.fsync(out.fileno())
    partial.replace(final)
    return final


def read_month(path: Path) -> Kept | None:
    """A kept month, or None for a file that is not one (it is counted again)."""
    try:
        table = from_parquet(path.read_bytes())
        facts = facts_of(table.schema.metadata[FACTS_KEY].decode())
        limit = int(table.schema.metadata[LIMIT_KEY])
    except (OSError, pa.ArrowException, KeyError, TypeError, ValueError):
        return None
    if facts.tag != path.stem or table.num_rows != facts.rows:
        return None
    return Kept(Month(facts, table.replace_schema_metadata(None).cast(HISTORY_SCHEMA)), limit)


def kept_months(folder: Path) -> dict[str, Kept]:
    """Every whole month kept by earlier runs, by tag."""
    if not folder.is_dir():
        return {}
    kept = {}
    for path in sorted(folder.glob("*.parquet")):
        month = read_month(path) if is_month_tag(path.stem) else None
        if month is not None:
            kept[month.month.facts.tag] = month
    return kept


def forget_months(folder: Path, tags: list[str]) -> None:
    """Once committed, a month's kept file goes, and so do partial files of dead runs."""
    for tag in tags:
        (folder / f"{tag}.parquet").unlink(missing_ok=True)
    for partial in folder.glob(".*.partial") if folder.is_dir() else []:
        partial.unlink(missing_ok=True)


def usable(kept: Kept, engine: str, limit: int, start: date, end: date) -> bool:
    """A kept month stands for the month asked only if counted the same way: the same engine,
    row limit and window (a run with another `--limit` or `days` counts it again)."""
    facts = kept.month.facts
    return (facts.engine, kept.limit, facts.start, facts.end) == (engine, limit, start, end)
