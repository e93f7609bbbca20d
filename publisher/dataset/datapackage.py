"""`datapackage.json`: a Frictionless Data package describing the files of one release, with
their sizes and hashes, so a citation can be checked against the bytes."""

import hashlib
import json
from typing import Any

from publisher import __version__
from publisher.dataset.build import CSV_FILE, JSON_FILE, MIN_JSON_FILE, SCHEMA_FILE

LICENSE = {"name": "CC0-1.0", "path": "https://creativecommons.org/publicdomain/zero/1.0/"}
CSV_TABLE_SCHEMA = {
    "fields": [
        {"name": "download_count", "type": "integer", "constraints": {"minimum": 1}},
        {"name": "project", "type": "string", "description": "PEP 503-normalised name"},
    ],
    "primaryKey": ["project"],
}
CSV_DIALECT = {"delimiter": ",", "header": True, "quoteChar": '"', "lineTerminator": "\n"}


def resource(name: str, path: str, body: bytes, fmt: str, media: str) -> dict[str, Any]:
    return {
        "name": name,
        "path": path,
        "format": fmt,
        "mediatype": media,
        "encoding": "utf-8",
        "bytes": len(body),
        "hash": "sha256:" + hashlib.sha256(body).hexdigest(),
    }


def build_datapackage(
    dataset: dict[str, Any], files: dict[str, bytes], version: str | None
) -> dict[str, Any]:
    period = dataset["period"]
    csv = resource("top-pypi-packages-csv", CSV_FILE, files[CSV_FILE], "csv", "text/csv")
    csv["schema"] = CSV_TABLE_SCHEMA
    csv["dialect"] = CSV_DIALECT
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
            resource("top-pypi-packages", JSON_FILE, files[JSON_FILE], "json", "application/json"),
            resource(
                "top-pypi-packages-min",
                MIN_JSON_FILE,
                files[MIN_JSON_FILE],
                "json",
                "application/json",
            ),
            csv,
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
