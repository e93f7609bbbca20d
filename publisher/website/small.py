"""The ranking pages of an older month (publisher.website.kinds): at the addresses its full
pages had, a small page each, with its top rows, its files on the site and where the whole
release is (its Zenodo record when released, else the tag's files in the repository)."""

from collections.abc import Iterator
from typing import Any

from markupsafe import Markup

from publisher.dataset.build import DATA_FOLDER
from publisher.website.honest import FLAGS_PAGE
from publisher.website.kinds import FULL_MONTHS, SMALL_ROWS
from publisher.website.pages import (
    Page,
    Views,
    month_file_rows,
    name_cell,
    ranking_label,
    ranking_path,
    released,
    root_of,
    sizes,
)
from publisher.website.tags import Month


def small_pages(views: Views, month: Month, folder: str) -> Iterator[Page]:
    """One small page at each address of the month's ranking pages (and its flags page)."""
    shown = sizes(len(month.rows))
    paths = [ranking_path(folder, size, i == 0) for i, size in enumerate(shown)]
    if views.honest[month.tag] is not None:
        paths.append(folder + FLAGS_PAGE)
    context = small_context(views, month, folder)
    for i, path in enumerate(paths):
        label = ranking_label(shown[i], len(month.rows)) if i < len(shown) else "Flags"
        yield Page(path, "small.html", {**context, "asked": label})


def small_context(views: Views, month: Month, folder: str) -> dict[str, Any]:
    site = views.site
    source = f"{site.source}/tree/{month.tag}/{DATA_FOLDER}" if site.source else None
    return {
        "month": month,
        "period": views.views[month.tag].period,
        "latest": site.history.latest.tag,
        "total": len(month.rows),
        "size": min(SMALL_ROWS, len(month.rows)),
        "body": top_rows(views, month, root_of(folder)),
        "files": month_file_rows(views, month, folder),
        "record": released(site, month.tag),
        "source": source,
        "full_months": FULL_MONTHS,
    }


def top_rows(views: Views, month: Month, root: str) -> Markup:
    """The month's top SMALL_ROWS as table rows, every value from data escaped."""
    projects = views.projects
    rows = (
        f"<tr><td>{rank:,}{name_cell(row['project'], projects.get(row['project']), root)}"
        f"<td>{row['download_count']:,}"
        for rank, row in enumerate(month.rows[:SMALL_ROWS], 1)
    )
    return Markup(f"<tbody>\n{''.join(rows)}</tbody>\n")
