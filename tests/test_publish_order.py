"""A month published after a newer one: committed and tagged as any other, then the newest
month's files committed back into `data/`, so that the branch (what scripts read) never holds
an older month. Real events, a real publishing repository, a bare remote."""

import contextlib
import io
import shutil
from datetime import date, datetime
from pathlib import Path

import git
import pytest

from publisher.cli import main
from publisher.cli.publish import DATA_PATHS
from publisher.release.newest import blobs
from tests.published import month_count, publish_month, ranked
from tests.repos import message_text, publishing_repo

NEWER, OLDER = "2026.11", "2026.10"
# The older month: the last four days of September, which the sample events hold.
OLDER_ARGS = ("--end-date", "2026-09-30", "--days", "4")


@pytest.fixture
def repos(tmp_path: Path, events_dir: Path) -> tuple[git.Repo, git.Repo]:
    shutil.copytree(events_dir, tmp_path / "events")
    return publishing_repo(tmp_path, 'events = "../events"\nlimit = 200\n')


def publish(repo: git.Repo, now: datetime, *args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["publish", "--repo", str(repo.working_tree_dir), *args], now)
    return code, out.getvalue() + err.getvalue()


def holds(repo: git.Repo, rev: str, tag: str) -> bool:
    """Whether the commit `rev` holds exactly the data files of the tag."""
    return blobs(repo.commit(rev), DATA_PATHS) == blobs(repo.commit(tag), DATA_PATHS)


def test_an_older_month_published_late_leaves_the_newest_on_the_branch(
    repos: tuple[git.Repo, git.Repo], now: datetime
) -> None:
    work, remote = repos
    assert publish(work, now)[0] == 0
    code, out = publish(work, now, *OLDER_ARGS, "--dry-run")
    assert code == 0, out
    assert f"would put {NEWER}, the newest month, back after it" in out
    code, out = publish(work, now, *OLDER_ARGS)
    assert code == 0, out
    assert sorted(t.name for t in remote.tags) == [OLDER, NEWER]
    assert holds(remote, "main", NEWER)  # what scripts reading the branch get
    assert holds(work, "HEAD", NEWER)
    assert not work.is_dirty(untracked_files=True)
    older = remote.tags[OLDER].commit
    assert remote.is_ancestor(older, remote.heads.main.commit)
    assert (older.tree / "data/top-pypi-packages.json").data_stream.read().count(b"2026-09-30")
    assert not holds(remote, OLDER, NEWER)
    assert message_text(work.head.commit).startswith(f"Restore data/ to {NEWER}, the newest month")
    assert "release --out-of-order" in out
    head = work.head.commit
    code, out = publish(work, now, *OLDER_ARGS)
    assert (code, work.head.commit) == (0, head)
    assert f"{OLDER} is already published; nothing to do." in out


def test_a_newer_month_published_after_an_older_one_needs_nothing_back(
    repos: tuple[git.Repo, git.Repo], now: datetime
) -> None:
    work, remote = repos
    assert publish(work, now, *OLDER_ARGS)[0] == 0
    assert publish(work, now)[0] == 0
    assert holds(remote, "main", NEWER)
    assert remote.heads.main.commit == remote.tags[NEWER].commit  # no commit after the tag


def test_a_run_stopped_after_tagging_the_older_month_puts_the_newest_back(
    repos: tuple[git.Repo, git.Repo], now: datetime
) -> None:
    """The older month committed and tagged, not pushed, and data/ not put back (as a run
    stopped there, or an earlier top-pypi, left it): the re-run completes both."""
    work, remote = repos
    assert publish(work, now)[0] == 0
    count = month_count(ranked({"boto3": 900, "requests": 800}), date(2026, 9, 30), days=4)
    publish_month(work, OLDER, count)
    assert holds(work, "HEAD", OLDER)
    code, out = publish(work, now, *OLDER_ARGS)
    assert code == 0, out
    assert "nothing counted again" in out
    assert holds(remote, "main", NEWER)
    assert sorted(t.name for t in remote.tags) == [OLDER, NEWER]
    code, out = publish(work, now, *OLDER_ARGS, "--no-push")
    assert (code, out.strip()) == (0, f"{OLDER} is already published; nothing to do.")
