"""The history as the branch holds it (`data/history/` at HEAD), found whole before any run
builds on it; and the names a stopped run may have left in the work tree."""

from pathlib import Path

import git

from publisher.dataset.history.check import check_history
from publisher.history.remembered import remember_checked, was_checked
from publisher.release.history_folder import (
    HISTORY,
    WORK_TREE,
    HistoryFolder,
    history_folder,
)


def read_history(repo: git.Repo) -> dict[str, bytes]:
    """The history as the branch holds it, checked whole: a run builds on what was committed,
    never on what a stopped run left in the work tree (those files are rewritten anyway). A
    tree found whole before is not checked again (see `remembered`)."""
    folder = head_history(repo)
    if folder is None:
        return {}
    files = folder.read()
    if files:
        check_once(Path(repo.common_dir).resolve(), folder.tree_id, files)
    return files


def head_history(repo: git.Repo) -> HistoryFolder | None:
    return history_folder(repo, "HEAD") if repo.head.is_valid() else None


def check_once(git_dir: Path, tree_id: str | None, files: dict[str, bytes]) -> None:
    """`check_history`, unless the tree `tree_id` was found whole before."""
    if tree_id is not None and was_checked(git_dir, tree_id):
        return
    check_history(files)
    if tree_id is not None:
        remember_checked(git_dir, tree_id)


def found_whole(git_dir: Path, folder: HistoryFolder) -> None:
    """Refuses a broken history; reads its files only for a tree not found whole before."""
    if folder.tree_id is None or not was_checked(git_dir, folder.tree_id):
        check_once(git_dir, folder.tree_id, folder.read())


def tree_id_at(repo: git.Repo, commit: str) -> str:
    folder = history_folder(repo, commit)
    if folder is None or folder.tree_id is None:
        raise ValueError(f"commit {commit} has no {HISTORY} folder")
    return folder.tree_id


def names_in_tree(repo: git.Repo) -> set[str]:
    """The history's file names in the work tree, a stopped run's included."""
    folder = history_folder(repo, WORK_TREE)
    return set() if folder is None else {*folder.files, *folder.strays}
