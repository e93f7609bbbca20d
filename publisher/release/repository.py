"""The publishing repository as every command opens it, and git's errors as every command words
them: one line with git's own words, and the fix.

GitPython opens a repository by reading its files; git itself may still refuse it, as it does
one owned by another user (usual in CI containers and bind mounts), so `open_repo` asks git too.
"""

import re
import shlex
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from publisher.base.errors import GitError, UsageError
from publisher.base.paths import refuse_symlink_loop

REPO_TIP = "Give the top folder of a clone of the publishing repository."
STATUS_TIP = "Check the repository with `git status`."


def open_repo(path: Path, work_tree: bool = True) -> git.Repo:
    """The repository at `path` (`--repo`), which git itself accepts. `work_tree`: refuse a
    bare repository, which has no files to commit (the site only reads, and takes one)."""
    refuse_symlink_loop(path, f"--repo {path}")
    try:
        repo = git.Repo(path)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise UsageError(f"--repo {path} is not a git repository.", REPO_TIP) from None
    try:
        if work_tree and repo.bare:
            raise UsageError(
                f"--repo {path} is a bare repository, with no files to commit.", REPO_TIP
            )
        check_git_accepts(repo, path)
    except (UsageError, GitError):
        repo.close()
        raise
    return repo


def check_git_accepts(repo: git.Repo, path: Path) -> None:
    """Refuse, in one line and with the fix, a repository git will not work in."""
    try:
        repo.git.rev_parse("--git-dir")
    except GitCommandError as exc:
        words = git_words(exc).removeprefix("fatal: ")
        if "dubious ownership" not in words:
            raise GitError(
                f"git refuses --repo {path}: {words}.", "Mend that, then re-run."
            ) from None
        where = _dubious_path(words) or str(repo.working_tree_dir)
        raise GitError(
            f"git refuses --repo {path}: detected dubious ownership in repository at "
            f"'{where}' (another user owns it).",
            "If you trust it, run "
            f"`git config --global --add safe.directory {shlex.quote(where)}`, then re-run.",
        ) from None


def _dubious_path(words: str) -> str | None:
    match = re.search(r"dubious ownership in repository at '([^']+)'", words)
    return match.group(1) if match else None


@contextmanager
def git_failure(what: str, tip: str = STATUS_TIP) -> Iterator[None]:
    """A git command that fails inside becomes one line: `what`, git's words, then `tip`."""
    try:
        yield
    except GitCommandError as exc:
        raise GitError(f"{what}: {git_words(exc)}.", tip) from None


def git_words(exc: GitCommandError) -> str:
    """git's own words: stderr, else stdout (`git commit` says "nothing to commit" there)."""
    for stream, text in (("stderr", exc.stderr), ("stdout", exc.stdout)):
        # GitPython keeps each stream wrapped as "\n  stderr: '...'".
        words = str(text).strip().removeprefix(f"{stream}:").strip().strip("'")
        if words:
            # git wraps its sentences over lines; the user gets them on one line.
            return " ".join(words.split()).rstrip(".")
    return f"exit status {exc.status}"
