"""Checking files already published (`top-pypi validate DIR`): each file on its own rules,
and the files against each other and against `datapackage.json`'s sizes and hashes."""

import hashlib
import json
import sys
from pathlib import Path
from typing import Any, NoReturn, Protocol

import pyarrow as pa
import pyarrow.compute as pc

from publisher.base.errors import UsageError, ValidationError
from publisher.base.parquet import parquet_table
from publisher.base.paths import refuse_symlink_loop
from publisher.dataset.build import (
    COMPATIBLE_FILES,
    COPIES,
    CSV_FILE,
    DATAPACKAGE_FILE,
    EXTENDED_CSV_FILE,
    EXTENDED_JSON_FILE,
    EXTENDED_PARQUET_FILE,
    EXTENDED_SCHEMA_FILE,
    JSON_FILE,
    MIN_JSON_FILE,
    SCHEMA_FILE,
    VERSION_FILES,
    serialise,
    to_min_json,
)
from publisher.dataset.datapackage import CSV_DIALECT, CSV_FILES, TYPED_FROM, resource_type
from publisher.dataset.extended import (
    EXTENDED_CSV_HEADER,
    RANK,
    first_ranks,
    to_extended_csv,
    to_extended_json,
)
from publisher.dataset.validate import (
    check_columns,
    check_csv_matches,
    check_extended,
    check_period_length,
    check_rows,
    check_schema,
    check_total_rows,
    extended_json_schema,
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


def read_bytes(folder: Folder, name: str) -> bytes:
    path = folder / name
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise Broken(f"{path} is missing.", TIP) from None
    except OSError as exc:
        raise Broken(f"{path} cannot be read ({exc}).", TIP) from None


def read_text(folder: Folder, name: str) -> str:
    """The text as it is: line ends untranslated, so a CRLF file is seen as one."""
    try:
        return read_bytes(folder, name).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Broken(f"{folder / name} cannot be read ({exc}).", TIP) from None


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


def package_files(version: int) -> tuple[str, ...]:
    """What the package of a version must list: before version 3 the three data files, from
    version 3 on every file but itself."""
    if version < 3:
        return (JSON_FILE, MIN_JSON_FILE, CSV_FILE)
    return tuple(name for name in VERSION_FILES[version] if name != DATAPACKAGE_FILE)


def check_package(folder: Folder, package: Any, version: int) -> None:
    """Every file listed, inside the folder, with the size and hash it was published with, and
    nothing listed that the version does not have."""
    listed = {str(r.get("path")): r for r in resources(package)}
    expected = package_files(version)
    for name in expected:
        if name not in listed:
            fail(f"{DATAPACKAGE_FILE} does not list {name}.")
        body = read_bytes(folder, name)
        digest = "sha256:" + hashlib.sha256(body).hexdigest()
        if (len(body), digest) != (listed[name].get("bytes"), listed[name].get("hash")):
            fail(f"{name} does not match its size and hash in {DATAPACKAGE_FILE}.")
        if version >= TYPED_FROM:
            check_type(name, listed[name].get("type"))
    unknown = sorted(set(listed) - set(expected))
    if version >= 3 and unknown:
        fail(
            f"{DATAPACKAGE_FILE} lists {unknown[0]!r:.80}, not a file of schema_version {version}."
        )
    for name in (n for n in CSV_FILES if n in expected):
        check_dialect(name, listed[name].get("dialect"))


def check_type(name: str, found: Any) -> None:
    """From schema_version 4 each resource's `type`, which standard readers go by."""
    if found != resource_type(name):
        shown = json.dumps(found)
        fail(
            f"{DATAPACKAGE_FILE} gives {name} the type {shown:.40}; the format's is"
            f" {json.dumps(resource_type(name))}."
        )


def check_dialect(name: str, dialect: Any) -> None:
    if dialect != CSV_DIALECT:
        shown, ours = json.dumps(dialect), json.dumps(CSV_DIALECT)
        fail(f"{DATAPACKAGE_FILE} gives {name} the dialect {shown}; the format's is {ours}.")


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


def check_schema_file(folder: Folder, version: int, name: str = SCHEMA_FILE) -> None:
    """The schema beside the data is the one this package ships for the file's version:
    parsed, so that spacing does not matter, and compared with types (1 is not true)."""
    shipped = json_schema(version) if name == SCHEMA_FILE else extended_json_schema(version)
    found = read_json(folder, name)
    if json.dumps(found, sort_keys=True) != json.dumps(shipped, sort_keys=True):
        fail(f"{name} is not the schema of schema_version {version} that top-pypi ships.")


def check_copies(folder: Folder) -> None:
    """The `-30-days` names hold exactly the main files' bytes."""
    for main, copy in COPIES.items():
        if read_bytes(folder, copy) != read_bytes(folder, main):
            fail(f"{copy} is not a byte-identical copy of {main}.")


def check_extended_files(folder: Folder, dataset: dict[str, Any]) -> None:
    """The extended JSON, CSV, Parquet and schema: each against its rules, the top rows
    against the compatible JSON's, and each file byte for byte as the format writes it."""
    extended = read_json(folder, EXTENDED_JSON_FILE)
    if not isinstance(extended, dict):
        fail(f"{folder / EXTENDED_JSON_FILE} does not hold a JSON object.")
    check_extended(extended, dataset)
    if read_bytes(folder, EXTENDED_JSON_FILE) != to_extended_json(extended):
        fail(f"{EXTENDED_JSON_FILE} holds the data but not its published layout.")
    check_extended_csv(read_text(folder, EXTENDED_CSV_FILE), extended["rows"])
    check_parquet(folder, extended)
    check_schema_file(folder, dataset["schema_version"], EXTENDED_SCHEMA_FILE)


def check_extended_csv(text: str, rows: list[dict[str, Any]]) -> None:
    header = text.split("\n", 1)[0]
    if header != EXTENDED_CSV_HEADER:
        fail(f"{EXTENDED_CSV_FILE} starts with {header!r:.200}, not {EXTENDED_CSV_HEADER!r}.")
    if text.encode() != to_extended_csv(rows):
        fail(f"{EXTENDED_CSV_FILE} does not hold the extended JSON's rows in its published layout.")


def read_parquet(folder: Folder) -> pa.Table:
    try:
        return parquet_table(read_bytes(folder, EXTENDED_PARQUET_FILE))
    except (pa.ArrowException, OSError) as exc:
        raise Broken(
            f"{folder / EXTENDED_PARQUET_FILE} is not a Parquet file ({exc}).", TIP
        ) from None


def check_parquet(folder: Folder, extended: dict[str, Any]) -> None:
    """Its columns and types the version's; ranked 1 to N; the top rows the JSON's; no more
    projects than were counted."""
    table = read_parquet(folder)
    check_columns([(f.name, str(f.type)) for f in table.schema], extended["schema_version"])
    rows, counted = extended["total_rows"], extended["projects_counted"]
    if not rows <= table.num_rows <= counted:
        fail(f"{EXTENDED_PARQUET_FILE} has {table.num_rows} rows, not {rows} to {counted}.")
    if not table.column(RANK).combine_chunks().equals(first_ranks(table.num_rows)):
        fail(f"{EXTENDED_PARQUET_FILE}'s ranks are not 1 to {table.num_rows} in order.")
    if table.slice(0, rows).to_pylist() != extended["rows"]:
        fail(f"{EXTENDED_PARQUET_FILE}'s first {rows} rows differ from {EXTENDED_JSON_FILE}'s.")
    if pc.any(pc.is_null(table.column("project"))).as_py():
        fail(f"{EXTENDED_PARQUET_FILE} has a row without a project name.")


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
    for name in COMPATIBLE_FILES:
        read_text(folder, name)  # every file there and readable
    try:
        dataset = check_dataset(folder)
        version = dataset["schema_version"]
        for name in VERSION_FILES[version]:
            read_bytes(folder, name)  # the version's other files there and readable
        # Compared as JSON text, so that 1, 1.0 and true differ; the compact form is the
        # json module's C encoder, several times faster than its indented one.
        if to_min_json(read_json(folder, MIN_JSON_FILE)) != to_min_json(dataset):
            fail(f"{MIN_JSON_FILE} does not hold the same data as {JSON_FILE}.")
        check_csv_matches(read_text(folder, CSV_FILE), dataset)
        check_layout(folder, dataset)
        check_schema_file(folder, version)
        check_package(folder, read_json(folder, DATAPACKAGE_FILE), version)
        if version >= 3:
            check_copies(folder)
            check_extended_files(folder, dataset)
    except Broken:
        raise
    except ValidationError as exc:  # the rules' own wording, with this command's tip
        raise Broken(exc.message, TIP) from None
    except RecursionError:  # JSON nested just shallow enough to read, too deep to compare
        raise Broken(f"{folder} holds JSON nested too deeply to check.", TIP) from None
    return dataset
