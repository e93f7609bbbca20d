"""One tag made a Zenodo version: its draft found or opened (DOI reserved), its CITATION.cff
made with that DOI, its files replaced by the tag's (streamed from git), its whole metadata set,
published exactly once. A draft an interrupted run left is emptied and filled again."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from publisher.base.progress import Progress
from publisher.release.tag_files import TagFile
from publisher.release.zenodo.api import ZenodoApi
from publisher.release.zenodo.citation import version_citation
from publisher.release.zenodo.drafts import (
    Target,
    noted_target,
    target_in_concept,
    target_without_concept,
)
from publisher.release.zenodo.identity import held_files
from publisher.release.zenodo.metadata import CITATION_CFF, Human, Version, version_metadata
from publisher.release.zenodo.notes import ZenodoNotes
from publisher.release.zenodo.record import Released, zenodo_record_page


@dataclass(frozen=True)
class Outcome:
    released: Released
    concept: tuple[int, str]  # (recid, DOI) of all versions
    sent: bool  # False when Zenodo already had this version (its record had been lost)


@dataclass(frozen=True)
class Ask:
    """What one release asks of Zenodo: the tag's version, files and where it belongs."""

    version: Version
    human: Human
    files: list[TagFile]
    related: list[dict[str, str]]
    concept: int | None  # known from data/releases.json or zenodo_concept
    repo_tags: list[str]  # to find a concept by its versions when none is known
    uploads: Callable[[str], dict[str, str]]  # what a tag of the repository would upload: MD5s
    new_concept: bool = False  # start a concept of the repository's own (--new-concept)
    stray: tuple[str, ...] = ()  # files of the tag's data/ that no record holds: never sent


def release_version(api: ZenodoApi, ask: Ask, progress: Progress, notes: ZenodoNotes) -> Outcome:
    tag = ask.version.tag
    metadata = version_metadata(ask.human, ask.version, ask.related)
    progress(f"Finding {tag} on Zenodo at {api.url}")
    target = noted_target(api, notes, tag, ask.concept, ask.uploads(tag))
    if target is None and ask.concept is not None:
        target = target_in_concept(api, ask.concept, tag, metadata, ask.uploads(tag), notes)
    if target is None:
        target, _ = target_without_concept(
            api, tag, ask.repo_tags, metadata, ask.uploads, notes, ask.new_concept
        )
    if target.published is not None:
        return adopted(api, target.published)
    return fill_and_publish(api, ask, target, metadata, progress)


def fill_and_publish(
    api: ZenodoApi, ask: Ask, target: Target, metadata: dict[str, Any], progress: Progress
) -> Outcome:
    draft = target.draft or {}
    draft_id, tag = int(draft["id"]), ask.version.tag
    doi, recid = reserved_doi(draft)
    concept = (int(draft["conceptrecid"]), concept_doi(doi, int(draft["conceptrecid"])))
    citation = version_citation(ask.human, tag, ask.version.published, doi, concept[1]).encode()
    left = "" if target.opened else ", left by an interrupted run"
    progress(f"Replacing the files of draft {draft_id} ({doi}{left})")
    for stored in draft.get("files", []):
        api.delete_file(draft_id, str(stored["id"]))
    bucket = draft["links"]["bucket"]
    md5s = {}
    for file in ask.files:
        progress(f"Uploading {file.name} ({file.size:,} bytes) to draft {draft_id}")
        md5s[file.name] = api.upload(bucket, file.name, file.size, file.chunks)
    md5s[CITATION_CFF] = api.upload(bucket, CITATION_CFF, len(citation), chunks_of(citation))
    api.set_metadata(draft_id, metadata)
    progress(f"Publishing {tag} ({doi})")
    api.publish(draft_id)
    released = Released(doi, recid, record_url(api, recid), metadata["publication_date"], md5s)
    return Outcome(released, concept, sent=True)


def adopted(api: ZenodoApi, published: dict[str, Any]) -> Outcome:
    """A version Zenodo already has: recorded as it is there, nothing sent."""
    recid = int(published["id"])
    doi = str(published.get("doi") or published["metadata"]["doi"])
    concept = int(published["conceptrecid"])
    files = held_files(published)
    day = str(published.get("metadata", {}).get("publication_date", ""))
    released = Released(doi, recid, record_url(api, recid), day, files)
    return Outcome(released, (concept, concept_doi(doi, concept)), sent=False)


def reserved_doi(draft: dict[str, Any]) -> tuple[str, int]:
    reserved = draft["metadata"]["prereserve_doi"]
    return str(reserved["doi"]), int(reserved["recid"])


def concept_doi(version_doi: str, concept_recid: int) -> str:
    """Zenodo's concept DOI: the version's prefix, the concept's record id."""
    return f"{version_doi.split('/', 1)[0]}/zenodo.{concept_recid}"


def record_url(api: ZenodoApi, recid: int) -> str:
    return zenodo_record_page(api.url, recid)


def chunks_of(data: bytes) -> Any:
    def chunks() -> Iterator[bytes]:
        yield data

    return chunks
