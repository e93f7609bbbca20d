"""`top-pypi release` keeps its rules: a record it can check, exactly the month's files, the
months in order, and metadata hints that name the file to mend."""

import json
from datetime import datetime
from pathlib import Path

import git
import pytest
from ruamel.yaml import YAML

from publisher.base.errors import BusyError
from publisher.release.lock import repository_lock
from publisher.release.zenodo.record import RELEASES_FILE, parse_record
from tests import test_release_command as command
from tests.expect import assert_one_error_line, run_cli
from tests.fakes.zenodo import DEFAULT_TOKEN, ZenodoStandIn
from tests.test_release_command import head_file, history_names, release, run_main

# The release command's fixtures: two tags made by `top-pypi publish`, the local Zenodo.
published, repos, zenodo = command.published, command.repos, command.zenodo


def commit_file(work: git.Repo, name: str, text: str) -> None:
    path = Path(str(work.working_tree_dir)) / name
    path.write_text(text)
    work.git.add(name)
    work.git.commit("-m", f"Edit {name}")


def test_a_record_with_another_zenodos_doi_is_refused(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = repos
    assert release(capsys, work, "--tag", "2026.10", "--no-push")[0] == 0
    record = json.loads(head_file(work, RELEASES_FILE))
    entry = record["releases"]["2026.10"]
    recid = entry["recid"]
    entry["doi"] = f"10.5072/zenodo.{recid}"  # the sandbox's prefix, on the stand-in of zenodo.org
    commit_file(work, RELEASES_FILE, json.dumps(record))
    changes = len(zenodo.changes())
    code, _, err = release(capsys, work, "--no-push")
    assert code == 2
    assert_one_error_line(
        err, f"{RELEASES_FILE} gives 2026.10 the DOI '10.5072/zenodo.{recid}', but record {recid}"
    )
    assert len(zenodo.changes()) == changes


def retag_with(work: git.Repo, tag: str, files: dict[str, str]) -> None:
    """Move `tag` onto a publish commit of its own that also holds `files`."""
    root = Path(str(work.working_tree_dir))
    for name, text in files.items():
        (root / name).write_text(text)
    work.git.add(*files)
    work.git.commit("-m", work.tags[tag].commit.message)
    work.git.tag("-f", "-a", tag, "-m", "moved for the test")


def test_a_record_holds_exactly_the_months_files_and_a_stray_file_is_named(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = repos
    retag_with(work, "2026.11", {"data/README.md": "# data\n", "data/notes.txt": "mine\n"})
    code, out, err = release(capsys, work, "--dry-run")
    assert code == 0, err
    assert "notes.txt" in out
    assert "not sent" in out
    code, _, err = release(capsys, work)
    assert code == 0, err
    stray = "warning: 2026.11:data/notes.txt is not one of the month's files: no Zenodo record"
    assert [line for line in err.splitlines() if line.startswith("warning")] == [
        f"{stray} holds it (`top-pypi release` skips it)."
    ]
    for deposition in zenodo.published():
        names = {f["filename"] for f in deposition["files"]}
        package = json.loads(zenodo.file_bytes(deposition["id"], "datapackage.json"))
        month = {resource["path"] for resource in package["resources"]} | {"datapackage.json"}
        readme = {"README.md"} if deposition["metadata"]["version"] == "2026.11" else set()
        assert names == month | readme | {"CITATION.cff"} | history_names(zenodo, deposition)
        assert "top-pypi-packages-30-days.csv" in names


def test_an_origin_with_credentials_still_links_the_tag_without_them(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = repos
    work.git.remote("set-url", "origin", "https://x-access-token:ghs_secret@github.com/o/r.git")
    code, _, err = release(capsys, work, "--tag", "2026.10", "--no-push")
    assert code == 0, err
    (deposition,) = zenodo.published()
    assert {
        "identifier": "https://github.com/o/r/tree/2026.10",
        "relation": "isSupplementTo",
        "scheme": "url",
    } in deposition["metadata"]["related_identifiers"]
    assert "ghs_secret" not in json.dumps(deposition)


def test_a_tag_waits_for_every_older_tag_without_a_doi(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = repos
    for args in (["--tag", "2026.11"], ["--tag", "2026.11", "--dry-run"]):
        code, _, err = release(capsys, work, *args)
        assert code == 2
        assert_one_error_line(
            err, "2026.11 cannot be released before 2026.10, an older month of this repository"
        )
    assert not zenodo.changes()
    code, _, err = release(capsys, work)
    assert code == 0, err
    assert [d["metadata"]["version"] for d in zenodo.published()] == ["2026.10", "2026.11"]


def release_at(
    capsys: pytest.CaptureFixture[str], work: git.Repo, day: str, *args: str
) -> tuple[int, str, str]:
    now = datetime.fromisoformat(f"{day}T07:00:00+00:00")
    return run_cli(capsys, now, "release", "--repo", str(work.working_tree_dir), *args)


def test_a_month_published_late_is_released_only_with_out_of_order(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """2026.10 tagged after 2026.11 was released: the concept DOI would land on 2026.10."""
    work, _ = repos
    october = work.tags["2026.10"].commit
    work.delete_tag(work.tags["2026.10"])
    assert release_at(capsys, work, "2026-11-01")[0] == 0
    work.create_tag("2026.10", october)
    changes = len(zenodo.changes())
    code, _, err = release_at(capsys, work, "2026-11-20")
    assert code == 2
    assert_one_error_line(
        err,
        "2026.10 is older than 2026.11, already released: Zenodo's latest version, where the"
        " concept DOI lands, becomes 2026.10 until the next release."
        " Run again with --out-of-order to release it all the same.",
    )
    assert len(zenodo.changes()) == changes
    code, _, err = release_at(capsys, work, "2026-11-20", "--out-of-order")
    assert code == 0, err
    assert "warning: 2026.10 is older than 2026.11, already released" in err
    published = zenodo.published()
    assert [d["metadata"]["version"] for d in published] == ["2026.11", "2026.10"]
    record = parse_record(head_file(work, RELEASES_FILE))
    assert record.releases["2026.10"].published == "2026-11-20"
    citation = YAML(typ="safe").load(head_file(work, "CITATION.cff"))
    assert (citation["version"], str(citation["date-released"])) == ("2026.11", "2026-11-01")


def test_a_correction_is_a_new_version_of_the_one_before_and_obsoletes_it(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = repos
    assert release(capsys, work)[0] == 0
    root = str(work.working_tree_dir)
    assert run_main("publish", "--repo", root, "--correction", "--end-date", "2026-10-31") == 0
    code, _, err = release(capsys, work)
    assert code == 0, err
    dois = {d["metadata"]["version"]: d["doi"] for d in zenodo.published()}
    (correction,) = [d for d in zenodo.published() if d["metadata"]["version"] == "2026.11.1"]
    related = correction["metadata"]["related_identifiers"]
    assert [(r["relation"], r["identifier"]) for r in related if r["scheme"] == "doi"] == [
        ("isNewVersionOf", dois["2026.11"]),
        ("obsoletes", dois["2026.11"]),
    ]


def test_a_month_corrected_before_its_release_is_released_as_its_correction(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """2026.11 never released (its data were wrong), 2026.11.1 made: the correction alone goes."""
    work, _ = repos
    assert release(capsys, work, "--tag", "2026.10")[0] == 0
    root = str(work.working_tree_dir)
    assert run_main("publish", "--repo", root, "--correction", "--end-date", "2026-10-31") == 0
    code, _, err = release(capsys, work)
    assert code == 0, err
    published = zenodo.published()
    assert [d["metadata"]["version"] for d in published] == ["2026.10", "2026.11.1"]
    related = published[1]["metadata"]["related_identifiers"]
    assert [(r["relation"], r["identifier"]) for r in related if r["scheme"] == "doi"] == [
        ("isNewVersionOf", published[0]["doi"])
    ]
    assert release(capsys, work)[0] == 0  # 2026.11 waits for nothing and blocks nothing
    assert len(zenodo.published()) == 2


def test_a_month_whose_correction_is_tagged_is_never_released_alone(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its data were wrong: asked for by name, it is refused, naming the correction."""
    work, _ = repos
    assert release(capsys, work, "--tag", "2026.10")[0] == 0
    root = str(work.working_tree_dir)
    assert run_main("publish", "--repo", root, "--correction", "--end-date", "2026-10-31") == 0
    changes = len(zenodo.changes())
    for args in (["--tag", "2026.11"], ["--tag", "2026.11", "--out-of-order"]):
        code, _, err = release(capsys, work, *args)
        assert code == 2
        assert_one_error_line(err, "2026.11 is corrected by 2026.11.1")
    assert len(zenodo.changes()) == changes


def test_a_record_of_a_concept_on_another_zenodo_is_refused(
    repos: tuple[git.Repo, git.Repo], zenodo: ZenodoStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    """A concept recorded on the sandbox, no version yet: never looked for on this Zenodo."""
    work, _ = repos
    record = {
        "schema_version": 1,
        "zenodo": {
            "url": "https://sandbox.zenodo.org",
            "concept_recid": 1001,
            "concept_doi": "10.5072/zenodo.1001",
        },
        "releases": {},
    }
    commit_file(work, RELEASES_FILE, json.dumps(record))
    for args in ([], ["--dry-run"]):
        code, _, err = release(capsys, work, *args)
        assert code == 2
        assert_one_error_line(
            err, f"{RELEASES_FILE} records DOIs minted on https://sandbox.zenodo.org, not on"
        )
    assert not zenodo.requests


def test_the_sandbox_never_looks_for_zenodo_orgs_concept(
    repos: tuple[git.Repo, git.Repo],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """zenodo_concept names a concept of zenodo.org: on the sandbox, where every run starts
    afresh, the same number is nothing of this repository's, and --new-concept is not refused
    for it."""
    work, _ = repos
    settings = Path(str(work.working_tree_dir)) / "top-pypi.toml"
    commit_file(work, "top-pypi.toml", settings.read_text() + "zenodo_concept = 1001\n")
    with ZenodoStandIn(tmp_path / "sandbox", sandbox=True) as sandbox:
        monkeypatch.setenv("ZENODO_SANDBOX_API_TOKEN", DEFAULT_TOKEN)
        monkeypatch.setenv("TOP_PYPI_ZENODO_SANDBOX_URL", sandbox.url)
        for args in (["--sandbox"], ["--sandbox", "--new-concept"]):
            code, _, err = release(capsys, work, *args)
            assert code == 0, err
            sandbox.settle()  # later: the depositions list shows the versions
        published = sandbox.published()
    # The second run found the first one's versions by their files: nothing sent again.
    assert [d["metadata"]["version"] for d in published] == ["2026.10", "2026.11"]
    assert len({d["conceptrecid"] for d in published}) == 1


@pytest.mark.parametrize("args", [[], ["--sandbox"]])
def test_a_release_holds_the_lock_from_reading_the_repository(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
) -> None:
    """A run that read the branch before another run recorded its DOIs, and locked only once
    that run was done, released from a stale record. Here the record it would read is broken:
    a run that reads before it locks says so, instead of that another run holds the lock."""
    work, _ = repos
    monkeypatch.setenv("ZENODO_SANDBOX_API_TOKEN", DEFAULT_TOKEN)
    monkeypatch.setenv("TOP_PYPI_ZENODO_SANDBOX_URL", zenodo.url)
    commit_file(work, RELEASES_FILE, "{not json")
    with repository_lock(Path(work.common_dir).resolve()):
        code, _, err = release(capsys, work, *args)
    assert code == BusyError.exit_code
    assert_one_error_line(err, "holds the lock of this repository")
    assert not zenodo.requests
