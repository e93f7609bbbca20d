"""`top-pypi release` end to end: real publish tags, the local Zenodo, a local bare remote."""

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import git
import pytest
from ruamel.yaml import YAML

from publisher.cli.options import ReleaseOptions
from publisher.cli.release import asked_for
from publisher.dataset.history.names import UPLOADED_DATAPACKAGE
from publisher.release.stage import prepare
from publisher.release.zenodo.record import RELEASES_FILE, parse_record
from tests.expect import assert_one_error_line, run_cli
from tests.fakes.zenodo import DEFAULT_TOKEN, ZenodoStandIn
from tests.repos import opened, publishing_repo

CITATION = """\
# How to cite the dataset; the release keeps this comment.
cff-version: 1.2.0
message: "Cite the monthly version you used."
type: dataset
title: "top-pypi test data"
authors:
  - family-names: Lovelace
    given-names: Ada
    orcid: https://orcid.org/0000-0002-1825-0097
license: CC0-1.0
"""
TAGS = ["2026.10", "2026.11"]
ROOT = Path(__file__).parents[1]
CFFCONVERT = ROOT / ".venv-cffconvert" / "bin" / "cffconvert"


def publish_two_months(folder: Path, events_dir: Path, limit: int) -> Path:
    """A publishing repository with two monthly tags made by `top-pypi publish`."""
    shutil.copytree(events_dir, folder / "events")
    work, _ = publishing_repo(folder, f'events = "../events"\nlimit = {limit}\ndays = 4\n')
    (folder / "work" / "CITATION.cff").write_text(CITATION)
    work.git.add("CITATION.cff")
    work.git.commit("-m", "Citation")
    for end in ("2026-09-30", "2026-10-31"):
        code = run_main("publish", "--repo", str(folder / "work"), "--end-date", end)
        assert code == 0
    return folder


@pytest.fixture(scope="module")
def published(events_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return publish_two_months(tmp_path_factory.mktemp("published"), events_dir, 50)


@pytest.fixture(scope="module")
def published_elsewhere(events_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A second publishing repository of the same tags, with other data (a shorter list)."""
    return publish_two_months(tmp_path_factory.mktemp("elsewhere"), events_dir, 40)


def run_main(*argv: str) -> int:
    from publisher.cli import main

    return main(list(argv), datetime.fromisoformat("2026-11-01T06:30:00+00:00"))


def private_copy(published: Path, folder: Path) -> tuple[git.Repo, git.Repo]:
    shutil.copytree(published, folder, symlinks=True)
    work = opened(git.Repo(folder / "work"))
    work.git.remote("set-url", "origin", str(folder / "remote.git"))
    return work, opened(git.Repo(folder / "remote.git"))


@pytest.fixture
def repos(published: Path, tmp_path: Path) -> tuple[git.Repo, git.Repo]:
    """A private copy of the published repository and its remote."""
    return private_copy(published, tmp_path / "copy")


@pytest.fixture
def other_repos(published_elsewhere: Path, tmp_path: Path) -> tuple[git.Repo, git.Repo]:
    """A private copy of the second publishing repository and its remote."""
    return private_copy(published_elsewhere, tmp_path / "other")


@pytest.fixture
def zenodo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ZenodoStandIn]:
    with ZenodoStandIn(tmp_path / "zenodo", tokens={DEFAULT_TOKEN: 1, "other": 2}) as stand_in:
        monkeypatch.setenv("ZENODO_API_TOKEN", DEFAULT_TOKEN)
        monkeypatch.setenv("TOP_PYPI_ZENODO_URL", stand_in.url)
        # The local Zenodo is never busy: a failed request is asked again at once, not after
        # the 2 + 4 + 8 s a public server is given (`zenodo_retry_wait`).
        monkeypatch.setenv("TOP_PYPI_ZENODO_RETRY_WAIT", "0")
        yield stand_in


def release(capsys: pytest.CaptureFixture[str], work: git.Repo, *args: str) -> tuple[int, str, str]:
    now = datetime.fromisoformat("2026-11-01T07:00:00+00:00")
    return run_cli(capsys, now, "release", "--repo", str(work.working_tree_dir), *args)


def head_file(repo: git.Repo, path: str) -> str:
    return bytes((repo.head.commit.tree / path).data_stream.read()).decode()


def history_names(zenodo: ZenodoStandIn, deposition: dict[str, Any]) -> set[str]:
    """The history's files in a record: those its own data package lists, and the package
    itself under its record name (issue 21 §2)."""
    package = json.loads(zenodo.file_bytes(deposition["id"], UPLOADED_DATAPACKAGE))
    return {resource["path"] for resource in package["resources"]} | {UPLOADED_DATAPACKAGE}


def test_two_tags_make_one_concept_recorded_on_the_branch(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    work, remote = repos
    tags_before = {t.name: t.commit.hexsha for t in work.tags}
    code, out, err = release(capsys, work)
    assert code == 0, err
    published = zenodo.published()
    assert [d["metadata"]["version"] for d in published] == TAGS
    assert not zenodo.drafts()
    assert {d["conceptrecid"] for d in published} == {published[0]["conceptrecid"]}
    record = parse_record(head_file(work, RELEASES_FILE))
    assert sorted(record.releases) == TAGS
    for deposition in published:
        tag = deposition["metadata"]["version"]
        assert record.releases[tag].doi == deposition["doi"]
        names = {f["filename"] for f in deposition["files"]}
        assert names == set(record.releases[tag].files)
        assert "top-pypi-packages.json" in names
        package = json.loads(zenodo.file_bytes(deposition["id"], "datapackage.json"))
        listed = {resource["path"] for resource in package["resources"]}
        history = history_names(zenodo, deposition)
        assert names == listed | {"datapackage.json", "CITATION.cff"} | history  # -30-days too
        assert deposition["metadata"]["creators"] == [
            {"name": "Lovelace, Ada", "orcid": "0000-0002-1825-0097"}
        ]
        data = json.loads(zenodo.file_bytes(deposition["id"], "top-pypi-packages.json"))
        assert tag == {"2026-09-30": "2026.10", "2026-10-31": "2026.11"}[data["period"]["end"]]
    newer = published[1]["metadata"]["related_identifiers"]
    assert {"identifier": published[0]["doi"], "relation": "isNewVersionOf", "scheme": "doi"} in (
        newer
    )
    citation = YAML(typ="safe").load(head_file(work, "CITATION.cff"))
    assert citation["doi"] == record.concept_doi
    assert citation["version"] == "2026.11"
    assert head_file(work, "CITATION.cff").startswith("# How to cite the dataset")
    assert {t.name: t.commit.hexsha for t in work.tags} == tags_before  # tags never move
    assert remote.heads.main.commit == work.head.commit
    assert "Top-PyPI-Released: 2026.10 2026.11" in work.head.commit.message
    assert "2026.11" in out


def test_a_rerun_sends_nothing_and_commits_nothing(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = repos
    assert release(capsys, work)[0] == 0
    head, state, changes = work.head.commit, zenodo.snapshot(), len(zenodo.changes())
    code, out, _ = release(capsys, work)
    code_tag, out_tag, _ = release(capsys, work, "--tag", "2026.10")
    assert (code, code_tag) == (0, 0)
    assert "Nothing to release" in out
    assert parse_record(head_file(work, RELEASES_FILE)).releases["2026.10"].doi in out_tag
    assert work.head.commit == head
    assert zenodo.snapshot() == state
    assert len(zenodo.changes()) == changes


def test_a_lost_record_is_found_on_zenodo_not_released_twice(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = repos
    assert release(capsys, work, "--no-push")[0] == 0
    work.git.reset("--hard", "HEAD~1")  # the follow-up commit is lost
    zenodo.settle()  # later: Zenodo's depositions list has caught up
    code, _, err = release(capsys, work)
    assert code == 0, err
    assert [d["metadata"]["version"] for d in zenodo.published()] == TAGS
    assert sorted(parse_record(head_file(work, RELEASES_FILE)).releases) == TAGS


def test_another_repositorys_versions_are_never_recorded_as_this_ones(
    repos: tuple[git.Repo, git.Repo],
    other_repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two publishing repositories, one Zenodo account, the same tags with other data."""
    work, _ = repos
    assert release(capsys, work)[0] == 0
    first = parse_record(head_file(work, RELEASES_FILE)).releases["2026.10"]
    other, other_remote = other_repos
    zenodo.settle()  # later: Zenodo's depositions list shows the first repository's versions
    head, state = other.head.commit, zenodo.snapshot()
    code, _, err = release(capsys, other)
    assert code == 1
    assert_one_error_line(err, f"Zenodo record {first.recid} ({first.doi}) is a version 2026.10")
    assert "datapackage.json" in err.splitlines()[-1]  # one of the files that differ
    assert "Run `top-pypi release --new-concept`" in err.splitlines()[-1]
    assert (other.head.commit, other_remote.heads.main.commit) == (head, head)
    assert not other.is_dirty(untracked_files=True)
    assert zenodo.snapshot() == state


def test_new_concept_starts_this_repositorys_own_beside_same_names(
    repos: tuple[git.Repo, git.Repo],
    other_repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:
    work, _ = repos
    assert release(capsys, work)[0] == 0
    upstream = parse_record(head_file(work, RELEASES_FILE))
    other, other_remote = other_repos
    zenodo.settle()  # later: the depositions list shows the first repository's versions
    code, out, _ = release(capsys, other, "--new-concept", "--dry-run")
    assert code == 0
    assert "a new concept of this repository's own (--new-concept)" in " ".join(out.split())
    code, _, err = release(capsys, other, "--new-concept")
    assert code == 0, err
    record = parse_record(head_file(other, RELEASES_FILE))
    assert record.concept_recid is not None
    assert record.concept_recid != upstream.concept_recid
    assert sorted(record.releases) == TAGS
    versions = zenodo.published(record.concept_recid)
    assert [d["metadata"]["version"] for d in versions] == TAGS
    for deposition in versions:
        tag = deposition["metadata"]["version"]
        tagged = other.git.show(f"{tag}:data/top-pypi-packages.json").encode() + b"\n"
        assert zenodo.file_bytes(deposition["id"], "top-pypi-packages.json") == tagged
        assert record.releases[tag].doi == deposition["doi"]
    assert other_remote.heads.main.commit == other.head.commit
    assert len(zenodo.published(upstream.concept_recid)) == 2
    state = zenodo.snapshot()
    assert release(capsys, other)[0] == 0  # a re-run finds every tag recorded
    code, _, err = release(capsys, other, "--new-concept")
    assert code == 2
    assert_one_error_line(err, f"{RELEASES_FILE} already records concept {record.concept_recid}")
    assert zenodo.snapshot() == state


def test_new_concept_is_refused_when_zenodo_concept_is_set(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = repos
    settings = Path(str(work.working_tree_dir)) / "top-pypi.toml"
    settings.write_text(settings.read_text() + "zenodo_concept = 1000\n")
    work.git.commit("-qam", "Join a concept")
    code, _, err = release(capsys, work, "--new-concept")
    assert code == 2
    assert_one_error_line(err, "top-pypi.toml: zenodo_concept = 1000")
    assert not zenodo.requests


def test_a_failed_follow_up_push_is_completed_without_zenodo(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    work, remote = repos
    hook = Path(remote.git_dir) / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'closed for maintenance' >&2\nexit 1\n")
    hook.chmod(0o755)
    code, _, err = release(capsys, work)
    assert code == 1
    assert_one_error_line(err, "rejected the push")
    hook.unlink()
    changes = len(zenodo.changes())
    code, _, err = release(capsys, work)
    assert code == 0, err
    assert remote.heads.main.commit == work.head.commit
    assert len(zenodo.changes()) == changes
    assert len(zenodo.published()) == 2


def test_the_sandbox_writes_nothing_into_the_repository(
    repos: tuple[git.Repo, git.Repo],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work, remote = repos
    with ZenodoStandIn(tmp_path / "sandbox", sandbox=True) as sandbox:
        monkeypatch.setenv("ZENODO_SANDBOX_API_TOKEN", DEFAULT_TOKEN)
        monkeypatch.setenv("TOP_PYPI_ZENODO_SANDBOX_URL", sandbox.url)
        head = work.head.commit
        code, out, err = release(capsys, work, "--sandbox")
        assert code == 0, err
        assert [d["doi"].split("/")[0] for d in sandbox.published()] == ["10.5072", "10.5072"]
    assert work.head.commit == head
    assert not work.is_dirty(untracked_files=True)
    assert remote.heads.main.commit == head
    assert "not real" in out


def test_a_dry_run_changes_nothing(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work, _ = repos
    code, out, err = release(capsys, work, "--dry-run")
    assert code == 0, err
    assert "top-pypi-packages.json" in out
    assert "md5:" in out
    assert "a new concept" in out
    assert not zenodo.depositions()
    monkeypatch.delenv("ZENODO_API_TOKEN")
    code, out, _ = release(capsys, work, "--dry-run")
    assert code == 0
    assert "no token: Zenodo was not asked" in out
    assert not any(r.method != "GET" for r in zenodo.requests)
    assert not work.is_dirty(untracked_files=True)


def broken_citation(work: git.Repo, text: str) -> None:
    (Path(str(work.working_tree_dir)) / "CITATION.cff").write_text(text)
    work.git.commit("-am", "Edit the citation")


@pytest.mark.parametrize(
    ("setup", "args", "code", "message"),
    [
        ("", ["--tag", "2026.09"], 2, "--tag '2026.09' is not a tag here."),
        ("no-token", [], 2, "ZENODO_API_TOKEN is not set."),
        ("wrong-token", [], 1, "refused the token (HTTP 401)"),
        ("unreachable", [], 1, "(connection refused) after"),
        ("yaml", [], 2, "CITATION.cff is not valid YAML at line"),
        ("authors", [], 2, "CITATION.cff lacks a title or authors."),
        ("software", [], 2, "CITATION.cff has type 'software', not 'dataset'"),
        ("zenodo-json", [], 1, "metadata.creators.0.orcid: Not a valid ORCID"),
        ("invalid-tag", [], 1, "Tag 2026.11: "),
        ("", ["--sandbox", "--zenodo-url", "http://127.0.0.1:9"], 2, "not allowed with argument"),
    ],
)
def test_bad_input_is_one_line_without_the_token(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    setup: str,
    args: list[str],
    code: int,
    message: str,
) -> None:
    work, _ = repos
    root = Path(str(work.working_tree_dir))
    if setup == "no-token":
        monkeypatch.delenv("ZENODO_API_TOKEN")
    if setup == "wrong-token":
        monkeypatch.setenv("ZENODO_API_TOKEN", "not-a-token-here")
    if setup == "unreachable":
        monkeypatch.setenv("TOP_PYPI_ZENODO_URL", "http://127.0.0.1:9")
    if setup == "yaml":
        broken_citation(work, "title: [unclosed\n")
    if setup == "authors":
        broken_citation(work, CITATION.split("authors:")[0])
    if setup == "software":
        broken_citation(work, CITATION.replace("type: dataset", "type: software"))
    if setup == "zenodo-json":
        creators = '[{"name": "Doe, Jane", "orcid": "1234"}]'
        (root / ".zenodo.json").write_text(f'{{"title": "T", "creators": {creators}}}')
        work.git.add(".zenodo.json")
        work.git.commit("-m", "Zenodo metadata")
    if setup == "invalid-tag":
        invalid_tag(work, "2026.11")
    found, _, err = release(capsys, work, *args)
    assert found == code
    assert_one_error_line(err, message)
    for secret in (DEFAULT_TOKEN, "not-a-token-here"):
        assert secret not in err


@pytest.mark.parametrize(
    ("given", "variable", "pauses"),
    [({}, "", [2, 4, 8]), ({}, "1", [1, 2, 4]), ({"zenodo_retry_wait": 0}, "5", [0, 0, 0])],
)
def test_the_zenodo_retry_wait_is_the_first_pause_before_zenodo_is_asked_again(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    monkeypatch: pytest.MonkeyPatch,
    given: dict[str, int],
    variable: str,
    pauses: list[int],
) -> None:
    """The release's own retries (publisher.base.retry) pause as the setting says: the
    default, the environment's, and the command line's over it."""
    work, _ = repos
    monkeypatch.setenv("TOP_PYPI_ZENODO_RETRY_WAIT", variable)
    root = Path(str(work.working_tree_dir))
    asked = asked_for(ReleaseOptions(repo=root, given=given), root)
    patience = prepare(work, asked, date(2026, 11, 1), print).run.api.patience
    assert [patience.delay(attempt) for attempt in (1, 2, 3)] == pauses
    assert patience.attempts == 4


def invalid_tag(work: git.Repo, tag: str) -> None:
    """Move `tag` onto a publish commit whose CSV disagrees with its JSON."""
    root = Path(str(work.working_tree_dir))
    csv = root / "data" / "top-pypi-packages.csv"
    csv.write_text(csv.read_text().replace('"', "'", 2))
    message = work.tags[tag].commit.message
    work.git.commit("-am", message)
    work.git.tag("-f", "-a", tag, "-m", "moved for the test")


@pytest.mark.skipif(
    not CFFCONVERT.exists() and os.environ.get("CI") != "true",
    reason="cffconvert is not installed: run `make install`",
)
def test_both_citation_files_are_valid_cff(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    work, _ = repos
    assert release(capsys, work)[0] == 0
    uploaded = zenodo.file_bytes(zenodo.published()[1]["id"], "CITATION.cff")
    (tmp_path / "uploaded.cff").write_bytes(uploaded)
    (tmp_path / "root.cff").write_text(head_file(work, "CITATION.cff"))
    for name in ("uploaded.cff", "root.cff"):
        checked = subprocess.run(
            [str(CFFCONVERT), "--validate", "-i", str(tmp_path / name)],
            capture_output=True,
            text=True,
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_release_files_never_block_a_publish(
    repos: tuple[git.Repo, git.Repo], capsys: pytest.CaptureFixture[str]
) -> None:
    """What a release wrote but could not commit stays, and does not stop the next publish."""
    work, _ = repos
    root = Path(str(work.working_tree_dir))
    (root / "data" / "releases.json").write_text("{}\n")
    (root / "CITATION.cff").write_text(CITATION + "doi: 10.5281/zenodo.1\n")
    code = run_main("publish", "--repo", str(root), "--correction", "--end-date", "2026-10-31")
    assert code == 0
    assert "2026.11.1" in [t.name for t in work.tags]
    assert (root / "data" / "releases.json").read_text() == "{}\n"
    assert sorted(str(item.a_path) for item in work.index.diff(None)) == ["CITATION.cff"]


def test_the_summary_file_names_the_dois_or_the_failure(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    work, _ = repos
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("ZENODO_API_TOKEN", "tok-xyz-123")
    assert release(capsys, work, "--summary", str(summary))[0] == 1
    monkeypatch.setenv("ZENODO_API_TOKEN", DEFAULT_TOKEN)
    assert release(capsys, work, "--summary", str(summary))[0] == 0
    text = summary.read_text()
    assert "**error:** Zenodo at" in text
    assert "tok-xyz-123" not in text
    record = parse_record(head_file(work, RELEASES_FILE))
    for tag in TAGS:
        assert f"- **{tag}**: DOI [{record.releases[tag].doi}]" in text
