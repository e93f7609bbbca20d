"""One run at a time in a publishing repository, with real processes: the lock is the kernel's,
so a second process is refused at once and a killed one leaves nothing that blocks."""

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import git
import pytest

from publisher.release.lock import repository_lock
from tests.expect import assert_one_error_line, run_cli
from tests.repos import publishing_repo

# A second process that takes the lock, says so, and waits to be killed.
HOLDER = """
import sys, time
from pathlib import Path
from publisher.release.lock import repository_lock
with repository_lock(Path(sys.argv[1])):
    print("held", flush=True)
    time.sleep(600)
"""


@pytest.fixture
def repos(tmp_path: Path, events_dir: Path) -> tuple[git.Repo, git.Repo]:
    return publishing_repo(tmp_path, f'events = "{events_dir}"\nlimit = 50\n')


def git_dir(work: git.Repo) -> Path:
    return Path(work.common_dir).resolve()


def test_a_second_process_is_refused_while_a_run_holds_the_lock(
    repos: tuple[git.Repo, git.Repo],
) -> None:
    work, remote = repos
    command = [sys.executable, "-m", "publisher", "publish", "--repo", str(work.working_tree_dir)]
    with repository_lock(git_dir(work)):
        second = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert second.returncode == 1, second.stderr
    assert_one_error_line(
        second.stderr,
        f"Another top-pypi run (pid {os.getpid()}) holds the lock of this repository "
        f"({git_dir(work) / 'top-pypi.lock'}), so this one did nothing. Let it finish, then "
        "re-run",
    )
    assert list(remote.tags) == []
    assert work.head.commit.summary == "Settings"


def test_a_killed_run_does_not_block_the_next(
    repos: tuple[git.Repo, git.Repo],
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work, remote = repos
    monkeypatch.setenv("COLUMNS", "200")  # the dry run's table on one line a row
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(git_dir(work))], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        argv = ["publish", "--repo", str(work.working_tree_dir)]
        code, _, err = run_cli(capsys, now, *argv)
        assert code == 1
        assert_one_error_line(err, f"Another top-pypi run (pid {holder.pid}) holds the lock")
        code, out, _ = run_cli(capsys, now, *argv, "--dry-run")  # reads, needs no lock
        assert code == 0
        assert "would publish 2026.11" in out
    finally:
        holder.kill()
        holder.wait(timeout=60)
        if holder.stdout is not None:
            holder.stdout.close()
    code, _, err = run_cli(capsys, now, *argv)
    assert code == 0, err
    assert [tag.name for tag in remote.tags] == ["2026.11"]
