"""CITATION.cff files the release writes: one generated for each version (uploaded with its data),
and the repository's own, edited in place so its comments and layout survive."""

import io
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from publisher.release.calver import tag_order
from publisher.release.zenodo.metadata import ORCID_URL, Human

CFF_VERSION = "1.2.0"
MESSAGE = "If you use this dataset, please cite it using the metadata from this file."
CONCEPT_DESCRIPTION = "All versions (concept DOI)"
VERSION_DESCRIPTION = "Version {tag}"
# The identifiers the release maintains in the root file; any other identifier is the owner's.
OURS = re.compile(r"Version \d{4}\.\d{2}(\.[1-9]\d*)?")


def version_citation(
    human: Human, tag: str, released: date, version_doi: str, concept_doi: str
) -> str:
    """The CITATION.cff of one version: its own DOI, and the concept DOI for all versions."""
    cff = citation_head(human, tag, released) | {
        "doi": version_doi,
        "identifiers": [
            {
                "type": "doi",
                "value": version_doi,
                "description": VERSION_DESCRIPTION.format(tag=tag),
            },
            {"type": "doi", "value": concept_doi, "description": CONCEPT_DESCRIPTION},
        ],
    }
    if human.description:
        cff["abstract"] = human.description
    if human.license:
        cff["license"] = human.license
    if human.keywords:
        cff["keywords"] = list(human.keywords)
    return dump(cff)


def citation_head(human: Human, tag: str, released: date) -> dict[str, Any]:
    """What every citation of a version says first: a dataset, its title, authors and version."""
    return {
        "cff-version": CFF_VERSION,
        "message": MESSAGE,
        "type": "dataset",
        "title": human.title,
        "authors": [cff_author(creator) for creator in human.creators],
        "version": tag,
        "date-released": released,
    }


def cff_author(creator: Mapping[str, str]) -> dict[str, str]:
    """A Zenodo creator back as a CFF author: `"Family, Given"` is a person, else an entity."""
    family, comma, given = creator["name"].partition(",")
    author = (
        {"family-names": family.strip(), "given-names": given.strip()}
        if comma
        else {"name": creator["name"]}
    )
    if creator.get("affiliation"):
        author["affiliation"] = creator["affiliation"]
    if creator.get("orcid"):
        author["orcid"] = ORCID_URL + creator["orcid"]
    return author


def update_root_citation(
    text: str, concept_doi: str, version_dois: Mapping[str, str], released: date
) -> str:
    """The repository's CITATION.cff with the release's keys set and nothing else touched:
    `doi` (the concept), `version` (the highest released), `date-released` and one
    version-DOI identifier per release (other identifiers are kept, in their place)."""
    yaml = round_trip()
    data = yaml.load(text)
    latest = max(version_dois, key=tag_order)
    set_key(data, "doi", concept_doi)
    set_key(data, "version", latest)
    set_key(data, "date-released", released)
    identifiers = data.get("identifiers")
    if not isinstance(identifiers, list):
        identifiers = CommentedSeq()
        data["identifiers"] = identifiers
    kept = [entry for entry in identifiers if not _is_ours(entry)]
    ours = [
        CommentedMap(
            type="doi", value=version_dois[t], description=VERSION_DESCRIPTION.format(tag=t)
        )
        for t in sorted(version_dois, key=tag_order)
    ]
    identifiers[:] = kept + ours
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def set_key(data: CommentedMap, key: str, value: Any) -> None:
    """Replace a key's value where it stands, or add it at the end."""
    data[key] = value


def round_trip() -> YAML:
    yaml = YAML()  # round-trip: comments, order and folded strings survive
    yaml.preserve_quotes = True
    yaml.width = 100
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dump(data: dict[str, Any]) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False  # type: ignore[assignment]
    yaml.width = 100
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _is_ours(entry: Any) -> bool:
    return (
        isinstance(entry, dict)
        and entry.get("type") == "doi"
        and OURS.fullmatch(str(entry.get("description", ""))) is not None
    )
