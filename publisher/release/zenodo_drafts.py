"""Where a tag's version goes on Zenodo: never a second draft, never a second concept.

A version already published for the tag (its record lost) is found by `metadata.version`; a
draft left by an interrupted run is found and reused (through the concept's `latest_draft`, or
for a first record among the owner's drafts); only then is a draft opened.
"""

from dataclasses import dataclass
from typing import Any

from publisher.base.errors import MetadataError, ZenodoError
from publisher.release.record import RELEASES_FILE
from publisher.release.zenodo_api import ZenodoApi


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


def target_in_concept(api: ZenodoApi, concept: int, tag: str, metadata: dict[str, Any]) -> Target:
    versions = api.versions(concept)
    for version in versions:
        if version_of(version) == tag:
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
    api: ZenodoApi, tag: str, repo_tags: list[str], metadata: dict[str, Any]
) -> tuple[Target, int | None]:
    """No concept known: the owner's depositions are searched, by the versions of this
    repository's tags, before a new concept is ever made. Returns the target and the concept
    found (None when this run opened the first record)."""
    published = owned_versions(api, "published", repo_tags)
    if published:
        concept = int(published[0]["conceptrecid"])
        return target_in_concept(api, concept, tag, metadata), concept
    drafts = [d for d in owned_versions(api, "draft", [tag]) if version_of(d) == tag]
    if drafts:
        return Target(draft=api.set_metadata(drafts[0]["id"], metadata)), None
    return Target(draft=api.create(metadata), opened=True), None


def owned_versions(api: ZenodoApi, status: str, tags: list[str]) -> list[dict[str, Any]]:
    """The owner's depositions whose version is one of `tags` (an exact match)."""
    found: list[dict[str, Any]] = []
    for tag in tags:
        hits = api.depositions(status, query=f'metadata.version:"{tag}"')
        found += [hit for hit in hits if version_of(hit) == tag]
    return found
