"""`validate` of `data/history/`: the index against its schema, each year file's columns and
order, and that the index, the year files and the package describe the same months and bytes."""

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

import fastjsonschema
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from publisher.base.errors import ValidationError
from publisher.dataset.datapackage import sha256
from publisher.dataset.history.folder import SHIPPED_INDEX_SCHEMA
from publisher.dataset.history.names import (
    DATAPACKAGE_FILE,
    INDEX_FILE,
    INDEX_SCHEMA_FILE,
    tag_year,
    year_of_file,
)
from publisher.dataset.history.table import (
    DOWNLOADS,
    HISTORY_SCHEMA,
    PERIOD_END,
    PERIOD_START,
    PROJECT,
    RANK,
    TAG,
    from_parquet,
    month_tags,
)
from publisher.dataset.validate import NORMALISED_NAME, shipped

TIP = "Restore it from git (`git checkout -- data/history`), then re-run; nothing was changed."


def fail(where: str, message: str) -> NoReturn:
    raise ValidationError(f"data/history/{where}: {message}", TIP)


@cache
def index_validator() -> Any:
    return fastjsonschema.compile(shipped(SHIPPED_INDEX_SCHEMA))


def check_index(body: bytes) -> dict[str, Any]:
    try:
        index: dict[str, Any] = json.loads(body)
        index_validator()(index)
    except (ValueError, fastjsonschema.JsonSchemaException) as error:
        fail(INDEX_FILE, f"{str(error)[:200]}")
    return index


def check_month(name: str, tag: str, rows: pa.Table, block: dict[str, Any] | None) -> None:
    if block is None:
        fail(name, f"holds {tag}, which {INDEX_FILE} does not list.")
    if rows.num_rows != block["rows"]:
        fail(name, f"{tag} has {rows.num_rows} rows; {INDEX_FILE} says {block['rows']}.")
    if not np.array_equal(rows.column(RANK).to_numpy(), np.arange(1, rows.num_rows + 1)):
        fail(name, f"{tag}'s ranks are not 1 to {rows.num_rows} in order.")
    counts = rows.column(DOWNLOADS).to_numpy()
    if rows.num_rows > 1 and (counts[1:] > counts[:-1]).any():
        fail(name, f"{tag}'s download counts do not fall with rank.")
    period = block["period"]
    for column, day in ((PERIOD_START, period["start"]), (PERIOD_END, period["end"])):
        found = pc.unique(rows.column(column)).to_pylist()
        if found and found != [date.fromisoformat(day)]:
            fail(name, f"{tag}'s {column} is not {day}, as {INDEX_FILE} says.")
    if len(pc.unique(rows.column(PROJECT))) != rows.num_rows:
        fail(name, f"{tag} names a project twice.")
    names = rows.column(PROJECT)
    wrong = names.filter(pc.invert(pc.match_substring_regex(names, NORMALISED_NAME.pattern)))
    if len(wrong):
        fail(name, f"{tag}: {str(wrong[0])[:80]!r} is not a PEP 503-normalised name.")


def check_year(name: str, year: int, body: bytes, months: dict[str, Any]) -> list[str]:
    """The tags the year file holds, each checked."""
    try:
        table = from_parquet(body)
    except (pa.ArrowException, OSError) as exc:
        fail(name, f"is not a Parquet file that can be read ({str(exc)[:120]}).")
    if table.schema.remove_metadata() != HISTORY_SCHEMA:
        fail(name, f"its columns are not {', '.join(HISTORY_SCHEMA.names)} as typed.")
    tags = month_tags(table)
    if table.column(TAG).to_pylist() != sorted(table.column(TAG).to_pylist()):
        fail(name, "its rows are not sorted by tag.")
    for tag in tags:
        if tag_year(tag) != year:
            fail(name, f"holds {tag}, a month of another year.")
        check_month(name, tag, table.filter(pc.equal(table.column(TAG), tag)), months.get(tag))
    return tags


def check_package(files: dict[str, bytes]) -> None:
    package = json.loads(files[DATAPACKAGE_FILE])
    described = {r.get("path"): r for r in package.get("resources", [])}
    expected = {name for name in files if name != DATAPACKAGE_FILE}
    if set(described) != expected:
        missing = sorted(expected ^ set(str(p) for p in described))
        fail(DATAPACKAGE_FILE, f"does not list the folder's files as they are: {missing[0]}.")
    for path, body in files.items():
        if path != DATAPACKAGE_FILE and described[path].get("hash") != sha256(body):
            fail(DATAPACKAGE_FILE, f"the hash it gives for {path} is not the file's.")


def check_history(files: dict[str, bytes]) -> int:
    """Raises on the first problem; returns the number of months."""
    for needed in (INDEX_FILE, INDEX_SCHEMA_FILE, DATAPACKAGE_FILE):
        if needed not in files:
            fail(needed, "is missing.")
    index = check_index(files[INDEX_FILE])
    held: list[str] = []
    for name, body in sorted(files.items()):
        year = year_of_file(name)
        if year is not None:
            held += check_year(name, year, body, index["months"])
        elif name not in (INDEX_FILE, INDEX_SCHEMA_FILE, DATAPACKAGE_FILE):
            fail(name, "is not a history file.")
    unheld = sorted(set(index["months"]) - set(held))
    if unheld:
        fail(INDEX_FILE, f"lists {unheld[0]}, which no year file holds.")
    check_package(files)
    return len(held)


def read_history_folder(folder: Path) -> dict[str, bytes]:
    """The folder's files by name; a sub-folder or a link is no history file."""
    files = {}
    for path in sorted(folder.iterdir()):
        if path.is_symlink() or not path.is_file():
            fail(path.name, "is not a history file (a folder or a link).")
        try:
            files[path.name] = path.read_bytes()
        except OSError as exc:
            fail(path.name, f"cannot be read ({exc.strerror}).")
    return files


def check_history_folder(folder: Path) -> int:
    """`data/history/` checked whole; the number of months it holds."""
    if folder.is_symlink() or not folder.is_dir():
        fail("", "is not a folder: the history's files go in a folder of that name.")
    return check_history(read_history_folder(folder))
