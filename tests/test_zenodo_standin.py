"""The local Zenodo stand-in, driven by the unmodified zenodo-client and by plain `requests`.

Expected values are computed here independently (MD5s with hashlib, DOIs from the ids Zenodo
returned), and each injected fault is observed the way a client meets it.
"""

from __future__ import annotations

import hashlib
import io
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from pystow.config_api import ConfigError
from zenodo_client import Creator, Metadata, Zenodo

from tests.fakes.zenodo import DEFAULT_TOKEN, ZenodoStandIn, point_at
from tests.fakes.zenodo_faults import FaultKind
from tests.fakes.zenodo_wire import FORBIDDEN, UNAUTHORIZED

NOW = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
TOKEN = "owner-one-secret-token"
OTHER = "owner-two-secret-token"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def zenodo(tmp_path: Path) -> Iterator[ZenodoStandIn]:
    with ZenodoStandIn(tmp_path / "zenodo", tokens={TOKEN: 1, OTHER: 2}, clock=lambda: NOW) as z:
        yield z
        assert z.internal_errors == []


@pytest.fixture
def client(zenodo: ZenodoStandIn) -> Zenodo:
    return zenodo.client(TOKEN)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "data"
    folder.mkdir()
    contents = {"top.csv": b'download_count,project\n10,"a"\n', "top.json": b'{"rows": []}\n'}
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in contents}


def _metadata(version: str, **extra: Any) -> dict[str, Any]:
    return {
        "upload_type": "dataset",
        "title": f"Top PyPI projects {version}",
        "creators": [{"name": "Doe, Jane", "orcid": "0000-0002-1825-0097"}],
        "description": "The most-downloaded projects.",
        "publication_date": "2026-11-01",
        "version": version,
        "license": "cc-zero",
        "related_identifiers": [
            {"identifier": "https://example.org/tag", "relation": "isSupplementTo"}
        ],
        **extra,
    }


def _auth(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _deposition_url(api: str, dep_id: int) -> str:
    return f"{api}/deposit/depositions/{dep_id}"


def _put_metadata(api: str, dep_id: int, metadata: Any, token: str = TOKEN) -> requests.Response:
    url = _deposition_url(api, dep_id)
    return requests.put(url, json={"metadata": metadata}, headers=_auth(token), timeout=10)


def _get(url: str, token: str | None = TOKEN, **params: str) -> requests.Response:
    headers = _auth(token) if token else {}
    return requests.get(url, params=params, headers=headers, timeout=10)


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


def _draft(client: Zenodo, files: dict[str, Path]) -> dict[str, Any]:
    """A first record's draft made by zenodo-client, its files uploaded by it too."""
    metadata = Metadata(
        title="Top PyPI projects",
        upload_type="dataset",
        description="The most-downloaded projects.",
        creators=[Creator(name="Doe, Jane")],
    )
    response = client.create(metadata, list(files.values()), publish=False)
    return dict(response.json())


def _published(client: Zenodo, files: dict[str, Path], version: str) -> dict[str, Any]:
    draft = _draft(client, files)
    answer = _put_metadata(client.api_base, draft["id"], _metadata(version), client.access_token)
    assert answer.status_code == 200, answer.text
    return dict(client.publish(draft["id"], sleep=False).json())


def _new_draft(client: Zenodo, latest_id: int) -> dict[str, Any]:
    answer = client.new_version(str(latest_id), sleep=False)
    draft_url = answer.json()["links"]["latest_draft"]
    return dict(_get(draft_url, client.access_token).json())


def _answer(refused: pytest.ExceptionInfo[requests.HTTPError]) -> requests.Response:
    """The answer an HTTPError was raised for (requests types it optional: ours always have one)."""
    answer = refused.value.response
    assert answer is not None
    return answer


def _upload(bucket: str, name: str, body: Any, token: str = TOKEN) -> requests.Response:
    headers = _auth(token) | {"Content-Type": "application/octet-stream"}
    return requests.put(f"{bucket}/{name}", data=body, headers=headers, timeout=10)


# -- the first record --------------------------------------------------------------------------


def test_a_first_record_reserves_its_doi_then_publishes_under_a_new_concept(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    draft = _draft(client, files)
    recid = draft["id"]
    assert draft["metadata"]["prereserve_doi"] == {"doi": f"10.5281/zenodo.{recid}", "recid": recid}
    assert (draft["submitted"], draft["state"]) == (False, "unsubmitted")
    assert "doi" not in draft
    assert "conceptdoi" not in draft
    assert {f["filename"]: f["checksum"] for f in draft["files"]} == {
        name: _md5(path.read_bytes()) for name, path in files.items()
    }

    assert _put_metadata(zenodo.api_url, recid, _metadata("2026.10")).status_code == 200
    published = client.publish(recid, sleep=False)

    assert published.status_code == 202
    body = published.json()
    concept = int(body["conceptrecid"])
    assert concept != recid
    assert body["doi"] == f"10.5281/zenodo.{recid}" == body["metadata"]["doi"]
    assert body["conceptdoi"] == f"10.5281/zenodo.{concept}"
    assert body["metadata"]["version"] == "2026.10"
    again = _get(_deposition_url(zenodo.api_url, recid)).json()
    assert (again["submitted"], again["state"], again["doi"]) == (True, "done", body["doi"])


def test_a_published_record_is_public_with_its_files_and_their_bytes(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    body = _published(client, files, "2026.10")

    record = client.get_record(body["id"], authenticate=False).json()

    assert (record["doi"], record["conceptdoi"]) == (body["doi"], body["conceptdoi"])
    assert record["metadata"]["related_identifiers"][0]["relation"] == "isSupplementTo"
    for entry in record["files"]:
        data = files[entry["key"]].read_bytes()
        assert entry["checksum"] == f"md5:{_md5(data)}"
        assert _get(entry["links"]["self"], token=None).content == data


def test_a_sandbox_stand_in_gives_test_dois(tmp_path: Path, files: dict[str, Path]) -> None:
    with ZenodoStandIn(tmp_path / "sandbox", sandbox=True) as sandbox:
        client = sandbox.client(DEFAULT_TOKEN, sandbox=True)
        body = _published(client, files, "2026.10")
    assert body["doi"] == f"10.5072/zenodo.{body['id']}"
    assert body["conceptdoi"].startswith("10.5072/zenodo.")


def test_uploads_stream_in_chunks_and_answer_with_their_md5(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    draft = _draft(client, files)
    pieces = [bytes([n]) * 100_000 for n in range(30)]  # 3 MB in a chunked request

    answer = _upload(draft["links"]["bucket"], "big file.bin", iter(pieces))

    data = b"".join(pieces)
    assert answer.status_code == 201
    assert answer.json()["checksum"] == f"md5:{_md5(data)}"
    assert (answer.json()["key"], answer.json()["size"]) == ("big file.bin", len(data))
    assert zenodo.file_bytes(draft["id"], "big file.bin") == data
    assert (zenodo.store.blobs / _md5(data)).stat().st_size == len(data)


def test_an_upload_of_an_existing_name_replaces_the_file(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    draft = _draft(client, files)

    _upload(draft["links"]["bucket"], "top.csv", b"new\n")

    listed = _get(draft["links"]["files"]).json()
    assert sorted(f["filename"] for f in listed) == ["top.csv", "top.json"]
    assert zenodo.file_bytes(draft["id"], "top.csv") == b"new\n"


# -- new versions ------------------------------------------------------------------------------


def test_a_new_version_starts_with_copies_which_are_removed_and_replaced(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    first = _published(client, files, "2026.10")

    answer = client.new_version(first["id"], sleep=False)

    assert (answer.status_code, answer.json()["id"]) == (201, first["id"])
    draft = _get(answer.json()["links"]["latest_draft"]).json()
    assert draft["id"] != first["id"]
    assert draft["conceptrecid"] == first["conceptrecid"]
    assert draft["metadata"]["prereserve_doi"]["doi"] == f"10.5281/zenodo.{draft['id']}"
    assert "version" not in draft["metadata"]
    assert "publication_date" not in draft["metadata"]
    copied = {f["filename"]: f["checksum"] for f in draft["files"]}
    assert copied == {f["filename"]: f["checksum"] for f in first["files"]}
    assert {f["id"] for f in draft["files"]}.isdisjoint(f["id"] for f in first["files"])

    for entry in draft["files"]:
        assert (
            requests.delete(entry["links"]["self"], headers=_auth(), timeout=10).status_code == 204
        )
    assert _upload(draft["links"]["bucket"], "top.csv", b"november\n").status_code == 201
    assert _put_metadata(zenodo.api_url, draft["id"], _metadata("2026.11")).status_code == 200
    second = client.publish(draft["id"], sleep=False).json()

    assert second["conceptdoi"] == first["conceptdoi"]
    assert second["doi"] != first["doi"]
    assert [f["filename"] for f in second["files"]] == ["top.csv"]
    assert zenodo.file_bytes(second["id"], "top.csv") == b"november\n"
    assert zenodo.file_bytes(first["id"], "top.csv") == files["top.csv"].read_bytes()


def test_a_second_new_version_is_refused_while_the_draft_holds_files(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    first = _published(client, files, "2026.10")
    draft = _new_draft(client, first["id"])

    with pytest.raises(requests.HTTPError) as refused:
        client.new_version(first["id"], sleep=False)

    assert _answer(refused).status_code == 400
    assert _answer(refused).json()["message"] == "Please remove all files first."
    for entry in draft["files"]:
        requests.delete(entry["links"]["self"], headers=_auth(), timeout=10)
    again = client.new_version(first["id"], sleep=False).json()
    assert again["links"]["latest_draft"] == draft["links"]["self"]
    assert [d["id"] for d in zenodo.drafts()] == [draft["id"]]


def test_versions_are_listed_newest_first_and_the_latest_is_a_redirect(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    ids = [_published(client, files, "2026.09")["id"]]
    for version in ("2026.10", "2026.11"):
        draft = _new_draft(client, ids[-1])
        _put_metadata(zenodo.api_url, draft["id"], _metadata(version))
        ids.append(client.publish(draft["id"], sleep=False).json()["id"])
    records = f"{zenodo.api_url}/records"

    listed = _get(f"{records}/{ids[0]}/versions", token=None).json()
    first_page = _get(f"{records}/{ids[0]}/versions", size="2").json()
    found = _get(f"{records}/{ids[2]}/versions", q='metadata.version:"2026.10"').json()
    latest = _get(f"{records}/{ids[0]}/versions/latest")

    assert listed["hits"]["total"] == 3
    assert [h["metadata"]["version"] for h in listed["hits"]["hits"]] == [
        "2026.11", "2026.10", "2026.09",
    ]  # fmt: skip
    assert [h["id"] for h in first_page["hits"]["hits"]] == [ids[2], ids[1]]
    assert "next" in first_page["links"]
    assert [h["id"] for h in found["hits"]["hits"]] == [ids[1]]
    assert (latest.history[0].status_code, latest.json()["id"]) == (302, ids[2])
    concept = listed["hits"]["hits"][0]["conceptrecid"]
    assert _get(f"{records}/{concept}", token=None).json()["id"] == ids[2]
    # zenodo-client reads the id from the record's own `latest` link: the record it was given.
    assert client.get_latest_record(ids[0]) == str(ids[0])


def test_zenodo_client_update_stamps_todays_date_as_the_version_and_keeps_old_files(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path], tmp_path: Path
) -> None:
    first = _published(client, files, "2026.10")
    extra = tmp_path / "extra.csv"
    extra.write_bytes(b"x\n")

    client.update(first["id"], [extra], publish=False)

    (draft,) = zenodo.drafts()
    assert draft["metadata"]["version"] == datetime.today().strftime("%Y-%m-%d")
    assert sorted(f["filename"] for f in draft["files"]) == ["extra.csv", "top.csv", "top.json"]


# -- the owner's depositions -------------------------------------------------------------------


def test_the_owners_depositions_are_found_by_version_drafts_included(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    published = _published(client, files, "2026.09")
    draft = _draft(client, files)
    _put_metadata(zenodo.api_url, draft["id"], _metadata("2026.10"))
    listing = f"{zenodo.api_url}/deposit/depositions"
    zenodo.settle()  # some seconds later: the list is a search index

    def ids(token: str = TOKEN, **params: str) -> list[int]:
        answer = _get(listing, token, **params)
        assert answer.status_code == 200, answer.text
        return [d["id"] for d in answer.json()]

    assert ids(q='metadata.version:"2026.10"') == [draft["id"]]
    assert ids(q="metadata.version:2026.10") == [draft["id"]]
    assert ids(q="version:2026.10 AND title:projects") == [draft["id"]]
    assert ids(q="metadata.version:2026.1") == []
    assert ids(status="draft") == [draft["id"]]
    assert ids(status="published") == [published["id"]]
    assert ids() == [draft["id"], published["id"]]
    assert ids(sort="-mostrecent") == [published["id"], draft["id"]]
    assert ids(size="1", page="2") == [published["id"]]
    assert ids(OTHER) == []


def test_without_all_versions_a_pending_draft_hides_its_published_versions(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    first = _published(client, files, "2026.10")
    draft = _new_draft(client, first["id"])
    listing = f"{zenodo.api_url}/deposit/depositions"
    zenodo.settle()

    newest = _get(listing, status="published").json()
    every = _get(listing, status="published", all_versions="1").json()

    assert newest == []
    assert [d["id"] for d in every] == [first["id"]]
    assert [d["id"] for d in _get(listing).json()] == [draft["id"]]


@pytest.mark.parametrize(
    "params",
    [{"q": "version:2026.10 OR version:2026.11"}, {"q": "doi:10.5281/zenodo.1"},
     {"q": "version:2026*"}, {"status": "done"}, {"sort": "title"}, {"size": "0"}],
)  # fmt: skip
def test_searches_the_stand_in_cannot_answer_faithfully_are_refused(
    zenodo: ZenodoStandIn, params: dict[str, str]
) -> None:
    answer = _get(f"{zenodo.api_url}/deposit/depositions", **params)

    assert answer.status_code == 400
    assert answer.json()["status"] == 400
    assert answer.json()["message"]


# -- metadata ----------------------------------------------------------------------------------


def test_a_metadata_put_replaces_everything_and_drops_unknown_keys(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    draft = _draft(client, files)

    answer = _put_metadata(zenodo.api_url, draft["id"], _metadata("2026.10", colour="blue"))

    metadata = answer.json()["metadata"]
    assert "colour" not in metadata
    assert "keywords" not in metadata
    assert metadata["prereserve_doi"] == draft["metadata"]["prereserve_doi"]
    assert metadata["related_identifiers"] == _metadata("2026.10")["related_identifiers"]


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({"title": "Only a title"}, {
            "metadata.upload_type": ["Missing data for required field."],
            "metadata.creators": ["Missing data for required field."],
            "metadata.description": ["Missing data for required field."],
        }),
        (_metadata("2026.10", publication_date="2026-13-01"),
         {"metadata.publication_date": ["Not a valid date."]}),
        (_metadata("2026.10", creators=[{"affiliation": "PyPI"}]),
         {"metadata.creators.0.name": ["Missing data for required field."]}),
        (_metadata("2026.10", creators=[{"name": "Doe, Jane", "orcid": "12"}]),
         {"metadata.creators.0.orcid": ["Not a valid ORCID identifier."]}),
        (_metadata("2026.10", upload_type="data"), {"metadata.upload_type": [
            "Must be one of: publication, poster, presentation, dataset, image, video, "
            "software, lesson, physicalobject, other."]}),
        (_metadata("2026.10", related_identifiers=[{"identifier": "x", "relation": "is"}]),
         {"metadata.related_identifiers.0.relation": None}),
        (_metadata("2026.10", doi="10.5281/zenodo.1"),
         {"metadata.doi": ["The prefix '10.5281' is administrated locally."]}),
    ],
)  # fmt: skip
def test_a_metadata_put_zenodo_would_refuse_gets_field_messages(
    zenodo: ZenodoStandIn,
    client: Zenodo,
    files: dict[str, Path],
    metadata: dict[str, Any],
    expected: dict[str, list[str] | None],
) -> None:
    draft = _draft(client, files)

    answer = _put_metadata(zenodo.api_url, draft["id"], metadata)

    assert answer.status_code == 400
    body = answer.json()
    assert (body["status"], body["message"]) == (400, "A validation error occurred.")
    found = {e["field"]: e["messages"] for e in body["errors"]}
    assert found.keys() == expected.keys()
    for field, messages in expected.items():
        assert found[field] == messages if messages else found[field]
    assert (
        _get(_deposition_url(zenodo.api_url, draft["id"])).json()["metadata"] == draft["metadata"]
    )


def test_publishing_is_refused_without_files_or_without_the_required_metadata(
    zenodo: ZenodoStandIn, client: Zenodo
) -> None:
    url = f"{zenodo.api_url}/deposit/depositions"
    empty = requests.post(url, json={}, headers=_auth(), timeout=10).json()

    with pytest.raises(requests.HTTPError) as refused:
        client.publish(empty["id"], sleep=False)

    body = _answer(refused).json()
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"files"}
    _upload(empty["links"]["bucket"], "top.csv", b"x\n")
    again = requests.post(empty["links"]["publish"], headers=_auth(), timeout=10)
    assert again.status_code == 400
    assert {e["field"] for e in again.json()["errors"]} == {
        "metadata.upload_type", "metadata.title", "metadata.creators", "metadata.description",
    }  # fmt: skip
    assert zenodo.published() == []


def test_zenodo_client_create_turns_a_400_into_a_value_error(
    zenodo: ZenodoStandIn, client: Zenodo
) -> None:
    with pytest.raises(ValueError, match="metadata.creators"):
        client.create({"metadata": {"title": "x", "upload_type": "dataset"}}, [], publish=False)
    assert zenodo.depositions() == []


def test_a_published_deposition_is_locked(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    body = _published(client, files, "2026.10")

    upload = _upload(body["links"]["bucket"], "late.csv", b"x\n")
    delete_file = requests.delete(body["files"][0]["links"]["self"], headers=_auth(), timeout=10)
    delete = requests.delete(body["links"]["self"], headers=_auth(), timeout=10)
    put = _put_metadata(zenodo.api_url, body["id"], _metadata("2026.12"))
    publish = requests.post(body["links"]["publish"], headers=_auth(), timeout=10)

    assert (upload.status_code, upload.json()["message"]) == (
        403, "Bucket is locked for modifications.",
    )  # fmt: skip
    assert (delete_file.status_code, delete.status_code) == (403, 403)
    assert (put.status_code, publish.status_code) == (400, 400)
    assert [d["id"] for d in zenodo.published()] == [body["id"]]


def test_a_draft_can_be_deleted(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    draft = _draft(client, files)

    deleted = requests.delete(draft["links"]["self"], headers=_auth(), timeout=10)

    assert deleted.status_code == 204
    assert _get(draft["links"]["self"]).status_code == 404
    assert zenodo.depositions() == []


# -- faults ------------------------------------------------------------------------------------


def test_a_rate_limit_answers_429_with_retry_after_and_changes_nothing(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    draft = _draft(client, files)
    _put_metadata(zenodo.api_url, draft["id"], _metadata("2026.10"))
    zenodo.rate_limit("publish", times=2, retry_after=7)

    for _ in range(2):
        with pytest.raises(requests.HTTPError) as limited:
            client.publish(draft["id"], sleep=False)
        assert _answer(limited).status_code == 429
        assert _answer(limited).headers["Retry-After"] == "7"
    assert zenodo.published() == []

    assert client.publish(draft["id"], sleep=False).status_code == 202


def test_a_500_is_zenodos_json_and_nothing_is_created(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    zenodo.fail("create", "500")

    with pytest.raises(requests.HTTPError) as failed:
        _draft(client, files)

    assert _answer(failed).status_code == 500
    assert _answer(failed).json()["status"] == 500
    assert zenodo.depositions() == []


@pytest.mark.parametrize(("kind", "title"), [("504", "504 Gateway Time-out"),
                                             ("503", "503 Service Unavailable")])  # fmt: skip
def test_a_gateway_error_is_an_html_page(
    zenodo: ZenodoStandIn, kind: FaultKind, title: str
) -> None:
    zenodo.fail("*", kind)
    listing = f"{zenodo.api_url}/deposit/depositions"

    answer = _get(listing)

    assert (answer.status_code, answer.headers["Content-Type"]) == (int(kind), "text/html")
    assert title in answer.text
    with pytest.raises(requests.JSONDecodeError):  # a client expecting JSON cannot read it
        answer.json()
    assert _get(listing).status_code == 200


def test_a_reset_during_an_upload_stores_nothing(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path], tmp_path: Path
) -> None:
    draft = _draft(client, files)
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(2_000_000))
    zenodo.reset_upload()

    with pytest.raises(requests.ConnectionError), big.open("rb") as body:
        _upload(draft["links"]["bucket"], "big.bin", body)

    assert zenodo.requests[-1].status is None
    names = {f["filename"] for f in _get(draft["links"]["files"]).json()}
    assert names == set(files)
    with big.open("rb") as body:
        assert _upload(draft["links"]["bucket"], "big.bin", body).status_code == 201


def test_zenodo_client_puts_the_token_in_its_error_texts(
    zenodo: ZenodoStandIn, files: dict[str, Path]
) -> None:
    # Why the release redacts: zenodo-client's errors name the URL with `?access_token=`,
    # a refused request (HTTPError) and an unreachable server (ConnectionError) alike.
    wrong = zenodo.client("not-a-known-token")
    with pytest.raises(requests.HTTPError) as refused:
        _draft(wrong, files)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        unreachable = point_at(
            Zenodo(access_token=TOKEN), f"http://127.0.0.1:{closed.getsockname()[1]}"
        )
    with pytest.raises(requests.ConnectionError) as lost:
        _draft(unreachable, files)

    assert "not-a-known-token" in str(refused.value)
    assert TOKEN in str(lost.value)


@pytest.mark.parametrize("kind", ["reset", "504"])
def test_a_publish_whose_answer_is_lost_has_happened_and_is_not_repeated(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path], kind: Any
) -> None:
    draft = _draft(client, files)
    _put_metadata(zenodo.api_url, draft["id"], _metadata("2026.10"))
    zenodo.lose_answer("publish", kind)

    with pytest.raises((requests.ConnectionError, requests.HTTPError)):
        client.publish(draft["id"], sleep=False)

    again = _get(_deposition_url(zenodo.api_url, draft["id"])).json()
    assert (again["submitted"], again["doi"]) == (True, f"10.5281/zenodo.{draft['id']}")
    repeated = requests.post(draft["links"]["publish"], headers=_auth(), timeout=10)
    assert repeated.status_code == 400
    assert len(zenodo.published()) == 1


def test_a_slow_answer_times_a_client_out_after_the_action_took_effect(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    draft = _draft(client, files)
    _put_metadata(zenodo.api_url, draft["id"], _metadata("2026.10"))
    zenodo.lose_answer("publish", "slow")

    with pytest.raises(requests.Timeout):
        requests.post(draft["links"]["publish"], headers=_auth(), timeout=0.3)

    assert _get(_deposition_url(zenodo.api_url, draft["id"])).json()["submitted"] is True


def test_a_fault_names_a_known_route(zenodo: ZenodoStandIn) -> None:
    with pytest.raises(ValueError, match="unknown route"):
        zenodo.fail("publsh", "500")
    with pytest.raises(ValueError, match="unknown fault"):  # a kind the type forbids, on purpose
        zenodo.fail("publish", "418")  # type: ignore[arg-type]


# -- tokens ------------------------------------------------------------------------------------


@pytest.mark.parametrize("via", ["query", "header"])
def test_a_wrong_token_gets_401_and_a_missing_one_403(zenodo: ZenodoStandIn, via: str) -> None:
    listing = f"{zenodo.api_url}/deposit/depositions"

    def get(token: str) -> requests.Response:
        if via == "query":
            return requests.get(listing, params={"access_token": token}, timeout=10)
        return requests.get(listing, headers=_auth(token) if token else {}, timeout=10)

    wrong, missing, right = get("wrong-token"), get(""), get(TOKEN)

    assert wrong.json() == {"status": 401, "message": UNAUTHORIZED}
    assert missing.json() == {"status": 403, "message": FORBIDDEN}
    assert right.status_code == 200
    assert [r.token_via for r in zenodo.requests] == [via, None, via]


def test_the_requests_read_in_the_order_they_arrived(zenodo: ZenodoStandIn) -> None:
    # An answer's thread logs its request after answering: a later request's thread can log
    # first (a held answer here; a busy machine's scheduler in the suite).
    listing = f"{zenodo.api_url}/deposit/depositions"
    held = zenodo.hold("create")
    with ThreadPoolExecutor(1) as pool:
        created = pool.submit(requests.post, listing, json={}, headers=_auth(), timeout=30)
        assert held.reached.wait(30)
        assert requests.get(listing, headers=_auth(), timeout=10).status_code == 200
        held.release()
        assert created.result().status_code == 201
    assert [r.route for r in zenodo.requests] == ["create", "list"]


def test_another_owners_concept_cannot_be_read_or_given_a_version(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    first = _published(client, files, "2026.10")
    fork = zenodo.client(OTHER)

    with pytest.raises(requests.HTTPError) as refused:
        fork.new_version(first["id"], sleep=False)
    read = _get(_deposition_url(zenodo.api_url, first["id"]), token=OTHER)

    assert _answer(refused).status_code == 403
    assert read.status_code == 403
    assert fork.get_record(first["id"]).json()["doi"] == first["doi"]  # records are public
    assert zenodo.drafts() == []


def test_zenodo_client_without_a_token_raises_pystows_config_error(
    monkeypatch: pytest.MonkeyPatch, zenodo: ZenodoStandIn
) -> None:
    for name in ("ZENODO_API_TOKEN", "ZENODO_SANDBOX_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)

    for sandbox, variable in ((False, "ZENODO_API_TOKEN"), (True, "ZENODO_SANDBOX_API_TOKEN")):
        with pytest.raises(ConfigError) as missing:
            Zenodo(sandbox=sandbox)
        assert isinstance(missing.value, ValueError)
        assert variable in str(missing.value)
        assert len(str(missing.value).splitlines()) > 10
    # An empty token is no error to zenodo-client: it sends `?access_token=`, refused here.
    empty = point_at(Zenodo(access_token=""), zenodo.url)
    with pytest.raises(requests.HTTPError) as refused:
        empty.create({}, [], publish=False)
    assert _answer(refused).status_code == 403


# -- state and logs ----------------------------------------------------------------------------


def test_state_survives_a_restart(tmp_path: Path, files: dict[str, Path]) -> None:
    folder = tmp_path / "zenodo"
    with ZenodoStandIn(folder, tokens={TOKEN: 1}) as first:
        client = first.client(TOKEN)
        body = _published(client, files, "2026.10")
        draft = _new_draft(client, body["id"])

    with ZenodoStandIn(folder, tokens={TOKEN: 1}) as second:
        record = second.client(TOKEN).get_record(body["id"]).json()
        again = _get(draft["links"]["self"].replace(first.url, second.url)).json()
        fresh = requests.post(f"{second.api_url}/deposit/depositions", json={},
                              headers=_auth(), timeout=10).json()  # fmt: skip

        assert (record["doi"], record["conceptdoi"]) == (body["doi"], body["conceptdoi"])
        assert second.file_bytes(body["id"], "top.csv") == files["top.csv"].read_bytes()
        assert (again["id"], len(again["files"])) == (draft["id"], 2)
        assert fresh["id"] > draft["id"]


def test_the_token_appears_in_no_log_and_no_state_file(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    log = io.StringIO()
    with ZenodoStandIn(tmp_path / "zenodo", tokens={TOKEN: 1}, log=log) as zenodo:
        body = _published(zenodo.client(TOKEN), files, "2026.10")  # token in the query
        _get(f"{zenodo.api_url}/deposit/depositions", q="version:2026.10")  # in the header
        _get(f"{zenodo.api_url}/deposit/depositions", token="a-wrong-secret")
        recorded = repr(zenodo.requests)

    assert f"PUT /api/deposit/depositions/{body['id']} 200" in log.getvalue()
    assert "/api/deposit/depositions?q=version:2026.10 200" in log.getvalue()
    for text in (log.getvalue(), recorded, *_texts(tmp_path / "zenodo")):
        assert TOKEN not in text
        assert "a-wrong-secret" not in text


def _texts(folder: Path) -> list[str]:
    return [p.read_text(errors="replace") for p in folder.rglob("*") if p.is_file()]


@contextmanager
def _process(state: Path, *options: str) -> Iterator[tuple[str, list[str]]]:
    """The stand-in run as `make run` runs it; yields its URL and (filled once it stopped)
    the lines it logged on stderr."""
    command = [sys.executable, "-m", "tests.fakes.zenodo", "--state", str(state), *options]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    log: list[str] = []
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip(), log
    finally:
        process.terminate()
        log.extend(process.communicate(timeout=60)[1].splitlines())
    assert process.returncode == 0, log


def test_as_a_process_it_prints_its_url_logs_without_tokens_and_keeps_its_state(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    state, log_file = tmp_path / "zenodo-state", tmp_path / "zenodo.log"
    with _process(state, "--token", TOKEN) as (url, log):
        assert url.startswith("http://127.0.0.1:")
        body = _published(point_at(Zenodo(access_token=TOKEN), url), files, "2026.10")

    with _process(state, "--token", TOKEN, "--log", str(log_file)) as (url, _):
        record = requests.get(f"{url}/api/records/{body['id']}", params={"access_token": TOKEN},
                              timeout=10).json()  # fmt: skip

    assert record["doi"] == body["doi"]
    assert f"POST /api/deposit/depositions/{body['id']}/actions/publish 202" in log
    assert log_file.read_text() == f"GET /api/records/{body['id']} 200\n"
    assert not any(TOKEN in text for text in [*log, *_texts(state)])
