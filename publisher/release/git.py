"""The git release stage: commit the month's files, tag the commit `YYYY.MM`, push branch and tag.

A run can stop anywhere (a crash, a rejected push, a lost network), so every step is resumable:
`plan_release` reads how far an earlier run got *before* any query is spent (`git_state.py`),
lets `decision.py` decide from that state alone, and the caller then does only what is left.
The commit names its tag in a trailer (`Top-PyPI-Tag: 2026.11`), which is how a commit that was
made but never tagged is recognised, and the window it was asked for in another
(`Top-PyPI-Window`, see `commits.py`): an earlier run's work is finished, or the month found
done, only for the same window, and a tag of the month that is not such a commit of ours is
refused, never pushed or taken as done.

    plan = plan_release(repo, "2026.11", "origin", correction=False, data_paths=paths,
                        window=window)
    if plan.action is Action.PUBLISH: query, write, commit_and_tag(), push()
    else: resume()
"""

import logging
from collections.abc import Iterable, Sequence

import git

from publisher.base.errors import GitError
from publisher.count.window import Window
from publisher.release.commits import subject, window_text, with_trailer
from publisher.release.decision import Action, ReleasePlan, check_base_tag, decide
from publisher.release.git_state import (
    check_clean,
    check_identity,
    check_remote,
    current_branch,
    read_state,
)
from publisher.release.repository import git_failure

# Any of these in a ref's push result means the remote did not take it.
PUSH_FAILED = (
    git.PushInfo.ERROR
    | git.PushInfo.REJECTED
    | git.PushInfo.REMOTE_REJECTED
    | git.PushInfo.REMOTE_FAILURE
    | git.PushInfo.NO_MATCH
)

# GitPython logs a refused push as a warning; with no logging set up Python would print it raw
# to stderr next to our own one-line error, which already carries the remote's words.
logging.getLogger("git.remote").addHandler(logging.NullHandler())


def plan_release(
    repo: git.Repo,
    base_tag: str,
    remote: str | None,
    correction: bool,
    data_paths: Sequence[str],
    window: Window,
    also_written: Sequence[str] = (),
) -> ReleasePlan:
    """What this run must do for the month `base_tag`; refuses early, before any query is spent.

    `remote` None means --no-push. `data_paths` are the repository-relative files the run will
    write (e.g. "data/top-pypi-packages.json"): untracked files beside them block a publish, and
    a release of ours holds them all. `also_written` are files the run rewrites beside them that
    a release need not hold (the history's): left changed by a stopped run, they block nothing.
    `window` is the one asked for.
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
        check_clean(repo, [*data_paths, *also_written])
    return plan


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
    with git_failure("git add failed", tip):
        repo.git.add("--", *paths)
    with git_failure("git commit failed", tip):
        # Paths after `--` commit only them, whatever else might be staged.
        message = with_trailer(message, tag, window)
        repo.git.commit("--allow-empty", "-m", message, "--", *paths)
    tag_commit(repo, tag)
    return repo.head.commit.hexsha


def tag_commit(repo: git.Repo, tag: str, rev: str = "HEAD") -> None:
    """Create the annotated `tag` on `rev`, with the commit's subject as the tag's message."""
    commit = repo.commit(rev)
    with git_failure(
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
    with git_failure("git add failed", tip):
        repo.git.add("--", *paths)
    with git_failure("git commit failed", tip):
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
    with git_failure(f"git push of {ref} to {remote} failed", tip):
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


def _one_line(lines: Iterable[str]) -> str:
    parts = (" ".join(line.split()) for line in lines)
    return "; ".join(part for part in parts if part).rstrip(".")
