"""The dataset: an engine's count turned into the published object and its three files.

The byte layout is the reference dataset's (KNOWLEDGE §1), so every existing consumer keeps
working: `.json` is `json.dumps(obj, indent=0)`, `.min.json` has no spaces, the CSV quotes the
name and not the number, and keys are sorted at every level as pypinfo wrote them.
"""

import json
from datetime import datetime
from typing import Any

from publisher.count.engines.base import Count
from publisher.count.window import Window
from publisher.dataset.layout import dumps_with_rows

# Every version this package has written; each one's schema ships with it, frozen, so that
# `validate` checks a file of any release against the schema it was written with.
# 2 added engine.unnamed_downloads; 3 the extended files and the `-30-days` copies beside an
# unchanged compatible JSON; 4 gives each resource of datapackage.json its `type`, the files
# unchanged (see datapackage.py).
SCHEMA_VERSIONS = (1, 2, 3, 4)
SCHEMA_VERSION = SCHEMA_VERSIONS[-1]
# The publishing repository's folder of the month's files (and of the history's, below it).
DATA_FOLDER = "data"
BASENAME = "top-pypi-packages"
JSON_FILE = f"{BASENAME}.json"
MIN_JSON_FILE = f"{BASENAME}.min.json"
CSV_FILE = f"{BASENAME}.csv"
SCHEMA_FILE = f"{BASENAME}.schema.json"
DATAPACKAGE_FILE = "datapackage.json"
COMPATIBLE_FILES = (JSON_FILE, MIN_JSON_FILE, CSV_FILE, SCHEMA_FILE, DATAPACKAGE_FILE)
# The reference dataset's older names, which scripts in the wild still read: byte-identical
# copies of the main files (git stores one object for equal bytes).
THIRTY_DAYS = f"{BASENAME}-30-days"
COPIES = {
    JSON_FILE: f"{THIRTY_DAYS}.json",
    MIN_JSON_FILE: f"{THIRTY_DAYS}.min.json",
    CSV_FILE: f"{THIRTY_DAYS}.csv",
}
EXTENDED = f"{BASENAME}-extended"
EXTENDED_JSON_FILE = f"{EXTENDED}.json"
EXTENDED_CSV_FILE = f"{EXTENDED}.csv"
EXTENDED_PARQUET_FILE = f"{EXTENDED}.parquet"
EXTENDED_SCHEMA_FILE = f"{EXTENDED}.schema.json"
EXTENDED_FILES = (
    EXTENDED_JSON_FILE,
    EXTENDED_CSV_FILE,
    EXTENDED_PARQUET_FILE,
    EXTENDED_SCHEMA_FILE,
)
# Everything a release writes into the data folder.
DATA_FILES = (*COMPATIBLE_FILES, *COPIES.values(), *EXTENDED_FILES)
# The files a folder of each schema_version holds.
VERSION_FILES = {1: COMPATIBLE_FILES, 2: COMPATIBLE_FILES, 3: DATA_FILES, 4: DATA_FILES}
CSV_HEADER = "download_count,project"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


def period_block(window: Window) -> dict[str, Any]:
    return {"start": window.start.isoformat(), "end": window.end.isoformat(), "days": window.days}


def engine_block(count: Count, engine: str) -> dict[str, Any]:
    # unnamed_downloads only when not 0: the files of a month without any stay as they were.
    unnamed = {"unnamed_downloads": count.unnamed_downloads} if count.unnamed_downloads else {}
    return {"name": engine, "method": count.method, **count.engine_fields, **unnamed}


def build_dataset(count: Count, engine: str, updated: datetime) -> dict[str, Any]:
    rows = [{"download_count": n, "project": name} for name, n in count.rows]
    return {
        **count.blocks,
        "last_update": updated.strftime(TIMESTAMP_FORMAT),
        "query": {
            "bytes_billed": count.query.bytes_billed,
            "bytes_processed": count.query.bytes_processed,
            "cached": count.query.cached,
            "estimated_cost": count.query.estimated_cost,
        },
        "period": period_block(count.period),
        "engine": engine_block(count, engine),
        "rows": rows,
        "total_rows": len(rows),
        "projects_counted": count.projects_counted,
        "schema_version": SCHEMA_VERSION,
    }


def to_json(dataset: dict[str, Any]) -> bytes:
    """json.dumps(dataset, indent=0, sort_keys=True), its rows from a template (layout.py)."""
    return (dumps_with_rows(dataset, "rows", indent=0, sort_keys=True) + "\n").encode()


def to_min_json(dataset: dict[str, Any]) -> bytes:
    return (json.dumps(dataset, separators=(",", ":"), sort_keys=True) + "\n").encode()


def to_csv(dataset: dict[str, Any]) -> bytes:
    lines = [CSV_HEADER] + [f'{r["download_count"]},"{r["project"]}"' for r in dataset["rows"]]
    return ("\n".join(lines) + "\n").encode()


def serialise(dataset: dict[str, Any]) -> dict[str, bytes]:
    """The three data files, by file name."""
    return {
        JSON_FILE: to_json(dataset),
        MIN_JSON_FILE: to_min_json(dataset),
        CSV_FILE: to_csv(dataset),
    }


def copies(files: dict[str, bytes]) -> dict[str, bytes]:
    """The `-30-days` names, each the same bytes as its main file."""
    return {copy: files[main] for main, copy in COPIES.items()}
