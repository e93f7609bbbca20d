"""Checking files already published (`top-pypi validate DIR`): each file on its own rules,
and the files against each other and against `datapackage.json`'s sizes and hashes."""

import hashlib
import json
from pathlib import Path
from typing import Any

from publisher.base.errors import UsageError, ValidationError
from publisher.base.paths import refuse_symlink_loop
from publisher.dataset.build import (
    CSV_FILE,
    DATA_FILES,
    DATAPACKAGE_FILE,
    JSON_FILE,
    MIN_JSON_FILE,
    SCHEMA_FILE,
    to_json,
)
from publisher.dataset.validate import (
    check_csv_matches,
    check_period_length,
    check_rows,
    check_schema,
    check_total_rows,
)

TIP = "Restore the files from the month's git tag, or publish the month again."


class Broken(ValidationError):
    """A published file breaks a rule: nothing was changed, so the tip is about mending."""


def fail(message: str) -> None:
    raise Broken(message, TIP)


def read_text(folder: Path, name: str) -> str:
    path = folder / name
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise Broken(f"{path} is missing.", TIP) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Broken(f"{path} cannot be read ({exc}).", TIP) from None


def read_json(folder: Path, name: str) -> Any:
    text = read_text(folder, name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Broken(f"{folder / name} is not JSON ({exc}).", TIP) from None


def resources(package: Any) -> list[dict[str, Any]]:
    listed = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(listed, list) or not all(isinstance(r, dict) for r in listed):
        fail(f"{DATAPACKAGE_FILE} has no list of resources.")
    return list(listed or [])


def check_package(folder: Path, package: Any) -> None:
    """Every data file listed, inside the folder, with the size and hash it was published with."""
    listed = {str(r.get("path")): r for r in resources(package)}
    for name in (JSON_FILE, MIN_JSON_FILE, CSV_FILE):
        if name not in listed:
            fail(f"{DATAPACKAGE_FILE} does not list {name}.")
        body = (folder / name).read_bytes()
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if (len(body), digest) != (listed[name].get("bytes"), listed[name].get("hash")):
            fail(f"{name} does not match its size and hash in {DATAPACKAGE_FILE}.")


def check_dataset(folder: Path) -> dict[str, Any]:
    dataset = read_json(folder, JSON_FILE)
    if not isinstance(dataset, dict):
        fail(f"{folder / JSON_FILE} does not hold a JSON object.")
    check_schema(dataset)
    check_rows(dataset["rows"])
    check_total_rows(dataset)
    check_period_length(dataset)
    return dict(dataset)


def check_folder(folder: Path) -> dict[str, Any]:
    """The dataset in `folder`, or a one-line error naming the first problem."""
    refuse_symlink_loop(folder, str(folder))
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder.", "Give the folder holding the dataset files.")
    for name in DATA_FILES:
        read_text(folder, name)  # every file there and readable
    try:
        dataset = check_dataset(folder)
        if to_json(read_json(folder, MIN_JSON_FILE)) != to_json(dataset):
            fail(f"{MIN_JSON_FILE} does not hold the same data as {JSON_FILE}.")
        check_csv_matches(read_text(folder, CSV_FILE), dataset)
        read_json(folder, SCHEMA_FILE)
        check_package(folder, read_json(folder, DATAPACKAGE_FILE))
    except Broken:
        raise
    except ValidationError as exc:  # the rules' own wording, with this command's tip
        raise Broken(exc.message, TIP) from None
    return dataset
