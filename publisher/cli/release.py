"""`top-pypi release`: every publish tag without a DOI made a Zenodo version, then the DOIs
recorded on the branch in one commit, pushed. `--dry-run` shows what would be sent;
`--sandbox` tries it out on Zenodo's sandbox and never writes into the repository."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import git
from rich.console import Console
from rich.table import Table

from publisher.base.errors import MetadataError, PublisherError, UsageError
from publisher.base.progress import Progress, status
from publisher.base.secrets import Redactor, secret_from
from publisher.base.settings import check_zenodo_url
from publisher.cli import summary
from publisher.cli.options import settings_for
from publisher.cli.redacted import redacted_output
from publisher.dataset.write import write_files
from publisher.release.commits import publish_tags
from publisher.release.duplicate import pushed
from publisher.release.git import commit_paths, push_branch
from publisher.release.git_state import check_remote, current_branch
from publisher.release.lock import repository_lock
from publisher.release.repository import open_repo
from publisher.release.zenodo.api import SANDBOX_URL, TOKEN_TIP, Patience, ZenodoApi
from publisher.release.zenodo.citation import version_citation
from publisher.release.zenodo.metadata import CITATION_CFF, version_metadata
from publisher.release.zenodo.notes import NOTES_FILE, ZenodoNotes
from publisher.release.zenodo.order import check_order
from publisher.release.zenodo.record import RELEASES_FILE
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

TOKEN_VARIABLES = {False: "ZENODO_API_TOKEN", True: "ZENODO_SANDBOX_API_TOKEN"}
NOT_ASKED = "no token: Zenodo was not asked"
KEPT = "The local commit of the DOIs is kept"
SANDBOX_URL_VARIABLE = "TOP_PYPI_ZENODO_SANDBOX_URL"


def zenodo_token(environ: Mapping[str, str], sandbox: bool) -> str | None:
    """The token from the environment (never from a file or an option: it would be logged),
    without the line end a pasted secret keeps; empty means unset, as CI passes a secret that
    is not defined."""
    return secret_from(environ, TOKEN_VARIABLES[sandbox])


def token_redactor(environ: Mapping[str, str]) -> Redactor:
    """Both tokens, as the environment holds them: neither is ever shown, in any form."""
    return Redactor(*(environ.get(name) for name in TOKEN_VARIABLES.values()))


def sandbox_url(environ: Mapping[str, str]) -> str:
    """Zenodo's sandbox, or a stand-in of it (the tests', or one's own)."""
    url = environ.get(SANDBOX_URL_VARIABLE) or SANDBOX_URL
    check_zenodo_url(url, SANDBOX_URL_VARIABLE)
    return url.rstrip("/")


def release_command(options: dict[str, Any], now: datetime, out: Console, err: Console) -> int:
    """Every line the release prints, writes into --summary or fails with is redacted."""
    redact = token_redactor(os.environ)
    with redacted_output(redact, out, err):
        try:
            return release_steps(options, now, out, err, redact)
        except PublisherError as error:
            raise redact.error(error) from None


def release_steps(
    options: dict[str, Any], now: datetime, out: Console, err: Console, redact: Redactor
) -> int:
    repo = open_repo(Path(options["repo"]))
    if options["dry_run"]:  # it reads, and changes nothing: no lock
        return release_locked(repo, options, now, out, err, redact)
    # From reading the record to its last push: a run that read the branch before another
    # recorded its DOIs would release again from a stale record. The sandbox writes the notes.
    with repository_lock(Path(repo.common_dir).resolve()):
        return release_locked(repo, options, now, out, err, redact)


def release_locked(
    repo: git.Repo,
    options: dict[str, Any],
    now: datetime,
    out: Console,
    err: Console,
    redact: Redactor,
) -> int:
    root = Path(str(repo.working_tree_dir))
    settings = settings_for(options, root)
    sandbox = bool(options["sandbox"])
    url = sandbox_url(os.environ) if sandbox else settings.zenodo_url.rstrip("/")
    token = zenodo_token(os.environ, sandbox)
    head = read_head(repo, url, fresh_record=sandbox)
    # zenodo_concept is zenodo.org's: the sandbox, where every run starts afresh, has none.
    concept = None if sandbox else settings.zenodo_concept
    if options["new_concept"]:
        concept_setting = settings.name("zenodo_concept", str(concept))
        check_new_concept(head.record, concept, concept_setting)
    tags = pending_tags(repo, head.record, options["tag"])
    if not sandbox:  # the sandbox keeps no record: every run there starts afresh
        released, out_of_order = head.record.releases, bool(options["out_of_order"])
        for line in check_order(publish_tags(repo), released, tags, out_of_order):
            warner(err)(line)
    remote = None if options["no_push"] or sandbox else check_remote(repo, settings.remote)
    remote_url = remote_url_of(repo, settings.remote)
    if token is None and not options["dry_run"]:
        raise UsageError(f"{TOKEN_VARIABLES[sandbox]} is not set.", TOKEN_TIP)
    patience = Patience(timeout=settings.timeout)
    if options["dry_run"]:  # one read, tried once: a check of the setup, not a release
        patience = replace(patience, attempts=1)
    api = ZenodoApi(url, token or "", patience)
    notes = ZenodoNotes(Path(repo.common_dir).resolve() / NOTES_FILE, url)
    run = Run(api, repo, now.date(), remote_url, concept, notes, options["new_concept"])
    if options["dry_run"]:
        return dry_run(run, head, tags, token is not None, out)
    if sandbox:
        return try_out(run, head, tags, out, err)
    if not tags:
        out.print("Nothing to release: every publish tag has a DOI.", highlight=False)
    done = release_all(run, head, tags, err)
    record_and_push(repo, done.head, done.released, remote, err)
    notes.forget(list(done.head.record.releases))  # recorded: the DOIs say it now
    show(out, done.head, done.released, tags_asked(options, done.head), url)
    write_summary(options.get("summary"), done, url, redact)
    if done.failure is not None:
        raise done.failure
    return 0


def remote_url_of(repo: git.Repo, name: str) -> str | None:
    try:
        return str(repo.remote(name).url)
    except ValueError:
        return None


@dataclass
class Progressed:
    """What a run released, the head with their DOIs, and the failure that stopped it, if any:
    the versions published before a failure are recorded all the same."""

    head: Head
    released: list[Released] = field(default_factory=list)
    failure: PublisherError | None = None


def release_all(run: Run, head: Head, tags: list[str], err: Console) -> Progressed:
    done = Progressed(head)
    if not tags:
        return done
    with status(err, f"Releasing {', '.join(tags)} to Zenodo at {run.api.url}") as progress:
        try:
            for released, after in release_tags(run, head, tags, progress, warner(err)):
                done.released.append(released)
                done.head = after
        except PublisherError as failure:
            done.failure = failure
    return done


def warner(err: Console) -> Progress:
    """Warnings as lines of their own: the run goes on."""
    return lambda line: err.print(f"warning: {line}", highlight=False, soft_wrap=True)


def try_out(run: Run, head: Head, tags: list[str], out: Console, err: Console) -> int:
    """The sandbox: DOIs printed, nothing written into the repository."""
    done = release_all(run, head, tags, err)
    run.notes.forget([r.tag for r in done.released])
    show(out, done.head, done.released, [r.tag for r in done.released], run.api.url)
    out.print("Sandbox: nothing was committed; these DOIs are not real.", highlight=False)
    if done.failure is not None:
        raise done.failure
    return 0


def record_and_push(
    repo: git.Repo, head: Head, released: list[Released], remote: str | None, err: Console
) -> None:
    """One follow-up commit with the DOIs, pushed; or the push a failed run left to do."""
    root, branch = Path(str(repo.working_tree_dir)), current_branch(repo)
    if released:
        files = record_files(head, root)
        check_own_files(repo, root, files)
        write_files_at(root, files)
        commit_paths(repo, list(files), record_message([r.tag for r in released]))
    if remote is not None and ours_unpushed(repo, branch, remote):
        err.print(f"Pushing the DOI record to {remote}/{branch}", style="dim", highlight=False)
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


def tags_asked(options: dict[str, Any], head: Head) -> list[str]:
    return [options["tag"]] if options["tag"] else sorted(head.record.releases)


def show(out: Console, head: Head, released: list[Released], tags: list[str], url: str) -> None:
    sent = {r.tag for r in released if r.outcome.sent}
    table = Table(title=f"Zenodo at {url}", show_header=True)
    for column in ("tag", "DOI", "record", "this run"):
        table.add_column(column, overflow="fold")
    for tag in tags:
        entry = head.record.releases.get(tag)
        if entry is None:
            continue
        done = "published" if tag in sent else "already there"
        table.add_row(tag, entry.doi, entry.url, done)
    if head.record.concept_doi:
        table.caption = f"All versions: {head.record.concept_doi}"
    if table.row_count:
        out.print(table)


def write_summary(path: str | None, done: Progressed, url: str, redact: Redactor) -> None:
    """Markdown for a CI job's summary: what was released, and what stopped the run."""
    if not path:
        return
    lines = ["## Zenodo release", "", f"Zenodo: {url}", ""]
    if not done.released and done.failure is None:
        lines.append("Nothing to release: every tag has a DOI.")
    for released in done.released:
        r = released.outcome.released
        lines.append(f"- **{released.tag}**: DOI [{r.doi}](https://doi.org/{r.doi}), {r.url}")
    if done.head.record.concept_doi:
        lines += ["", f"All versions: {done.head.record.concept_doi}"]
    # A failure is added by the command line, as for every command (redacted by then).
    summary.append(path, [redact(line) for line in lines])


def dry_run(run: Run, head: Head, tags: list[str], looked: bool, out: Console) -> int:
    """What would be sent, tag by tag, after one read that checks the token (only with one);
    Zenodo is never changed."""
    said = token_check(run.api) if looked else NOT_ASKED
    out.print(said, highlight=False, soft_wrap=True)
    if not tags:
        out.print("Nothing to release: every tag has a DOI.", highlight=False)
        return 0
    out.print(f"Zenodo at {run.api.url}: {concept_words(run, head)}.", highlight=False)
    for tag in tags:
        ask = ask_for(run, tag, head)
        metadata = version_metadata(ask.human, ask.version, ask.related)
        table = Table(title=f"Release {tag} (dry run: nothing is sent)", show_header=False)
        table.add_column(style="bold cyan")
        table.add_column(overflow="fold")
        for key in ("title", "version", "publication_date", "license", "related_identifiers"):
            table.add_row(key, str(metadata.get(key, "")))
        table.add_row("creators", "; ".join(c["name"] for c in metadata["creators"]))
        for file in ask.files:
            table.add_row(file.name, f"{file.size:,} bytes, {file.md5()}")
        for name in ask.stray:
            table.add_row(name, "not sent: not one of the month's files")
        citation = version_citation(ask.human, tag, run.today, "10.5281/zenodo.RESERVED", "…")
        table.add_row(CITATION_CFF, f"generated, {len(citation.encode()):,} bytes")
        out.print(table)
    return 0


def token_check(api: ZenodoApi) -> str:
    """One read-only call (the token's depositions): Zenodo answers and takes the token, or a
    one-line error. Publishing needs more (the deposit:actions scope), which no read shows."""
    api.read_depositions()
    return (
        f"Zenodo at {api.url} answered and read this token's depositions; a read cannot prove"
        " the right to publish (the deposit:write and deposit:actions scopes): a release does."
    )


def concept_words(run: Run, head: Head) -> str:
    concept = head.record.concept_recid or run.concept
    unless = "unless the token's depositions hold these tags' own files"
    if run.new_concept:
        return f"a new concept of this repository's own (--new-concept), {unless}"
    if concept is None:
        return f"a new concept, {unless}"
    return f"a new version of concept {concept}"


RELEASE_PATHS = (RELEASES_FILE, CITATION_CFF)
