"""What the publishing repository holds, read with git before anything is spent: the month's
tags here and on the remote, what each points at, HEAD's publish commit (`read_state`, for
`decision.py`), and whether a run may commit at all (identity, a clean work tree).
"""

import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

import git
from git.exc import GitCommandError

from publisher.base.errors import GitError, UsageError
from publisher.dataset.write import is_staging_leftover
from publisher.release.commits import Tagged, head_record, record_of
from publisher.release.decision import RepoState, correction_number
from publisher.release.repository import git_failure, git_words
from publisher.release.zenodo.metadata import CITATION_CFF
from publisher.release.zenodo.record import RELEASES_FILE

IDENTITY_KEYS = ("user.name", "user.email")
SHOWN_PATHS = 5
# What `top-pypi release` writes after publishing: never a reason to refuse a publish.
RELEASE_OUTPUT = frozenset({RELEASES_FILE, CITATION_CFF})


def current_branch(repo: git.Repo) -> str:
    if repo.head.is_detached:
        raise GitError(
            f"HEAD is detached at {repo.head.commit.hexsha[:12]}, so there is no branch to "
            "publish on.",
            "Check out the publishing branch first, e.g. `git switch main`.",
        )
    return repo.active_branch.name


def check_remote(repo: git.Repo, remote: str, name: str | None = None) -> str:
    """`remote`, if the repository has it; errors name it as `name` (default `--remote NAME`)."""
    names = [r.name for r in repo.remotes]
    if remote not in names:
        existing = ", ".join(names) or "none"
        raise UsageError(
            f"{name or f'--remote {remote}'} is not a remote of the publishing repository"
            f" (it has: {existing}).",
            f"Give one of those, add it with `git remote add {remote} URL`, or use --no-push.",
        )
    return remote


def remote_refs(repo: git.Repo, remote: str) -> dict[str, str]:
    """The remote's branches and tags (full ref name -> object id), read with `git ls-remote`."""
    with git_failure(
        f"Could not read the refs of remote {remote}",
        "Check its URL (`git remote -v`) and your access, or use --no-push.",
    ):
        output = str(repo.git.ls_remote("--heads", "--tags", remote))
    pairs = (line.split("\t", 1) for line in output.splitlines() if line)
    # `^{}` lines repeat a tag peeled to its commit; the tag object's own id is what we compare.
    return {ref: object_id for object_id, ref in pairs if not ref.endswith("^{}")}


def remote_has_tag(repo: git.Repo, remote: str, tag: str) -> bool:
    return f"refs/tags/{tag}" in remote_refs(repo, remote)


def local_tags(repo: git.Repo) -> dict[str, str]:
    return {tag.name: tag.object.hexsha for tag in repo.tags}


def read_tagged(
    repo: git.Repo, tag: str, object_id: str, data_paths: Sequence[str], remote: str | None
) -> Tagged:
    """What a tag of the month points at; a tag only the remote has is fetched first (a CI
    checkout often has no tags), without creating it here."""
    if not has_object(repo, object_id) and remote is not None:
        with git_failure(f"Could not fetch tag {tag} from {remote}", "Check your access."):
            repo.git.fetch("--no-tags", remote, f"refs/tags/{tag}")
    kind = str(repo.git.cat_file("-t", object_id))
    try:
        commit = repo.commit(repo.git.rev_parse("--verify", "--quiet", f"{object_id}^{{commit}}"))
    except GitCommandError:  # a tag of a tree or a blob
        return Tagged(tag, kind, None)
    return Tagged(tag, kind, record_of(commit, data_paths))


def has_object(repo: git.Repo, object_id: str) -> bool:
    try:
        repo.git.cat_file("-e", object_id)
    except GitCommandError:
        return False
    return True


def remote_branch_lacks(repo: git.Repo, remote_head: str | None, tag: str) -> bool:
    """Whether the remote branch is missing or strictly behind the tag's commit."""
    commit = repo.tags[tag].commit.hexsha
    if remote_head is None:
        return True
    if remote_head == commit:
        return False
    try:
        repo.git.merge_base("--is-ancestor", remote_head, commit)
    except GitCommandError:
        # Exit 1: the branch moved on past the commit. Exit 128: the remote head is a commit we
        # never fetched, so others built on the branch after our push (the branch is pushed
        # before the tag, so a pushed tag means the branch had the commit).
        return False
    return True


def read_state(
    repo: git.Repo, base_tag: str, branch: str, remote: str | None, data_paths: Sequence[str]
) -> RepoState:
    local = {
        t: i for t, i in local_tags(repo).items() if correction_number(t, base_tag) is not None
    }
    refs = remote_refs(repo, remote) if remote is not None else None
    remote_tags = None if refs is None else _month_tags(refs, base_tag)
    remote_head = None if refs is None else refs.get(f"refs/heads/{branch}")
    unpushed = frozenset(
        t for t in local if refs is not None and remote_branch_lacks(repo, remote_head, t)
    )
    ids = {**(remote_tags or {}), **local}
    tagged = {t: read_tagged(repo, t, i, data_paths, remote) for t, i in ids.items()}
    head = head_record(repo, data_paths)
    return RepoState(branch, remote, local, remote_tags, unpushed, head, tagged)


def _month_tags(refs: Mapping[str, str], base_tag: str) -> dict[str, str]:
    tags = {
        ref.removeprefix("refs/tags/"): i for ref, i in refs.items() if ref.startswith("refs/tags/")
    }
    return {t: i for t, i in tags.items() if correction_number(t, base_tag) is not None}


def check_identity(repo: git.Repo) -> None:
    missing = [key for key in IDENTITY_KEYS if not _identity_set(repo, key)]
    if missing:
        raise GitError(
            f"git identity is not set ({' and '.join(missing)} missing); the annotated release "
            "tag needs it.",
            'Set it in the publishing repository: `git config user.name "Your Name"` and '
            '`git config user.email "you@example.org"`.',
        )


def _identity_set(repo: git.Repo, key: str) -> bool:
    # git also takes the identity from GIT_AUTHOR_* and GIT_COMMITTER_* (both are needed).
    field = key.removeprefix("user.").upper()
    if all(os.environ.get(f"GIT_{who}_{field}") for who in ("AUTHOR", "COMMITTER")):
        return True
    try:
        return bool(repo.git.config("--get", key).strip())
    except GitCommandError:  # `git config --get` exits 1 when the key is unset
        return False


def check_clean(repo: git.Repo, data_paths: Sequence[str]) -> None:
    """Refuse uncommitted work, except in the files this run rewrites anyway: what an earlier
    run wrote but could not commit (a failed hook, an interrupt) must not block the re-run.
    Nor do the Zenodo release's own files: it rewrites them from the branch head."""
    ours = set(data_paths)
    found = changed_tracked_paths(repo) + untracked_paths(repo, data_paths)
    dirty = [
        path
        for path in found
        if path not in ours and path not in RELEASE_OUTPUT and not _staged_by_us(path, data_paths)
    ]
    if dirty:
        shown = ", ".join(dirty[:SHOWN_PATHS])
        more = f" and {len(dirty) - SHOWN_PATHS} more" if len(dirty) > SHOWN_PATHS else ""
        raise GitError(
            f"The publishing repository has uncommitted changes: {shown}{more}.",
            "Commit them, or stash them with `git stash --include-untracked`, then re-run.",
        )


def _staged_by_us(path: str, data_paths: Sequence[str]) -> bool:
    """A temporary that writing one of `data_paths` left when a run was killed outright: the
    re-run's write replaces it."""
    found = PurePosixPath(path)
    return any(
        found.parent == PurePosixPath(ours).parent
        and is_staging_leftover(found, [PurePosixPath(ours).name])
        for ours in data_paths
    )


def changed_tracked_paths(repo: git.Repo) -> list[str]:
    """Tracked files that are modified, staged, deleted or renamed (`git status`, NUL-separated)."""
    try:
        output = repo.git.status("--porcelain=v1", "-z", "--untracked-files=no")
    except GitCommandError as exc:
        raise _status_failure(repo, exc) from None
    records = iter(output.split("\0"))
    paths = []
    for record in records:
        if record:
            paths.append(record[3:])
            if record[0] in "RC":
                next(records, None)  # a rename or copy is followed by its source path
    return paths


def _status_failure(repo: git.Repo, exc: GitCommandError) -> GitError:
    words = git_words(exc)
    root = Path(str(repo.working_tree_dir))
    index = Path(repo.git_dir, "index")
    if "index" not in words:
        return GitError(f"git status failed in {root}: {words}.", "Mend that, then re-run.")
    shown = index.relative_to(root) if index.is_relative_to(root) else index
    return GitError(
        f"git cannot read its index {index}: {words}.",
        f"Rebuild it from the last commit, keeping your files: "
        f"`cd {shlex.quote(str(root))} && rm {shlex.quote(str(shown))} && git reset`, then re-run.",
    )


def untracked_paths(repo: git.Repo, data_paths: Sequence[str]) -> list[str]:
    """Untracked, not ignored files where the run writes: a crashed run's or someone's work."""
    scopes = sorted({_folder_of(path) for path in data_paths})
    if not scopes:
        return []
    output = repo.git.ls_files("--others", "--exclude-standard", "-z", "--", *scopes)
    return [path for path in output.split("\0") if path]


def _folder_of(path: str) -> str:
    # A file at the top of the repository is checked alone, not the whole work tree.
    parent = PurePosixPath(path).parent
    return path if parent == PurePosixPath(".") else str(parent)
