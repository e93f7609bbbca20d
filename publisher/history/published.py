"""A published month in the history: `publish` writes its rows into `data/history/` in its own
commit, copied from the files it publishes (a correction's replace its month's, in a past year's
file too), so the history always holds every published month."""

import json
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
from publisher.history.run import HISTORY, names_in_tree, read_history
from publisher.history.sources import copied_month
from publisher.release.calver import month_of


def history_paths(repo: git.Repo, tag: str) -> list[str]:
    """Every history file a publish of `tag` may write: those there now, and the month's."""
    root = Path(str(repo.working_tree_dir))
    names = {*read_history(repo), *names_in_tree(root), INDEX_FILE, INDEX_SCHEMA_FILE}
    names.add(DATAPACKAGE_FILE)
    names.add(year_file(tag_year(month_of(tag))))
    return sorted(f"{HISTORY}/{name}" for name in names)


def write_published_month(repo: git.Repo, tag: str, files: dict[str, bytes]) -> list[str]:
    """Put the month `tag` publishes (its compatible rows) into the history; the paths written."""
    root = Path(str(repo.working_tree_dir))
    dataset = json.loads(files[JSON_FILE])
    extended = json.loads(files[EXTENDED_JSON_FILE]) if EXTENDED_JSON_FILE in files else None
    month = copied_month(month_of(tag), tag, dataset, extended)
    written = with_history_months(read_history(repo), [month])
    write_files(root / HISTORY, written)
    return [f"{HISTORY}/{name}" for name in written]
