"""Pages to bytes with jinja2, autoescaping everything, from the templates in `site/`.

`site/` is shipped as the package `publisher.website.assets` (a package-dir mapping in
pyproject.toml): importlib.resources reads it the same way from a wheel and from the
editable install of a checkout.
"""

from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

import jinja2
from markupsafe import Markup, escape

from publisher.release.zenodo.metadata import METHOD_WORDS
from publisher.website.breakdown import GROUP_KEY, HEADERS, blank_notes
from publisher.website.history_files import HistoryMonth, history_notes
from publisher.website.markup import attribute
from publisher.website.pages import ANY_DEPTH, Page, Views, root_of
from publisher.website.project import HISTORY_WORDS, Point
from publisher.website.search import SEARCH_INDEX, full_list_path
from publisher.website.svg import chart_svg

ASSETS = "publisher.website.assets"
STATIC = "static"


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader(ASSETS, "templates"),
        autoescape=True,  # every template, whatever its extension: names come from data
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates do not change during a build: no stat per page
    )
    env.filters["thousands"] = lambda number: f"{number:,}"
    env.globals["method_words"] = METHOD_WORDS
    env.globals["history_rows"] = history_rows
    env.globals["chart_svg"] = chart_svg
    env.globals["group_key"] = GROUP_KEY
    return env


def canonical(url: str | None, path: str) -> str | None:
    """The page's absolute address: a folder's `index.html` is the folder itself."""
    if url is None:
        return None
    return url + path.removesuffix("index.html")


def shared_fragments(views: Views) -> dict[str, Any]:
    """What pages repeat, worked out once: for every page, the search box's index and the
    full list it links to without JavaScript (base.html); for project pages, each month's
    cells in the detailed table (they are one folder deep). A project page's cells leave
    their end tags out (HTML allows it): ten years of months are on each of 15,000 pages."""
    macros = environment().get_template("macros.html").module
    return {
        "search": {"index": SEARCH_INDEX, "list": full_list_path(views.site.history)},
        "month_cells": {
            tag: f"<th><a href={attribute(f'../{tag}/')}>{escape(tag)}</a>{views.dois.get(tag, '')}"
            for tag, view in views.views.items()
        },
        "history_cells": {
            m.tag: history_cells(m) for m in views.timeline if isinstance(m, HistoryMonth)
        },
        "notes_cells": {
            tag: str(
                macros.notes_cell(  # type: ignore[attr-defined]
                    view.notes, blank_notes(views.columns[tag])
                )
            ).removesuffix("</td>")
            for tag, view in views.views.items()
        },
    }


def history_rows(table: list[Point], shared: Any) -> Markup:
    """A project page's detailed rows: the build's hottest template loop (12 rows on each of
    15,000 pages) as string joins of the fragments made once per build, and the breakdown's
    cells (breakdown.py). The values are numbers, so nothing here needs escaping."""
    rows = []
    for point in table:
        numbers = f"<td>{point.rank:,}<td>{point.downloads:,}" if point.rank else ""
        if isinstance(point.entry, HistoryMonth):
            cells = shared["history_cells"][point.tag]
            rows.append(cells.format(numbers or NOT_RANKED.format(point.entry.rows)))
            continue
        view, month = point.entry, point.month
        if numbers and month is not None:
            numbers += month.cells
        else:
            numbers = f"<td colspan={2 + len(HEADERS)}>not in the top {len(view.month.rows):,}"
        tag = point.tag
        rows.append(f"<tr>{shared['month_cells'][tag]}{numbers}{shared['notes_cells'][tag]}")
    return Markup("".join(rows))


NOT_RANKED = "<td colspan=2>not in the top {:,}"


def history_cells(month: HistoryMonth) -> str:
    """A history month's detailed row, `{}` where the rank and downloads go: its tag (no
    folder of its own), its period, one dash across the breakdown, and its notes."""
    tag = escape(month.tag)
    dash = f"<td class=none colspan={len(HEADERS)}>\u2014 {HISTORY_WORDS}"
    notes = escape("; ".join(history_notes(month)))
    return f"<tr class=history><th>{tag}{{}}{dash}<td>{'* ' if notes else ''}{notes}"


def render(page: Page, url: str | None, shared: dict[str, Any] | None = None) -> bytes:
    # A page served at any address (404.html) links absolutely when the site's address is
    # known: its relative links would lead to other missing pages.
    absolute = url is not None and page.context.get(ANY_DEPTH) is True
    root = url if absolute and url is not None else root_of(page.path)
    context: dict[str, Any] = {
        **page.context,
        "shared": shared,
        "root": root,
        "home": root or "./",
        "canonical": canonical(url, page.path),
        "site_url": url,
    }
    return environment().get_template(page.template).render(context).encode("utf-8")


def render_text(template: str, context: dict[str, Any]) -> bytes:
    return environment().get_template(template).render(context).encode("utf-8")


def static_files() -> dict[str, bytes]:
    """The stylesheet, the script and the icon, by their path in the site."""
    folder = files(ASSETS).joinpath(STATIC)
    return {f"{STATIC}/{name}": body for name, body in _walk(folder, "")}


def _walk(folder: Traversable, prefix: str) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            found += _walk(entry, f"{prefix}{entry.name}/")
        else:
            found.append((prefix + entry.name, entry.read_bytes()))
    return found
