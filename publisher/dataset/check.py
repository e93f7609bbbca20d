"""Checking files already published (`top-pypi validate DIR`): each file on its own rules,
and the files against each other and against `datapackage.json`'s sizes and hashes."""

import hashlib
import json
import sys
from pathlib import Path
from typing import Any, NoReturn, Protocol

from publisher.base.errors import UsageError, ValidationError
from publisher.base.paths import refuse_symlink_loop
from publisher.dataset.build import (
    CSV_FILE,
    DATA_FILES,
    DATAPACKAGE_FILE,
    JSON_FILE,
    MIN_JSON_FILE,
    SCHEMA_FILE,
    serialise,
    to_json,
)
from publisher.dataset.datapackage import CSV_DIALECT
from publisher.dataset.validate import (
    check_csv_matches,
    check_period_length,
    check_rows,
    check_schema,
    check_total_rows,
    json_schema,
    known_version,
)


class File(Protocol):
    def read_bytes(self) -> bytes: ...


class Folder(Protocol):
    """Where published files are read from: a folder on disk (a `Path`), or a git tag's
    `data/` read from its blobs (the release checks a tag's data before sending it)."""

    def __truediv__(self, name: str) -> File: ...

    def is_dir(self) -> bool: ...


TIP = "Restore the files from the month's git tag, or publish the month again."


class Broken(ValidationError):
    """A published file breaks a rule: nothing was changed, so the tip is about mending."""


def fail(message: str) -> NoReturn:
    raise Broken(message, TIP)


def read_text(folder: Folder, name: str) -> str:
    """The text as it is: line ends untranslated, so a CRLF file is seen as one."""
    path = folder / name
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise Broken(f"{path} is missing.", TIP) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Broken(f"{path} cannot be read ({exc}).", TIP) from None


def read_json(folder: Folder, name: str) -> Any:
    text = read_text(folder, name)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Broken(f"{folder / name} is not JSON ({exc}).", TIP) from None
    except RecursionError:
        raise Broken(f"{folder / name} nests arrays or objects too deeply to read.", TIP) from None
    except ValueError:  # Python converts integers of at most sys.get_int_max_str_digits()
        digits = f"{sys.get_int_max_str_digits():,}"
        raise Broken(f"{folder / name} holds a number of more than {digits} digits.", TIP) from None


def resources(package: Any) -> list[dict[str, Any]]:
    listed = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(listed, list) or not all(isinstance(r, dict) for r in listed):
        fail(f"{DATAPACKAGE_FILE} has no list of resources.")
    return list(listed or [])


def check_package(folder: Folder, package: Any) -> None:
    """Every data file listed, inside the folder, with the size and hash it was published with."""
    listed = {str(r.get("path")): r for r in resources(package)}
    for name in (JSON_FILE, MIN_JSON_FILE, CSV_FILE):
        if name not in listed:
            fail(f"{DATAPACKAGE_FILE} does not list {name}.")
        body = (folder / name).read_bytes()
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if (len(body), digest) != (listed[name].get("bytes"), listed[name].get("hash")):
            fail(f"{name} does not match its size and hash in {DATAPACKAGE_FILE}.")
    dialect = listed[CSV_FILE].get("dialect")
    if dialect != CSV_DIALECT:
        shown, ours = json.dumps(dialect), json.dumps(CSV_DIALECT)
        fail(f"{DATAPACKAGE_FILE} gives {CSV_FILE} the dialect {shown}; the format's is {ours}.")


def check_layout(folder: Folder, dataset: dict[str, Any]) -> None:
    """Each data file byte for byte as the format writes it. Parsers forgive CRLF line ends
    and other spacing, and a data package re-hashed after an edit agrees with anything, but
    the CSV's dialect says its lines end with "\\n" alone."""
    for name, expected in serialise(dataset).items():
        found = (folder / name).read_bytes()
        if found == expected:
            continue
        if name == CSV_FILE and b"\r" in found:
            fail(f"{name} ends lines with \\r\\n; its dialect in {DATAPACKAGE_FILE} says \\n.")
        fail(f"{name} holds the data but not its published layout (spacing or line ends).")


def check_schema_file(folder: Folder, version: int) -> None:
    """The schema beside the data is the one this package ships for the file's version:
    parsed, so that spacing does not matter, and compared with types (1 is not true)."""
    found, shipped = read_json(folder, SCHEMA_FILE), json_schema(version)
    if json.dumps(found, sort_keys=True) != json.dumps(shipped, sort_keys=True):
        fail(f"{SCHEMA_FILE} is not the schema of schema_version {version} that top-pypi ships.")


def check_dataset(folder: Folder) -> dict[str, Any]:
    dataset = read_json(folder, JSON_FILE)
    if not isinstance(dataset, dict):
        fail(f"{folder / JSON_FILE} does not hold a JSON object.")
    check_schema(dataset, known_version(dataset))
    check_rows(dataset["rows"])
    check_total_rows(dataset)
    check_period_length(dataset)
    return dict(dataset)


def check_folder(folder: Folder) -> dict[str, Any]:
    """The dataset in `folder`, or a one-line error naming the first problem."""
    if isinstance(folder, Path):  # a tag's data/ in git has no links to follow
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
        check_layout(folder, dataset)
        check_schema_file(folder, dataset["schema_version"])
        check_package(folder, read_json(folder, DATAPACKAGE_FILE))
    except Broken:
        raise
    except ValidationError as exc:  # the rules' own wording, with this command's tip
        raise Broken(exc.message, TIP) from None
    except RecursionError:  # JSON nested just shallow enough to read, too deep to compare
        raise Broken(f"{folder} holds JSON nested too deeply to check.", TIP) from None
    return dataset
