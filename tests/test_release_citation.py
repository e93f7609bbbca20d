"""CITATION.cff files of the release: each version's generated, the repository's edited in place."""

from datetime import date
from typing import Any

from ruamel.yaml import YAML

from publisher.release.zenodo.citation import update_root_citation, version_citation
from publisher.release.zenodo.metadata import from_citation_cff

ROOT = """\
# Our citation file: keep this comment.
cff-version: 1.2.0
message: "Cite the version you used."
type: dataset
title: "top-pypi"
abstract: >-
  A monthly dataset of the most-downloaded projects,
  folded over two lines.
authors:
  - family-names: Lovelace
    given-names: Ada
    orcid: https://orcid.org/0000-0002-1825-0097
license: CC0-1.0
identifiers:
  - type: url
    value: https://example.org/top-pypi  # the project's page
"""


def load(text: str) -> dict[str, Any]:
    loaded = YAML(typ="safe", pure=True).load(text)
    assert isinstance(loaded, dict)
    return loaded


def test_a_version_citation_names_its_doi_and_the_concept() -> None:
    human = from_citation_cff(ROOT)
    text = version_citation(
        human, "2026.11", date(2026, 11, 1), "10.5281/zenodo.12", "10.5281/zenodo.11"
    )
    cff = load(text)
    assert "version: '2026.11'" in text  # a string, not the number 2026.11
    assert cff["type"] == "dataset"
    assert cff["doi"] == "10.5281/zenodo.12"
    assert cff["date-released"] == date(2026, 11, 1)
    assert cff["authors"] == [
        {
            "family-names": "Lovelace",
            "given-names": "Ada",
            "orcid": "https://orcid.org/0000-0002-1825-0097",
        }
    ]
    assert [i["value"] for i in cff["identifiers"]] == ["10.5281/zenodo.12", "10.5281/zenodo.11"]
    assert from_citation_cff(text).creators == human.creators  # it reads back the same


def test_root_citation_keeps_comments_layout_and_other_identifiers() -> None:
    dois = {"2026.11": "10.5281/zenodo.13", "2026.10": "10.5281/zenodo.12"}
    text = update_root_citation(ROOT, "10.5281/zenodo.11", dois, date(2026, 11, 1))
    assert text.startswith("# Our citation file: keep this comment.\n")
    assert (
        "  A monthly dataset of the most-downloaded projects,\n  folded over two lines.\n" in text
    )
    assert "# the project's page" in text
    cff = load(text)
    assert (cff["doi"], cff["version"], cff["date-released"]) == (
        "10.5281/zenodo.11",
        "2026.11",
        date(2026, 11, 1),
    )
    assert cff["identifiers"] == [
        {"type": "url", "value": "https://example.org/top-pypi"},
        {"type": "doi", "value": "10.5281/zenodo.12", "description": "Version 2026.10"},
        {"type": "doi", "value": "10.5281/zenodo.13", "description": "Version 2026.11"},
    ]


def test_updating_again_replaces_the_release_entries_and_nothing_else() -> None:
    once = update_root_citation(
        ROOT, "10.5281/zenodo.11", {"2026.10": "10.5281/zenodo.12"}, date(2026, 10, 1)
    )
    dois = {"2026.10": "10.5281/zenodo.12", "2026.10.1": "10.5281/zenodo.14"}
    twice = update_root_citation(once, "10.5281/zenodo.11", dois, date(2026, 10, 3))
    assert update_root_citation(twice, "10.5281/zenodo.11", dois, date(2026, 10, 3)) == twice
    cff = load(twice)
    assert cff["version"] == "2026.10.1"
    assert [i.get("description") for i in cff["identifiers"]] == [
        None,
        "Version 2026.10",
        "Version 2026.10.1",
    ]
    assert ROOT.splitlines()[:12] == twice.splitlines()[:12]
