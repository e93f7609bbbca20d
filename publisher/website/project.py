"""A project's page: its rank and downloads in every month, from the first month of the
history files to the latest release, in one chart (project_chart.py) and two tables.

The newest FULL_MONTHS published months (publisher.website.kinds; and any history month
between them) are the detailed table: each release with its breakdown and its DOI. Every
earlier month is a cell of a grid of years by months (month_grid.py): its downloads and rank,
a history month (counted later, from the history files, with no folder of its own) marked.
Ten years of months then stay a small page (docs/site.md).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup

from publisher.base.installers import INSTALLER_GROUPS
from publisher.website.breakdown import HEADER_CELLS, ProjectMonth, project_month
from publisher.website.history import month_index
from publisher.website.history_files import HistoryMonth
from publisher.website.honest import ANCHOR, FLAGS_PAGE, project_flags
from publisher.website.month_grid import HEAD, any_history, grid_notes, grid_rows
from publisher.website.pages import PYPI_PROJECT, MonthView, Page, Views, entry_month
from publisher.website.project_chart import project_chart

HISTORY_WORDS = "history month: counted later, from the history files"


@dataclass(frozen=True)
class Point:
    """A project in one month of the timeline."""

    entry: MonthView | HistoryMonth
    rank: int | None
    downloads: int | None
    month: ProjectMonth | None = None  # a published month's breakdown cells

    @property
    def tag(self) -> str:
        entry = self.entry
        return entry.month.tag if isinstance(entry, MonthView) else entry.tag


def project_points(views: Views, name: str) -> list[Point]:
    """The project in every month of `views.timeline`, oldest first."""
    ranks = views.site.history.ranks
    past = iter(views.site.past.of(name) if views.site.past is not None else [])
    points = []
    for entry in views.timeline:
        if isinstance(entry, HistoryMonth):
            found = next(past)
            points.append(Point(entry, *found) if found else Point(entry, None, None))
            continue
        rank = ranks[entry.month.tag].get(name)
        if rank is None:
            points.append(Point(entry, None, None))
            continue
        downloads = entry.month.rows[rank - 1]["download_count"]
        month = project_month(views.columns[entry.month.tag], name)
        points.append(Point(entry, rank, downloads, month))
    return points


def first_detailed(views: Views) -> int:
    """The month index from which the detailed table starts: the oldest full month's."""
    full = [month_index(v.month.month) for v in views.monthly if v.month.tag in views.full]
    return min(full, default=month_index(views.monthly[-1].month.month))


def project_page(views: Views, name: str, path: str) -> Page:
    points = project_points(views, name)
    split = first_detailed(views)
    recent = [p for p in points if month_index(entry_month(p.entry)) >= split][::-1]
    earlier = [p for p in points if month_index(entry_month(p.entry)) < split][::-1]
    published = [p for p in points if isinstance(p.entry, MonthView)]
    latest = published[-1]
    parts = [p.month.parts if p.month is not None else None for p in points]
    context = {
        "name": name,
        "pypi": PYPI_PROJECT.format(name),
        "rank": latest.rank,
        "downloads": latest.downloads,
        "latest": latest.entry,
        "total": len(views.monthly[-1].month.rows),
        "months": len(points),
        "chart": project_chart(
            views.project_frame,
            [p.downloads for p in points],
            [p.rank for p in points],
            parts,
            INSTALLER_GROUPS,
            f"Downloads and rank of {name} per month",
        ),
        "table": recent,
        "earlier": Markup(grid_rows(earlier)),
        "earlier_head": Markup(HEAD),
        "earlier_history": any_history(earlier),
        "earlier_notes": grid_notes(earlier),
        "header_cells": HEADER_CELLS,
        "flags": project_flags(
            [(v.month.tag, views.honest[v.month.tag]) for v in views.monthly], name
        ),
        "flags_anchor": ANCHOR,
        "flags_page": FLAGS_PAGE,
    }
    return Page(path, "project.html", context)


def project_pages(views: Views, names: list[str]) -> Iterator[Page]:
    for name in names:
        yield project_page(views, name, views.projects[name])
