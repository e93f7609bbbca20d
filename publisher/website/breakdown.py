"""A project page's honest numbers, month by month: its downloads by installer group (the
extended files' columns, stacked in the downloads chart and written in the table), its CI
share, its rank without mirrors and its flags. A month without the breakdown (a tag made
before the extended files, or a month counted without it) shows a dash and says why.

Pure and cheap a page: what every page of a build shares about a month (`MonthColumns`) is
worked out once; a page only looks its project up in each month's rows. The cells are HTML
written here, like the history rows they join (render.py); their values are numbers we
formatted and words of our own, and the one value from data, the tag, is escaped once.
"""

from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from publisher.base.installers import INSTALLER_GROUPS
from publisher.count.long_tail import CI, GROUP_COLUMNS, MIRRORS
from publisher.dataset.extended import WITHOUT_MIRRORS
from publisher.website.honest import ANCHOR, FLAGS_PAGE, PROJECT_FLAGS, Honest, ci_share

DASH = "\u2014"
# A project page's cells leave their end tags out (HTML allows it): ten years of months are
# on each of 15,000 pages.
NONE = f"<td>{DASH}"
FULL_ROW = "<td>{:,}<td>{}" + "<td>{:,}" * len(INSTALLER_GROUPS)
# The table's columns after Rank and Downloads, and before the month's notes.
HEADERS = ("Rank without mirrors", "CI share", *INSTALLER_GROUPS, "Flags")
# Written once: the header cells and the stacked bars' key, the same on every project page.
HEADER_CELLS = Markup("".join(f"<th>{escape(h)}" for h in HEADERS))
GROUP_KEY = Markup(" ".join(f'<span class="key {g}">{g}</span>' for g in INSTALLER_GROUPS))
BEFORE_EXTENDED = "no breakdown: the release was made before the extended files"


@dataclass(frozen=True)
class MonthColumns:
    """What a month adds to every project page: its extended rows, or why it has none."""

    honest: Honest | None
    missing: str | None  # the whole cell for the breakdown's columns, when there is none
    flags_link: str  # the month's flags page, from a project page
    blank: dict[str, str]  # column -> why it is blank this month (the engine could not count it)


def month_columns(tag: str, honest: Honest | None, kept: bool = True) -> MonthColumns:
    """What the month adds to project pages; an older month with a breakdown the site does not
    keep (`kept` False, publisher.website.kinds) shows one dash across the breakdown's columns:
    ten years of months on 15,000 pages, a dash in each column made a sixth of the site."""
    flags_link = f"../{escape(tag)}/{FLAGS_PAGE}#{ANCHOR}"
    if honest is None:
        return MonthColumns(None, _dash_cell(BEFORE_EXTENDED), flags_link, {})
    if not kept:
        return MonthColumns(honest, _dash_cell(""), flags_link, {})
    if not honest.columns:
        why = "; ".join(sorted(set(honest.unavailable.values())))
        words = f"no breakdown: not counted this month{f': {why}' if why else ''}"
        return MonthColumns(honest, _dash_cell(words), flags_link, {})
    return MonthColumns(honest, None, flags_link, honest.unavailable)


def _dash_cell(words: str) -> str:
    said = f"{DASH} {escape(words)}" if words else DASH
    return f"<td class=none colspan={len(HEADERS) - 1}>{said}"


def blank_notes(columns: MonthColumns) -> list[str]:
    """Why a column is blank on a project page this month: for its notes cell."""
    labels = {MIRRORS: "Rank without mirrors", CI: "CI share"}
    return [f"{labels[c]} not counted: {why}" for c, why in columns.blank.items() if c in labels]


@dataclass(frozen=True)
class ProjectMonth:
    cells: str  # the breakdown's cells of the history row
    parts: list[int] | None  # downloads by installer group, for the stacked bar


def project_month(columns: MonthColumns, name: str) -> ProjectMonth:
    """A project's cells for one month it is in (its row's breakdown, or the month's dash)."""
    honest = columns.honest
    marks = honest.marks.get(name) if honest is not None else None
    if marks:
        words = ", ".join(PROJECT_FLAGS[flag.kind] for flag in marks)
        flags = f'<td><a href="{columns.flags_link}">{words}</a>'
    else:
        flags = "<td>"
    if columns.missing is not None or honest is None:
        return ProjectMonth(columns.missing + flags if columns.missing else flags, None)
    row: dict[str, Any] = honest.rows.get(name, {})
    rank = row.get(WITHOUT_MIRRORS)
    share = ci_share(row) or DASH
    groups = [row.get(column) for column in GROUP_COLUMNS]
    if isinstance(rank, int) and all(isinstance(g, int) for g in groups):
        # The usual month: every number there, written with one format call.
        return ProjectMonth(FULL_ROW.format(rank, share, *groups) + flags, groups)  # type: ignore[arg-type]
    cells = [f"<td>{n:,}" if isinstance(n, int) else NONE for n in (rank, *groups)]
    cells.insert(1, f"<td>{share}")
    parts = groups if all(isinstance(g, int) for g in groups) else None
    return ProjectMonth("".join(cells) + flags, parts)  # type: ignore[arg-type]
