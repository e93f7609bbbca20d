"""The git release stage: commit the month's files, tag the commit `YYYY.MM`, push branch and tag.

A run can stop anywhere (a crash, a rejected push, a lost network), so every step is resumable:
`plan_release` reads how far an earlier run got *before* any query is spent, and the caller then
does only what is left. The commit names its tag in a trailer (`Top-PyPI-Tag: 2026.11`), which is
how a commit that was made but never tagged is recognised, and the window it was asked for in
another (`Top-PyPI-Window`, see `commits.py`): an earlier run's work is finished, or the month
found done, only for the same window, and a tag of the month that is not such a commit of ours
is refused, never pushed or taken as done.

    plan = plan_release(repo, "2026.11", "origin", correction=False, data_paths=paths,
                        window=window)
    DONE     nothing to do: the tag exists (and is on the remote when pushing)
    PUSH     tagged locally, the remote lacks the tag or the branch commit  -> resume()
    TAG      HEAD is a publish commit whose tag is missing                  -> resume()
    PUBLISH  query, write the files, then commit_and_tag() and push()

With `correction=True` and the month already published, the tag becomes the next free
`YYYY.MM.N` and the plan is PUBLISH, unless a half-finished correction is found first.
"""

import logging
import os
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath

import git
from git.exc import GitCommandError, InvalidGitRepositoryError, NoSuchPathError

from publisher.base.errors import GitError, UsageError
from publisher.base.paths import refuse_symlink_loop
from publisher.count.window import Window
from publisher.dataset.write import is_staging_leftover
from publisher.release.commits import (
    Record,
    Tagged,
    check_ours,
    check_same_window,
    head_record,
    record_of,
    subject,
    window_text,
    with_trailer,
)
from publisher.release.zenodo.metadata import CITATION_CFF
from publisher.release.zenodo.record import RELEASES_FILE

BASE_TAG = re.compile(r"\d{4}\.\d{2}")
IDENTITY_KEYS = ("user.name", "user.email")
# Any of these in a ref's push result means the remote did not take it.
PUSH_FAILED = (
    git.PushInfo.ERROR
    | git.PushInfo.REJECTED
    | git.PushInfo.REMOTE_REJECTED
    | git.PushInfo.REMOTE_FAILURE
    | git.PushInfo.NO_MATCH
)
SHOWN_PATHS = 5
# What `top-pypi release` writes after publishing: never a reason to refuse a publish.
RELEASE_OUTPUT = frozenset({RELEASES_FILE, CITATION_CFF})

# GitPython logs a refused push as a warning; with no logging set up Python would print it raw
# to stderr next to our own one-line error, which already carries the remote's words.
logging.getLogger("git.remote").addHandler(logging.NullHandler())


class Action(StrEnum):
    DONE = "done"
    PUSH = "push"
    TAG = "tag"
    PUBLISH = "publish"


@dataclass(frozen=True)
class ReleasePlan:
    """What is left to do for one tag; `reason` is a one-line account for the user."""

    action: Action
    tag: str
    branch: str
    remote: str | None
    reason: str


@dataclass(frozen=True)
class RepoState:
    """What the plan depends on, read from git once, so that `decide` is a pure function.

    `local_tags` and `remote_tags` hold only the month's tags (name -> object id);
    `remote_tags` is None when not pushing. `unpushed_branch` holds the local tags whose commit
    the remote branch still lacks; `head` is what HEAD's commit records (its trailers), and
    `tagged` what each of the month's tags points at.
    """

    branch: str
    remote: str | None
    local_tags: Mapping[str, str]
    remote_tags: Mapping[str, str] | None
    unpushed_branch: frozenset[str]
    head: Record | None
    tagged: Mapping[str, Tagged] = field(default_factory=dict)


# --- tags: pure ------------------------------------------------------------------------------


def check_base_tag(base_tag: str) -> str:
    if not BASE_TAG.fullmatch(base_tag):
        raise ValueError(f"release tag {base_tag!r} is not CalVer YYYY.MM")
    return base_tag


def correction_number(tag: str, base_tag: str) -> int | None:
    """0 for the month's tag itself, N for `base.N`, None for any other tag."""
    if tag == base_tag:
        return 0
    match = re.fullmatch(re.escape(base_tag) + r"\.([1-9]\d*)", tag)
    return int(match.group(1)) if match else None


def series_tags(tags: Iterable[str], base_tag: str) -> list[str]:
    """The month's tags in release order: 2026.11 < 2026.11.1 < 2026.11.2 < 2026.11.10."""
    numbered = {n: t for t in tags if (n := correction_number(t, base_tag)) is not None}
    return [numbered[n] for n in sorted(numbered)]


def next_correction_tag(existing_tags: Iterable[str], base_tag: str) -> str:
    """The first correction tag after every existing one: `base.1` if there is none yet."""
    numbers = [correction_number(t, base_tag) for t in existing_tags]
    return f"{base_tag}.{max((n for n in numbers if n is not None), default=0) + 1}"


# --- the decision: pure -------------------------------------------------------------------------


def decide(state: RepoState, base_tag: str, correction: bool, window: str) -> ReleasePlan:
    """The state machine: an untagged publish commit, then the latest tag's push, then done;
    each only for the `window` asked for ("start..end"), and never on a tag not of ours.
    With `correction`, another window is allowed: that is what a correction may change."""
    known = series_tags({*state.local_tags, *(state.remote_tags or {})}, base_tag)
    pending = _untagged_head(state, base_tag, known)
    if state.head and pending:
        _check_head_window(state.head, pending, window)
        return _plan(state, Action.TAG, pending, f"HEAD is committed for {pending} but untagged")
    if not known:
        return _first_publish(state, base_tag, correction)
    for tag in known:
        on_remote = tag in (state.remote_tags or {})
        check_ours(state.tagged[tag], tag in state.local_tags, on_remote, state.remote)
    latest = known[-1]
    lacking = _remote_lacks(state, latest)
    if not correction:
        _check_published_window(state, known, base_tag, lacking, window)
    if lacking:
        return _plan(state, Action.PUSH, latest, f"{latest} is tagged but {lacking}")
    if correction:
        tag = next_correction_tag(known, base_tag)
        return _plan(state, Action.PUBLISH, tag, f"{latest} is published; correcting as {tag}")
    return _plan(state, Action.DONE, latest, f"{latest} is already published")


def _untagged_head(state: RepoState, base_tag: str, known: list[str]) -> str | None:
    """The month's tag HEAD's publish commit names, when no such tag exists yet."""
    pending = state.head.tag if state.head else None
    if pending and correction_number(pending, base_tag) is not None and pending not in known:
        return pending
    return None


def _check_head_window(head: Record, pending: str, window: str) -> None:
    check_same_window(
        f"HEAD {head.sha[:12]} is a publish commit of {pending}, not tagged yet, made",
        head,
        window,
        "Ask for that window (--end-date, --days) to tag and push it, or drop the commit with"
        " `git reset --keep HEAD~1`, then re-run.",
    )


def _check_published_window(
    state: RepoState, known: list[str], base_tag: str, lacking: str, window: str
) -> None:
    latest, correction = known[-1], next_correction_tag(known, base_tag)
    record = state.tagged[latest].record
    assert record is not None  # check_ours let it through
    if lacking:
        what = f"{latest} is tagged but {lacking}; it was made"
        tip = "Ask for that window (--end-date, --days) to push it, or re-run with --correction"
        tip += f" to push it, and once more to publish {window} as {correction}."
    else:
        what = f"{latest} is already published"
        tip = f"To publish {window} too, re-run with --correction (it becomes {correction})."
    check_same_window(what, record, window, tip)


def _plan(state: RepoState, action: Action, tag: str, reason: str) -> ReleasePlan:
    return ReleasePlan(action, tag, state.branch, state.remote, reason)


def _first_publish(state: RepoState, base_tag: str, correction: bool) -> ReleasePlan:
    if correction:
        raise UsageError(
            f"--correction: {base_tag} is not published yet, so there is nothing to correct.",
            "Run without --correction to publish it.",
        )
    return _plan(state, Action.PUBLISH, base_tag, f"{base_tag} is not published yet")


def _remote_lacks(state: RepoState, tag: str) -> str:
    """What the remote still lacks of a local tag ("" if nothing, or if not pushing)."""
    if state.remote_tags is None or tag not in state.local_tags:
        return ""
    remote_id = state.remote_tags.get(tag)
    if remote_id is None:
        return f"{state.remote} lacks the tag"
    if remote_id != state.local_tags[tag]:
        raise GitError(
            f"Tag {tag} on {state.remote} is {remote_id[:12]} but the local {tag} is "
            f"{state.local_tags[tag][:12]}: two different releases carry the same tag.",
            f"Compare them; to keep the remote's, run `git tag -d {tag}` and "
            f"`git fetch {state.remote} tag {tag}`, then re-run.",
        )
    if tag in state.unpushed_branch:
        return f"{state.remote}/{state.branch} lacks its commit"
    return ""


# --- reading the repository ---------------------------------------------------------------------


def open_repo(path: Path) -> git.Repo:
    tip = "Give the top folder of a clone of the publishing repository."
    refuse_symlink_loop(path, f"--repo {path}")
    try:
        repo = git.Repo(path)
    except (InvalidGitRepositoryError, NoSuchPathError):
        raise UsageError(f"--repo {path} is not a git repository.", tip) from None
    if repo.bare:
        raise UsageError(f"--repo {path} is a bare repository, with no files to commit.", tip)
    check_git_accepts(repo, path)
    return repo


def check_git_accepts(repo: git.Repo, path: Path) -> None:
    """GitPython opens a repository by reading its files; git itself may still refuse it, as it
    does one owned by another user (usual in CI containers and bind mounts)."""
    try:
        repo.git.rev_parse("--git-dir")
    except GitCommandError as exc:
        words = _git_stderr(exc).removeprefix("fatal: ")
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
    with _git_failure(
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
        with _git_failure(f"Could not fetch tag {tag} from {remote}", "Check your access."):
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


# --- preflight ------------------------------------------------------------------------------------


def plan_release(
    repo: git.Repo,
    base_tag: str,
    remote: str | None,
    correction: bool,
    data_paths: Sequence[str],
    window: Window,
) -> ReleasePlan:
    """What this run must do for the month `base_tag`; refuses early, before any query is spent.

    `remote` None means --no-push. `data_paths` are the repository-relative files the run will
    write (e.g. "data/top-pypi-packages.json"): untracked files beside them block a publish, and
    a release of ours holds them all. `window` is the one asked for.
    """
    check_base_tag(base_tag)
    branch = current_branch(repo)
    if remote is not None:
        check_remote(repo, remote)
    state = read_state(repo, base_tag, branch, remote, data_paths)
    plan = decide(state, base_tag, correction, window_text(window))
    if plan.action in (Action.TAG, Action.PUBLISH):
        check_identity(repo)
    if plan.action is Action.PUBLISH:
        check_clean(repo, data_paths)
    return plan


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
    words = _git_stderr(exc)
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


# --- acting ---------------------------------------------------------------------------------------


def commit_and_tag(
    repo: git.Repo, tag: str, paths: Sequence[str], message: str, window: Window
) -> str:
    """Commit exactly `paths` (already written by the caller) and tag the commit; return its id.

    `message` is the subject and body; the subject also becomes the annotated tag's message.
    The trailers record the tag and the `window` asked for.
    Files identical to HEAD still give a (then empty) commit, so every release tag points at a
    commit whose message names it, and a correction that changed nothing is recorded as such.
    """
    tip = "Nothing was committed; the written files are left in place. Fix that and re-run."
    with _git_failure("git add failed", tip):
        repo.git.add("--", *paths)
    with _git_failure("git commit failed", tip):
        # Paths after `--` commit only them, whatever else might be staged.
        message = with_trailer(message, tag, window)
        repo.git.commit("--allow-empty", "-m", message, "--", *paths)
    tag_commit(repo, tag)
    return repo.head.commit.hexsha


def tag_commit(repo: git.Repo, tag: str, rev: str = "HEAD") -> None:
    """Create the annotated `tag` on `rev`, with the commit's subject as the tag's message."""
    commit = repo.commit(rev)
    with _git_failure(
        f"git tag {tag} failed",
        f"The commit {commit.hexsha[:12]} is kept; re-run the same command to tag and push it.",
    ):
        repo.create_tag(tag, ref=commit.hexsha, message=subject(commit))


def push(repo: git.Repo, plan: ReleasePlan) -> None:
    """Push the branch, then the tag, to `plan.remote` (nothing with --no-push); never forced.

    The branch goes first so that a tag on the remote implies its commit reached the branch.
    """
    if plan.remote is None:
        return
    kept = f"The local commit and tag {plan.tag} are kept"
    for ref in (f"refs/heads/{plan.branch}", f"refs/tags/{plan.tag}"):
        _push_ref(repo, plan.remote, ref, kept)


def push_branch(repo: git.Repo, remote: str, branch: str, kept: str) -> None:
    """Push `branch` to `remote`, never forced; `kept` says what stays local if it fails."""
    _push_ref(repo, remote, f"refs/heads/{branch}", kept)


def commit_paths(repo: git.Repo, paths: Sequence[str], message: str) -> str:
    """Commit exactly `paths` (already written by the caller); return the commit's id."""
    tip = "Nothing was committed; the written files are left in place. Fix that and re-run."
    with _git_failure("git add failed", tip):
        repo.git.add("--", *paths)
    with _git_failure("git commit failed", tip):
        repo.git.commit("-m", message, "--", *paths)
    return repo.head.commit.hexsha


def resume(repo: git.Repo, plan: ReleasePlan) -> None:
    """Finish what an earlier run left: tag (TAG) and push (TAG, PUSH); DONE does nothing."""
    if plan.action is Action.PUBLISH:
        raise ValueError("a PUBLISH plan needs the query, then commit_and_tag and push")
    if plan.action is Action.TAG:
        tag_commit(repo, plan.tag)
    if plan.action is not Action.DONE:
        push(repo, plan)


def _push_ref(repo: git.Repo, remote: str, ref: str, kept: str) -> None:
    progress = git.RemoteProgress()
    tip = _push_tip(remote, kept, "")
    with _git_failure(f"git push of {ref} to {remote} failed", tip):
        infos = repo.remote(remote).push(f"{ref}:{ref}", progress=progress)
    # GitPython reports a refused ref in its flags and does not raise, so look at each one.
    refused = [info for info in infos if info.flags & PUSH_FAILED]
    if refused or not infos:
        words = _one_line([info.summary for info in refused] + _remote_words(progress))
        raise GitError(
            f"{remote} rejected the push of {ref}: {words}.", _push_tip(remote, kept, words)
        )


def _push_tip(remote: str, kept: str, words: str) -> str:
    tip = f"{kept}; "
    if "[rejected]" in words:
        # A merge keeps the tagged commit on the branch; a rebase would leave the tag behind.
        tip += f"merge {remote}'s new commits (`git pull --no-rebase {remote}`), then "
    else:
        tip += f"once {remote} accepts the push, "
    return tip + "re-run the same command and it will only push."


def _remote_words(progress: git.RemoteProgress) -> list[str]:
    """What the remote said (hook output, errors), without transfer statistics or the URL."""
    said = [
        line.removeprefix("remote:") for line in progress.other_lines if line.startswith("remote:")
    ]
    errors = [line for line in progress.error_lines if "failed to push some refs" not in line]
    return said + errors


@contextmanager
def _git_failure(what: str, tip: str) -> Iterator[None]:
    try:
        yield
    except GitCommandError as exc:
        raise GitError(f"{what}: {_git_stderr(exc)}.", tip) from None


def _git_stderr(exc: GitCommandError) -> str:
    """git's own words: stderr, else stdout (`git commit` says "nothing to commit" there)."""
    for stream, text in (("stderr", exc.stderr), ("stdout", exc.stdout)):
        # GitPython keeps each stream wrapped as "\n  stderr: '...'".
        words = str(text).strip().removeprefix(f"{stream}:").strip().strip("'")
        if words:
            # git wraps its sentences over lines; the user gets them on one line.
            return " ".join(words.split()).rstrip(".")
    return f"exit status {exc.status}"


def _one_line(lines: Iterable[str]) -> str:
    parts = (" ".join(line.split()) for line in lines)
    return "; ".join(part for part in parts if part).rstrip(".")
