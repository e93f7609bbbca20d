"""`top-pypi publish` end to end: real events, a real publishing repository, a bare remote."""

import json
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import git
import pytest

from publisher.cli import main
from publisher.cli.publish import DATA_PATHS
from publisher.count.window import Window
from publisher.dataset.build import COMPATIBLE_FILES
from publisher.release.commits import with_trailer
from tests.expect import assert_one_error_line
from tests.repos import close_opened, message_text, opened, publishing_repo

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
    message = message_text(work.head.commit)
    assert message.startswith("Publish 2026.11: downloads 2026-10-02 to 2026-10-31 (30 days)")
    tag = work.tags[MONTH].tag
    assert tag is not None  # annotated
    data = work.head.commit.tree / "data"
    assert isinstance(data, git.Tree)
    files = sorted(str(p.path) for p in data.list_traverse())
    assert files == [
        "data/datapackage.json",
        "data/history",
        "data/history/datapackage.json",
        "data/history/top-pypi-packages-history-2026.parquet",
        "data/history/top-pypi-packages-history.json",
        "data/history/top-pypi-packages-history.schema.json",
        "data/top-pypi-packages-30-days.csv",
        "data/top-pypi-packages-30-days.json",
        "data/top-pypi-packages-30-days.min.json",
        "data/top-pypi-packages-extended.csv",
        "data/top-pypi-packages-extended.json",
        "data/top-pypi-packages-extended.parquet",
        "data/top-pypi-packages-extended.schema.json",
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
    history = json.loads(
        Path(str(work.working_tree_dir), "data/history/top-pypi-packages-history.json").read_text()
    )
    assert history["months"][MONTH]["source"] == MONTH
    assert history["months"][MONTH]["rows"] == 500


def test_rerun_says_published_and_counts_nothing(
    work: git.Repo, events: Path, now: datetime
) -> None:
    publish(work, now)
    shutil.rmtree(events)  # a query now would fail
    code, out, err = publish(work, now)
    assert (code, out.strip()) == (0, "2026.11 is already published; nothing to do."), err


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


def test_a_late_run_publishes_the_previous_month(work: git.Repo, remote: git.Repo) -> None:
    """Run on the 26th, the default window still ends on the last day of the month before."""
    code, _, err = publish(work, datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    assert code == 0, err
    assert remote_tags(remote) == [MONTH]
    assert work.head.commit.summary == (
        "Publish 2026.11: downloads 2026-10-02 to 2026-10-31 (30 days)"
    )


def test_an_end_date_within_a_month_is_refused(
    work: git.Repo, remote: git.Repo, events: Path, now: datetime
) -> None:
    shutil.rmtree(events)  # refused before any query
    code, _, err = publish(work, now, "--end-date", "2026-10-15", "--days", "1")
    assert code == 2
    assert_one_error_line(
        err,
        "--end-date 2026-10-15 is not the last day of a month, and a release counts the days up"
        " to a month's end. Give 2026-09-30 or 2026-10-31; `top-pypi collect` counts any window.",
    )
    assert remote_tags(remote) == []
    assert [t.name for t in work.tags] == []


def test_publish_reads_the_window_from_the_environment(
    work: git.Repo, remote: git.Repo, now: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOP_PYPI_END_DATE", "2026-10-15")
    code, _, err = publish(work, now)
    assert code == 2
    assert_one_error_line(err, "TOP_PYPI_END_DATE 2026-10-15 is not the last day of a month")
    monkeypatch.setenv("TOP_PYPI_END_DATE", "2026-09-30")
    monkeypatch.setenv("TOP_PYPI_DAYS", "3")
    code, _, err = publish(work, now)
    assert code == 0, err
    assert remote_tags(remote) == ["2026.10"]
    assert "downloads 2026-09-28 to 2026-09-30 (3 days)" in work.head.commit.summary


def test_the_window_asked_for_is_recorded_and_compared(
    work: git.Repo, remote: git.Repo, events: Path, now: datetime
) -> None:
    assert publish(work, now)[0] == 0
    assert work.head.commit.trailers_dict["Top-PyPI-Window"] == ["2026-10-02..2026-10-31"]
    code, _, err = publish(work, now, "--days", "7")
    assert code == 2
    assert_one_error_line(
        err,
        "2026.11 is already published for 2026-10-02..2026-10-31, not for the "
        "2026-10-25..2026-10-31 asked for. To publish 2026-10-25..2026-10-31 too, re-run with "
        "--correction (it becomes 2026.11.1).",
    )
    assert publish(work, now, "--days", "7", "--correction")[0] == 0
    shutil.rmtree(events)  # nothing below counts
    code, out, _ = publish(work, now, "--days", "7")
    assert (code, out.strip()) == (0, "2026.11.1 is already published; nothing to do.")
    code, _, err = publish(work, now)
    assert code == 2
    assert_one_error_line(err, "2026.11.1 is already published for 2026-10-25..2026-10-31")
    assert remote_tags(remote) == [MONTH, f"{MONTH}.1"]


def commit_data(work: git.Repo, message: str, paths: list[str] = DATA_PATHS) -> git.Commit:
    """A commit holding every data file, as a release of ours would."""
    root = Path(str(work.working_tree_dir))
    (root / "data").mkdir(exist_ok=True)
    for path in paths:
        (root / path).write_text("{}\n")
    work.git.add("data")
    work.git.commit("-m", message)
    return work.head.commit


def test_a_release_of_another_window_made_before_the_rule(
    work: git.Repo, remote: git.Repo, now: datetime
) -> None:
    """What the old rule published on 2026-11-26: 2026.11 for 2026-10-27..2026-11-25, with no
    window trailer. It is not the month the default window asks for."""
    subject = "Publish 2026.11: downloads 2026-10-27 to 2026-11-25 (30 days)"
    commit_data(work, with_trailer(subject, MONTH))
    work.create_tag(MONTH, message=subject)
    work.git.push("origin", "main", MONTH)
    code, _, err = publish(work, now)
    assert code == 2
    assert_one_error_line(
        err,
        "2026.11 is already published for 2026-10-27..2026-11-25, not for the "
        "2026-10-02..2026-10-31 asked for.",
    )
    assert publish(work, now, "--correction")[0] == 0
    assert remote_tags(remote) == [MONTH, f"{MONTH}.1"]


def test_a_release_made_before_the_extended_files_is_still_published(
    work: git.Repo, events: Path, now: datetime
) -> None:
    """A schema_version 2 release holds only the compatible files: a re-run after upgrading
    finds the month done and counts nothing."""
    subject = "Publish 2026.11: downloads 2026-10-02 to 2026-10-31 (30 days)"
    window = Window(date(2026, 10, 2), date(2026, 10, 31))
    compatible = [f"data/{name}" for name in COMPATIBLE_FILES]
    commit_data(work, with_trailer(subject, MONTH, window), compatible)
    work.create_tag(MONTH, message=subject)
    work.git.push("origin", "main", MONTH)
    shutil.rmtree(events)  # a query now would fail
    code, out, err = publish(work, now)
    assert (code, out.strip()) == (0, "2026.11 is already published; nothing to do."), err


def hand_made_tag(work: git.Repo, remote: git.Repo, kind: str, tmp_path: Path) -> str:
    """A tag of the month that is no release of ours; the tip the error gives to remove it."""
    if kind == "lightweight":
        work.create_tag(MONTH)
        return f"git tag -d {MONTH}"
    if kind == "annotated":
        commit_data(work, "Data, by hand")
        work.create_tag(MONTH, message="by hand")
        return f"git tag -d {MONTH}"
    other = opened(git.Repo.clone_from(str(remote.git_dir), tmp_path / "other"))
    other.git.config("user.name", "Someone")
    other.git.config("user.email", "someone@example.org")
    other.create_tag(MONTH, message="theirs")
    other.git.push("origin", MONTH)
    return f"git push origin :refs/tags/{MONTH}"


@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("lightweight", "Tag 2026.11 is a lightweight tag on {sha}, which has no Top-PyPI-Tag"),
        ("annotated", "Tag 2026.11 is an annotated tag on {sha}, which has no Top-PyPI-Tag"),
        ("remote", "Tag 2026.11 is an annotated tag on {sha}, which has no Top-PyPI-Tag"),
    ],
)
def test_a_hand_made_tag_of_the_month_is_refused(
    work: git.Repo,
    remote: git.Repo,
    events: Path,
    now: datetime,
    tmp_path: Path,
    kind: str,
    message: str,
) -> None:
    removal = hand_made_tag(work, remote, kind, tmp_path)
    tagged = work.head.commit.hexsha[:12]
    before = remote_tags(remote)
    copy = Path(shutil.copytree(events, tmp_path / "kept"))
    shutil.rmtree(events)  # refused before any query
    local = [] if kind == "remote" else [["--no-push"]]  # --no-push reads no remote tag
    for extra in [[], *local, ["--correction"], ["--dry-run"]]:
        code, _, err = publish(work, now, *extra)
        assert (code, extra) == (1, extra)
        assert_one_error_line(err, message.format(sha=tagged))
        assert (
            f"not a release made by top-pypi. If it is not needed, remove it with `{removal}`"
            in err
        )
    assert remote_tags(remote) == before  # never pushed as the release
    work.git.execute(removal.split())
    shutil.move(copy, events)
    assert publish(work, now)[0] == 0
    assert remote_tags(remote) == [MONTH]
    assert work.tags[MONTH].commit.trailers_dict["Top-PyPI-Tag"] == [MONTH]


def race_leftover(work: git.Repo, change: str = "") -> git.Commit:
    """What the second of two runs at once left before the lock: the same files committed again
    on top of the first's release, untagged. `change` writes a file into that commit first."""
    if change:
        (Path(str(work.working_tree_dir)) / change).write_text("other\n")
        work.git.add(change)
    message = with_trailer(message_text(work.head.commit).split("\n\nTop-PyPI")[0], MONTH)
    work.git.commit("--allow-empty", "-m", message)
    return work.head.commit


def test_a_second_publish_commit_left_by_a_race_is_dropped(
    work: git.Repo, remote: git.Repo, events: Path, now: datetime
) -> None:
    assert publish(work, now)[0] == 0
    leftover = race_leftover(work)
    shutil.rmtree(events)  # nothing is counted again
    code, out, err = publish(work, now)
    assert (code, out.strip()) == (0, "2026.11 is already published; nothing to do.")
    assert f"Dropped {leftover.hexsha[:12]}, a second publish commit of 2026.11" in err
    assert work.head.commit == work.tags[MONTH].commit == remote.heads.main.commit
    assert not work.is_dirty(untracked_files=True)


@pytest.mark.parametrize("case", ["other files", "pushed", "not on the release", "not ours"])
def test_nothing_else_is_dropped(
    work: git.Repo, remote: git.Repo, events: Path, now: datetime, case: str
) -> None:
    assert publish(work, now)[0] == 0
    if case == "other files":
        kept = race_leftover(work, change="data/top-pypi-packages.csv")
    elif case == "pushed":
        kept = race_leftover(work)
        work.git.push("origin", "main")
    elif case == "not on the release":
        work.git.commit("--allow-empty", "-m", "Someone's work")
        kept = race_leftover(work)
    else:
        kept = race_leftover(work)
        work.git.commit("--amend", "--allow-empty", "-m", "Someone's work, no trailer")
        kept = work.head.commit
    shutil.rmtree(events)
    code, _, err = publish(work, now, "--no-push")
    assert code == 0, err
    assert "Dropped" not in err
    assert work.head.commit == kept


def test_the_summary_file_says_what_happened_and_what_failed(
    work: git.Repo, now: datetime, tmp_path: Path
) -> None:
    """`--summary FILE` is what a CI job shows: the month, and a failure's one line."""
    summary = tmp_path / "summary.md"
    assert publish(work, now, "--summary", str(summary))[0] == 0
    assert publish(work, now, "--summary", str(summary))[0] == 0
    assert publish(work, now, "--summary", str(summary), "--end-date", "2026-10-15")[0] == 2
    text = summary.read_text()
    assert f"- tag: {MONTH}, pushed to origin/main" in text
    assert "- period: 2026-10-02 to 2026-10-31 (30 days)" in text
    assert f"{MONTH} is already published; nothing to do." in text
    assert text.rstrip().splitlines()[-1].startswith("**error:** --end-date 2026-10-15")


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


def git_children() -> set[int]:
    """The pids of this process's children that run git (GitPython's cat-file helpers)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            command = (stat.parent / "cmdline").read_bytes()
        except (FileNotFoundError, ProcessLookupError):  # it ended since the listing
            continue
        if int(fields[1]) == os.getpid() and fields[0] not in "ZX" and b"git" in command:
            found.add(int(stat.parent.name))
    return found


def test_a_publish_leaves_no_git_process_running(
    work: git.Repo, events: Path, now: datetime
) -> None:
    # The commands close the repository they open, whatever happens: its git cat-file
    # helpers end with the command, not whenever the collector happens to reach them (an
    # error's traceback keeps the repository in a reference cycle).
    before = git_children()
    code, out, _ = publish(work, now)  # reads commits and trees: starts the helpers
    assert code == 0, out
    shutil.rmtree(events)
    code, _, err = publish(work, now, "--correction")  # fails after reading the history
    assert code != 0, err
    assert git_children() - before == set()


def test_the_repositories_a_test_opens_end_their_git_processes(tmp_path: Path) -> None:
    # What `close_repositories` (tests/conftest.py) does after every test.
    before = git_children()
    work, remote = publishing_repo(tmp_path / "own", "")
    assert work.head.commit.tree.hexsha  # reading objects starts git cat-file
    assert remote.heads.main.commit.message
    assert git_children() - before
    close_opened()
    assert git_children() - before == set()
