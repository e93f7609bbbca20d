"""Checking files already published (`top-pypi validate DIR`): each file on its own rules,
and the three files against each other and against `datapackage.json`'s hashes."""

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Any

from publisher.dataset import CSV_FILE, DATAPACKAGE_FILE, JSON_FILE, MIN_JSON_FILE, to_json
from publisher.errors import UsageError, ValidationError
from publisher.validate import check_csv_matches, check_rows, check_schema, fail
from publisher.window import Window


def read_text(folder: Path, name: str) -> str:
    path = folder / name
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(
            f"{path} is missing.", "Publish the dataset into this folder."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"{path} cannot be read ({exc}).", "Re-publish it.") from None


def read_json(folder: Path, name: str) -> Any:
    text = read_text(folder, name)
    if not text:
        fail(f"{folder / name} is empty.")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{folder / name} is not JSON ({exc}).", "Re-publish it.") from None


def check_hashes(folder: Path, package: dict[str, Any]) -> None:
    for resource in package.get("resources", []):
        body = (folder / resource["path"]).read_bytes()
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if digest != resource.get("hash"):
            fail(f"{resource['path']} does not match the hash in {DATAPACKAGE_FILE}.")


def check_folder(folder: Path) -> dict[str, Any]:
    """The dataset in `folder`, or ValidationError naming the first problem."""
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder.", "Give the folder holding the dataset files.")
    dataset = read_json(folder, JSON_FILE)
    check_schema(dataset)
    check_rows(dataset["rows"])
    if dataset["total_rows"] != len(dataset["rows"]):
        fail(f"total_rows is {dataset['total_rows']} but the file has {len(dataset['rows'])} rows.")
    period = dataset["period"]
    window = Window(date.fromisoformat(period["start"]), date.fromisoformat(period["end"]))
    if window.days != period["days"]:
        fail(f"Period {window.start} to {window.end} is not {period['days']} days.")
    if to_json(read_json(folder, MIN_JSON_FILE)) != to_json(dataset):
        fail(f"{MIN_JSON_FILE} does not hold the same data as {JSON_FILE}.")
    check_csv_matches(read_text(folder, CSV_FILE), dataset)
    if (folder / DATAPACKAGE_FILE).exists():
        check_hashes(folder, read_json(folder, DATAPACKAGE_FILE))
    return dict(dataset)
