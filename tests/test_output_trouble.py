"""Where the results go: a write that fails midway, a data folder that cannot hold them, a
reader that closed standard output. The work decides the exit code; nothing is left behind."""

import os
import resource
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import git
import pytest

from publisher.cli.stdout import LOST
from tests.children import cli, finish, running
from tests.expect import assert_one_error_line, run_cli
from tests.repos import publishing_repo

MONTH = "2026.11"
DAY = "2026-10-31"  # the children run on the real clock: name the window's end
# The month's JSON is larger than this, its other files too; nothing before them is.
FILE_SIZE_LIMIT = 4096


@pytest.fixture
def repos(tmp_path: Path, events_dir: Path) -> tuple[git.Repo, git.Repo]:
    return publishing_repo(tmp_path, f'events = "{events_dir}"\nlimit = 500\n')


def root_of(repo: git.Repo) -> Path:
    return Path(str(repo.working_tree_dir))


def publish_command(work: git.Repo) -> list[str]:
    return cli("publish", "--repo", str(root_of(work)), "--end-date", DAY)


def limit_file_size() -> None:
    """In the child: writing past FILE_SIZE_LIMIT bytes fails in the kernel with EFBIG, as a
    full disk fails with ENOSPC (Python ignores the SIGXFSZ that comes with it)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def test_a_failed_write_leaves_nothing_and_the_rerun_publishes(
    repos: tuple[git.Repo, git.Repo], now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    work, remote = repos
    data = root_of(work) / "data"
    with running(publish_command(work), preexec_fn=limit_file_size) as child:
        code, _, err = finish(child)
    assert code == 1, err
    assert_one_error_line(err, f"Could not write the files into {data} (File too large).")
    assert sorted(p.name for p in data.iterdir()) == []
    assert (list(work.tags), list(remote.tags)) == ([], [])
    assert run_cli(capsys, now, "publish", "--repo", str(root_of(work)))[0] == 0
    assert [t.name for t in remote.tags] == [MONTH]


def test_leftovers_of_a_killed_write_never_block_the_rerun(
    repos: tuple[git.Repo, git.Repo], now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    work, remote = repos
    data = root_of(work) / "data"
    data.mkdir()
    leftover = data / ".top-pypi-packages.json.k3j_9x2q.tmp"  # a SIGKILL mid-write leaves this
    leftover.write_text('{"rows": [')
    code, _, err = run_cli(capsys, now, "publish", "--repo", str(root_of(work)))
    assert code == 0, err
    assert [t.name for t in remote.tags] == [MONTH]
    assert not leftover.exists()
    assert not work.is_dirty(untracked_files=True)


def test_someone_elses_hidden_file_still_blocks(
    repos: tuple[git.Repo, git.Repo], now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = repos
    data = root_of(work) / "data"
    data.mkdir()
    (data / ".notes.tmp").write_text("mine\n")
    code, _, err = run_cli(capsys, now, "publish", "--repo", str(root_of(work)))
    assert code == 1
    assert_one_error_line(err, "uncommitted changes: data/.notes.tmp")


@contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """`folder` cannot be written by this user: immutable for root (whom modes do not stop),
    read-only for others."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield
        return
    subprocess.run(["chattr", "+i", str(folder)], check=True)
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
@pytest.mark.parametrize("trouble", ["a file", "unwritable"])
def test_the_data_folder_is_checked_before_counting(
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    trouble: str,
    dry_run: list[str],
) -> None:
    # No events: a run that got as far as planning or counting would fail on those instead.
    work, remote = publishing_repo(tmp_path, 'events = "no-events-here"\n')
    data = root_of(work) / "data"
    if trouble == "a file":
        data.write_text("notes\n")
        work.git.add("data")
        work.git.commit("-m", "A file where the data folder goes")
        code, _, err = run_cli(capsys, now, "publish", "--repo", str(root_of(work)), *dry_run)
        assert_one_error_line(err, f"The data folder {data} is a file, not a folder. Move")
        assert data.read_text() == "notes\n"
    else:
        data.mkdir()
        with unwritable(data):
            code, _, err = run_cli(capsys, now, "publish", "--repo", str(root_of(work)), *dry_run)
        assert_one_error_line(err, f"The data folder {data} cannot be written")
        assert "Make it writable for the user who runs publish" in err
    assert code == 2
    assert list(remote.tags) == []


def test_a_closed_stdout_loses_the_summary_not_the_release(
    repos: tuple[git.Repo, git.Repo],
) -> None:
    """`top-pypi publish | head -c0`: the reader is gone before anything is printed."""
    work, remote = repos
    reader, writer = os.pipe()
    os.close(reader)
    try:
        with running(publish_command(work), stdout=writer) as child:
            code, _, err = finish(child)
    finally:
        os.close(writer)
    assert code == 0, err
    assert err.strip().splitlines()[-1] == LOST
    assert "Traceback" not in err
    assert "Exception" not in err
    assert "error" not in err.lower()
    assert [t.name for t in remote.tags] == [MONTH]
