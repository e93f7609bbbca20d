"""data/releases.json: written with sorted keys, read back the same, refused when broken."""

import json

import pytest

from publisher.base.errors import MetadataError
from publisher.release.record import Record, Released, parse_record, record_text, with_release

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
def test_a_broken_record_is_refused_in_one_line(mangle) -> None:  # type: ignore[no-untyped-def]
    good = json.loads(
        record_text(with_release(Record("u"), "2026.11", FIRST, (11, "10.5281/zenodo.11")))
    )
    with pytest.raises(MetadataError, match="releases.json") as caught:
        parse_record(mangle(good))
    assert "\n" not in str(caught.value)
