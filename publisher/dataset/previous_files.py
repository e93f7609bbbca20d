"""Reading the previous published month (`previous.Previous`) from a folder of published
files (`collect --previous DIR`) or a tag's `data/` (any `check.Folder`): the ranks of every
project from the extended Parquet when the month has one, else of the rows its compatible JSON
published (a project below them has no previous rank).
"""

import json
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import pyarrow as pa

from publisher.base.errors import PublisherError, UsageError
from publisher.base.parquet import parquet_table
from publisher.count.window import Window
from publisher.dataset.build import (
    EXTENDED_JSON_FILE,
    EXTENDED_PARQUET_FILE,
    JSON_FILE,
    period_block,
)
from publisher.dataset.check import Folder, check_dataset
from publisher.dataset.previous import RANKS_SCHEMA, Previous
from publisher.dataset.validate import check_period_length

FOLDER_TIP = "Give --previous the data folder of a published month (it holds {name})."


def refuse(message: str, tip: str) -> NoReturn:
    raise UsageError(message, tip)


def read_bytes(folder: Folder, name: str, tip: str) -> bytes | None:
    """The file's bytes; None when the folder has no such file."""
    try:
        return (folder / name).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        refuse(f"{folder / name} cannot be read ({exc.strerror or exc}).", tip)


def compatible_dataset(folder: Folder, tip: str) -> dict[str, Any]:
    """The month's compatible JSON, checked against its schema_version's schema."""
    if read_bytes(folder, JSON_FILE, tip) is None:
        refuse(f"{folder} has no {JSON_FILE}, so it is no published month.", tip)
    try:
        return check_dataset(folder)
    except PublisherError as exc:
        refuse(f"The previous month's {exc.message.rstrip('.')}.", tip)


def parquet_ranks(folder: Folder, body: bytes, tip: str) -> pa.Table:
    """Every project's rank, read as Arrow: about 800,000 rows at today's volume."""
    try:
        table = parquet_table(body, RANKS_SCHEMA.names)
        return table.cast(RANKS_SCHEMA)
    except (pa.ArrowException, KeyError) as exc:
        name = folder / EXTENDED_PARQUET_FILE
        refuse(f"{name} has no readable project and rank columns ({exc}).", tip)


def rows_ranks(dataset: dict[str, Any]) -> pa.Table:
    """The compatible rows' ranks: their order is the rank (downloads descending, then name)."""
    projects = [row["project"] for row in dataset["rows"]]
    ranks = pa.array(range(1, len(projects) + 1), pa.int32())
    return pa.Table.from_arrays([pa.array(projects, pa.string()), ranks], schema=RANKS_SCHEMA)


def extended_mean(folder: Folder, tip: str) -> float | None:
    """The month's mean downloads per day from the extended JSON's totals, when it has one."""
    body = read_bytes(folder, EXTENDED_JSON_FILE, tip)
    if body is None:
        return None
    try:
        mean = json.loads(body)["totals"]["mean_per_day"]
    except (ValueError, KeyError, TypeError):
        mean = None
    if not isinstance(mean, int | float) or isinstance(mean, bool):
        refuse(f"{folder / EXTENDED_JSON_FILE} has no number at totals.mean_per_day.", tip)
    return float(mean)


def read_previous(folder: Folder, tag: str | None = None, tip: str = "") -> Previous:
    """The month published in `folder` (a tag's `data/` when `tag` names it); one line
    naming the path and the fix for a folder that is missing, empty or unreadable."""
    tip = tip or FOLDER_TIP.format(name=JSON_FILE)
    if isinstance(folder, Path) and not folder.is_dir():
        refuse(f"--previous {folder} is not a folder.", tip)
    dataset = compatible_dataset(folder, tip)
    body = read_bytes(folder, EXTENDED_PARQUET_FILE, tip)
    ranks = rows_ranks(dataset) if body is None else parquet_ranks(folder, body, tip)
    block = {
        "tag": tag,
        "period": period_block(check_period_length(dataset)),
        "file": JSON_FILE if body is None else EXTENDED_PARQUET_FILE,
        "ranked_rows": ranks.num_rows,
    }
    return Previous(block, ranks, extended_mean(folder, tip))


def check_earlier(previous: Previous, window: Window, name: str) -> None:
    """The previous month ends before the window starts: a later or overlapping month in
    `--previous` would make its ranks and flags the "previous" ones."""
    period = previous.block["period"]
    if date.fromisoformat(period["end"]) < window.start:
        return
    refuse(
        f"{name} holds {period['start']} to {period['end']}, which does not end before the"
        f" window counted now starts ({window.start} to {window.end}).",
        "Give --previous the month published before this window, or another --end-date.",
    )
