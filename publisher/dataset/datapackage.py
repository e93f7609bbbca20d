"""`datapackage.json`: a Frictionless Data package describing the files of one release, with
their sizes and hashes, so a citation can be checked against the bytes."""

import hashlib
import json
from typing import Any

import pyarrow as pa

from publisher import __version__
from publisher.dataset.build import (
    COPIES,
    CSV_FILE,
    DATA_FILES,
    DATAPACKAGE_FILE,
    EXTENDED_CSV_FILE,
    EXTENDED_JSON_FILE,
    EXTENDED_PARQUET_FILE,
    EXTENDED_SCHEMA_FILE,
    JSON_FILE,
    MIN_JSON_FILE,
    SCHEMA_FILE,
)
from publisher.dataset.extended import EXTENDED_SCHEMA

LICENSE = {"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}
CSV_TABLE_SCHEMA = {
    "fields": [
        {"name": "download_count", "type": "integer", "constraints": {"minimum": 1}},
        {"name": "project", "type": "string", "description": "PEP 503-normalised name"},
    ],
    "primaryKey": ["project"],
}
CSV_DIALECT = {"delimiter": ",", "header": True, "quoteChar": '"', "lineTerminator": "\n"}
JSON_MEDIA, CSV_MEDIA = "application/json", "text/csv"
SCHEMA_MEDIA, PARQUET_MEDIA = "application/schema+json", "application/vnd.apache.parquet"
# Each file's resource: (name, format, media type), in DATA_FILES order.
RESOURCES = {
    JSON_FILE: ("top-pypi-packages", "json", JSON_MEDIA),
    MIN_JSON_FILE: ("top-pypi-packages-min", "json", JSON_MEDIA),
    CSV_FILE: ("top-pypi-packages-csv", "csv", CSV_MEDIA),
    SCHEMA_FILE: ("top-pypi-packages-schema", "json", SCHEMA_MEDIA),
    COPIES[JSON_FILE]: ("top-pypi-packages-30-days", "json", JSON_MEDIA),
    COPIES[MIN_JSON_FILE]: ("top-pypi-packages-30-days-min", "json", JSON_MEDIA),
    COPIES[CSV_FILE]: ("top-pypi-packages-30-days-csv", "csv", CSV_MEDIA),
    EXTENDED_JSON_FILE: ("top-pypi-packages-extended", "json", JSON_MEDIA),
    EXTENDED_CSV_FILE: ("top-pypi-packages-extended-csv", "csv", CSV_MEDIA),
    EXTENDED_PARQUET_FILE: ("top-pypi-packages-extended-parquet", "parquet", PARQUET_MEDIA),
    EXTENDED_SCHEMA_FILE: ("top-pypi-packages-extended-schema", "json", SCHEMA_MEDIA),
}
# From schema_version 4 each resource says what it is, so that a reader does not guess it from
# the file name: Frictionless reads any `*schema.json` as a Table Schema (and so refused both
# JSON Schema files). The Parquet file is a "file" to it (its size and hash checked, not its
# rows): Frictionless reads Parquet through pandas, which turns a null integer into NaN (read
# back as "nan", not an integer), and it cannot measure a Parquet file's bytes. Its table schema
# stays, for other readers; `top-pypi validate` checks its columns.
TYPED_FROM = 4
RESOURCE_TYPES = {"json": "json", "csv": "table", "parquet": "file"}
# The extended columns as a Frictionless table schema: the CSV's and the Parquet file's.
EXTENDED_TABLE_SCHEMA = {
    "fields": [
        {
            "name": field.name,
            "type": "string" if pa.types.is_string(field.type) else "integer",
            **({} if field.nullable else {"constraints": {"required": True}}),
        }
        for field in EXTENDED_SCHEMA
    ],
    "missingValues": [""],
    "primaryKey": ["project"],
}
TABLE_SCHEMAS = {
    CSV_FILE: CSV_TABLE_SCHEMA,
    COPIES[CSV_FILE]: CSV_TABLE_SCHEMA,
    EXTENDED_CSV_FILE: EXTENDED_TABLE_SCHEMA,
    EXTENDED_PARQUET_FILE: EXTENDED_TABLE_SCHEMA,
}
CSV_FILES = (CSV_FILE, COPIES[CSV_FILE], EXTENDED_CSV_FILE)


def resource_type(path: str) -> str:
    """The resource's `type` in a package of schema_version 4 on."""
    return RESOURCE_TYPES[RESOURCES[path][1]]


def resource(path: str, body: bytes, version: int) -> dict[str, Any]:
    name, fmt, media = RESOURCES[path]
    described: dict[str, Any] = {"name": name, "path": path, "format": fmt, "mediatype": media}
    if version >= TYPED_FROM:
        described["type"] = resource_type(path)
    if fmt != "parquet":  # a binary file has no text encoding
        described["encoding"] = "utf-8"
    described["bytes"], described["hash"] = len(body), sha256(body)
    if path in TABLE_SCHEMAS:
        described["schema"] = TABLE_SCHEMAS[path]
    if path in CSV_FILES:
        described["dialect"] = CSV_DIALECT
    return described


def sha256(body: bytes) -> str:
    return "sha256:" + hashlib.sha256(body).hexdigest()


def listed_files(files: dict[str, bytes]) -> list[str]:
    """Every file of the release but the package itself, in DATA_FILES order. The compatible
    schema file is listed from schema_version 3 on, when every file is."""
    listed = [name for name in DATA_FILES if name in files and name != DATAPACKAGE_FILE]
    return listed if EXTENDED_JSON_FILE in files else [n for n in listed if n != SCHEMA_FILE]


def build_datapackage(
    dataset: dict[str, Any], files: dict[str, bytes], version: str | None
) -> dict[str, Any]:
    period = dataset["period"]
    package: dict[str, Any] = {
        "profile": "data-package",
        "name": "top-pypi-packages",
        "title": "Top PyPI packages",
        "description": (
            f"The {dataset['total_rows']} most-downloaded projects on PyPI from {period['start']}"
            f" to {period['end']} ({period['days']} whole UTC days),"
            f" counted by {dataset['engine']['name']} ({dataset['engine']['method']})."
        ),
        "created": dataset["last_update"].replace(" ", "T") + "Z",
        "licenses": [LICENSE],
        "keywords": ["pypi", "python", "downloads", "packages"],
        "resources": [
            resource(name, files[name], dataset["schema_version"]) for name in listed_files(files)
        ],
        "schema_file": SCHEMA_FILE,
        # What made these files, so that a cited month can be made again the same way.
        "generator": {"name": "top-pypi", "version": __version__},
    }
    if version is not None:
        package["version"] = version
    return package


def to_bytes(package: dict[str, Any]) -> bytes:
    return (json.dumps(package, indent=2, sort_keys=True) + "\n").encode()
