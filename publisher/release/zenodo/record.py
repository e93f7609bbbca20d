"""`data/releases.json`: the single record of what was released to Zenodo, kept in the
repository on the branch after the tags (tags never move).

    {"schema_version": 1,
     "zenodo": {"url", "concept_recid", "concept_doi"},
     "releases": {"<tag>": {"doi", "recid", "url", "published", "files": {"<name>": "md5:<hex>"}}}}

Checked, not trusted: every DOI is the one its Zenodo mints for its record id
(`<prefix>/zenodo.<recid>`) and every `url` is `<zenodo url>/records/<recid>`, so an edited or
copied record cannot put another record's DOI beside a month.
"""

import json
import re
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

from publisher.base.errors import MetadataError
from publisher.dataset.contents import RELEASES_NAME
from publisher.release.calver import is_release_tag, tag_order

RELEASES_FILE = f"data/{RELEASES_NAME}"
SCHEMA_VERSION = 1
DOI = re.compile(r"10\.\d{4,9}/\S+")
MD5 = re.compile(r"md5:[0-9a-f]{32}")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
RESET_TIP = f"Mend or remove {RELEASES_FILE} (a fork starts without it), then run again."
# The DOI prefixes Zenodo mints under: the sandbox's is DataCite's test prefix. Any other server
# is taken for a stand-in of zenodo.org (the tests' and `make run`'s), minting as it does.
PRODUCTION_PREFIX = "10.5281"
SANDBOX_PREFIX = "10.5072"
SANDBOX_HOST = "sandbox.zenodo.org"


@dataclass(frozen=True)
class Released:
    doi: str
    recid: int
    url: str
    published: str  # YYYY-MM-DD
    files: dict[str, str]  # name -> "md5:<hex>"


@dataclass(frozen=True)
class Record:
    url: str  # the Zenodo the DOIs were minted on
    concept_recid: int | None = None
    concept_doi: str | None = None
    releases: dict[str, Released] = field(default_factory=dict)

    def latest(self) -> str | None:
        return max(self.releases, key=tag_order) if self.releases else None


def doi_prefix(zenodo_url: str) -> str:
    """The DOI prefix of the Zenodo at `zenodo_url`."""
    return SANDBOX_PREFIX if urlsplit(zenodo_url).hostname == SANDBOX_HOST else PRODUCTION_PREFIX


def zenodo_doi(zenodo_url: str, recid: int) -> str:
    """The DOI that the Zenodo at `zenodo_url` gives the record `recid`."""
    return f"{doi_prefix(zenodo_url)}/zenodo.{recid}"


def zenodo_record_page(zenodo_url: str, recid: int) -> str:
    """The page of the record `recid` on the Zenodo at `zenodo_url`."""
    return f"{zenodo_url.rstrip('/')}/records/{recid}"


def with_release(record: Record, tag: str, released: Released, concept: tuple[int, str]) -> Record:
    recid, doi = concept
    return replace(
        record,
        concept_recid=recid,
        concept_doi=doi,
        releases={**record.releases, tag: released},
    )


def record_text(record: Record) -> str:
    data = {
        "schema_version": SCHEMA_VERSION,
        "zenodo": {
            "url": record.url,
            "concept_recid": record.concept_recid,
            "concept_doi": record.concept_doi,
        },
        "releases": {
            tag: {
                "doi": r.doi,
                "recid": r.recid,
                "url": r.url,
                "published": r.published,
                "files": dict(r.files),
            }
            for tag, r in record.releases.items()
        },
    }
    return json.dumps(data, indent=2, sort_keys=True) + "\n"


def parse_record(text: str) -> Record:
    try:
        data = json.loads(text)
    except ValueError:
        raise MetadataError(f"{RELEASES_FILE} is not valid JSON.", RESET_TIP) from None
    zenodo, releases = _block(data, "zenodo"), _block(data, "releases")
    if data.get("schema_version") != SCHEMA_VERSION or not isinstance(zenodo.get("url"), str):
        raise MetadataError(f"{RELEASES_FILE} is not a schema_version 1 record.", RESET_TIP)
    concept_recid, concept_doi = zenodo.get("concept_recid"), zenodo.get("concept_doi")
    if (concept_recid is None) != (concept_doi is None) or not _optional_doi(concept_doi):
        raise MetadataError(f"{RELEASES_FILE} has a broken zenodo block.", RESET_TIP)
    record = Record(
        url=zenodo["url"],
        concept_recid=_recid(concept_recid) if concept_recid is not None else None,
        concept_doi=concept_doi,
        releases={tag: _released(tag, entry) for tag, entry in releases.items()},
    )
    check_identities(record)
    return record


def check_identities(record: Record) -> None:
    """Each DOI and record page the one its Zenodo gives its record id, or a one-line error."""
    url = record.url
    if record.concept_recid is not None and record.concept_doi is not None:
        concept = record.concept_recid
        _check("the concept", "DOI", record.concept_doi, zenodo_doi(url, concept), concept, url)
    for tag, released in sorted(record.releases.items()):
        recid = released.recid
        _check(tag, "DOI", released.doi, zenodo_doi(url, recid), recid, url)
        _check(tag, "url", released.url, zenodo_record_page(url, recid), recid, url)


def _check(what: str, key: str, found: str, expected: str, recid: int, url: str) -> None:
    if found != expected:
        raise MetadataError(
            f"{RELEASES_FILE} gives {what} the {key} {found!r:.100}, but record {recid}"
            f" of {url!r:.100} has the {key} {expected!r:.200}.",
            RESET_TIP,
        )


def _block(data: Any, key: str) -> dict[str, Any]:
    block = data.get(key) if isinstance(data, dict) else None
    if not isinstance(block, dict):
        raise MetadataError(f"{RELEASES_FILE} lacks its {key!r} block.", RESET_TIP)
    return block


def _released(tag: str, entry: Any) -> Released:
    bad = MetadataError(f"{RELEASES_FILE} has a broken entry for {tag!r}.", RESET_TIP)
    if not is_release_tag(tag) or not isinstance(entry, dict):
        raise bad
    files = entry.get("files")
    if (
        not isinstance(entry.get("doi"), str)
        or DOI.fullmatch(entry["doi"]) is None
        or not isinstance(entry.get("url"), str)
        or not isinstance(entry.get("published"), str)
        or DAY.fullmatch(entry["published"]) is None
        or not isinstance(files, dict)
        or not all(isinstance(v, str) and MD5.fullmatch(v) for v in files.values())
    ):
        raise bad
    return Released(
        entry["doi"], _recid(entry.get("recid")), entry["url"], entry["published"], files
    )


def _recid(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MetadataError(f"{RELEASES_FILE} has a record id {value!r}.", RESET_TIP)
    return value


def _optional_doi(value: Any) -> bool:
    return value is None or (isinstance(value, str) and DOI.fullmatch(value) is not None)
