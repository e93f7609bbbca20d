"""Every page of the site as (path, template, context): the ranking pages of the latest month
at the top and of each published tag in its own folder, a page per project, the archive and
the 404 page. Pure: the months in, page descriptions out; `render` turns them into bytes.

Every link is relative to the page it is on (`root` leads back to the site's top), so the
site works from any folder of any host; only the sitemap and canonical links are absolute.

The one hot loop, the rows of a ranking (up to 15,000 a page, 13 editions), is written here
as HTML with markupsafe's `escape` on every value that comes from data; everything else is
in the templates, autoescaped.
"""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Any

from markupsafe import Markup, escape

from publisher.base.days import LOGGING_CHANGE
from publisher.base.sizes import format_size
from publisher.dataset.history.index import COUNTED
from publisher.dataset.history.names import INDEX_FILE
from publisher.release.calver import month_of
from publisher.release.zenodo.metadata import Human
from publisher.release.zenodo.record import Record, Released
from publisher.website.breakdown import (
    MonthColumns,
    month_columns,
)
from publisher.website.changes import change, comparison, previous_ranks
from publisher.website.chart import Frame, Slot, bar_chart, frame
from publisher.website.cite import Citation, citation, released_on
from publisher.website.downloads import Elsewhere, FileRow, file_rows, month_sizes
from publisher.website.glance import glance
from publisher.website.history import History, month_index
from publisher.website.history_files import (
    SITE_FOLDER,
    HistoryMonth,
    HistoryMonths,
    history_notes,
)
from publisher.website.honest import ANCHOR, FLAGS_PAGE, honest
from publisher.website.kinds import Kind, folder_files, month_kind
from publisher.website.markup import attribute
from publisher.website.notes import (
    ENGINE_NAMES,
    engine_text,
    method_sentences,
    period_text,
    short_notes,
)
from publisher.website.tags import Month

SIZES = (100, 1000, 5000)  # the ranking pages below "all rows"
ROWS_PER_GROUP = 200  # rows in each <tbody> of a ranking table; site.css assumes it
PROJECT_PAGES = 15_000  # at most this many project pages, the top of the latest month
PYPI_PROJECT = "https://pypi.org/project/{}/"
DOI_URL = "https://doi.org/"
SAFE_NAME = re.compile(r"[a-z0-9-]+")
LONGEST_NAME, CUT = 200, 180  # bytes of a project page's file name (ASCII), before ".html"


@dataclass(frozen=True)
class Page:
    path: str  # relative to the site's top, "/" separated
    template: str
    context: dict[str, Any]


@dataclass(frozen=True)
class Site:
    """What the pages show: the history, the citation sources, the absolute URL if any."""

    history: History
    human: Human | None
    record: Record | None
    url: str | None
    skipped: tuple[str, ...] = ()  # older tags left out of the site, and why
    source: str | None = None  # the publishing repository's web address, if on GitHub
    past: HistoryMonths | None = None  # the months only the history files hold


@dataclass(frozen=True)
class MonthView:
    """A month as every page shows it, worked out once."""

    month: Month
    period: str
    notes: list[str]  # why it is not comparable with other months; empty if it is


class Views:
    """What many pages share, worked out once per build."""

    def __init__(self, site: Site) -> None:
        self.site = site
        history = site.history
        self.views = {
            m.tag: MonthView(m, period_text(m.dataset), _notes(history, m))
            for m in history.published
        }
        self.monthly = [self.views[m.tag] for m in history.monthly]
        self.honest = {m.tag: honest(m) for m in history.published}
        self._name_cells: dict[str, dict[str, str]] = {}
        tags = [m.tag for m in history.published]
        self.full = {tag for tag in tags if month_kind(tag, tags) == "full"}
        self.columns: dict[str, MonthColumns] = {
            m.tag: month_columns(m.tag, self.honest[m.tag], m.tag in self.full)
            for m in history.published
        }

    def kind(self, tag: str) -> Kind:
        return "full" if tag in self.full else "small"

    @cached_property
    def projects(self) -> dict[str, str]:
        """Project name -> its page, for the top of the latest month."""
        rows = self.site.history.latest.rows[:PROJECT_PAGES]
        return {row["project"]: project_path(row["project"]) for row in rows}

    def name_cells(self, root: str) -> dict[str, str]:
        """Project name -> its ranking cell for pages at `root`, filled as months are written.
        Most names are in every month, so each is escaped once a build, not once a month."""
        return self._name_cells.setdefault(root, {})

    @cached_property
    def frame(self) -> Frame:
        return frame([_slot(view) for view in self.monthly])

    @cached_property
    def dois(self) -> dict[str, str]:
        """Each released tag's DOI link as a project page's month cell ends with it (the
        attribute unquoted where it can be: ten years of rows are most of a page's bytes)."""
        record = self.site.record
        if record is None:
            return {}
        links = {}
        for tag, release in record.releases.items():
            links[tag] = f" <a href={attribute(DOI_URL + release.doi)}>DOI</a>"
        return links

    @cached_property
    def timeline(self) -> list[MonthView | HistoryMonth]:
        """Every month a project page shows, oldest first: the published months (each its
        latest correction) and the history months between and before them."""
        past = self.site.past.months if self.site.past is not None else []
        return sorted([*self.monthly, *past], key=lambda entry: month_index(entry_month(entry)))

    @cached_property
    def project_frame(self) -> Frame:
        """The project pages' month axis: the timeline's months."""
        return frame(
            [_slot(e) if isinstance(e, MonthView) else _past_slot(e) for e in self.timeline]
        )


def _notes(history: History, month: Month) -> list[str]:
    previous = history.previous(month)
    return short_notes(month.dataset, previous.dataset if previous is not None else None)


def _slot(view: MonthView) -> Slot:
    month = view.month
    end = date.fromisoformat(month.dataset["period"]["end"])
    label = month_of(month.tag)  # the axis is months; the table names the release
    return Slot(label, month_index(month.month), bool(view.notes), end >= LOGGING_CHANGE)


def entry_month(entry: MonthView | HistoryMonth) -> tuple[int, int]:
    return entry.month.month if isinstance(entry, MonthView) else entry.month


def _past_slot(month: HistoryMonth) -> Slot:
    marked = bool(history_notes(month))
    after = date.fromisoformat(month.end) >= LOGGING_CHANGE
    return Slot(month_of(month.tag), month_index(month.month), marked, after, history=True)


def project_path(name: str) -> str:
    """A file name for any project name: normalised names as they are; anything else with
    each byte outside [a-z0-9-] written `_xx` (no normalised name has `_`, so none collide).
    A name longer than LONGEST_NAME bytes (file systems allow 255 a name) is cut to its first
    CUT bytes, then `-` and the first 16 hex digits of the whole name's SHA-256."""
    if SAFE_NAME.fullmatch(name):
        stem = name
    else:
        stem = "".join(
            chr(b) if SAFE_NAME.fullmatch(chr(b)) else f"_{b:02x}" for b in name.encode("utf-8")
        )
    if len(stem) > LONGEST_NAME:
        stem = f"{stem[:CUT]}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:16]}"
    return f"project/{stem}.html"


def root_of(path: str) -> str:
    return "../" * path.count("/")


def sizes(rows: int) -> list[int]:
    return [size for size in SIZES if size < rows] + [rows]


def ranking_path(folder: str, size: int, first: bool) -> str:
    return f"{folder}index.html" if first else f"{folder}top-{size}.html"


def ranking_label(size: int, rows: int) -> str:
    return f"All {size:,}" if size == rows and size not in SIZES else f"Top {size:,}"


# --- ranking pages ------------------------------------------------------------------------------


def ranking_rows(views: Views, month: Month, root: str) -> list[str]:
    """The table rows of the whole month, as HTML, every value from data escaped. A row is
    its cells in column order: a new column is one more entry in `cells`. Written compact
    (markup.py): no end tags, and no space between rows, which would end up in a row's last
    cell."""
    history, projects = views.site.history, views.projects
    extra = views.honest[month.tag]
    before = previous_ranks(history, month)
    names = views.name_cells(root)
    rows = []
    for rank, row in enumerate(month.rows, 1):
        name = row["project"]
        if (named := names.get(name)) is None:
            named = names[name] = name_cell(name, projects.get(name), root)
        cells = [f"<td>{rank:,}", named, f"<td>{row['download_count']:,}"]
        if before is not None:
            changed = change(rank, before.get(name))
            cells.append(f"<td class={changed.kind}>{changed.text}")
        if extra is not None:
            cells.append(extra.cells(name))
        rows.append(f"<tr>{''.join(cells)}")
    return rows


def name_cell(name: str, link: str | None, root: str) -> str:
    """A ranking's project cell: its name, linked to its page when it has one."""
    if link is None:
        return f"<td>{escape(name)}"
    return f"<td><a href={attribute(root + link)}>{escape(name)}</a>"


def row_groups(rows: list[str]) -> Markup:
    """The rows in <tbody> groups of ROWS_PER_GROUP: the browser skips the layout and paint of
    every group off screen (content-visibility in site.css), so a long page costs about as
    much as its first screen, and the filter hides or shows whole groups."""
    groups = (rows[i : i + ROWS_PER_GROUP] for i in range(0, len(rows), ROWS_PER_GROUP))
    return Markup("".join(f"<tbody>\n{''.join(group)}</tbody>\n" for group in groups))


def month_citation(site: Site, month: Month) -> Citation:
    updated = str(month.dataset.get("last_update") or "")[:10]
    fallback = date.fromisoformat(updated or month.dataset["period"]["end"])
    released = released_on(month.tag, site.record, fallback)
    url = f"{site.url}{month.tag}/" if site.url else None
    return citation(site.human, month.tag, released, site.record, url)


def edition_pages(views: Views, month: Month, folder: str) -> Iterator[Page]:
    """The ranking pages of one month in `folder` ("" for the site's top, "2026.11/" for the
    tag's own stable address); the first also lists the files and how to cite them."""
    site = views.site
    rows = ranking_rows(views, month, root_of(folder))
    shown = sizes(len(rows))
    nav = [
        (ranking_label(size, len(rows)), ranking_path(folder, size, i == 0))
        for i, size in enumerate(shown)
    ]
    shared = {
        "month": month,
        "period": views.views[month.tag].period,
        "engine": engine_text(month.dataset),
        "warnings": method_sentences(month.dataset),
        "compared": comparison(site.history, month),
        "total": len(rows),
        "nav": nav,
        "is_latest": folder == "",
        "latest": site.history.latest.tag,
        "honest": views.honest[month.tag],
        "notes": views.views[month.tag].notes,
        "flags_page": FLAGS_PAGE,
    }
    for i, size in enumerate(shown):
        body = row_groups(rows[:size])  # built above, every value escaped
        context = {**shared, "body": body, "size": size, "label": nav[i][0]}
        if i == 0:
            context |= first_page_extras(views, month, folder, size)
        yield Page(nav[i][1], "ranking.html", context)
    if shared["honest"] is not None:
        yield flags_page(shared, folder)


def flags_page(shared: dict[str, Any], folder: str) -> Page:
    """The month's flags, each with its message: on a page of their own, as a real month can
    have many and the ranking comes first."""
    return Page(folder + FLAGS_PAGE, "flags.html", {**shared, "flags_anchor": ANCHOR})


def released(site: Site, tag: str) -> Released | None:
    """The tag's Zenodo record, when released."""
    return site.record.releases.get(tag) if site.record is not None else None


def month_file_rows(views: Views, month: Month, folder: str) -> list[FileRow]:
    """The month's files as its first page in `folder` lists them: those the folder holds
    linked there, the others where the whole release is."""
    sizes = month_sizes(month)
    held = folder_files(sizes, folder, views.kind(month.tag))
    elsewhere = Elsewhere(month.tag, released(views.site, month.tag), views.site.source)
    return file_rows(sizes, held, root_of(folder), folder, elsewhere)


def first_page_extras(views: Views, month: Month, folder: str, size: int) -> dict[str, Any]:
    extras: dict[str, Any] = {
        "files": month_file_rows(views, month, folder),
        "cite": month_citation(views.site, month),
    }
    if folder == "":
        extras["history"] = top_history(views, size)
        before = previous_ranks(views.site.history, month)
        months = [v.month for v in views.monthly]
        extras["glance"] = glance(views.frame, months, before, views.projects)
    return extras


def top_history(views: Views, size: int) -> dict[str, Any]:
    """Downloads of each month's top `size` projects, added up: the home page's chart."""
    totals = [sum(row["download_count"] for row in v.month.rows[:size]) for v in views.monthly]
    chart = bar_chart(views.frame, totals, f"Downloads of the top {size:,} projects per month")
    table = list(zip(views.monthly, totals, strict=True))[::-1]
    return {"chart": chart, "table": table, "size": size}


# --- the archive, 404 and the whole site ----------------------------------------------------------


def archive_page(views: Views) -> Page:
    record, history = views.site.record, views.site.history
    current = {m.tag for m in history.monthly}
    entries = []
    for month in reversed(history.published):
        released = record.releases.get(month.tag) if record is not None else None
        entries.append(
            {
                "view": views.views[month.tag],
                "rows": len(month.rows),
                "engine": engine_text(month.dataset),
                "method": month.dataset["engine"].get("method", ""),
                "doi": released.doi if released is not None else None,
                "superseded": month.tag not in current,
            }
        )
    return Page("archive.html", "archive.html", {"entries": entries, **archive_history(views)})


def archive_history(views: Views) -> dict[str, Any]:
    """The archive's history months, newest first: each with its period, rows, engine, where
    its rows came from and the year file that holds them (no folder of its own)."""
    past = views.site.past
    if past is None:
        return {"history": []}
    months = [
        {
            "tag": m.tag,
            "period": f"{m.start} to {m.end} ({m.days} day{'s' if m.days != 1 else ''}, UTC)",
            "rows": m.rows,
            "engine": ENGINE_NAMES.get(m.engine, m.engine),
            "method": m.method,
            "source": "counted" if m.source == COUNTED else f"copied from {m.source}",
            "file": m.file,
            "notes": history_notes(m),
        }
        for m in reversed(past.months)
    ]
    files = [
        (SITE_FOLDER + name, format_size(len(body))) for name, body in sorted(past.files.items())
    ]
    return {"history": months, "history_files": files, "history_index": SITE_FOLDER + INDEX_FILE}


ANY_DEPTH = "any_depth"  # a page the host serves at any address: absolute links when it can


def not_found_page() -> Page:
    return Page("404.html", "404.html", {ANY_DEPTH: True})
