"""`top-pypi release`: every publish tag without a DOI made a Zenodo version, then the DOIs
recorded on the branch in one commit, pushed. `--dry-run` shows what would be sent;
`--sandbox` tries it out on Zenodo's sandbox and never writes into the repository."""

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import git
from rich.console import Console
from rich.table import Table

from publisher.base.progress import Progress, status
from publisher.base.secrets import secret_from
from publisher.base.settings import check_zenodo_url
from publisher.cli import summary
from publisher.cli.options import ReleaseOptions
from publisher.cli.resolve import settings_for
from publisher.release.lock import repository_lock
from publisher.release.repository import open_repo
from publisher.release.stage import (
    Asked,
    Prepared,
    Progressed,
    concept_words,
    dry_run_rows,
    prepare,
    record,
    release_all,
    token_words,
    tried,
)
from publisher.release.zenodo.api import SANDBOX_URL
from publisher.release.zenodo.run import Head, Released

TOKEN_VARIABLES = {False: "ZENODO_API_TOKEN", True: "ZENODO_SANDBOX_API_TOKEN"}
SANDBOX_URL_VARIABLE = "TOP_PYPI_ZENODO_SANDBOX_URL"


def zenodo_token(environ: Mapping[str, str], sandbox: bool) -> str | None:
    """The token from the environment (never from a file or an option: it would be logged),
    without the line end a pasted secret keeps; empty means unset, as CI passes a secret that
    is not defined."""
    return secret_from(environ, TOKEN_VARIABLES[sandbox])


def sandbox_url(environ: Mapping[str, str]) -> str:
    """Zenodo's sandbox, or a stand-in of it (the tests', or one's own)."""
    url = environ.get(SANDBOX_URL_VARIABLE) or SANDBOX_URL
    check_zenodo_url(url, SANDBOX_URL_VARIABLE)
    return url.rstrip("/")


def release_command(options: ReleaseOptions, now: datetime, out: Console, err: Console) -> int:
    with open_repo(options.repo) as repo:  # its git processes end with the command
        return release_in(repo, options, now, out, err)


def release_in(
    repo: git.Repo, options: ReleaseOptions, now: datetime, out: Console, err: Console
) -> int:
    if options.dry_run:  # it reads, and changes nothing: no lock
        return release_locked(repo, options, now, out, err)
    # From reading the record to its last push: a run that read the branch before another
    # recorded its DOIs would release again from a stale record. The sandbox writes the notes.
    with repository_lock(Path(repo.common_dir).resolve()):
        return release_locked(repo, options, now, out, err)


def release_locked(
    repo: git.Repo,
    options: ReleaseOptions,
    now: datetime,
    out: Console,
    err: Console,
) -> int:
    asked = asked_for(options, Path(str(repo.working_tree_dir)))
    prepared = prepare(repo, asked, now.date(), warner(err))
    if asked.dry_run:
        return dry_run(prepared, asked.token is not None, out)
    if asked.sandbox:
        return try_out(prepared, out, err)
    if not prepared.tags:
        out.print("Nothing to release: every publish tag has a DOI.", highlight=False)
    done = releasing(prepared, err)
    record(prepared, done, lambda line: err.print(line, style="dim", highlight=False))
    show(out, done.head, done.released, tags_asked(options.tag, done.head), asked.url)
    write_summary(options.summary, done, asked.url)
    if done.failure is not None:
        raise done.failure
    return 0


def asked_for(options: ReleaseOptions, root: Path) -> Asked:
    """The options, settings and environment, read into what the release stage takes."""
    settings = settings_for(options.given, root)
    sandbox = options.sandbox
    url = sandbox_url(os.environ) if sandbox else settings.zenodo_url.rstrip("/")
    concept = settings.zenodo_concept
    return Asked(
        url=url,
        token=zenodo_token(os.environ, sandbox),
        token_variable=TOKEN_VARIABLES[sandbox],
        sandbox=sandbox,
        concept=concept,
        concept_setting=settings.name("zenodo_concept", str(None if sandbox else concept)),
        new_concept=options.new_concept,
        tag=options.tag,
        out_of_order=options.out_of_order,
        remote=settings.remote,
        no_push=options.no_push,
        dry_run=options.dry_run,
        timeout=settings.timeout,
        retry_wait=settings.zenodo_retry_wait,
    )


def releasing(prepared: Prepared, err: Console) -> Progressed:
    """The stage's release of every tag, under a status line while Zenodo is at work."""
    if not prepared.tags:
        return Progressed(prepared.head)
    where = f"Releasing {', '.join(prepared.tags)} to Zenodo at {prepared.run.api.url}"
    with status(err, where) as progress:
        return release_all(prepared, progress, warner(err))


def warner(err: Console) -> Progress:
    """Warnings as lines of their own: the run goes on."""
    return lambda line: err.print(f"warning: {line}", highlight=False, soft_wrap=True)


def try_out(prepared: Prepared, out: Console, err: Console) -> int:
    """The sandbox: DOIs printed, nothing written into the repository."""
    done = releasing(prepared, err)
    tried(prepared, done)
    released = [r.tag for r in done.released]
    show(out, done.head, done.released, released, prepared.run.api.url)
    out.print("Sandbox: nothing was committed; these DOIs are not real.", highlight=False)
    if done.failure is not None:
        raise done.failure
    return 0


def tags_asked(tag: str | None, head: Head) -> list[str]:
    """The tag given to `--tag`, else every tag of the record."""
    return [tag] if tag else sorted(head.record.releases)


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


def write_summary(path: str | None, done: Progressed, url: str) -> None:
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
    # A failure is added by the command line, as for every command.
    summary.append(path, lines)


def dry_run(prepared: Prepared, looked: bool, out: Console) -> int:
    """What would be sent, tag by tag, after one read that checks the token (only with one);
    Zenodo is never changed."""
    out.print(token_words(prepared.run.api, looked), highlight=False, soft_wrap=True)
    if not prepared.tags:
        out.print("Nothing to release: every tag has a DOI.", highlight=False)
        return 0
    where = f"Zenodo at {prepared.run.api.url}: {concept_words(prepared)}."
    out.print(where, highlight=False)
    for tag in prepared.tags:
        table = Table(title=f"Release {tag} (dry run: nothing is sent)", show_header=False)
        table.add_column(style="bold cyan")
        table.add_column(overflow="fold")
        for name, what in dry_run_rows(prepared, tag):
            table.add_row(name, what)
        out.print(table)
    return 0
