"""The release's metadata: human fields from .zenodo.json or CITATION.cff; each version's own."""

import json
from datetime import date

import pytest

from publisher.base.errors import MetadataError
from publisher.release.calver import corrected_tag, tag_order
from publisher.release.zenodo.metadata import (
    Human,
    Version,
    description,
    human_metadata,
    related_identifiers,
    version_metadata,
)

CFF = """\
cff-version: 1.2.0
message: Cite the version you used.
type: dataset
title: "top-pypi: the most-downloaded projects on PyPI"
abstract: >-
  A monthly dataset.
authors:
  - family-names: Lovelace
    given-names: Ada
    orcid: https://orcid.org/0000-0002-1825-0097
    affiliation: Analytical Engines
  - name: "The top-pypi developers"
license: CC0-1.0
keywords: [pypi, downloads]
"""
VERSION = Version(
    "2026.11", "2026-10-02", "2026-10-31", 30, "clickhouse", "exact", date(2026, 11, 1)
)


def test_citation_cff_gives_zenodo_creators() -> None:
    human = human_metadata({"CITATION.cff": CFF})
    assert human.title == "top-pypi: the most-downloaded projects on PyPI"
    assert human.creators == [
        {
            "name": "Lovelace, Ada",
            "orcid": "0000-0002-1825-0097",
            "affiliation": "Analytical Engines",
        },
        {"name": "The top-pypi developers"},
    ]
    assert (human.description, human.license, human.keywords) == (
        "A monthly dataset.",
        "CC0-1.0",
        ("pypi", "downloads"),
    )


def test_zenodo_json_wins_over_citation_cff() -> None:
    zenodo = {"title": "Mine", "creators": [{"name": "Doe, Jane", "orcid": "0000-0001-2345-6789"}]}
    human = human_metadata({".zenodo.json": json.dumps(zenodo), "CITATION.cff": CFF})
    assert human == Human("Mine", [{"name": "Doe, Jane", "orcid": "0000-0001-2345-6789"}])


@pytest.mark.parametrize(
    ("sources", "words"),
    [
        ({}, "neither .zenodo.json nor CITATION.cff"),
        ({"CITATION.cff": "title: [unclosed\n"}, "not valid YAML at line"),
        ({"CITATION.cff": CFF.replace("type: dataset", "type: software")}, "not 'dataset'"),
        ({"CITATION.cff": CFF.replace("type: dataset\n", "")}, "type 'software'"),
        ({"CITATION.cff": CFF.split("authors:")[0]}, "lacks a title or authors"),
        ({"CITATION.cff": "- a list\n"}, "not a YAML mapping"),
        ({".zenodo.json": "{"}, ".zenodo.json is not valid JSON"),
        ({".zenodo.json": '{"title": "t", "creators": [{}]}'}, "lacks a title or creators"),
    ],
)
def test_unusable_metadata_is_one_line_naming_the_file(sources: dict[str, str], words: str) -> None:
    with pytest.raises(MetadataError, match=words) as caught:
        human_metadata(sources)
    assert "\n" not in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("zenodo_json", ["{", "[]", '{"title": "t", "creators": [{}]}'])
def test_an_unusable_zenodo_json_beside_a_valid_citation_cff_is_named_in_the_hint(
    zenodo_json: str,
) -> None:
    """.zenodo.json wins, so the CITATION.cff beside it is not read: the hint says so."""
    with pytest.raises(MetadataError) as caught:
        human_metadata({".zenodo.json": zenodo_json, "CITATION.cff": CFF})
    assert caught.value.message.startswith(".zenodo.json ")
    assert caught.value.tip == (
        ".zenodo.json comes before CITATION.cff, as with Zenodo's GitHub integration:"
        " mend .zenodo.json (a title and creators with names), or delete it to take the"
        " metadata from CITATION.cff."
    )
    assert "\n" not in str(caught.value)
    with pytest.raises(MetadataError) as alone:
        human_metadata({".zenodo.json": zenodo_json})
    assert alone.value.tip.startswith("Mend .zenodo.json")


def test_version_metadata_adds_what_is_per_version() -> None:
    human = human_metadata({"CITATION.cff": CFF})
    related = related_identifiers("https://github.com/o/r/tree/2026.11", "10.5281/zenodo.10", None)
    metadata = version_metadata(human, VERSION, related)
    assert metadata["upload_type"] == "dataset"
    assert metadata["title"] == "top-pypi: the most-downloaded projects on PyPI (2026.11)"
    assert metadata["version"] == "2026.11"
    assert metadata["publication_date"] == "2026-11-01"
    assert metadata["license"] == "cc0-1.0"
    assert metadata["related_identifiers"] == [
        {
            "identifier": "https://github.com/o/r/tree/2026.11",
            "relation": "isSupplementTo",
            "scheme": "url",
        },
        {"identifier": "10.5281/zenodo.10", "relation": "isNewVersionOf", "scheme": "doi"},
    ]
    assert "2026-10-02 to 2026-10-31 (30 whole UTC days)" in metadata["description"]


def test_description_says_the_method_and_what_a_correction_corrects() -> None:
    human = Human("T <b>", [{"name": "X"}], description="Counts & more")
    sampled = Version("2026.11.1", "2026-10-02", "2026-10-31", 30, "bigquery", "sample",
                      date(2026, 11, 3), corrects="2026.11")  # fmt: skip
    text = description(human, sampled)
    assert "<p>Counts &amp; more</p>" in text
    assert "estimates: whole days sampled" in text
    assert "corrects version 2026.11" in text
    assert related_identifiers(None, None, "10.5281/zenodo.7") == [
        {"identifier": "10.5281/zenodo.7", "relation": "obsoletes", "scheme": "doi"}
    ]


def test_calver_order_and_what_a_correction_corrects() -> None:
    tags = ["2026.11.10", "2026.10", "2026.11.2", "2026.11", "2026.11.1"]
    assert sorted(tags, key=tag_order) == [
        "2026.10",
        "2026.11",
        "2026.11.1",
        "2026.11.2",
        "2026.11.10",
    ]
    assert corrected_tag("2026.11.2", tags) == "2026.11.1"
    assert corrected_tag("2026.11", tags) is None
    with pytest.raises(ValueError, match="not a CalVer"):
        tag_order("v2026.11")
