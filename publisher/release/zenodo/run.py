"""`top-pypi release`: the publish tags not yet on Zenodo, each made a version in turn, oldest
first; then their DOIs recorded on the branch (tags never move) in one follow-up commit:
`data/releases.json` and the root CITATION.cff.

Everything is read from git: each tag's data from the tag, the metadata and the record of
earlier releases from the branch head, never from the working tree.
"""

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import git

from publisher.base.errors import MetadataError, UsageError, ValidationError
from publisher.base.progress import Progress, silent
from publisher.dataset.build import DATA_FOLDER
from publisher.dataset.check import check_folder
from publisher.dataset.contents import stray_warning
from publisher.release.calver import corrected_tag, tag_order
from publisher.release.commits import publish_tags
from publisher.release.tag_files import (
    TagFolder,
    github_tag_url,
    month_files,
    tag_files,
)
from publisher.release.zenodo.api import ZenodoApi
from publisher.release.zenodo.citation import update_root_citation
from publisher.release.zenodo.identity import upload_md5s
from publisher.release.zenodo.metadata import (
    CITATION_CFF,
    ZENODO_JSON,
    Human,
    Version,
    human_metadata,
)
from publisher.release.zenodo.metadata import related_identifiers as related
from publisher.release.zenodo.notes import ZenodoNotes
from publisher.release.zenodo.order import waiting
from publisher.release.zenodo.record import (
    RELEASES_FILE,
    Record,
    parse_record,
    record_text,
    with_release,
)
from publisher.release.zenodo.version import Ask, Outcome, release_version

RELEASED_TRAILER = "Top-PyPI-Released"
CORRECTION_TIP = "Publish a correction (`top-pypi publish --correction`), then release that."


@dataclass(frozen=True)
class Head:
    """What the branch head says: the record of earlier releases, and who made the data."""

    record: Record
    sources: dict[str, str]  # .zenodo.json and CITATION.cff, those present
    human: Human


@dataclass(frozen=True)
class Released:
    tag: str
    outcome: Outcome


def head_text(repo: git.Repo, path: str) -> str | None:
    """A file's text at the branch head, or None when it is not there."""
    if not repo.head.is_valid():
        return None
    try:
        blob = repo.head.commit.tree / path
    except KeyError:
        return None
    return bytes(blob.data_stream.read()).decode("utf-8", errors="replace")


def read_head(repo: git.Repo, url: str, fresh_record: bool) -> Head:
    """`fresh_record`: start from no record (the sandbox keeps its own concepts)."""
    sources = {
        name: text for name in (ZENODO_JSON, CITATION_CFF) if (text := head_text(repo, name))
    }
    human = human_metadata(sources)
    text = None if fresh_record else head_text(repo, RELEASES_FILE)
    record = parse_record(text) if text is not None else Record(url)
    if record.url.rstrip("/") != url and (record.releases or record.concept_recid is not None):
        raise MetadataError(
            f"{RELEASES_FILE} records DOIs minted on {record.url}, not on {url}.",
            f"Release to {record.url}, or start a new record: move {RELEASES_FILE} aside.",
        )
    return Head(replace(record, url=url), sources, human)


def pending_tags(repo: git.Repo, record: Record, only: str | None) -> list[str]:
    tags = publish_tags(repo)
    if only is None:
        return waiting(tags, record.releases)
    if only not in tags:
        what = "a tag made by `top-pypi publish`" if only in repo.tags else "a tag here"
        raise UsageError(
            f"--tag {only!r} is not {what}.",
            f"Give one of: {', '.join(tags) or 'none yet; run `top-pypi publish` first'}.",
        )
    return [] if only in record.releases else [only]


def checked_dataset(repo: git.Repo, tag: str) -> dict[str, Any]:
    """The tag's data, checked by the same rules as `top-pypi validate`, before anything is sent."""
    try:
        return check_folder(TagFolder(repo, tag))
    except ValidationError as exc:
        raise ValidationError(f"Tag {tag}: {exc.message}", CORRECTION_TIP) from None
    except UsageError:
        raise ValidationError(f"Tag {tag} has no data/ folder.", CORRECTION_TIP) from None


def check_new_concept(record: Record, concept: int | None, concept_setting: str) -> None:
    """`--new-concept` starts a concept only where none is this repository's yet."""
    if record.concept_recid is not None:
        raise UsageError(
            f"--new-concept: {RELEASES_FILE} already records concept {record.concept_recid}"
            f" ({record.concept_doi}), this repository's.",
            f"Release without --new-concept, or edit {RELEASES_FILE} (move it aside, and the"
            f" DOIs out of {CITATION_CFF}) to start a concept anew.",
        )
    if concept is not None:
        raise UsageError(
            f"--new-concept: {concept_setting} names the concept to add versions to.",
            "Release without --new-concept, or edit top-pypi.toml (remove zenodo_concept) to"
            " start a concept anew.",
        )


def version_of(tag: str, dataset: dict[str, Any], today: date, record: Record) -> Version:
    period, engine = dataset["period"], dataset["engine"]
    corrects = corrected_tag(tag, [*record.releases, tag])
    return Version(
        tag,
        period["start"],
        period["end"],
        period["days"],
        engine["name"],
        engine["method"],
        today,
        corrects if corrects in record.releases else None,
    )


@dataclass(frozen=True)
class Run:
    """One `release` run: where to, from which repository, on which day."""

    api: ZenodoApi
    repo: git.Repo
    today: date
    remote_url: str | None  # the push remote's URL: a GitHub one gives each tag's page
    concept: int | None  # zenodo_concept from the settings, for a record not yet kept here
    notes: ZenodoNotes  # the depositions of tags not yet recorded, in the git directory
    new_concept: bool = False  # --new-concept: the first tag starts a concept of its own


def ask_for(run: Run, tag: str, head: Head) -> Ask:
    record = head.record
    dataset = checked_dataset(run.repo, tag)
    version = version_of(tag, dataset, run.today, record)
    earlier = [t for t in record.releases if tag_order(t) < tag_order(tag)]
    previous = record.releases[max(earlier, key=tag_order)].doi if earlier else None
    corrected = record.releases[version.corrects].doi if version.corrects else None
    links = related(github_tag_url(run.remote_url, tag), previous, corrected)
    known = record.concept_recid if record.concept_recid is not None else run.concept
    files, stray = month_files(tag_files(run.repo, tag), dataset["schema_version"])
    tags, uploads = publish_tags(run.repo), uploads_of(run.repo)
    return Ask(
        version,
        head.human,
        files,
        links,
        known,
        tags,
        uploads,
        new_concept=run.new_concept,
        stray=tuple(stray),
    )


def uploads_of(repo: git.Repo) -> Callable[[str], dict[str, str]]:
    """What each tag would upload (name -> MD5), read from git when first asked for. A stray
    file of a tag only adds a name no record holds, so the comparison is not changed by it."""

    @functools.cache
    def uploads(tag: str) -> dict[str, str]:
        return upload_md5s(tag_files(repo, tag))

    return uploads


def release_tags(
    run: Run, head: Head, tags: list[str], progress: Progress, warn: Progress = silent
) -> Iterator[tuple[Released, Head]]:
    """Each tag released in turn; the head after it (its record updated) comes with it."""
    for tag in tags:
        ask = ask_for(run, tag, head)
        for line in stray_lines(ask):
            warn(line)
        outcome = release_version(run.api, ask, progress, run.notes)
        record = with_release(head.record, tag, outcome.released, outcome.concept)
        head = replace(head, record=record)
        yield Released(tag, outcome), head


def stray_lines(ask: Ask) -> list[str]:
    """A line for each file of the tag's data/ that no record holds, which the release skips."""
    return [stray_warning(f"{ask.version.tag}:{DATA_FOLDER}/{name}") for name in ask.stray]


def record_files(head: Head, root: Path) -> dict[str, str]:
    """The files the follow-up commit writes: the record, and the root CITATION.cff edited in
    place when the repository keeps one."""
    record = head.record
    files = {RELEASES_FILE: record_text(record)}
    citation = head.sources.get(CITATION_CFF)
    if citation is not None and record.concept_doi is not None:
        dois = {tag: released.doi for tag, released in record.releases.items()}
        newest = record.releases[max(record.releases, key=tag_order)].published
        files[CITATION_CFF] = update_root_citation(
            citation, record.concept_doi, dois, date.fromisoformat(newest)
        )
    return files


def record_message(tags: list[str]) -> str:
    return (
        f"Record the Zenodo DOIs of {', '.join(tags)}\n\n"
        f"Written by `top-pypi release`: {RELEASES_FILE} and {CITATION_CFF}.\n\n"
        f"{RELEASED_TRAILER}: {' '.join(tags)}\n"
    )
