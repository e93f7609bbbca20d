"""data/releases.json: written with sorted keys, read back the same, refused when broken."""

import json
from collections.abc import Callable
from typing import Any

import pytest

from publisher.base.errors import MetadataError
from publisher.release.zenodo.record import (
    Record,
    Released,
    doi_prefix,
    parse_record,
    record_text,
    with_release,
)

MD5 = "md5:" + "0" * 32
FIRST = Released(
    "10.5281/zenodo.12", 12, "https://zenodo.org/records/12", "2026-11-01", {"a.csv": MD5}
)


def test_a_record_round_trips_with_sorted_keys() -> None:
    record = with_release(Record("https://zenodo.org"), "2026.11", FIRST, (11, "10.5281/zenodo.11"))
    text = record_text(record)
    data = json.loads(text)
    assert list(data) == ["releases", "schema_version", "zenodo"]
    assert data["zenodo"] == {
        "concept_doi": "10.5281/zenodo.11",
        "concept_recid": 11,
        "url": "https://zenodo.org",
    }
    assert data["releases"]["2026.11"]["files"] == {"a.csv": MD5}
    assert parse_record(text) == record
    assert record.latest() == "2026.11"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda d: "not json",
        lambda d: json.dumps({**d, "schema_version": 2}),
        lambda d: json.dumps({**d, "zenodo": []}),
        lambda d: json.dumps({**d, "zenodo": {**d["zenodo"], "concept_doi": None}}),
        lambda d: json.dumps({**d, "releases": {"v1": d["releases"]["2026.11"]}}),
        lambda d: json.dumps(
            {**d, "releases": {"2026.11": {**d["releases"]["2026.11"], "doi": "x"}}}
        ),
        lambda d: json.dumps(
            {**d, "releases": {"2026.11": {**d["releases"]["2026.11"], "recid": True}}}
        ),
        lambda d: json.dumps(
            {**d, "releases": {"2026.11": {**d["releases"]["2026.11"], "files": {"a": "md5:x"}}}}
        ),
    ],
)
def test_a_broken_record_is_refused_in_one_line(mangle: Callable[[dict[str, Any]], str]) -> None:
    good = json.loads(
        record_text(
            with_release(Record("https://zenodo.org"), "2026.11", FIRST, (11, "10.5281/zenodo.11"))
        )
    )
    with pytest.raises(MetadataError, match="releases.json") as caught:
        parse_record(mangle(good))
    assert "\n" not in str(caught.value)


def released_on(url: str, prefix: str, recid: int = 12) -> Record:
    page = f"{url}/records/{recid}"
    released = Released(f"{prefix}/zenodo.{recid}", recid, page, "2026-11-01", {"a.csv": MD5})
    return with_release(Record(url), "2026.11", released, (11, f"{prefix}/zenodo.11"))


@pytest.mark.parametrize(
    ("url", "prefix"),
    [
        ("https://zenodo.org", "10.5281"),
        ("https://sandbox.zenodo.org", "10.5072"),
        ("http://127.0.0.1:8123", "10.5281"),  # a stand-in of zenodo.org mints as it does
    ],
)
def test_each_zenodo_has_its_doi_prefix(url: str, prefix: str) -> None:
    assert doi_prefix(url) == prefix
    record = released_on(url, prefix)
    assert parse_record(record_text(record)) == record


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (  # another Zenodo's prefix
            lambda d: d["releases"]["2026.11"].update(doi="10.5072/zenodo.12"),
            "gives 2026.11 the DOI '10.5072/zenodo.12', but record 12 of 'https://zenodo.org'"
            " has the DOI '10.5281/zenodo.12'.",
        ),
        (  # another record's DOI
            lambda d: d["releases"]["2026.11"].update(doi="10.5281/zenodo.99"),
            "gives 2026.11 the DOI '10.5281/zenodo.99'",
        ),
        (  # a DOI of another registrant altogether
            lambda d: d["releases"]["2026.11"].update(doi="10.1234/zenodo.12"),
            "gives 2026.11 the DOI '10.1234/zenodo.12'",
        ),
        (
            lambda d: d["releases"]["2026.11"].update(url="https://zenodo.org/records/99"),
            "gives 2026.11 the url 'https://zenodo.org/records/99', but record 12",
        ),
        (
            lambda d: d["releases"]["2026.11"].update(url="https://example.org/records/12"),
            "has the url 'https://zenodo.org/records/12'",
        ),
        (
            lambda d: d["zenodo"].update(concept_doi="10.5281/zenodo.12"),
            "gives the concept the DOI '10.5281/zenodo.12', but record 11",
        ),
        (  # the sandbox's DOIs recorded as zenodo.org's
            lambda d: d["zenodo"].update(url="https://sandbox.zenodo.org"),
            "but record 11 of 'https://sandbox.zenodo.org' has the DOI '10.5072/zenodo.11'.",
        ),
    ],
)
def test_a_doi_or_url_its_zenodo_did_not_give_is_refused(
    change: Callable[[dict[str, Any]], object], words: str
) -> None:
    data = json.loads(record_text(released_on("https://zenodo.org", "10.5281")))
    change(data)
    with pytest.raises(MetadataError) as caught:
        parse_record(json.dumps(data))
    assert words in str(caught.value)
    assert "Mend or remove data/releases.json" in str(caught.value)
    assert "\n" not in str(caught.value)
