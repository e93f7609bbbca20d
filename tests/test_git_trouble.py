"""Publishing repositories git itself refuses or cannot read: one line, the fix, nothing damaged."""

import os
import re
import shlex
import subprocess
from datetime import datetime
from pathlib import Path

import git
import pytest

from tests.expect import assert_one_error_line, run_cli
from tests.repos import publishing_repo

MONTH = "2026.11"
ANOTHER_USER = 12345


@pytest.fixture
def repos(tmp_path: Path, events_dir: Path) -> tuple[git.Repo, git.Repo]:
    return publishing_repo(tmp_path, f'events = "{events_dir}"\nlimit = 50\n')


def root_of(repo: git.Repo) -> Path:
    return Path(str(repo.working_tree_dir))


def the_fix(err: str) -> str:
    """The command the error line tells people to run."""
    commands = re.findall(r"`([^`]+)`", err.strip().splitlines()[-1])
    assert len(commands) == 1, err
    return str(commands[0])


@pytest.mark.parametrize("push", [[], ["--no-push"], ["--dry-run"]])
def test_a_checkout_of_another_user_says_what_git_says_and_the_fix(
    repos: tuple[git.Repo, git.Repo],
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    push: list[str],
) -> None:
    work, remote = repos
    root = root_of(work)
    os.chown(root, ANOTHER_USER, -1)  # what git checks: the owner of the work tree
    code, _, err = run_cli(capsys, now, "publish", "--repo", str(root), *push)
    assert code == 1
    assert_one_error_line(err, f"detected dubious ownership in repository at '{root}'")
    fix = the_fix(err)
    assert fix == f"git config --global --add safe.directory {root}"
    assert not (root / "data").exists()
    subprocess.run(shlex.split(fix), check=True)  # into the tests' own global git config
    assert run_cli(capsys, now, "publish", "--repo", str(root))[0] == 0
    assert [t.name for t in remote.tags] == [MONTH]


def test_a_corrupt_index_is_named_with_the_fix(
    repos: tuple[git.Repo, git.Repo], now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    work, remote = repos
    root, index = root_of(work), Path(work.git_dir, "index")
    index.write_bytes(b"DIRC\0\0\0\2\0\0\0\1 a torn write")
    head = work.head.commit.hexsha
    code, _, err = run_cli(capsys, now, "publish", "--repo", str(root))
    assert code == 1
    assert_one_error_line(err, f"git cannot read its index {index}")
    assert index.read_bytes() == b"DIRC\0\0\0\2\0\0\0\1 a torn write"
    assert (work.head.commit.hexsha, list(work.tags), list(remote.tags)) == (head, [], [])
    assert (root / "top-pypi.toml").exists()
    fix = the_fix(err)
    assert fix == f"cd {root} && rm .git/index && git reset"
    subprocess.run(fix, shell=True, check=True, capture_output=True)
    assert run_cli(capsys, now, "publish", "--repo", str(root))[0] == 0
    assert [t.name for t in remote.tags] == [MONTH]
