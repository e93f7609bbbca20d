"""What earlier runs found, kept in the git directory beside the kept months (never in the work
tree), so that a run with nothing to do finds it out without reading the history's Parquet
files or the source again.

- The history trees found whole: git's id of a tree names its bytes, so a tree checked whole
  once is whole for good, as far as the same version of the check goes (a newer version checks
  it again).
- The first month each source holds whole, with what names the source: for local events, the
  names of their files (a day added before the first changes them). It stands in only to tell
  that no month is missing; a run with a month to count reads the source again.
"""

import json
import os
from pathlib import Path

from publisher import __version__
from publisher.history.progress import progress_folder

CHECKED_FILE, FIRST_MONTHS_FILE = "checked-trees", "first-months.json"
KEPT_TREES = 32  # the newest ones: a history's last few commits


def write_whole(path: Path, text: str) -> None:
    """Written beside its name and renamed into place: a kill leaves the old file or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(path)


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def checked_trees(git_dir: Path) -> list[str]:
    """`version:tree-id` entries, the newest last."""
    return read_text(progress_folder(git_dir) / CHECKED_FILE).split()


def was_checked(git_dir: Path, tree_id: str) -> bool:
    return f"{__version__}:{tree_id}" in checked_trees(git_dir)


def remember_checked(git_dir: Path, tree_id: str) -> None:
    entry = f"{__version__}:{tree_id}"
    trees = [t for t in checked_trees(git_dir) if t != entry][-(KEPT_TREES - 1) :]
    write_whole(progress_folder(git_dir) / CHECKED_FILE, "\n".join([*trees, entry]) + "\n")


def first_months(git_dir: Path) -> dict[str, dict[str, str]]:
    try:
        found = json.loads(read_text(progress_folder(git_dir) / FIRST_MONTHS_FILE))
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def remembered_first(git_dir: Path, source: str, names: str) -> str | None:
    """The first month `source` held whole when it was last read, if it is still named by
    `names` (see `first_day.source_names`)."""
    found = first_months(git_dir).get(source)
    if not isinstance(found, dict) or found.get("names") != names:
        return None
    month = found.get("first")
    return month if isinstance(month, str) else None


def remember_first(git_dir: Path, source: str, names: str, month: str) -> None:
    found = first_months(git_dir)
    if found.get(source) == {"first": month, "names": names}:
        return
    found[source] = {"first": month, "names": names}
    text = json.dumps(found, indent=1, sort_keys=True) + "\n"
    write_whole(progress_folder(git_dir) / FIRST_MONTHS_FILE, text)
