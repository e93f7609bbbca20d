"""A published month in the history: `publish` writes its rows into `data/history/` in its own
commit, copied from the files it publishes (a correction's replace its month's, in a past year's
file too), so the history always holds every published month."""

import json
from dataclasses import dataclass
from pathlib import Path

import git

from publisher.dataset.build import EXTENDED_JSON_FILE, JSON_FILE
from publisher.dataset.history.folder import with_history_months
from publisher.dataset.history.names import (
    DATAPACKAGE_FILE,
    INDEX_FILE,
    INDEX_SCHEMA_FILE,
    tag_year,
    year_file,
)
from publisher.dataset.write import write_files
from publisher.history.committed import names_in_tree, read_history
from publisher.history.sources import copied_month
from publisher.release.calver import month_of
from publisher.release.history_folder import HISTORY


@dataclass(frozen=True)
class CommittedHistory:
    """The history a publish builds on, read and found whole once, before counting (a broken
    history stops the run before BigQuery bills), and the paths the publish may write."""

    files: dict[str, bytes]
    paths: list[str]


def committed_history(repo: git.Repo, tag: str) -> CommittedHistory:
    """The branch's history, and every history file a publish of `tag` may write: those there
    now (a stopped run's included), and the month's."""
    files = read_history(repo)
    names = {*files, *names_in_tree(repo), INDEX_FILE, INDEX_SCHEMA_FILE, DATAPACKAGE_FILE}
    names.add(year_file(tag_year(month_of(tag))))
    return CommittedHistory(files, sorted(f"{HISTORY}/{name}" for name in names))


def write_published_month(
    repo: git.Repo, history: CommittedHistory, tag: str, files: dict[str, bytes]
) -> list[str]:
    """Put the month `tag` publishes (its compatible rows) into `history`; the paths written."""
    root = Path(str(repo.working_tree_dir))
    dataset = json.loads(files[JSON_FILE])
    extended = json.loads(files[EXTENDED_JSON_FILE]) if EXTENDED_JSON_FILE in files else None
    month = copied_month(month_of(tag), tag, dataset, extended)
    written = with_history_months(history.files, [month])
    write_files(root / HISTORY, written)
    return [f"{HISTORY}/{name}" for name in written]
