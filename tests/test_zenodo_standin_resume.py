"""The Zenodo stand-in as a client meets it after an interruption: a depositions list that
shows a change only some requests later, versions that are 404 until one is published, and an
answer held (after its request took effect) for a test to kill its client there."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from zenodo_client import Zenodo

from tests.fakes.zenodo import ZenodoStandIn
from tests.test_zenodo_standin import (
    NOW,
    TOKEN,
    _auth,
    _deposition_url,
    _draft,
    _get,
    _metadata,
    _put_metadata,
    _upload,
)


@pytest.fixture
def zenodo(tmp_path: Path) -> Iterator[ZenodoStandIn]:
    with ZenodoStandIn(tmp_path / "zenodo", tokens={TOKEN: 1}, clock=lambda: NOW) as z:
        yield z
        assert z.internal_errors == []


@pytest.fixture
def client(zenodo: ZenodoStandIn) -> Zenodo:
    return zenodo.client(TOKEN)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "top.csv").write_bytes(b"download_count,project\n10,a\n")
    return {"top.csv": folder / "top.csv"}


def test_the_list_shows_a_change_only_some_requests_later(
    tmp_path: Path, files: dict[str, Path]
) -> None:
    """Zenodo's depositions list is a search index: a new draft, its metadata and its
    publication show there seconds after they were made; the deposition itself is current."""
    with ZenodoStandIn(tmp_path / "zenodo", tokens={TOKEN: 1}, index_lag=3) as zenodo:
        client, listing = zenodo.client(TOKEN), f"{zenodo.api_url}/deposit/depositions"

        def listed(**params: str) -> list[tuple[int, bool]]:
            return [(d["id"], d["submitted"]) for d in _get(listing, **params).json()]

        made = requests.post(listing, json={"metadata": _metadata("2026.10")}, headers=_auth())
        draft = made.json()  # one request: the create
        assert _upload(draft["links"]["bucket"], "top.csv", b"a\n").status_code == 201
        first_lists = [listed(), listed(), listed()]
        fourth = listed(q='metadata.version:"2026.10"')
        published = client.publish(draft["id"], sleep=False).json()
        current = _get(_deposition_url(zenodo.api_url, draft["id"])).json()
        after_publish = [listed(status="published"), listed()]
        zenodo.settle()

        assert first_lists == [[], [], []]
        assert fourth == [(draft["id"], False)]
        assert published["submitted"]
        assert current["submitted"]
        assert after_publish == [[], [(draft["id"], False)]]  # still the draft it was
        assert listed(status="published") == [(draft["id"], True)]


def test_versions_of_a_concept_with_nothing_published_are_404(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    draft = _draft(client, files)
    records = f"{zenodo.api_url}/records"

    for recid in (draft["conceptrecid"], draft["id"]):
        answer = _get(f"{records}/{recid}/versions")
        assert (answer.status_code, answer.json()["message"]) == (404, "PID does not exist.")


def test_a_held_answer_waits_after_its_request_took_effect(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    draft = _draft(client, files)
    _put_metadata(zenodo.api_url, draft["id"], _metadata("2026.10"))
    held = zenodo.hold("publish", after=("get",))  # the publish after the next read
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert _get(_deposition_url(zenodo.api_url, draft["id"])).status_code == 200
        future = pool.submit(lambda: client.publish(draft["id"], sleep=False).status_code)
        assert held.reached.wait(60)
        published = [d["id"] for d in zenodo.published()]
        answered = future.done()
        held.release()
        assert future.result(60) == 202
    assert published == [draft["id"]]  # it took effect while its answer waited
    assert not answered


def test_a_cut_answer_stops_halfway_after_its_request_took_effect(
    zenodo: ZenodoStandIn, client: Zenodo, files: dict[str, Path]
) -> None:
    draft = _draft(client, files)
    _put_metadata(zenodo.api_url, draft["id"], _metadata("2026.10"))
    zenodo.fail("publish", "cut", after=True)

    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        client.publish(draft["id"], sleep=False)

    assert [d["id"] for d in zenodo.published()] == [draft["id"]]
