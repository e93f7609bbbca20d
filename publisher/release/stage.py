"""`top-pypi release` as a stage, joining the release's two parts: Zenodo (`zenodo/`) makes each
publish tag a version with its DOI, then git (`git.py`) commits the DOIs onto the branch and
pushes them. From what was asked (`Asked`, typed, read from the options, settings and
environment by the command line) to the run set up and checked (`prepare`), the tags released
(`release_all`), and their DOIs committed and pushed (`record`). `--dry-run` shows what would
be sent (`dry_run_rows`), `--sandbox` records nothing.

The command line only parses, prints and writes the summary; every decision is made here.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import git

from publisher.base.errors import MetadataError, PublisherError, UsageError
from publisher.base.progress import Progress
from publisher.dataset.write import write_files
from publisher.release.commits import publish_tags
from publisher.release.duplicate import pushed
from publisher.release.git import commit_paths, push_branch
from publisher.release.git_state import check_remote, current_branch
from publisher.release.zenodo.api import TOKEN_TIP, Patience, ZenodoApi
from publisher.release.zenodo.citation import version_citation
from publisher.release.zenodo.metadata import CITATION_CFF, version_metadata
from publisher.release.zenodo.notes import NOTES_FILE, ZenodoNotes
from publisher.release.zenodo.order import check_order
from publisher.release.zenodo.run import (
    RELEASED_TRAILER,
    Head,
    Released,
    Run,
    ask_for,
    check_new_concept,
    head_text,
    pending_tags,
    read_head,
    record_files,
    record_message,
    release_tags,
)

NOT_ASKED = "no token: Zenodo was not asked"
KEPT = "The local commit of the DOIs is kept"
# What a dry run shows of each version's metadata, in this order.
SHOWN_METADATA = ("title", "version", "publication_date", "license", "related_identifiers")


@dataclass(frozen=True)
class Asked:
    """One `release` as asked for. `url` is the Zenodo released to (the sandbox's with
    `sandbox`); `concept` is zenodo_concept, named `concept_setting` in errors; `remote` is
    the remote from the settings, pushed to unless `no_push`."""

    url: str
    token: str | None
    token_variable: str  # where the token is looked for, for the error without one
    sandbox: bool
    concept: int | None
    concept_setting: str
    new_concept: bool
    tag: str | None
    out_of_order: bool
    remote: str
    no_push: bool
    dry_run: bool
    timeout: float
    retry_wait: float  # seconds before a second try, doubled before each later one


@dataclass(frozen=True)
class Prepared:
    """A run checked and ready: the tags to release, in turn, and where the DOIs are pushed."""

    run: Run
    head: Head
    tags: list[str]
    push_to: str | None


@dataclass
class Progressed:
    """What a run released, the head with their DOIs, and the failure that stopped it, if any:
    the versions published before a failure are recorded all the same."""

    head: Head
    released: list[Released] = field(default_factory=list)
    failure: PublisherError | None = None


def prepare(repo: git.Repo, asked: Asked, today: date, warn: Progress) -> Prepared:
    """Everything read and refused before Zenodo is asked anything; `warn` gets each warning
    (a tag released out of order) as it is found."""
    url = asked.url.rstrip("/")
    head = read_head(repo, url, fresh_record=asked.sandbox)
    # zenodo_concept is zenodo.org's: the sandbox, where every run starts afresh, has none.
    concept = None if asked.sandbox else asked.concept
    if asked.new_concept:
        check_new_concept(head.record, concept, asked.concept_setting)
    tags = pending_tags(repo, head.record, asked.tag)
    if not asked.sandbox:  # the sandbox keeps no record: every run there starts afresh
        released = head.record.releases
        for line in check_order(publish_tags(repo), released, tags, asked.out_of_order):
            warn(line)
    push_to = None if asked.no_push or asked.sandbox else check_remote(repo, asked.remote)
    remote_url = remote_url_of(repo, asked.remote)
    if asked.token is None and not asked.dry_run:
        raise UsageError(f"{asked.token_variable} is not set.", TOKEN_TIP)
    patience = Patience(timeout=asked.timeout, backoff=asked.retry_wait)
    if asked.dry_run:  # one read, tried once: a check of the setup, not a release
        patience = replace(patience, attempts=1)
    api = ZenodoApi(url, asked.token or "", patience)
    notes = ZenodoNotes(Path(repo.common_dir).resolve() / NOTES_FILE, url)
    run = Run(api, repo, today, remote_url, concept, notes, asked.new_concept)
    return Prepared(run, head, tags, push_to)


def remote_url_of(repo: git.Repo, name: str) -> str | None:
    try:
        return str(repo.remote(name).url)
    except ValueError:
        return None


def release_all(prepared: Prepared, progress: Progress, warn: Progress) -> Progressed:
    """Each tag released in turn, until one fails: what was done is kept either way."""
    done = Progressed(prepared.head)
    try:
        for released, after in release_tags(
            prepared.run, prepared.head, prepared.tags, progress, warn
        ):
            done.released.append(released)
            done.head = after
    except PublisherError as failure:
        done.failure = failure
    return done


def record(prepared: Prepared, done: Progressed, say: Progress) -> None:
    """The DOIs committed and pushed (`say` tells of the push), then forgotten by the notes:
    the record says it now."""
    record_and_push(prepared.run.repo, done.head, done.released, prepared.push_to, say)
    prepared.run.notes.forget(list(done.head.record.releases))


def tried(prepared: Prepared, done: Progressed) -> None:
    """The sandbox records nothing: its versions are only forgotten by the notes."""
    prepared.run.notes.forget([r.tag for r in done.released])


def record_and_push(
    repo: git.Repo, head: Head, released: list[Released], remote: str | None, say: Progress
) -> None:
    """One follow-up commit with the DOIs, pushed; or the push a failed run left to do."""
    root, branch = Path(str(repo.working_tree_dir)), current_branch(repo)
    if released:
        files = record_files(head, root)
        check_own_files(repo, root, files)
        write_files_at(root, files)
        commit_paths(repo, list(files), record_message([r.tag for r in released]))
    if remote is not None and ours_unpushed(repo, branch, remote):
        say(f"Pushing the DOI record to {remote}/{branch}")
        push_branch(repo, remote, branch, KEPT)


def check_own_files(repo: git.Repo, root: Path, files: dict[str, str]) -> None:
    """The record files are the release's own: a copy a failed run wrote is rewritten, but a
    person's uncommitted edit is never overwritten."""
    for name, text in files.items():
        path = root / name
        if not path.exists():
            continue
        found = path.read_text(encoding="utf-8", errors="replace")
        if found not in (text, head_text(repo, name)):
            raise MetadataError(
                f"{name} has uncommitted changes that the release would overwrite.",
                f"Commit or stash them (`git stash -- {name}`), then run the release again.",
            )


def write_files_at(root: Path, files: dict[str, str]) -> None:
    by_folder: dict[Path, dict[str, bytes]] = {}
    for name, text in files.items():
        path = root / name
        by_folder.setdefault(path.parent, {})[path.name] = text.encode()
    for folder, contents in by_folder.items():
        write_files(folder, contents)


def ours_unpushed(repo: git.Repo, branch: str, remote: str) -> bool:
    """HEAD is a DOI record commit of ours that the remote's branch lacks."""
    head = repo.head.commit
    return RELEASED_TRAILER in head.trailers_dict and not pushed(repo, head, branch, remote)


# --- the dry run --------------------------------------------------------------------------------


def token_words(api: ZenodoApi, looked: bool) -> str:
    """With a token, one read-only call (the token's depositions): Zenodo answers and takes
    the token, or a one-line error. Publishing needs more (the deposit:actions scope), which no
    read shows."""
    if not looked:
        return NOT_ASKED
    api.read_depositions()
    return (
        f"Zenodo at {api.url} answered and read this token's depositions; a read cannot prove"
        " the right to publish (the deposit:write and deposit:actions scopes): a release does."
    )


def concept_words(prepared: Prepared) -> str:
    run = prepared.run
    concept = prepared.head.record.concept_recid or run.concept
    unless = "unless the token's depositions hold these tags' own files"
    if run.new_concept:
        return f"a new concept of this repository's own (--new-concept), {unless}"
    if concept is None:
        return f"a new concept, {unless}"
    return f"a new version of concept {concept}"


def dry_run_rows(prepared: Prepared, tag: str) -> list[tuple[str, str]]:
    """What would be sent for `tag`, as (name, what) rows: its metadata, its files with their
    sizes and MD5s, the files left out, and the CITATION.cff it would get."""
    run = prepared.run
    ask = ask_for(run, tag, prepared.head)
    metadata = version_metadata(ask.human, ask.version, ask.related)
    rows = [(key, str(metadata.get(key, ""))) for key in SHOWN_METADATA]
    rows.append(("creators", "; ".join(c["name"] for c in metadata["creators"])))
    rows += [(file.name, f"{file.size:,} bytes, {file.md5()}") for file in ask.files]
    rows += [(name, "not sent: not one of the month's files") for name in ask.stray]
    citation = version_citation(ask.human, tag, run.today, "10.5281/zenodo.RESERVED", "…")
    rows.append((CITATION_CFF, f"generated, {len(citation.encode()):,} bytes"))
    return rows
