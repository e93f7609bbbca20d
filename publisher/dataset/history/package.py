"""The history folder's own `datapackage.json`: its index, the index's schema and one Parquet
file per year, each with its size and hash. The monthly files' package does not list them."""

from typing import Any

import pyarrow as pa

from publisher import __version__
from publisher.dataset.datapackage import LICENSE, sha256
from publisher.dataset.history.index import COUNTED
from publisher.dataset.history.names import INDEX_FILE, INDEX_SCHEMA_FILE, year_of_file
from publisher.dataset.history.table import HISTORY_SCHEMA

JSON_MEDIA, SCHEMA_MEDIA = "application/json", "application/schema+json"
PARQUET_MEDIA = "application/vnd.apache.parquet"


def field_type(kind: pa.DataType) -> str:
    if pa.types.is_string(kind):
        return "string"
    return "date" if pa.types.is_date(kind) else "integer"


# The rows' columns as a Frictionless table schema (each Parquet file is a "file" resource to
# Frictionless, which cannot measure Parquet's bytes; the schema stays for other readers).
HISTORY_TABLE_SCHEMA = {
    "fields": [
        {"name": f.name, "type": field_type(f.type), "constraints": {"required": True}}
        for f in HISTORY_SCHEMA
    ],
    "primaryKey": ["tag", "rank"],
}


def resource(name: str, body: bytes) -> dict[str, Any]:
    year = year_of_file(name)
    if year is not None:
        described: dict[str, Any] = {
            "name": f"top-pypi-packages-history-{year}",
            "type": "file",
            "format": "parquet",
            "mediatype": PARQUET_MEDIA,
            "schema": HISTORY_TABLE_SCHEMA,
        }
    else:
        schema = name == INDEX_SCHEMA_FILE
        described = {
            "name": "top-pypi-packages-history-schema" if schema else "top-pypi-packages-history",
            "type": "json",
            "format": "json",
            "mediatype": SCHEMA_MEDIA if schema else JSON_MEDIA,
            "encoding": "utf-8",
        }
    return {"path": name, **described, "bytes": len(body), "hash": sha256(body)}


def listed(files: dict[str, bytes]) -> list[str]:
    """The index, its schema, then the years in order."""
    years = sorted(name for name in files if year_of_file(name) is not None)
    return [INDEX_FILE, INDEX_SCHEMA_FILE, *years]


def describe(index: dict[str, Any]) -> str:
    months = list(index["months"])
    if not months:
        return "No month yet."
    counted = sum(1 for block in index["months"].values() if block["source"] == COUNTED)
    return (
        f"The most-downloaded projects on PyPI for each month from {months[0]} to {months[-1]}"
        f" ({len(months)} months; {counted} counted for the history, the others copied from"
        " the published months), one Parquet file per year."
    )


def build_package(index: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
    return {
        "profile": "data-package",
        "name": "top-pypi-packages-history",
        "title": "Top PyPI packages: history",
        "description": describe(index),
        "licenses": [LICENSE],
        "keywords": ["pypi", "python", "downloads", "packages", "history"],
        "resources": [resource(name, files[name]) for name in listed(files)],
        "generator": {"name": "top-pypi", "version": __version__},
    }
