"""Releasing tags to the local Zenodo: the real zenodo-client and requests, faults injected."""

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import git
import pytest
from ruamel.yaml import YAML

from publisher.base.errors import MetadataError, ZenodoError
from publisher.release.tag_files import tag_files
from publisher.release.zenodo.api import Patience, ZenodoApi
from publisher.release.zenodo.drafts import INDEX_PAUSES, unlisted_draft
from publisher.release.zenodo.metadata import Human, Version
from publisher.release.zenodo.notes import NOTES_FILE, Noted, ZenodoNotes
from publisher.release.zenodo.run import uploads_of
from publisher.release.zenodo.version import Ask, Outcome, release_version
from tests.fakes.zenodo import DEFAULT_TOKEN, ZenodoStandIn
from tests.fakes.zenodo_faults import FaultKind
from tests.repos import publishing_repo

HUMAN = Human("top-pypi", [{"name": "Lovelace, Ada"}], "Monthly downloads.", "CC0-1.0")
OTHER_TOKEN = "someone-else"
NOV_1 = date(2026, 11, 1)


@pytest.fixture
def zenodo(tmp_path: Path) -> Iterator[ZenodoStandIn]:
    with ZenodoStandIn(tmp_path / "zenodo", tokens={DEFAULT_TOKEN: 1, OTHER_TOKEN: 2}) as z:
        yield z


def two_months(folder: Path, source: str) -> git.Repo:
    """A publishing repository with two monthly tags, each with its own data files."""
    work, _ = publishing_repo(folder, 'engine = "duckdb"\n')
    data = Path(str(work.working_tree_dir)) / "data"
    data.mkdir()
    for tag in ("2026.10", "2026.11"):
        (data / "top-pypi-packages.json").write_text(f'{{"month": "{tag}", "from": "{source}"}}\n')
        (data / "top-pypi-packages.csv").write_text(f"month\n{tag}\n" * 1000)
        (data / "top-pypi-packages-30-days.json").write_text(f'{{"month": "{tag}"}}\n')
        work.git.add("data")
        work.git.commit("-m", f"Publish {tag}")
        work.git.tag(tag)
    return work


@pytest.fixture
def repo(tmp_path: Path) -> Iterator[git.Repo]:
    # Closed at the end: an error kept by pytest.raises holds the repository, and git's
    # reading processes would otherwise outlive the test.
    with two_months(tmp_path, "upstream") as work:
        yield work


@pytest.fixture
def other_repo(tmp_path: Path) -> Iterator[git.Repo]:
    """Another publishing repository of the same account: the same tags, other data (its CSV
    files are the same bytes, its JSON files are not)."""
    with two_months(tmp_path / "other", "fork") as work:
        yield work


def wait_until_logged(zenodo: ZenodoStandIn, route: str) -> None:
    """The stand-in logs a request once its answer is sent, a moment after the client has it."""
    for _ in range(500):
        if any(request.route == route for request in zenodo.changes()):
            return
        time.sleep(0.01)
    raise AssertionError(f"no {route} request was logged")


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def api_for(zenodo: ZenodoStandIn, sleeps: Sleeps, token: str = DEFAULT_TOKEN) -> ZenodoApi:
    return ZenodoApi(zenodo.url, token, Patience(timeout=5, attempts=3, sleep=sleeps))


def release(
    api: ZenodoApi,
    repo: git.Repo,
    tag: str,
    concept: int | None = None,
    *,
    human: Human = HUMAN,
    repo_tags: tuple[str, ...] = ("2026.10", "2026.11"),
) -> Outcome:
    version = Version(tag, "2026-10-02", "2026-10-31", 30, "duckdb", "exact", NOV_1)
    files, uploads = tag_files(repo, tag), uploads_of(repo)
    ask = Ask(version, human, files, [], concept, list(repo_tags), uploads)
    return release_version(api, ask, lambda message: None, notes_of(api, repo))


def notes_of(api: ZenodoApi, repo: git.Repo) -> ZenodoNotes:
    return ZenodoNotes(Path(repo.git_dir) / NOTES_FILE, api.url)


def test_two_months_make_one_concept_with_two_versions(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    api = api_for(zenodo, Sleeps())
    first = release(api, repo, "2026.10")
    second = release(api, repo, "2026.11", concept=first.concept[0])
    assert first.concept == second.concept
    published = zenodo.published()
    assert [d["metadata"]["version"] for d in published] == ["2026.10", "2026.11"]
    assert not zenodo.drafts()
    for outcome, deposition in zip((first, second), published, strict=True):
        names = sorted(f["filename"] for f in deposition["files"])
        assert names == [
            "CITATION.cff",
            "top-pypi-packages-30-days.json",
            "top-pypi-packages.csv",
            "top-pypi-packages.json",
        ]
        assert deposition["doi"] == outcome.released.doi
        tag = deposition["metadata"]["version"]
        assert zenodo.file_bytes(deposition["id"], "top-pypi-packages.json") == (
            f'{{"month": "{tag}", "from": "upstream"}}\n'.encode()
        )
        citation = YAML(typ="safe").load(zenodo.file_bytes(deposition["id"], "CITATION.cff"))
        assert citation["doi"] == outcome.released.doi
        assert citation["identifiers"][1]["value"] == outcome.concept[1]
        assert set(outcome.released.files) == set(names)


def test_a_version_already_on_zenodo_is_adopted_without_sending(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    api = api_for(zenodo, Sleeps())
    first = release(api, repo, "2026.10")
    wait_until_logged(zenodo, "publish")
    zenodo.settle()  # the record is lost later: Zenodo's depositions list has caught up
    before, changes = zenodo.snapshot(), len(zenodo.changes())
    again = release(api, repo, "2026.10", concept=first.concept[0])
    lost_record = release(api, repo, "2026.10")  # no concept known: found by its version
    assert zenodo.snapshot() == before
    assert len(zenodo.changes()) == changes
    assert not again.sent
    assert not lost_record.sent
    assert again.released.doi == lost_record.released.doi == first.released.doi
    assert again.released.files == first.released.files


@pytest.mark.parametrize("kind", ["reset", "504", "500"])
def test_a_lost_publish_answer_never_makes_a_second_version(
    zenodo: ZenodoStandIn, repo: git.Repo, kind: FaultKind
) -> None:
    api = api_for(zenodo, Sleeps())
    first = release(api, repo, "2026.10")
    zenodo.lose_answer("publish", kind)
    release(api, repo, "2026.11", concept=first.concept[0])
    assert [d["metadata"]["version"] for d in zenodo.published()] == ["2026.10", "2026.11"]
    assert not zenodo.drafts()


def test_rate_limits_are_waited_for_as_retry_after_says(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    sleeps = Sleeps()
    zenodo.rate_limit("create", retry_after=7)
    zenodo.fail("upload", "503")
    release(api_for(zenodo, sleeps), repo, "2026.10")
    assert 7 in sleeps
    assert len(zenodo.published()) == 1
    assert len(zenodo.depositions()) == 1  # the 429 on create made no second draft


def test_a_reset_during_an_upload_is_sent_again_whole(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    zenodo.reset_upload(read_bytes=100)
    outcome = release(api_for(zenodo, Sleeps()), repo, "2026.10")
    (deposition,) = zenodo.published()
    csv = zenodo.file_bytes(deposition["id"], "top-pypi-packages.csv")
    assert csv == b"month\n2026.10\n" * 1000
    assert outcome.released.files["top-pypi-packages.csv"].startswith("md5:")


def test_a_draft_left_by_a_killed_run_is_reused(zenodo: ZenodoStandIn, repo: git.Repo) -> None:
    api = api_for(zenodo, Sleeps())
    first = release(api, repo, "2026.10")
    zenodo.fail("upload", "reset", times=3)  # the run dies during its uploads
    with pytest.raises(ZenodoError, match="did not upload"):
        release(api, repo, "2026.11", concept=first.concept[0])
    assert len(zenodo.drafts()) == 1
    release(api, repo, "2026.11", concept=first.concept[0])
    assert [d["metadata"]["version"] for d in zenodo.published()] == ["2026.10", "2026.11"]
    assert not zenodo.drafts()


def test_a_first_draft_is_found_through_the_note_while_the_list_does_not_show_it(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    api = api_for(zenodo, Sleeps())
    zenodo.fail("upload", "reset", times=3)  # the run dies during its first upload
    with pytest.raises(ZenodoError, match="did not upload"):
        release(api, repo, "2026.10")
    assert notes_of(api, repo).noted("2026.10") == Noted(zenodo.drafts()[0]["id"])
    release(api, repo, "2026.10")  # at once: Zenodo does not list the draft yet
    assert len(zenodo.depositions()) == 1
    assert [d["metadata"]["version"] for d in zenodo.published()] == ["2026.10"]


def test_without_notes_a_first_draft_is_found_in_the_list_once_it_shows_it(
    zenodo: ZenodoStandIn, repo: git.Repo, tmp_path: Path
) -> None:
    """A re-run in a fresh clone (a new CI runner) has no notes: minutes later, Zenodo lists
    the draft."""
    api = api_for(zenodo, Sleeps())
    zenodo.fail("upload", "reset", times=3)
    with pytest.raises(ZenodoError, match="did not upload"):
        release(api, repo, "2026.10")
    Path(repo.git_dir, NOTES_FILE).unlink()
    zenodo.settle()
    release(api, repo, "2026.10")
    assert len(zenodo.depositions()) == 1
    assert not zenodo.drafts()


def test_a_draft_made_whose_answer_was_lost_is_found_in_the_list_not_made_again(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    sleeps = Sleeps()
    api = api_for(zenodo, sleeps)
    zenodo.fail("create", "reset", after=True)  # the draft is made, the answer lost
    release(api, repo, "2026.10")
    assert [d["metadata"]["version"] for d in zenodo.depositions()] == ["2026.10"]
    assert not zenodo.drafts()
    assert sleeps  # the list showed the draft only after a while


def test_without_notes_a_later_draft_is_found_by_the_concepts_latest_draft_link(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    api = api_for(zenodo, Sleeps())
    first = release(api, repo, "2026.10")
    zenodo.fail("upload", "reset", times=3)
    with pytest.raises(ZenodoError, match="did not upload"):
        release(api, repo, "2026.11", concept=first.concept[0])
    Path(repo.git_dir, NOTES_FILE).unlink()
    release(api, repo, "2026.11", concept=first.concept[0])
    assert [d["metadata"]["version"] for d in zenodo.published()] == ["2026.10", "2026.11"]
    assert not zenodo.drafts()
    assert [r.status for r in zenodo.changes() if r.route == "newversion"] == [201]


def test_a_note_of_a_deposition_published_as_another_version_is_forgotten(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    api = api_for(zenodo, Sleeps())
    first = release(api, repo, "2026.10")
    notes_of(api, repo).opened("2026.11", first.released.recid)  # a note gone wrong
    second = release(api, repo, "2026.11", concept=first.concept[0])
    assert second.sent
    assert second.released.doi != first.released.doi
    assert [d["metadata"]["version"] for d in zenodo.published()] == ["2026.10", "2026.11"]


def test_a_draft_no_link_shows_is_searched_for_in_the_list(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    """Zenodo refuses `newversion` while a draft holds files: if no link led to that draft,
    the list is searched until it shows it, or the run stops saying where to discard it."""
    sleeps = Sleeps()
    api = api_for(zenodo, sleeps)
    first = release(api, repo, "2026.10")
    concept = first.concept[0]
    refused = ZenodoError("Zenodo refused to open a new version (HTTP 400): remove all files")
    with pytest.raises(ZenodoError, match=f"holds a draft of concept {concept}") as caught:
        unlisted_draft(api, concept, refused)
    assert f"{zenodo.url}/me/uploads" in caught.value.tip
    assert sum(sleeps) == sum(INDEX_PAUSES)
    draft = api.new_version(first.released.recid)
    assert unlisted_draft(api, concept, refused) == draft["id"]


def test_a_concept_with_nothing_published_is_named_not_blamed_on_the_citation(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    """Zenodo answers 404 for the versions of a concept none of whose versions is published."""
    api = api_for(zenodo, Sleeps())
    draft = api.create({"upload_type": "dataset", "title": "A first draft", "description": "D",
                        "creators": [{"name": "Doe, Jane"}]})  # fmt: skip
    concept = int(draft["conceptrecid"])
    with pytest.raises(ZenodoError, match=f"no published version of concept {concept}") as e:
        release(api, repo, "2026.10", concept=concept)
    assert "zenodo_concept" in e.value.tip
    assert "CITATION.cff" not in str(e.value)


def test_an_unreadable_note_file_is_no_note(repo: git.Repo) -> None:
    path = Path(repo.git_dir) / NOTES_FILE
    notes = ZenodoNotes(path, "http://127.0.0.1:1")
    notes.opened("2026.10", 1002)
    other = ZenodoNotes(path, "http://127.0.0.1:2")
    other.opening("2026.10")
    assert (notes.noted("2026.10"), other.noted("2026.10")) == (Noted(1002), Noted(None))
    notes.forget(["2026.10"])
    assert (notes.noted("2026.10"), other.noted("2026.10")) == (None, Noted(None))
    for text in ("{not json", "[]", '{"schema_version": 2, "zenodo": {}}'):
        path.write_text(text)
        assert other.noted("2026.10") is None
    other.opened("2026.11", 7)
    assert other.noted("2026.11") == Noted(7)
    other.forget(["2026.11"])
    assert not path.exists()


def test_a_first_record_draft_left_behind_is_found_among_the_owners_drafts(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    api = api_for(zenodo, Sleeps())
    zenodo.fail("publish", "503", times=3)
    with pytest.raises(
        ZenodoError,
        match=r"did not publish draft (\d+) .*Run `top-pypi release` again: it finds draft \1",
    ):
        release(api, repo, "2026.10")
    release(api, repo, "2026.10")
    assert len(zenodo.depositions()) == 1
    assert [d["metadata"]["version"] for d in zenodo.published()] == ["2026.10"]


def test_a_found_version_of_the_tag_is_adopted_whatever_its_citation_file(
    zenodo: ZenodoStandIn, repo: git.Repo
) -> None:
    """Its CITATION.cff names its own DOI and the authors of the day: only data files count."""
    api = api_for(zenodo, Sleeps())
    first = release(api, repo, "2026.10")
    renamed = Human("top-pypi", [{"name": "Hopper, Grace"}], "Monthly downloads.", "CC0-1.0")
    again = release(api, repo, "2026.10", human=renamed)
    assert not again.sent
    assert again.released.doi == first.released.doi


def test_a_version_of_the_tags_name_with_other_files_is_refused(
    zenodo: ZenodoStandIn, repo: git.Repo, other_repo: git.Repo
) -> None:
    api = api_for(zenodo, Sleeps())
    upstream = release(api, repo, "2026.10")
    zenodo.settle()  # later: the depositions list shows the upstream's versions
    before = zenodo.snapshot()
    for concept in (upstream.concept[0], None):  # whether the concept is known or searched for
        with pytest.raises(ZenodoError) as caught:
            release(api, other_repo, "2026.10", concept=concept)
        line = str(caught.value)
        assert f"record {upstream.released.recid} ({upstream.released.doi})" in line
        assert "top-pypi-packages.json" in line
        assert "top-pypi-packages.csv" not in line  # the same bytes in both repositories
        assert "`top-pypi release --new-concept`" in line
        assert "\n" not in line
    assert zenodo.snapshot() == before


def test_a_concept_is_never_taken_on_a_version_name_alone(
    zenodo: ZenodoStandIn, repo: git.Repo, other_repo: git.Repo
) -> None:
    """The account holds another dataset's 2026.11; this repository's 2026.10 starts its own."""
    api = api_for(zenodo, Sleeps())
    upstream = release(api, repo, "2026.11")
    zenodo.settle()
    ours = release(api, other_repo, "2026.10")
    assert ours.sent
    assert ours.concept[0] != upstream.concept[0]
    assert [d["metadata"]["version"] for d in zenodo.published(upstream.concept[0])] == ["2026.11"]


def test_a_draft_of_another_concept_is_never_filled(
    zenodo: ZenodoStandIn, repo: git.Repo, other_repo: git.Repo
) -> None:
    """Another dataset's run died while uploading its 2026.11: that draft is its own."""
    api = api_for(zenodo, Sleeps())
    upstream = release(api, repo, "2026.10")
    zenodo.fail("upload", "reset", times=3)
    with pytest.raises(ZenodoError, match="did not upload"):
        release(api, repo, "2026.11", concept=upstream.concept[0])
    (left,) = zenodo.drafts()
    zenodo.settle()
    ours = release(api, other_repo, "2026.11", repo_tags=("2026.11",))
    assert ours.concept[0] != upstream.concept[0]
    assert [d["metadata"]["version"] for d in zenodo.published(upstream.concept[0])] == ["2026.10"]
    assert zenodo.drafts() == [left]


def test_a_first_draft_holding_another_datasets_files_is_left_to_it(
    zenodo: ZenodoStandIn, repo: git.Repo, other_repo: git.Repo
) -> None:
    """Another dataset's first run died before publishing its 2026.10, its files uploaded."""
    api = api_for(zenodo, Sleeps())
    zenodo.fail("publish", "503", times=3)
    with pytest.raises(ZenodoError, match="did not publish draft"):
        release(api, repo, "2026.10")
    (left,) = zenodo.drafts()
    zenodo.settle()
    ours = release(api, other_repo, "2026.10")
    assert ours.released.recid != left["id"]
    assert zenodo.drafts() == [left]
    upstream = release(api, repo, "2026.10")  # its own run resumes it
    assert upstream.released.recid == left["id"]
    assert not zenodo.drafts()


def test_a_concept_of_another_account_is_refused(zenodo: ZenodoStandIn, repo: git.Repo) -> None:
    upstream = release(api_for(zenodo, Sleeps(), OTHER_TOKEN), repo, "2026.10")
    with pytest.raises(MetadataError, match="belongs to another Zenodo account") as caught:
        release(api_for(zenodo, Sleeps()), repo, "2026.11", concept=upstream.concept[0])
    assert "releases.json" in caught.value.tip


@pytest.mark.parametrize("token", ["wrong-token", ""])
def test_a_bad_token_is_one_line_without_the_token(
    zenodo: ZenodoStandIn, repo: git.Repo, token: str
) -> None:
    with pytest.raises(ZenodoError, match=r"refused the token|did not allow") as caught:
        release(api_for(zenodo, Sleeps(), token), repo, "2026.10")
    assert "\n" not in str(caught.value)
    assert not token or token not in str(caught.value)


def test_an_unreachable_zenodo_is_named_without_the_token(repo: git.Repo) -> None:
    sleeps = Sleeps()
    api = ZenodoApi("http://127.0.0.1:9", "secret-token", Patience(attempts=2, sleep=sleeps))
    with pytest.raises(ZenodoError, match=r"did not .* \(connection refused\) after 2 tries") as e:
        release(api, repo, "2026.10")
    assert "secret-token" not in str(e.value)
    assert sleeps == [2.0]


def test_metadata_zenodo_refuses_names_the_field(zenodo: ZenodoStandIn, repo: git.Repo) -> None:
    api = api_for(zenodo, Sleeps())
    nameless = Human("top-pypi", [{"name": ""}])
    version = Version(
        "2026.10", "2026-10-02", "2026-10-31", 30, "duckdb", "exact", date(2026, 11, 1)
    )
    ask = Ask(
        version, nameless, tag_files(repo, "2026.10"), [], None, ["2026.10"], uploads_of(repo)
    )
    with pytest.raises(ZenodoError, match=r"refused to .* \(HTTP 400\): .*creators") as caught:
        release_version(api, ask, lambda message: None, notes_of(api, repo))
    assert DEFAULT_TOKEN not in str(caught.value)


def test_a_token_no_header_can_carry_is_said_so_without_sending_or_showing_it(
    zenodo: ZenodoStandIn,
) -> None:
    """Not an HTTP 400: nothing was sent."""
    api = api_for(zenodo, Sleeps(), token=f"{DEFAULT_TOKEN}\r\n")
    with pytest.raises(ZenodoError, match="was not sent to Zenodo at") as raised:
        api.depositions("draft")
    assert "(HTTP" not in str(raised.value)
    assert DEFAULT_TOKEN not in str(raised.value)
    assert not zenodo.requests
