"""What a Zenodo version says about itself.

The human fields (title, authors, abstract, licence, keywords) come from where people already
keep them, read as Zenodo's own GitHub integration reads them: `.zenodo.json` if the repository
has one, else its `CITATION.cff`. Each monthly version adds its own: the title with the version,
a description of the period and method, the dates and the related identifiers.
"""

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from html import escape
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from publisher.base.errors import MetadataError

ZENODO_JSON = ".zenodo.json"
CITATION_CFF = "CITATION.cff"
ORCID_URL = "https://orcid.org/"
MINIMUM = (
    f"Add a {CITATION_CFF} with `type: dataset`, a title and authors"
    f" (or a {ZENODO_JSON} with title and creators)"
)
METHOD_WORDS = {
    "exact": "exact counts over the whole period",
    "shrink": "exact counts over a shortened period (the whole window did not fit the budget)",
    "sample": "estimates: whole days sampled across the period, scaled to the whole period",
}


@dataclass(frozen=True)
class Human:
    """The fields a person writes, in Zenodo's form (creators as `"Family, Given"`)."""

    title: str
    creators: list[dict[str, str]]
    description: str = ""
    license: str | None = None  # SPDX, as the source file gives it
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Version:
    """One monthly version: its tag and what its data say about themselves."""

    tag: str
    start: str
    end: str
    days: int
    engine: str
    method: str
    published: date
    corrects: str | None = None  # the tag of the version this one corrects


def human_metadata(sources: Mapping[str, str]) -> Human:
    """From the text of `.zenodo.json` or `CITATION.cff` (by name), the first found."""
    if ZENODO_JSON in sources:
        try:
            return from_zenodo_json(sources[ZENODO_JSON])
        except MetadataError as unusable:
            tip = zenodo_json_tip(CITATION_CFF in sources)
            raise MetadataError(unusable.message, tip) from None
    if CITATION_CFF in sources:
        return from_citation_cff(sources[CITATION_CFF])
    raise MetadataError(f"The repository has neither {ZENODO_JSON} nor {CITATION_CFF}.", MINIMUM)


def zenodo_json_tip(beside_citation: bool) -> str:
    """What to do about an unusable .zenodo.json: it wins over CITATION.cff, so a valid
    CITATION.cff beside it is not read, and adding one would not help."""
    if beside_citation:
        return (
            f"{ZENODO_JSON} comes before {CITATION_CFF}, as with Zenodo's GitHub integration:"
            f" mend {ZENODO_JSON} (a title and creators with names), or delete it to take the"
            f" metadata from {CITATION_CFF}."
        )
    return (
        f"Mend {ZENODO_JSON} (a title and creators with names), or delete it and add a"
        f" {CITATION_CFF} with `type: dataset`, a title and authors."
    )


def from_zenodo_json(text: str) -> Human:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise MetadataError(f"{ZENODO_JSON} is not valid JSON ({exc}).", MINIMUM) from None
    if not isinstance(data, dict):
        raise MetadataError(f"{ZENODO_JSON} is not a JSON object.", MINIMUM)
    creators = data.get("creators") or []
    if not _nonempty_str(data.get("title")) or not _valid_creators(creators):
        raise MetadataError(f"{ZENODO_JSON} lacks a title or creators with names.", MINIMUM)
    return Human(
        title=data["title"].strip(),
        creators=[_zenodo_creator(c) for c in creators],
        description=str(data.get("description", "")),
        license=_license_text(data.get("license")),
        keywords=tuple(str(k) for k in data.get("keywords", []) or []),
    )


def from_citation_cff(text: str) -> Human:
    data = load_citation(text)
    if data.get("type") != "dataset":
        raise MetadataError(
            f"{CITATION_CFF} has type {data.get('type', 'software')!r}, not 'dataset':"
            " the dataset would be published as software, under the software's licence.",
            f"Set `type: dataset` and the data's licence in {CITATION_CFF}.",
        )
    authors = data.get("authors")
    if not _nonempty_str(data.get("title")) or not isinstance(authors, list) or not authors:
        raise MetadataError(f"{CITATION_CFF} lacks a title or authors.", MINIMUM)
    license = data.get("license")
    return Human(
        title=str(data["title"]).strip(),
        creators=[creator_from_cff(author) for author in authors],
        description=str(data.get("abstract", "")).strip(),
        license=license if isinstance(license, str) else None,
        keywords=tuple(str(k) for k in data.get("keywords", []) or []),
    )


def load_citation(text: str) -> dict[str, Any]:
    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise MetadataError(
            f"{CITATION_CFF} is not valid YAML{line}.", "Mend it, then run the release again."
        ) from None
    if not isinstance(data, dict):
        raise MetadataError(f"{CITATION_CFF} is not a YAML mapping.", MINIMUM)
    return data


def creator_from_cff(author: Any) -> dict[str, str]:
    """A CFF author (a person or an entity) as a Zenodo creator."""
    if not isinstance(author, dict):
        raise MetadataError(f"{CITATION_CFF} has an author that is not a mapping.", MINIMUM)
    family, given = author.get("family-names"), author.get("given-names")
    if _nonempty_str(family):
        name = f"{family}, {given}" if _nonempty_str(given) else str(family)
    elif _nonempty_str(author.get("name")):
        name = str(author["name"])
    else:
        raise MetadataError(f"{CITATION_CFF} has an author without family-names or name.", MINIMUM)
    creator = {"name": name.strip()}
    if _nonempty_str(author.get("affiliation")):
        creator["affiliation"] = str(author["affiliation"])
    if _nonempty_str(author.get("orcid")):
        creator["orcid"] = str(author["orcid"]).removeprefix(ORCID_URL)
    return creator


def version_metadata(
    human: Human, version: Version, related: list[dict[str, str]]
) -> dict[str, Any]:
    """The whole metadata of one version, as Zenodo's deposit API takes it."""
    metadata: dict[str, Any] = {
        "upload_type": "dataset",
        "title": f"{human.title} ({version.tag})",
        "creators": human.creators,
        "description": description(human, version),
        "publication_date": version.published.isoformat(),
        "version": version.tag,
        "access_right": "open",
        "related_identifiers": related,
    }
    if human.license:
        metadata["license"] = human.license.lower()  # Zenodo's ids are lower-case SPDX
    if human.keywords:
        metadata["keywords"] = list(human.keywords)
    return metadata


def description(human: Human, version: Version) -> str:
    """HTML, as Zenodo shows it: the abstract, then what this version holds."""
    paragraphs = [human.description] if human.description else []
    paragraphs.append(
        f"Version {version.tag}: downloads from {version.start} to {version.end}"
        f" ({version.days} whole UTC days), counted with {version.engine}:"
        f" {METHOD_WORDS.get(version.method, version.method)}."
    )
    if version.corrects:
        paragraphs.append(f"This version corrects version {version.corrects}.")
    return "".join(f"<p>{escape(text)}</p>" for text in paragraphs)


def related_identifiers(
    tag_url: str | None, previous_doi: str | None, corrected_doi: str | None
) -> list[dict[str, str]]:
    related = []
    if tag_url:
        related.append({"identifier": tag_url, "relation": "isSupplementTo", "scheme": "url"})
    if previous_doi:
        related.append({"identifier": previous_doi, "relation": "isNewVersionOf", "scheme": "doi"})
    if corrected_doi:
        related.append({"identifier": corrected_doi, "relation": "obsoletes", "scheme": "doi"})
    return related


def _zenodo_creator(creator: dict[str, Any]) -> dict[str, str]:
    kept = {"name": str(creator["name"]).strip()}
    for key in ("affiliation", "orcid"):
        if _nonempty_str(creator.get(key)):
            kept[key] = str(creator[key]).removeprefix(ORCID_URL)
    return kept


def _valid_creators(creators: Any) -> bool:
    return (
        isinstance(creators, list)
        and bool(creators)
        and all(isinstance(c, dict) and _nonempty_str(c.get("name")) for c in creators)
    )


def _license_text(value: Any) -> str | None:
    if isinstance(value, dict):  # InvenioRDM's {"id": "cc0-1.0"} form
        value = value.get("id")
    return value if _nonempty_str(value) else None


def _nonempty_str(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())
