"""Deposition metadata as Zenodo checks it: required fields, choices, date and ORCID formats.

Errors come back as Zenodo lists them in a 400 answer, one entry per field with its messages
(`{"field": "metadata.creators", "messages": ["Missing data for required field."]}`). Keys
Zenodo does not know are dropped, as its schema does, so a misspelt key never reaches a record.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

REQUIRED = ("upload_type", "title", "creators", "description")
UPLOAD_TYPES = (
    "publication", "poster", "presentation", "dataset", "image", "video", "software",
    "lesson", "physicalobject", "other",
)  # fmt: skip
ACCESS_RIGHTS = ("open", "embargoed", "restricted", "closed")
# DataCite's relation types, spelt as Zenodo's legacy API takes them.
RELATIONS = (
    "isCitedBy", "cites", "isSupplementTo", "isSupplementedBy", "isContinuedBy", "continues",
    "isDescribedBy", "describes", "hasMetadata", "isMetadataFor", "isNewVersionOf",
    "isPreviousVersionOf", "isPartOf", "hasPart", "isReferencedBy", "references",
    "isDocumentedBy", "documents", "isCompiledBy", "compiles", "isVariantFormOf",
    "isOriginalFormOf", "isIdenticalTo", "isAlternateIdentifier", "isReviewedBy", "reviews",
    "isDerivedFrom", "isSourceOf", "requires", "isRequiredBy", "isObsoletedBy", "obsoletes",
)  # fmt: skip
STRING_FIELDS = (
    "title", "description", "version", "license", "language", "notes", "publication_type",
    "image_type", "access_conditions", "method", "doi",
)  # fmt: skip
KNOWN = frozenset(
    {
        *REQUIRED, *STRING_FIELDS, "publication_date", "access_right", "embargo_date",
        "keywords", "related_identifiers", "contributors", "references", "communities",
        "grants", "subjects", "locations", "dates", "imprint_publisher", "journal_title",
    }
)  # fmt: skip
MISSING = "Missing data for required field."
NOT_STRING = "Not a valid string."
NOT_LIST = "Not a valid list."
_ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")

Errors = dict[str, list[str]]


def clean(metadata: dict[str, Any]) -> dict[str, Any]:
    """The metadata Zenodo keeps: its own keys only."""
    return {key: value for key, value in metadata.items() if key in KNOWN}


def errors(metadata: Any, reserved_doi: str) -> list[dict[str, Any]]:
    """Every problem Zenodo would refuse `metadata` for, in its 400 answer's shape."""
    found: Errors = {}
    if not isinstance(metadata, dict):
        return [{"field": "metadata", "messages": ["Invalid input type."]}]
    for key in REQUIRED:
        if metadata.get(key) in (None, "", []):
            found.setdefault(f"metadata.{key}", []).append(MISSING)
    _check_strings(metadata, found)
    _check_choices(metadata, found)
    _check_dates(metadata, found)
    _check_creators(metadata.get("creators"), found)
    _check_keywords(metadata.get("keywords"), found)
    _check_related(metadata.get("related_identifiers"), found)
    _check_doi(metadata.get("doi"), reserved_doi, found)
    return [{"field": name, "messages": messages} for name, messages in found.items()]


def _add(found: Errors, name: str, message: str) -> None:
    messages = found.setdefault(name, [])
    if message not in messages:
        messages.append(message)


def _check_strings(metadata: dict[str, Any], found: Errors) -> None:
    for key in STRING_FIELDS:
        if key in metadata and not isinstance(metadata[key], str):
            _add(found, f"metadata.{key}", NOT_STRING)


def _check_choices(metadata: dict[str, Any], found: Errors) -> None:
    upload_type = metadata.get("upload_type")
    if upload_type not in (None, "") and upload_type not in UPLOAD_TYPES:
        _add(found, "metadata.upload_type", f"Must be one of: {', '.join(UPLOAD_TYPES)}.")
    if upload_type == "publication" and not metadata.get("publication_type"):
        _add(found, "metadata.publication_type", MISSING)
    if upload_type == "image" and not metadata.get("image_type"):
        _add(found, "metadata.image_type", MISSING)
    access = metadata.get("access_right", "open")
    if access not in ACCESS_RIGHTS:
        _add(found, "metadata.access_right", f"Must be one of: {', '.join(ACCESS_RIGHTS)}.")
    if access == "embargoed" and not metadata.get("embargo_date"):
        _add(found, "metadata.embargo_date", MISSING)


def _check_dates(metadata: dict[str, Any], found: Errors) -> None:
    for key in ("publication_date", "embargo_date"):
        if key in metadata and not _is_date(metadata[key]):
            _add(found, f"metadata.{key}", "Not a valid date.")


def _is_date(value: Any) -> bool:
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _check_creators(creators: Any, found: Errors) -> None:
    if creators is None:
        return
    if not isinstance(creators, list):
        _add(found, "metadata.creators", NOT_LIST)
        return
    for index, creator in enumerate(creators):
        where = f"metadata.creators.{index}"
        if not isinstance(creator, dict):
            _add(found, where, "Invalid input type.")
        elif not isinstance(creator.get("name"), str) or not creator["name"].strip():
            _add(found, f"{where}.name", MISSING)
        elif "orcid" in creator and not _ORCID.match(str(creator["orcid"])):
            _add(found, f"{where}.orcid", "Not a valid ORCID identifier.")


def _check_keywords(keywords: Any, found: Errors) -> None:
    if keywords is None:
        return
    if not isinstance(keywords, list):
        _add(found, "metadata.keywords", NOT_LIST)
    elif not all(isinstance(word, str) for word in keywords):
        _add(found, "metadata.keywords", NOT_STRING)


def _check_related(related: Any, found: Errors) -> None:
    if related is None:
        return
    if not isinstance(related, list):
        _add(found, "metadata.related_identifiers", NOT_LIST)
        return
    for index, entry in enumerate(related):
        where = f"metadata.related_identifiers.{index}"
        if not isinstance(entry, dict):
            _add(found, where, "Invalid input type.")
            continue
        if not isinstance(entry.get("identifier"), str) or not entry["identifier"]:
            _add(found, f"{where}.identifier", MISSING)
        if entry.get("relation") not in RELATIONS:
            _add(found, f"{where}.relation", f"Must be one of: {', '.join(RELATIONS)}.")


def _check_doi(doi: Any, reserved_doi: str, found: Errors) -> None:
    # A draft may name its own reserved DOI; any other DOI would be an external one, which
    # this project never sends and the stand-in does not model.
    if not isinstance(doi, str) or doi in ("", reserved_doi):
        return
    prefix = reserved_doi.split("/")[0]
    if doi.startswith(prefix + "/"):
        _add(found, "metadata.doi", f"The prefix '{prefix}' is administrated locally.")
    else:
        _add(found, "metadata.doi", "External DOIs are not modelled by the stand-in.")
