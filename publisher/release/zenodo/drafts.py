"""Where a tag's version goes on Zenodo: never a second draft, never a second concept, never
another dataset's concept.

A run killed or interrupted may leave a draft, or a version published but not recorded. The
next run takes it up, in this order: the deposition noted in the git directory
(`notes.py`); a version published for the tag (its record lost), by `metadata.version`; the
concept's latest draft (`links.latest_draft`); for a first record, the owner's drafts. Zenodo's
depositions list is a search index that shows a new draft only seconds after it was made, so
it is never the only way: when a run may have made a draft it could not note, the list is
asked again for a while before anything new is made.

Whatever is found by its name is taken only if it holds the tag's own files (`identity.py`):
one account may hold another dataset with versions of the same names.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from publisher.base.errors import MetadataError, ZenodoError
from publisher.base.retry import Transient
from publisher.release.zenodo.api import CREATE, ZenodoApi
from publisher.release.zenodo.identity import held_files, is_this_tags, named, other_files
from publisher.release.zenodo.notes import ZenodoNotes
from publisher.release.zenodo.record import RELEASES_FILE

NEW_CONCEPT = "top-pypi release --new-concept"

# Seconds between searches of the depositions list for a draft it may not show yet: about a
# minute in all, longer than Zenodo's index takes.
INDEX_PAUSES = (0.5, 0.5, 1.0, 1.0, 2.0, 2.0, 4.0, 4.0, 5.0, 10.0, 10.0, 20.0)
FULL_DRAFT = "remove all files"  # Zenodo's 400 on newversion while a draft holds files


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


def noted_target(
    api: ZenodoApi, notes: ZenodoNotes, tag: str, concept: int | None, expected: dict[str, str]
) -> Target | None:
    """The deposition an earlier run noted for `tag`: its draft, or its version published and
    not recorded. A deposition gone (discarded by hand), of another concept, or published
    holding other files than the tag's (`expected`, name -> MD5) is forgotten: a draft with no
    file yet may have been taken up and published by another repository of the account."""
    noted = notes.noted(tag)
    if noted is None or noted.deposition is None:
        return None
    try:
        found = api.deposition(noted.deposition)
    except ZenodoError as refused:
        if not gone(refused):
            raise
        found = None
    if found is not None and found.get("submitted") and not tags_version(found, tag, expected):
        found = None  # published since as another version, or another dataset's
    if found is None or concept not in (None, int(found.get("conceptrecid", 0))):
        notes.forget([tag])
        return None
    return Target(published=found) if found.get("submitted") else Target(draft=found)


def tags_version(published: dict[str, Any], tag: str, expected: dict[str, str]) -> bool:
    """A published version is the tag's: its name, and the tag's own files."""
    return version_of(published) == tag and is_this_tags(published, expected)


def gone(refused: ZenodoError) -> bool:
    """Zenodo said the deposition is not there, or not this token's to see."""
    return any(f"(HTTP {status})" in refused.message for status in (403, 404, 410))


def target_in_concept(
    api: ZenodoApi,
    concept: int,
    tag: str,
    metadata: dict[str, Any],
    expected: dict[str, str],
    notes: ZenodoNotes,
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
    leftover = latest_draft(api, latest)
    if leftover is not None:
        return reused(api, notes, tag, int(leftover["id"]), metadata)
    notes.opening(tag)
    try:
        draft = api.new_version(latest["id"])
    except ZenodoError as refused:
        if FULL_DRAFT not in refused.message.lower():
            raise
        return reused(api, notes, tag, unlisted_draft(api, concept, refused), metadata)
    notes.opened(tag, int(draft["id"]))
    # Named at once, so that the depositions list finds this draft by its version too.
    return Target(draft=api.set_metadata(draft["id"], metadata), opened=True)


def latest_draft(api: ZenodoApi, latest: dict[str, Any]) -> dict[str, Any] | None:
    """The concept's open draft, from its latest version's `latest_draft` link."""
    draft_id = deposition_id(latest.get("links", {}).get("latest_draft", latest["id"]))
    if draft_id == latest["id"]:
        return None
    leftover = api.deposition(draft_id)
    return None if leftover.get("submitted") else leftover


def reused(
    api: ZenodoApi, notes: ZenodoNotes, tag: str, draft_id: int, metadata: dict[str, Any]
) -> Target:
    """A draft an earlier run left, read afresh (the list shows it as it was): published
    since, it is the tag's version; else it is named for the tag, to be filled again."""
    notes.opened(tag, draft_id)
    current = api.deposition(draft_id)
    if current.get("submitted"):
        return Target(published=current)
    return Target(draft=api.set_metadata(draft_id, metadata))


def unlisted_draft(api: ZenodoApi, concept: int, refused: ZenodoError) -> int:
    """Zenodo holds a draft of the concept that no link showed: found in the depositions list
    once it shows it, or the run stops saying where to discard it."""
    query = f"conceptrecid:{concept}"
    found = search_until(api, lambda: next(iter(api.depositions("draft", query=query)), None))
    if found is None:
        raise ZenodoError(
            f"Zenodo at {api.url} holds a draft of concept {concept} that it does not list"
            f" ({refused.message})",
            f"Discard the draft in {api.url}/me/uploads, then run the release again.",
        )
    return int(found["id"])


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
    notes: ZenodoNotes,
    new_concept: bool = False,
) -> tuple[Target, int | None]:
    """No concept known: the owner's published versions of this repository's tags are searched
    for one holding its tag's own files, whose concept is then this repository's, before a new
    concept is ever made. Returns the target and the concept found (None for a first record).
    `uploads(tag)`: what a tag of this repository would upload, name -> MD5. `new_concept`
    (--new-concept): versions of the same names with other files do not stop a first record;
    versions with the tags' own files still make their concept this repository's (a re-run
    that lost its record must not begin a second concept with the same data)."""
    found = owned_versions(api, "published", repo_tags)
    ours = [
        version for version in found if is_this_tags(version, uploads(str(version_of(version))))
    ]
    if ours:
        concept = int(ours[0]["conceptrecid"])
        return target_in_concept(api, concept, tag, metadata, uploads(tag), notes), concept
    namesakes = [version for version in found if version_of(version) == tag and not new_concept]
    return first_record(api, notes, tag, metadata, uploads(tag), namesakes), None


def first_record(
    api: ZenodoApi,
    notes: ZenodoNotes,
    tag: str,
    metadata: dict[str, Any],
    expected: dict[str, str],
    namesakes: list[dict[str, Any]] | None = None,
) -> Target:
    """The draft of a concept of this repository's own, begun with `tag`: one an interrupted
    run left (listed, or not listed yet when a note says one was asked for), else a new one.
    `namesakes`: published versions of the tag's name, another dataset's unless a draft of
    ours holds the tag's files (with --new-concept there are none to weigh)."""
    drafts = first_drafts(api, tag, expected)
    if not drafts and notes.noted(tag) is not None:
        # An earlier run asked for this draft and never read the answer: it may exist and
        # not be listed yet.
        drafts = [found] if (found := search_until(api, first_draft(api, tag, expected))) else []
    if namesakes and not any(is_this_tags(draft, expected) for draft in drafts):
        raise another_dataset(namesakes[0], tag, expected)
    if drafts:
        return reused(api, notes, tag, int(drafts[0]["id"]), metadata)
    return created(api, notes, tag, metadata, expected)


def created(
    api: ZenodoApi, notes: ZenodoNotes, tag: str, metadata: dict[str, Any], expected: dict[str, str]
) -> Target:
    """A first record's draft, made once: after an answer lost (the draft may exist, not
    listed yet) the list is searched for a while before Zenodo is asked again."""
    patience = api.patience
    started = patience.clock()
    for attempt in range(1, patience.attempts + 1):
        notes.opening(tag)
        try:
            draft = api.create(metadata)
        except Transient as failure:
            if failure.wait is None:  # no answer, or a 5xx: the draft may exist all the same
                found = search_until(api, first_draft(api, tag, expected))
                if found is not None:
                    return reused(api, notes, tag, int(found["id"]), metadata)
            wait = patience.delay(attempt, failure.wait)
            if patience.gives_up(attempt, wait, started):
                reason = patience.why_given_up(failure.reason, wait)
                raise api.gave_up(CREATE, reason, attempt) from None
            patience.sleep(wait)
            continue
        notes.opened(tag, int(draft["id"]))
        return Target(draft=draft, opened=True)
    raise AssertionError("unreachable")


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


def first_draft(
    api: ZenodoApi, tag: str, expected: dict[str, str]
) -> Callable[[], dict[str, Any] | None]:
    """A search for the first of `first_drafts`, to be asked again (search_until)."""
    return lambda: next(iter(first_drafts(api, tag, expected)), None)


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


def search_until(
    api: ZenodoApi, search: Callable[[], dict[str, Any] | None]
) -> dict[str, Any] | None:
    """`search()` again after each pause until it finds something (None if it never does)."""
    for pause in INDEX_PAUSES:
        api.patience.sleep(pause)
        found = search()
        if found is not None:
            return found
    return None


def owned_versions(api: ZenodoApi, status: str, tags: list[str]) -> list[dict[str, Any]]:
    """The owner's depositions whose version is one of `tags` (an exact match)."""
    found: list[dict[str, Any]] = []
    for tag in tags:
        hits = api.depositions(status, query=f'metadata.version:"{tag}"')
        found += [hit for hit in hits if version_of(hit) == tag]
    return found
