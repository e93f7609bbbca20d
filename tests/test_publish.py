"""`top-pypi publish` end to end: real events, a real publishing repository, a bare remote."""

import json
import shutil
from datetime import datetime
from pathlib import Path

import git
import pytest
from expect import assert_one_error_line
from repos import publishing_repo

from publisher.cli import main

MONTH = "2026.11"


@pytest.fixture
def events(events_dir: Path, tmp_path: Path) -> Path:
    """A private copy, so a test can delete it to prove no query runs."""
    return Path(shutil.copytree(events_dir, tmp_path / "events"))


@pytest.fixture
def repos(tmp_path: Path, events: Path) -> tuple[git.Repo, git.Repo]:
    return publishing_repo(tmp_path, 'events = "../events"\nlimit = 500\n')


@pytest.fixture
def work(repos: tuple[git.Repo, git.Repo]) -> git.Repo:
    return repos[0]


@pytest.fixture
def remote(repos: tuple[git.Repo, git.Repo]) -> git.Repo:
    return repos[1]


def publish(repo: git.Repo, now: datetime, *args: str) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["publish", "--repo", str(repo.working_tree_dir), *args], now)
    return code, out.getvalue(), err.getvalue()


def remote_tags(remote: git.Repo) -> list[str]:
    return sorted(t.name for t in remote.tags)


def test_first_publish_commits_tags_and_pushes(
    work: git.Repo, remote: git.Repo, now: datetime
) -> None:
    code, out, _ = publish(work, now)
    assert code == 0, out
    assert remote_tags(remote) == [MONTH]
    assert remote.heads.main.commit == work.head.commit
    message = work.head.commit.message
    assert message.startswith("Publish 2026.11: downloads 2026-10-02 to 2026-10-31 (30 days)")
    tag = work.tags[MONTH].tag
    assert tag is not None  # annotated
    files = sorted(p.path for p in work.head.commit.tree["data"].traverse())  # type: ignore[union-attr]
    assert files == [
        "data/datapackage.json",
        "data/top-pypi-packages.csv",
        "data/top-pypi-packages.json",
        "data/top-pypi-packages.min.json",
        "data/top-pypi-packages.schema.json",
    ]
    dataset = json.loads(
        Path(str(work.working_tree_dir), "data/top-pypi-packages.json").read_text()
    )
    assert dataset["total_rows"] == 500
    package = json.loads(Path(str(work.working_tree_dir), "data/datapackage.json").read_text())
    assert package["version"] == MONTH
    assert "2026.11, pushed to origin/main" in out


def test_rerun_says_published_and_counts_nothing(
    work: git.Repo, events: Path, now: datetime
) -> None:
    publish(work, now)
    shutil.rmtree(events)  # a query now would fail
    code, out, _ = publish(work, now)
    assert (code, out.strip()) == (0, "2026.11 is already published; nothing to do.")


def test_tagged_but_not_pushed_is_completed_without_counting(
    work: git.Repo, remote: git.Repo, events: Path, now: datetime
) -> None:
    assert publish(work, now, "--no-push")[0] == 0
    assert remote_tags(remote) == []
    shutil.rmtree(events)
    code, out, _ = publish(work, now)
    assert code == 0
    assert "nothing counted again" in out
    assert remote_tags(remote) == [MONTH]
    assert remote.heads.main.commit == work.head.commit


def test_committed_but_not_tagged_is_completed_without_counting(
    work: git.Repo, remote: git.Repo, events: Path, now: datetime
) -> None:
    publish(work, now, "--no-push")
    work.delete_tag(work.tags[MONTH])
    shutil.rmtree(events)
    code, _, _ = publish(work, now)
    assert code == 0
    assert remote_tags(remote) == [MONTH]
    assert work.tags[MONTH].commit == work.head.commit


def test_corrections_follow_the_month(work: git.Repo, remote: git.Repo, now: datetime) -> None:
    publish(work, now)
    assert publish(work, now, "--correction")[0] == 0
    assert publish(work, now, "--correction")[0] == 0
    assert remote_tags(remote) == [MONTH, f"{MONTH}.1", f"{MONTH}.2"]


def test_rejected_push_keeps_the_local_release(
    work: git.Repo, remote: git.Repo, now: datetime
) -> None:
    hook = Path(remote.git_dir) / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'closed for maintenance' >&2\nexit 1\n")
    hook.chmod(0o755)
    code, _, err = publish(work, now)
    assert code == 1
    assert_one_error_line(err, "rejected the push")
    assert "closed for maintenance" in err
    assert MONTH in [t.name for t in work.tags]
    hook.unlink()
    assert publish(work, now)[0] == 0
    assert remote_tags(remote) == [MONTH]


def test_invalid_result_never_replaces_published_files(
    work: git.Repo, events: Path, now: datetime
) -> None:
    publish(work, now)
    data = Path(str(work.working_tree_dir), "data/top-pypi-packages.json")
    before = data.read_bytes()
    code, _, err = publish(work, now, "--correction", "--events", str(events / "missing"))
    assert code == 2
    assert "does not exist" in err
    assert data.read_bytes() == before
    assert not work.is_dirty(untracked_files=True)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("dirty", "uncommitted changes: top-pypi.toml"),
        ("no-remote", "origin"),
        ("no-identity", "git identity is not set"),
        ("bad-settings", "top-pypi.toml has an unknown key 'engin'"),
    ],
)
def test_refusals_are_one_line(work: git.Repo, now: datetime, setup: str, message: str) -> None:
    root = Path(str(work.working_tree_dir))
    if setup == "dirty":
        (root / "top-pypi.toml").write_text('events = "../events"\nlimit = 5\n')
    elif setup == "no-remote":
        work.delete_remote(work.remotes.origin)
    elif setup == "no-identity":
        with work.config_writer() as config:
            config.remove_section("user")
    elif setup == "bad-settings":
        (root / "top-pypi.toml").write_text('engin = "duckdb"\n')
    code, _, err = publish(work, now)
    assert code != 0
    assert_one_error_line(err, message)
    assert not (root / "data").exists()


def test_not_a_repository(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["publish", "--repo", str(tmp_path)], now)
    err = capsys.readouterr().err
    assert code != 0
    assert "is not a git repository" in err


def test_a_failed_commit_is_finished_by_the_rerun(
    work: git.Repo, remote: git.Repo, now: datetime
) -> None:
    hook = Path(str(work.git_dir)) / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'not now' >&2\nexit 1\n")
    hook.chmod(0o755)
    code, _, err = publish(work, now)
    assert code == 1
    assert_one_error_line(err, "git commit failed")
    assert work.is_dirty(untracked_files=True)  # the written files are left in place
    hook.unlink()
    assert publish(work, now)[0] == 0
    assert remote_tags(remote) == [MONTH]
    assert not work.is_dirty(untracked_files=True)


def test_dry_run_of_a_published_month_asks_no_engine(
    work: git.Repo, events: Path, now: datetime
) -> None:
    publish(work, now)
    shutil.rmtree(events)  # planning would need them
    code, out, _ = publish(work, now, "--dry-run")
    assert (code, out.strip()) == (0, "2026.11 is already published; a run would count nothing.")


def test_no_push_says_nothing_of_pushing(work: git.Repo, remote: git.Repo, now: datetime) -> None:
    code, out, err = publish(work, now, "--no-push")
    assert code == 0, err
    assert "Committing and tagging 2026.11" in err
    assert "Pushing" not in out + err
    assert "2026.11, not pushed (--no-push)" in out
    assert remote_tags(remote) == []


def test_a_remote_from_the_settings_file_is_named_as_the_file_has_it(
    work: git.Repo, remote: git.Repo, now: datetime
) -> None:
    settings = Path(str(work.working_tree_dir), "top-pypi.toml")
    settings.write_text(settings.read_text() + 'remote = ""\n')
    work.git.commit("-am", "No remote")
    code, _, err = publish(work, now)
    assert code == 2
    assert_one_error_line(
        err, "top-pypi.toml: remote = '' is not a remote of the publishing repository (it has:"
    )
    code, _, err = publish(work, now, "--remote", "upstream")
    assert_one_error_line(err, "--remote upstream is not a remote")
    assert remote_tags(remote) == []
