"""The release's decision for one month, from the repository's state: a pure function over
plain data (`RepoState`, read from git by `git.py`), so that every case is tested without a
repository.

    DONE     nothing to do: the tag exists (and is on the remote when pushing)
    PUSH     tagged locally, the remote lacks the tag or the branch commit  -> resume()
    TAG      HEAD is a publish commit whose tag is missing                  -> resume()
    PUBLISH  query, write the files, then commit_and_tag() and push()

With `correction=True` and the month already published, the tag becomes the next free
`YYYY.MM.N` and the plan is PUBLISH, unless a half-finished correction is found first.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from publisher.base.errors import GitError, UsageError
from publisher.release.commits import Record, Tagged, check_ours, check_same_window

BASE_TAG = re.compile(r"\d{4}\.\d{2}")


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
