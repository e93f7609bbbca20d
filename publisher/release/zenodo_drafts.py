"""Where a tag's version goes on Zenodo: never a second draft, never a second concept, never
another dataset's concept.

A version already published for the tag (its record lost) is found by `metadata.version` and
taken only if it holds the tag's own files (zenodo_identity); a draft left by an interrupted run
is found and reused (through the concept's `latest_draft`, or for a first record among the
owner's drafts); only then is a draft opened.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from publisher.base.errors import MetadataError, ZenodoError
from publisher.release.record import RELEASES_FILE
from publisher.release.zenodo_api import ZenodoApi
from publisher.release.zenodo_identity import held_files, is_this_tags, named, other_files

NEW_CONCEPT = "top-pypi release --new-concept"


@dataclass(frozen=True)
class Target:
    """A tag's place on Zenodo: the version already published, or the draft to fill."""

    published: dict[str, Any] | None = None
    draft: dict[str, Any] | None = None
    opened: bool = False  # the draft was opened by this run (not a leftover)


def version_of(deposition: dict[str, Any]) -> str | None:
    version = deposition.get("metadata", {}).get("version")
    return version if isinstance(version, str) else None


def deposition_id(link_or_id: Any) -> int:
    return int(str(link_or_id).rstrip("/").rsplit("/", 1)[-1])


def target_in_concept(
    api: ZenodoApi, concept: int, tag: str, metadata: dict[str, Any], expected: dict[str, str]
) -> Target:
    """`expected`: what the tag would upload, name -> MD5."""
    versions = api.versions(concept)
    for version in versions:
        if version_of(version) == tag:
            if not is_this_tags(version, expected):
                raise another_dataset(version, tag, expected)
            return Target(published=version)
    if not versions:
        raise ZenodoError(
            f"Zenodo at {api.url} has no published version of concept {concept}.",
            f"Check zenodo_concept in top-pypi.toml and the concept in {RELEASES_FILE}.",
        )
    latest = writable(api, deposition_id(versions[0]["id"]), concept)
    draft_id = deposition_id(latest.get("links", {}).get("latest_draft", latest["id"]))
    if draft_id != latest["id"]:
        leftover = api.deposition(draft_id)
        if not leftover.get("submitted"):
            return Target(draft=api.set_metadata(draft_id, metadata))
    draft = api.new_version(latest["id"])
    # Named at once, so that a run killed from here on finds this draft by its version.
    return Target(draft=api.set_metadata(draft["id"], metadata), opened=True)


def writable(api: ZenodoApi, latest_id: int, concept: int) -> dict[str, Any]:
    """The concept's latest deposition, if this token may add versions to it."""
    try:
        return api.deposition(latest_id)
    except ZenodoError as refused:
        if "HTTP 403" not in refused.message and "HTTP 404" not in refused.message:
            raise
    raise MetadataError(
        f"Concept {concept} on {api.url} belongs to another Zenodo account"
        f" (a fork inherits its upstream's {RELEASES_FILE}).",
        f"Delete {RELEASES_FILE}, the DOIs in CITATION.cff and zenodo_concept in top-pypi.toml,"
        " or use the owner's token.",
    )


def target_without_concept(
    api: ZenodoApi,
    tag: str,
    repo_tags: list[str],
    metadata: dict[str, Any],
    uploads: Callable[[str], dict[str, str]],
) -> tuple[Target, int | None]:
    """No concept known: the owner's published versions of this repository's tags are searched
    for one holding its tag's own files, whose concept is then this repository's, before a new
    concept is ever made. Returns the target and the concept found (None for a first record).
    `uploads(tag)`: what a tag of this repository would upload, name -> MD5."""
    found = owned_versions(api, "published", repo_tags)
    ours = [
        version for version in found if is_this_tags(version, uploads(str(version_of(version))))
    ]
    if ours:
        concept = int(ours[0]["conceptrecid"])
        return target_in_concept(api, concept, tag, metadata, uploads(tag)), concept
    drafts = first_drafts(api, tag, uploads(tag))
    namesakes = [version for version in found if version_of(version) == tag]
    if namesakes and not any(is_this_tags(draft, uploads(tag)) for draft in drafts):
        raise another_dataset(namesakes[0], tag, uploads(tag))
    return reused_or_created(api, drafts, metadata), None


def first_record(
    api: ZenodoApi, tag: str, metadata: dict[str, Any], expected: dict[str, str]
) -> Target:
    """A concept of this repository's own, begun with `tag` (--new-concept)."""
    return reused_or_created(api, first_drafts(api, tag, expected), metadata)


def first_drafts(api: ZenodoApi, tag: str, expected: dict[str, str]) -> list[dict[str, Any]]:
    """The first drafts of `tag` an interrupted run may have left: of no published concept,
    holding none but the tag's own files, those holding some first. A later version's draft is
    its concept's, never taken on its name."""
    drafts = [
        draft
        for draft in owned_versions(api, "draft", [tag])
        if not concept_published(draft) and not other_files(held_files(draft), expected)
    ]
    return sorted(drafts, key=lambda draft: not is_this_tags(draft, expected))


def reused_or_created(
    api: ZenodoApi, drafts: list[dict[str, Any]], metadata: dict[str, Any]
) -> Target:
    if drafts:
        return Target(draft=api.set_metadata(drafts[0]["id"], metadata))
    return Target(draft=api.create(metadata), opened=True)


def concept_published(deposition: dict[str, Any]) -> bool:
    """Whether the deposition's concept has a published version (its concept DOI exists)."""
    return bool(deposition.get("conceptdoi") or deposition.get("links", {}).get("latest"))


def another_dataset(version: dict[str, Any], tag: str, expected: dict[str, str]) -> ZenodoError:
    """A version of the tag's name holding other files: it cites another dataset."""
    differing = other_files(held_files(version), expected)
    doi = version.get("doi") or version.get("metadata", {}).get("doi")
    return ZenodoError(
        f"Zenodo record {version['id']} ({doi}) is a version {tag} of concept"
        f" {version.get('conceptrecid')} with other files than tag {tag}"
        f" ({named(differing) or 'no data file'}): another dataset's, never this one's.",
        f"Run `{NEW_CONCEPT}` to start a concept of this repository's own.",
    )


def owned_versions(api: ZenodoApi, status: str, tags: list[str]) -> list[dict[str, Any]]:
    """The owner's depositions whose version is one of `tags` (an exact match)."""
    found: list[dict[str, Any]] = []
    for tag in tags:
        hits = api.depositions(status, query=f'metadata.version:"{tag}"')
        found += [hit for hit in hits if version_of(hit) == tag]
    return found
