"""The history files (`data/history/`, docs/data.md) as the site shows them: the months that
no publish tag holds ("history months": counted later, one way, by `top-pypi history`), each
with what the index says of it, and the rank and downloads of the projects that get pages.

Read once a build and cheaply: the year files are read with a projection (four columns) and a
filter (the history months, the projects with pages), into two arrays of months x projects,
never a Python object per row. The folder is checked as an older tag's files are (the index
against its schema, each file against the hash its data package gives); a broken folder is
left out of the site with a warning, as a broken older tag is.
"""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import git
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from publisher.base.days import LOGGING_CHANGE
from publisher.base.errors import ValidationError
from publisher.dataset.build import DATA_FOLDER
from publisher.dataset.history.check import check_index, check_package
from publisher.dataset.history.names import (
    DATAPACKAGE_FILE,
    FOLDER,
    INDEX_FILE,
    tag_year,
    year_file,
)
from publisher.dataset.history.table import DOWNLOADS, PROJECT, RANK, TAG
from publisher.release.calver import tag_order
from publisher.release.repository import git_failure

HISTORY_PATH = f"{DATA_FOLDER}/{FOLDER}"  # in the publishing repository
SITE_FOLDER = f"{FOLDER}/"  # where the site serves the history files, byte for byte


@dataclass(frozen=True)
class HistoryMonth:
    """A month the history holds and no publish tag does, as its index says it."""

    tag: str
    start: str
    end: str
    days: int
    engine: str
    method: str
    source: str  # "count", or the tag its rows were copied from
    rows: int
    missing_days: tuple[str, ...]
    short_days: tuple[str, ...]
    notes: tuple[str, ...]

    @cached_property  # read for each of a project page's months, on each of 15,000 pages
    def month(self) -> tuple[int, int]:
        year, month, _ = tag_order(self.tag)
        return year, month

    @property
    def file(self) -> str:
        """The year file that holds its rows, as the site serves it."""
        return SITE_FOLDER + year_file(tag_year(self.tag))


def history_notes(month: HistoryMonth) -> list[str]:
    """Why a history month is not comparable with the others, in a few words each."""
    notes = []
    for days, what in ((month.missing_days, "missing"), (month.short_days, "short")):
        if days:
            notes.append(
                f"{len(days)} day{'s' if len(days) != 1 else ''} {what}: {', '.join(days)}"
            )
    if month.notes:
        notes.append(f"PyPI's logging changed on {LOGGING_CHANGE}")
    return notes


@dataclass(frozen=True)
class HistoryMonths:
    """The history months, oldest first, and their ranks and downloads for the projects that
    get pages: `ranks[m, p]` is project p's rank in month m (0: not ranked)."""

    months: list[HistoryMonth]
    files: dict[str, bytes]  # the folder's files, served under SITE_FOLDER
    columns: dict[str, int]  # project -> its column in `ranks` and `downloads`
    ranks: np.ndarray
    downloads: np.ndarray

    def of(self, name: str) -> list[tuple[int, int] | None]:
        """The project's (rank, downloads) in each history month, None where not ranked."""
        column = self.columns.get(name)
        if column is None:
            return [None] * len(self.months)
        ranks = self.ranks[:, column].tolist()
        downloads = self.downloads[:, column].tolist()
        return [(r, d) if r else None for r, d in zip(ranks, downloads, strict=True)]


def read_history_files(repo: git.Repo, latest_tag: str) -> dict[str, bytes]:
    """The history folder of the branch head, else of the latest publish tag; {} if neither
    has one (`history` commits on the branch, `publish` writes its month in its tag)."""
    with git_failure(f"Could not read {HISTORY_PATH}"):
        trees = [repo.head.commit.tree] if repo.head.is_valid() else []
        trees.append(repo.tags[latest_tag].commit.tree)
        for tree in trees:
            try:
                folder = tree / HISTORY_PATH
            except KeyError:
                continue
            if isinstance(folder, git.Tree):
                return {b.name: b.data_stream.read() for b in folder.blobs}
    return {}


def history_months(
    files: dict[str, bytes], published: Collection[tuple[int, int]], names: Sequence[str]
) -> HistoryMonths | None:
    """The months of `files` that are not `published` (year, month), with the ranks of
    `names`; None without history files. Raises ValidationError when they fail their checks."""
    if INDEX_FILE not in files or DATAPACKAGE_FILE not in files:
        if files:
            raise ValidationError(
                f"{HISTORY_PATH} has no {INDEX_FILE} or {DATAPACKAGE_FILE}.",
                "Restore the folder from git, or run `top-pypi history` again.",
            )
        return None
    index = check_index(files[INDEX_FILE])
    check_package(files)
    months = [
        facts(tag, block)
        for tag, block in sorted(index["months"].items())
        if tag_order(tag)[:2] not in published
    ]
    columns = {name: i for i, name in enumerate(names)}
    ranks = np.zeros((len(months), len(names)), np.int32)
    downloads = np.zeros((len(months), len(names)), np.int64)
    tags = [m.tag for m in months]
    for name in sorted({m.file.removeprefix(SITE_FOLDER) for m in months}):
        if name not in files:
            raise ValidationError(f"{HISTORY_PATH}/{name} is missing.", "Restore it from git.")
        table = month_rows(files[name], tags, names)
        row = pc.index_in(table.column(TAG), value_set=pa.array(tags, pa.string()))
        column = pc.index_in(table.column(PROJECT), value_set=pa.array(names, pa.string()))
        at = (row.to_numpy(zero_copy_only=False), column.to_numpy(zero_copy_only=False))
        ranks[at] = table.column(RANK).to_numpy()
        downloads[at] = table.column(DOWNLOADS).to_numpy()
    return HistoryMonths(months, dict(files), columns, ranks, downloads)


def month_rows(body: bytes, tags: list[str], names: Sequence[str]) -> pa.Table:
    """The rows of `tags` for `names` of one year file: four columns, filtered as read."""
    wanted = pc.field(TAG).isin(tags) & pc.field(PROJECT).isin(list(names))
    try:
        return pq.read_table(
            pa.BufferReader(body), columns=[TAG, RANK, PROJECT, DOWNLOADS], filters=wanted
        )
    except (pa.ArrowException, OSError) as exc:
        raise ValidationError(
            f"A year file of {HISTORY_PATH} cannot be read ({str(exc)[:120]}).",
            "Restore it from git.",
        ) from None


def facts(tag: str, block: dict[str, Any]) -> HistoryMonth:
    """A month's block of the index (checked against its schema) as a HistoryMonth."""
    period, engine = block["period"], block["engine"]
    return HistoryMonth(
        tag, period["start"], period["end"], period["days"], engine["name"], engine["method"],
        block["source"], block["rows"], tuple(block.get("missing_days", ())),
        tuple(block.get("short_days", ())), tuple(block.get("notes", ())),
    )  # fmt: skip
