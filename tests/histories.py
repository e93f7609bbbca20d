"""History folders for the site's tests: `data/history/` written by the dataset stage's own
code (publisher.dataset.history.folder), as `top-pypi history` and `publish` write it, and
committed on the branch of a publishing repository."""

import json
from datetime import timedelta
from pathlib import Path

import git
import pyarrow as pa

from publisher.dataset.build import DATA_FOLDER, EXTENDED_JSON_FILE, JSON_FILE
from publisher.dataset.history.folder import Month, with_history_months
from publisher.dataset.history.index import COUNTED, MonthFacts
from publisher.dataset.history.names import FOLDER
from publisher.dataset.history.table import month_table
from publisher.dataset.write import write_files
from publisher.history.sources import copied_month
from publisher.release.calver import month_of
from tests.published import month_end, tag_blob

HISTORY = f"{DATA_FOLDER}/{FOLDER}"


def counted(
    tag: str,
    rows: list[tuple[str, int]],
    missing: tuple[str, ...] = (),
    short: tuple[str, ...] = (),
) -> Month:
    """A month `history` counted: 30 days ending the day before the tag's month."""
    end = month_end(tag)
    start = end - timedelta(days=29)
    facts = MonthFacts(tag, start, end, "duckdb", "exact", COUNTED, len(rows), missing, short)
    projects = pa.array([name for name, _ in rows], pa.string())
    downloads = pa.array([count for _, count in rows], pa.int64())
    return Month(facts, month_table(tag, start, end, projects, downloads))


def copied(repo: Path, tag: str) -> Month:
    """A published tag's month, copied from its files as `publish` writes it."""
    dataset = json.loads(tag_blob(repo, tag, JSON_FILE))
    try:
        extended = json.loads(tag_blob(repo, tag, EXTENDED_JSON_FILE))
    except KeyError:
        extended = None
    return copied_month(month_of(tag), tag, dataset, extended)


def commit_history(repo: git.Repo, months: list[Month], message: str = "History") -> None:
    """The months into the branch's `data/history/` (a month there already is replaced)."""
    root = Path(str(repo.working_tree_dir))
    folder = root / HISTORY
    current = {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}
    files = with_history_months(current, months)
    write_files(folder, files)
    repo.git.add(HISTORY)
    repo.git.commit("-m", message)
