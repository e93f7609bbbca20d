"""A project's page: its rank and downloads in every month, from the first month of the
history files to the latest release, in one chart (project_chart.py) and two tables.

The newest FULL_MONTHS published months (publisher.website.kinds; and any history month
between them) are the detailed table: each release with its breakdown and its DOI. Every
earlier month is a compact row (month, rank, downloads), grouped under what it is: a
published release (linked to its folder and its DOI) or a history month (counted later, from
the history files, with no folder of its own); months in a row without the project are one
row. Ten years of months then stay a small page (docs/site.md).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from markupsafe import Markup, escape

from publisher.base.installers import INSTALLER_GROUPS
from publisher.website.breakdown import HEADER_CELLS, ProjectMonth, project_month
from publisher.website.history import month_index
from publisher.website.history_files import HistoryMonth, history_notes
from publisher.website.honest import ANCHOR, FLAGS_PAGE, project_flags
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
        "earlier": Markup("".join(earlier_rows(views, earlier))),
        "earlier_notes": notes_of(earlier),
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


def earlier_rows(views: Views, points: list[Point]) -> Iterator[str]:
    """The compact rows, newest first, in a `<tbody>` per run of the same kind of month, each
    headed by what its months are; months in a row without the project are one row. End tags
    are left out where HTML allows it: ten years of rows are most of a page's bytes."""
    kind = None
    for run in runs(points):
        now = "history" if isinstance(run[0].entry, HistoryMonth) else "published"
        if now != kind:
            yield group_head(now, kind is not None)
            kind = now
        yield compact_row(run[0], views.dois) if run[0].rank else unranked_row(run)
    if kind is not None:
        yield "\n</tbody>\n"


def runs(points: list[Point]) -> Iterator[list[Point]]:
    """Each ranked month alone; months in a row without the project together."""
    run: list[Point] = []
    for point in points:
        if run and run[0].rank is None and point.rank is None and same(run, point):
            run.append(point)
            continue
        if run:
            yield run
        run = [point]
    if run:
        yield run


def same(run: list[Point], point: Point) -> bool:
    """Whether an unranked month joins the run before it: one of the same kind."""
    return type(run[0].entry) is type(point.entry)


def rows_of(point: Point) -> int:
    entry = point.entry
    return entry.rows if isinstance(entry, HistoryMonth) else len(entry.month.rows)


def group_head(kind: str, after: bool) -> str:
    words = "History months" if kind == "history" else "Published releases"
    close = "\n</tbody>\n" if after else ""
    return f"{close}<tbody class={kind}>\n<tr><th colspan=3 scope=rowgroup>{words}"


def compact_row(point: Point, dois: dict[str, str]) -> str:
    entry = point.entry
    if isinstance(entry, HistoryMonth):
        star = "*" if history_notes(entry) else ""
        month = f"{entry.tag}{star}"
    else:
        tag = escape(entry.month.tag)
        star = "*" if entry.notes else ""
        month = f'<a href="../{tag}/">{tag}</a>{star}{dois.get(entry.month.tag, "")}'
    return f"<tr><th>{month}<td>{point.rank:,}<td>{point.downloads:,}"


def unranked_row(run: list[Point]) -> str:
    """Months without the project, newest first in `run`: one row for them all."""
    months = run[0].tag if len(run) == 1 else f"{run[-1].tag} to {run[0].tag}"
    low, high = min(map(rows_of, run)), max(map(rows_of, run))
    tops = f"the top {low:,}" if low == high else f"each month's top {low:,} to {high:,}"
    return f"<tr><th>{escape(months)}<td colspan=2>not in {tops}"


def notes_of(points: list[Point]) -> list[tuple[str, str]]:
    """(tag, why) of each earlier month marked `*`."""
    said = []
    for point in points:
        entry = point.entry
        notes = history_notes(entry) if isinstance(entry, HistoryMonth) else entry.notes
        if notes and point.rank is not None:
            said.append((point.tag, "; ".join(notes)))
    return said
