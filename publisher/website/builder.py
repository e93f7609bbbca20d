"""`top-pypi site`: read the publish tags once, render every page in one pass, write the site.

    built = build_site(Path("."), Path("site-out"), url=None)

Rendering is split into jobs (one month's ranking pages, or a few hundred project pages) that
two processes share, each writing its own files: 15,000 project pages take seconds, not
minutes. The processes are forked after the data is read, so git is read once.
"""

import dataclasses
import gc
import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import git

from publisher.base.errors import MetadataError, ValidationError
from publisher.release.repository import open_repo
from publisher.release.zenodo.metadata import CITATION_CFF, ZENODO_JSON, Human, human_metadata
from publisher.release.zenodo.record import RELEASES_FILE, parse_record
from publisher.website.address import pages_url, repository_url
from publisher.website.checks import broken_reason
from publisher.website.downloads import month_files
from publisher.website.history import History
from publisher.website.history_files import (
    SITE_FOLDER,
    HistoryMonths,
    history_months,
    read_history_files,
)
from publisher.website.kinds import Kind, as_kind, folder_files, month_kind
from publisher.website.output import check_out_folder, staged, write_files
from publisher.website.pages import (
    PROJECT_PAGES,
    Site,
    Views,
    archive_page,
    edition_pages,
    not_found_page,
)
from publisher.website.project import project_pages
from publisher.website.render import render, render_text, shared_fragments, static_files
from publisher.website.search import SEARCH_INDEX, search_index
from publisher.website.small import small_pages
from publisher.website.tags import (
    Month,
    head_file,
    read_month,
    read_publish_tags,
    remote_url,
)
from publisher.website.unchanged import forget_build, input_digest, kept_build, remember_build

WORKERS = 2
PROJECTS_PER_JOB = 500
# One job: ("edition" | "files", folder, index of the tag), or ("projects", "", first index):
# a month's ranking pages, a month's data files, or a chunk of project pages.
Job = tuple[str, str, int]


@dataclass(frozen=True)
class Built:
    out: Path
    latest: str
    tags: int
    pages: int
    files: int
    bytes: int
    url: str | None
    skipped: tuple[str, ...] = ()  # older tags left out, and why
    unchanged: bool = False  # nothing it is made of changed: the site was left as it was


@dataclass
class Spool:
    """Where the data files of each tag but the latest go as soon as the tag is read: into
    the site's folder at once (those its kind keeps), only their sizes kept. Ten years of
    months hold ~750 MB of files; kept in memory to the end of the build, they made most of
    its peak. The latest month keeps its bytes: its files are written twice, at the root and
    in its folder."""

    folder: Path
    files: int = 0
    bytes: int = 0

    def let_go(self, month: Month, kind: Kind) -> Month:
        files = month_files(month)
        folder = f"{month.tag}/"
        kept = folder_files(files, folder, kind)
        count, size = write_files(self.folder, ((folder + n, b) for n, b in kept.items()))
        self.files, self.bytes = self.files + count, self.bytes + size
        return dataclasses.replace(month, files={}, sizes={n: len(b) for n, b in files.items()})


def read_site(
    repo_path: Path, url: str | None, remote: str = "origin", spool: Spool | None = None
) -> Site:
    """Everything the pages show, read from git in one go: each tag's data, then the release
    record and the citation sources from the branch head. With a `spool`, each older tag's
    files are written into its folder as it is read (see Spool)."""
    repo = open_repo(repo_path, work_tree=False)
    try:
        source = repository_url(remote_url(repo, remote))
        months, skipped = checked_months(repo, read_publish_tags(repo), spool)
        record_text = head_file(repo, RELEASES_FILE)
        sources = {
            name: text
            for name in (ZENODO_JSON, CITATION_CFF)
            if (text := head_file(repo, name)) is not None
        }
        history = History(months)
        history_files = read_history_files(repo, history.latest.tag)
    finally:
        repo.close()
    past, left_out = site_history(history, history_files)
    record = parse_record(record_text) if record_text is not None else None
    human = site_metadata(sources, repo_path) if sources else None
    return Site(history, human, record, url, (*skipped, *left_out), source, past)


def site_history(
    history: History, files: dict[str, bytes]
) -> tuple[HistoryMonths | None, tuple[str, ...]]:
    """The history months for the pages, or none and a warning when the files fail their
    checks (the site is built without them, as without a broken older tag)."""
    names = [row["project"] for row in history.latest.rows[:PROJECT_PAGES]]
    try:
        return history_months(files, {m.month for m in history.monthly}, names), ()
    except ValidationError as exc:
        return None, (f"The history files are left out of the site: {exc.message.rstrip('.')}.",)


def checked_months(
    repo: git.Repo, tags: list[str], spool: Spool | None = None
) -> tuple[list[Month], tuple[str, ...]]:
    """Each tag's month, its files checked (publisher.website.checks): a broken latest tag
    stops the build in one line; an older one is left out, said in the warnings returned.
    A month of the small kind (publisher.website.kinds) keeps only the files its folder keeps."""
    months: list[Month] = []
    skipped: list[str] = []
    for index, tag in enumerate(tags):
        latest = index == len(tags) - 1
        try:
            month = read_month(repo, tag)
            problem = broken_reason(month, whole=latest)
        except ValidationError as exc:
            problem = exc
        if problem is None:
            kind = month_kind(tag, tags)
            kept = as_kind(month, kind)
            months.append(spool.let_go(kept, kind) if spool is not None and not latest else kept)
        elif latest:
            raise ValidationError(
                f"The latest publish tag, {tag}, fails validate: {problem.message.rstrip('.')}.",
                "Its files are what scripts fetch from the site's root: publish a correction"
                " of the month (or mend the tag), then build the site again.",
            )
        else:
            skipped.append(f"{tag} is left out of the site: {problem.message.rstrip('.')}.")
    return months, tuple(skipped)


def site_metadata(sources: dict[str, str], repo_path: Path) -> Human:
    """The citation metadata, or one line naming the file, where it was read and the fix
    for this command (the release's own advice is to run the release again)."""
    try:
        return human_metadata(sources)
    except MetadataError as exc:
        raise MetadataError(
            f"{exc.message.rstrip('.')} (the file on the branch of {repo_path}).",
            "Mend it (cffconvert --validate checks a CITATION.cff), commit the fix,"
            " then build the site again.",
        ) from None


def remote_pages_url(repo_path: Path, remote: str) -> str | None:
    """GitHub Pages' address of the repository's remote, if it is on GitHub."""
    repo = open_repo(repo_path, work_tree=False)
    try:
        return pages_url(remote_url(repo, remote))
    finally:
        repo.close()


@dataclass(frozen=True)
class Renderer:
    """What a rendering process needs, inherited by fork: the views, the shared fragments,
    and the folder it writes into."""

    views: Views
    shared: dict[str, Any]
    folder: Path

    def jobs(self) -> list[Job]:
        published = self.views.site.history.published
        editions = [("edition", "", len(published) - 1)] + [
            ("edition", f"{m.tag}/", i) for i, m in enumerate(published)
        ]
        files = [("files", folder, index) for _, folder, index in editions]
        count = len(self.views.projects)
        chunks = [("projects", "", i) for i in range(0, count, PROJECTS_PER_JOB)]
        return [*editions, *files, *chunks]

    def run(self, job: Job) -> tuple[list[str], int, int]:
        """Render and write one job's pages: (their paths, files, bytes)."""
        kind, folder, index = job
        url = self.views.site.url
        if kind == "files":
            month = self.views.site.history.published[index]
            files = folder_files(month_files(month), folder, self.views.kind(month.tag))
            count, size = write_files(self.folder, ((folder + n, b) for n, b in files.items()))
            return [], count, size
        if kind == "edition":
            published = self.views.site.history.published
            month = published[index]
            small = month_kind(month.tag, [m.tag for m in published]) == "small"
            pages = (
                [
                    (p.path, render(p, url, self.shared))
                    for p in small_pages(self.views, month, folder)
                ]
                if small
                else [
                    (p.path, render(p, url, self.shared))
                    for p in edition_pages(self.views, month, folder)
                ]
            )
        else:
            names = list(self.views.projects)[index : index + PROJECTS_PER_JOB]
            pages = [
                (p.path, render(p, url, self.shared)) for p in project_pages(self.views, names)
            ]
        count, size = write_files(self.folder, pages)
        return [path for path, _ in pages], count, size


_RENDERER: Renderer | None = None  # set in the parent before forking


def _run_job(job: Job) -> tuple[list[str], int, int]:
    assert _RENDERER is not None
    return _RENDERER.run(job)


def render_pages(renderer: Renderer, workers: int) -> Iterator[tuple[list[str], int, int]]:
    global _RENDERER
    jobs = renderer.jobs()
    with collector_paused():
        if workers <= 1:
            yield from map(renderer.run, jobs)
            return
        _RENDERER = renderer
        try:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                yield from pool.imap_unordered(_run_job, jobs)
        finally:
            _RENDERER = None


@contextmanager
def collector_paused() -> Iterator[None]:
    """The months read from git stay alive to the end of the build: set aside from the
    garbage collector (gc.freeze) while pages are made, its many runs do not walk them again,
    and in a forked process do not write to them, which would copy the memory it shares."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def other_files(
    views: Views, shared: dict[str, Any], html: list[str]
) -> Iterator[tuple[str, bytes]]:
    """Everything the jobs do not write: the archive, 404, assets, the search's index,
    robots.txt and the sitemap (of every page in `html`)."""
    site = views.site
    for page in (archive_page(views), not_found_page()):
        html.append(page.path)
        yield page.path, render(page, site.url, shared)
    yield from static_files().items()
    if site.past is not None:  # the history files, byte for byte, for the archive's links
        yield from ((SITE_FOLDER + name, body) for name, body in site.past.files.items())
    yield SEARCH_INDEX, search_index(site.history, views.projects)
    yield "robots.txt", render_text("robots.txt", {"site_url": site.url})
    if site.url is not None:
        pages = sorted(path.removesuffix("index.html") for path in html if path != "404.html")
        yield "sitemap.xml", render_text("sitemap.xml", {"site_url": site.url, "pages": pages})
    yield ".nojekyll", b""  # GitHub Pages: serve the files as they are, `_` names included


def build_site(
    repo_path: Path, out: Path, url: str | None, workers: int = WORKERS, remote: str = "origin"
) -> Built:
    check_out_folder(out)
    inputs = input_digest(repo_path, url, remote)
    if (kept := kept_build(out, inputs)) is not None:
        skipped = tuple(kept.pop("skipped"))  # the warnings of the build that wrote it
        return Built(out=out, url=url, skipped=skipped, unchanged=True, **kept)
    forget_build(out)
    html: list[str] = []
    with staged(out) as folder:
        spool = Spool(folder)
        site = read_site(repo_path, url, remote, spool)
        views = Views(site)
        files, size = spool.files, spool.bytes
        renderer = Renderer(views, shared_fragments(views), folder)
        for paths, count, written in render_pages(renderer, workers):
            html += paths
            files, size = files + count, size + written
        count, written = write_files(folder, other_files(views, renderer.shared, html))
    history = site.history
    built = Built(
        out, history.latest.tag, len(history.published), len(html), files + count,
        size + written, url, site.skipped,
    )  # fmt: skip
    remember_build(out, inputs, asdict(built))
    return built
