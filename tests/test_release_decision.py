"""The release's decision for a month (publisher/release/decision.py), from plain data alone: no
repository, no git process, not even GitPython loaded. The cases against real git are in
tests/test_git.py."""

import subprocess
import sys
from dataclasses import replace
from typing import Any

import pytest

from publisher.base.errors import GitError, UsageError
from publisher.release.commits import Record, Tagged
from publisher.release.decision import Action, RepoState, decide

MONTH = "2026.11"
ASKED = "2026-10-02..2026-10-31"
A, B = "a" * 40, "b" * 40
NOTHING_YET = RepoState("main", "origin", {}, {}, frozenset(), None)


def state(**changes: Any) -> RepoState:
    return replace(NOTHING_YET, **changes)


def ours(tag: str, sha: str = "c" * 40) -> Tagged:
    """An annotated tag on a publish commit of ours for `tag`, made for ASKED."""
    return Tagged(tag, "tag", Record(sha, f"Publish {tag}", tag, ASKED, True))


def test_the_decision_loads_without_gitpython() -> None:
    """What is decided is plain data: the module and what it imports never load GitPython."""
    code = "import sys, publisher.release.decision; print(sorted(sys.modules).count('git'))"
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "0"


def test_a_month_never_published_is_published_under_its_own_tag() -> None:
    plan = decide(NOTHING_YET, MONTH, False, ASKED)
    assert (plan.action, plan.tag, plan.branch, plan.remote) == (
        Action.PUBLISH,
        MONTH,
        "main",
        "origin",
    )
    assert plan.reason == "2026.11 is not published yet"


def test_a_correction_of_a_month_never_published_is_refused() -> None:
    with pytest.raises(UsageError, match=r"--correction: 2026\.11 is not published yet"):
        decide(NOTHING_YET, MONTH, True, ASKED)


def test_without_push_a_local_tag_is_done() -> None:
    local = state(remote=None, local_tags={MONTH: A}, remote_tags=None, tagged={MONTH: ours(MONTH)})
    plan = decide(local, MONTH, False, ASKED)
    assert (plan.action, plan.tag, plan.remote) == (Action.DONE, MONTH, None)


def test_a_tag_whose_commit_the_remote_branch_lacks_is_pushed_again() -> None:
    behind = state(
        local_tags={MONTH: A},
        remote_tags={MONTH: A},
        unpushed_branch=frozenset({MONTH}),
        tagged={MONTH: ours(MONTH)},
    )
    plan = decide(behind, MONTH, False, ASKED)
    assert (plan.action, plan.reason) == (
        Action.PUSH,
        "2026.11 is tagged but origin/main lacks its commit",
    )


def test_a_tag_only_the_remote_has_is_done() -> None:
    """A fresh clone without tags: the remote's release is the month's."""
    remote_only = state(remote_tags={MONTH: A}, tagged={MONTH: ours(MONTH)})
    assert decide(remote_only, MONTH, False, ASKED).action is Action.DONE


def test_a_half_finished_correction_is_tagged_before_another_is_begun() -> None:
    head = Record("d" * 40, "Publish 2026.11.1", "2026.11.1", "2026-10-03..2026-11-01", True)
    half = state(
        local_tags={MONTH: A}, remote_tags={MONTH: A}, head=head, tagged={MONTH: ours(MONTH)}
    )
    plan = decide(half, MONTH, True, "2026-10-03..2026-11-01")
    assert (plan.action, plan.tag) == (Action.TAG, "2026.11.1")
    assert plan.reason == "HEAD is committed for 2026.11.1 but untagged"


def test_a_correction_follows_the_latest_one() -> None:
    tags = {MONTH: A, "2026.11.1": B, "2026.11.2": "e" * 40}
    done = state(local_tags=tags, remote_tags=tags, tagged={t: ours(t) for t in tags})
    plan = decide(done, MONTH, True, "2026-10-03..2026-11-01")
    assert (plan.action, plan.tag) == (Action.PUBLISH, "2026.11.3")
    assert plan.reason == "2026.11.2 is published; correcting as 2026.11.3"


def test_a_tag_of_another_month_is_none_of_this_months() -> None:
    other = state(local_tags={"2026.10": A}, tagged={"2026.10": ours("2026.10")})
    assert decide(other, MONTH, False, ASKED).action is Action.PUBLISH


def test_two_releases_under_one_tag_are_refused_with_both_ids() -> None:
    split = state(local_tags={MONTH: A}, remote_tags={MONTH: B}, tagged={MONTH: ours(MONTH)})
    with pytest.raises(GitError, match=f"Tag 2026.11 on origin is {B[:12]} but the local"):
        decide(split, MONTH, False, ASKED)
