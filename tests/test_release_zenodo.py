"""Releasing tags to the local Zenodo: the real zenodo-client and requests, faults injected."""

import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import git
import pytest
from ruamel.yaml import YAML

from publisher.base.errors import MetadataError, ZenodoError
from publisher.release.metadata import Human, Version
from publisher.release.tag_files import tag_files
from publisher.release.zenodo_api import Patience, ZenodoApi
from publisher.release.zenodo_release import Ask, Outcome, release_version
from publisher.release.zenodo_run import uploads_of
from tests.fakes.zenodo import DEFAULT_TOKEN, ZenodoStandIn
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
    return release_version(api, ask, lambda message: None)


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
    zenodo: ZenodoStandIn, repo: git.Repo, kind: str
) -> None:
    api = api_for(zenodo, Sleeps())
    first = release(api, repo, "2026.10")
    zenodo.lose_answer("publish", kind)  # type: ignore[arg-type]
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
        release_version(api, ask, lambda message: None)
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
