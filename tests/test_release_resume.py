"""`top-pypi release` killed (SIGKILL) or interrupted (Ctrl-C) at each step of a Zenodo
version, then run once more: the run that is stopped is the real command line in a child
process; the re-run, the same command line in this one, with the local Zenodo. The kill point
is the stand-in's: it holds the answer to the request of that step (which has taken effect)
until the child is gone, so the test never guesses with a sleep.

Zenodo lists a new draft only some seconds after it is made (tests/fakes/zenodo_index.py), so
a re-run at once cannot find its draft in the depositions list: it must know it otherwise."""

import signal
from collections.abc import Iterator
from pathlib import Path

import git
import pytest

from publisher.cli import main
from publisher.release.zenodo.notes import NOTES_FILE, ZenodoNotes
from publisher.release.zenodo.record import RELEASES_FILE, parse_record
from tests import test_release_command as command
from tests.children import CEILING, cli, finish, running
from tests.fakes.zenodo import DEFAULT_TOKEN, ZenodoStandIn
from tests.test_release_command import TAGS, head_file

# The publishing repository with two monthly tags, and a private copy of it with its remote.
published, repos = command.published, command.repos
published_elsewhere, other_repos = command.published_elsewhere, command.other_repos

INTERRUPTED = 130
# Each step of a version as the request that does it: (route, routes that come before it).
# The first version is 2026.10 (a new concept), the later one 2026.11, in the same run.
STEPS = {
    ("first", "create"): ("create", ()),
    ("first", "upload"): ("upload", ()),
    ("first", "metadata"): ("update", ("upload",)),
    ("first", "publish"): ("publish", ()),
    ("later", "create"): ("newversion", ()),
    ("later", "upload"): ("upload", ("newversion",)),
    ("later", "metadata"): ("update", ("newversion", "upload")),
    ("later", "publish"): ("publish", ("newversion",)),
}
CASES = [(*step, signal.SIGKILL) for step in STEPS] + [
    ("first", "upload", signal.SIGINT),
    ("later", "upload", signal.SIGINT),
]


@pytest.fixture
def zenodo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ZenodoStandIn]:
    with ZenodoStandIn(tmp_path / "zenodo") as stand_in:
        monkeypatch.setenv("ZENODO_API_TOKEN", DEFAULT_TOKEN)
        monkeypatch.setenv("TOP_PYPI_ZENODO_URL", stand_in.url)
        yield stand_in
        assert stand_in.internal_errors == []


def release_command(work: git.Repo) -> list[str]:
    return cli("release", "--repo", str(work.working_tree_dir))


def in_process(
    capsys: pytest.CaptureFixture[str], work: git.Repo, *args: str
) -> tuple[int, str, str]:
    """The same command line in this process, at the real clock, as a child would run it: only
    the run that is stopped needs a process of its own."""
    code = main(["release", "--repo", str(work.working_tree_dir), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(("version", "step", "signum"), CASES)
def test_a_run_stopped_at_any_step_is_finished_by_one_rerun(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    version: str,
    step: str,
    signum: signal.Signals,
    capsys: pytest.CaptureFixture[str],
) -> None:
    work, remote = repos
    held = zenodo.hold(*STEPS[version, step])
    with running(release_command(work)) as child:
        assert held.reached.wait(CEILING), finish(child)
        child.send_signal(signum)
        code, _, err = finish(child)
    held.release()
    assert code == (INTERRUPTED if signum == signal.SIGINT else -signal.SIGKILL), err

    code, _, err = in_process(capsys, work)

    assert code == 0, err
    versions = zenodo.published()
    assert sorted(d["metadata"]["version"] for d in versions) == TAGS
    assert zenodo.drafts() == []
    refused = [r.line() for r in zenodo.requests if r.status is not None and r.status >= 400]
    assert refused == []  # no second newversion or publish refused, no lost deposition asked
    assert len({d["conceptrecid"] for d in versions}) == 1
    record = parse_record(head_file(work, RELEASES_FILE))
    assert {tag: r.doi for tag, r in record.releases.items()} == {
        d["metadata"]["version"]: d["doi"] for d in versions
    }
    assert remote.heads.main.commit == work.head.commit
    assert not Path(work.git_dir, NOTES_FILE).exists()  # recorded: the notes are gone
    assert not work.is_dirty(untracked_files=True)


def test_a_noted_draft_another_repository_published_is_never_adopted(
    repos: tuple[git.Repo, git.Repo],
    other_repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Killed once its first draft is noted: the draft holds no file yet, so a second publishing
    repository of the same account may take it up as its own first draft and publish its own
    data in it. The noted deposition is then another dataset's version: never this tag's."""
    work, _ = repos
    held = zenodo.hold("create")
    with running(release_command(work)) as child:
        assert held.reached.wait(CEILING), finish(child)
        child.kill()
        finish(child)
    held.release()
    # As a kill a moment later leaves it: the draft's id noted, none of its files sent yet.
    (draft,) = zenodo.drafts()
    ZenodoNotes(Path(work.git_dir, NOTES_FILE), zenodo.url).opened("2026.10", draft["id"])
    zenodo.settle()  # later: the depositions list shows the empty draft
    other, _ = other_repos
    code, _, err = in_process(capsys, other)
    assert code == 0, err
    theirs = parse_record(head_file(other, RELEASES_FILE)).releases["2026.10"]
    zenodo.settle()

    code, _, err = in_process(capsys, work)

    assert code == 1, err
    last = err.strip().splitlines()[-1]
    assert f"Zenodo record {theirs.recid} ({theirs.doi}) is a version 2026.10" in last
    assert "--new-concept" in last
    assert all(theirs.doi not in c.message for c in work.iter_commits())


def test_new_concept_again_after_a_lost_record_adds_no_second_concept(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--new-concept` run again in a clone that lost the record and the notes (a fresh CI
    runner, a reset branch): the versions Zenodo holds with the tags' own files are this
    repository's, so their concept is taken up, never a second one begun with the same data."""
    work, _ = repos
    code, _, err = in_process(capsys, work, "--new-concept", "--no-push")
    assert code == 0, err
    work.git.reset("--hard", "HEAD~1")  # the follow-up commit is lost
    zenodo.settle()  # later: Zenodo's depositions list shows the versions

    code, _, err = in_process(capsys, work, "--new-concept")

    assert code == 0, err
    versions = zenodo.published()
    assert sorted(d["metadata"]["version"] for d in versions) == TAGS
    assert zenodo.drafts() == []
    record = parse_record(head_file(work, RELEASES_FILE))
    assert str(record.concept_recid) == versions[0]["conceptrecid"]
