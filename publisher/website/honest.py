"""The honest numbers of a month with an extended dataset (schema_version 3 on): the rank
without mirrors and the CI share beside each row, and the month's anomaly flags. Months
without the extended file have no `Honest` and their pages stay as they were.

Pure: a month in, what its pages add out. The cells are HTML written here, like the rows
they join (pages.py), with every value from data escaped.
"""

from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from publisher.count.long_tail import CI, DOWNLOADS, MIRRORS
from publisher.dataset.anomalies import is_flagged
from publisher.dataset.extended import WITHOUT_MIRRORS
from publisher.website.tags import Month

# Flags about one project: a mark in its row and on its page. The others are the month's.
PROJECT_FLAGS = {"bot_spike": "bot spike", "top10_entry": "new in top 10"}
FLAG_WORDS = {
    "mean_per_day": "Downloads per day moved",
    "top10_entry": "New in the top 10",
    "bot_spike": "Bot spike",
    "low_day": "Low day",
}
# How the line above a ranking counts each kind: (one, many).
FLAG_COUNTS = {
    "mean_per_day": ("move of the downloads per day", "moves of the downloads per day"),
    "top10_entry": ("new in the top 10", "new in the top 10"),
    "bot_spike": ("bot spike", "bot spikes"),
    "low_day": ("low day", "low days"),
}
ANCHOR = "anomalies"  # the id of the month's list of flags on its flags page
FLAGS_PAGE = "flags.html"  # beside the month's ranking pages, in the same folder


@dataclass(frozen=True)
class Flag:
    kind: str
    words: str  # the kind, said for people
    message: str
    structural: bool


@dataclass(frozen=True)
class Honest:
    """What a month's extended dataset adds to its pages."""

    rows: dict[str, dict[str, Any]]  # project -> its extended row
    flags: list[Flag]
    marks: dict[str, list[Flag]]  # project -> its own flags
    notes: list[str]  # what the new columns mean, and why one is blank
    columns: bool  # the breakdown was counted: the two columns are shown
    unavailable: dict[str, str]  # column -> why the engine could not count it

    def cells(self, name: str) -> str:
        """The row's new cells: rank without mirrors and CI share when counted, and a flag
        column when the month flags any project."""
        cells = ""
        if self.columns:
            row = self.rows.get(name, {})
            rank = row.get(WITHOUT_MIRRORS)
            cells += f"<td>{rank:,}" if isinstance(rank, int) else "<td>"
            cells += f"<td>{ci_share(row)}"
        if self.marks:
            cells += mark_cell(self.marks.get(name, []))
        return cells

    def counted(self) -> str:
        """The flags counted by kind, in FLAG_WORDS' order: "1 bot spike, 2 low days"."""
        kinds = [flag.kind for flag in self.flags]
        order = [*FLAG_WORDS, *sorted(set(kinds) - set(FLAG_WORDS))]
        said = []
        for kind in (kind for kind in order if kind in kinds):
            number = kinds.count(kind)
            fallback = kind.replace("_", " ")
            one, many = FLAG_COUNTS.get(kind, (fallback, fallback))
            said.append(f"{number:,} {one if number == 1 else many}")
        return ", ".join(said)


def honest(month: Month) -> Honest | None:
    """The month's honest numbers, or None for a tag made before the extended files. Its
    flags are those that stand by today's rules: a tag keeps the files it was made with."""
    extended = month.extended
    if extended is None:
        return None
    standing = [raw for raw in extended["anomalies"] if is_flagged(raw)]
    flags = [flag_of(raw) for raw in standing]
    marks: dict[str, list[Flag]] = {}
    for raw, flag in zip(standing, flags, strict=True):
        if flag.kind in PROJECT_FLAGS and isinstance(raw.get("project"), str):
            marks.setdefault(raw["project"], []).append(flag)
    rows = {row["project"]: row for row in extended["rows"]}
    breakdown = extended["breakdown"]
    counted = breakdown.get("counted") is True
    unavailable = {str(k): str(v).rstrip(".") for k, v in breakdown.get("unavailable", {}).items()}
    return Honest(rows, flags, marks, column_notes(breakdown), counted, unavailable)


def flag_of(raw: dict[str, Any]) -> Flag:
    kind = raw["kind"]
    words = FLAG_WORDS.get(kind, kind.replace("_", " ").capitalize())
    return Flag(kind, words, str(raw.get("message", "")), raw.get("structural") is True)


def ci_share(row: dict[str, Any]) -> str:
    """ci_downloads as a share of all the project's downloads (never above 100 %: installers
    other than pip and uv may report CI too), or nothing where it was not counted."""
    ci, downloads = row.get(CI), row.get(DOWNLOADS)
    if not isinstance(ci, int) or not isinstance(downloads, int) or downloads <= 0:
        return ""
    return f"{100 * ci / downloads:.1f}%"


def mark_cell(flags: list[Flag]) -> str:
    if not flags:
        return "<td>"
    words = ", ".join(PROJECT_FLAGS[f.kind] for f in flags)
    title = " ".join(f.message for f in flags)
    return f'<td><a href={FLAGS_PAGE}#{ANCHOR} title="{escape(title)}">{words}</a>'


def column_notes(breakdown: dict[str, Any]) -> list[str]:
    """What the two columns are, then why one is blank (the engine could not count it); or,
    for a month counted without the breakdown, that they are not shown and why."""
    unavailable = breakdown.get("unavailable", {})
    if not breakdown.get("counted"):
        reasons = sorted({str(reason).rstrip(".") for reason in unavailable.values()})
        why = f": {'; '.join(reasons)}" if reasons else ""
        return [f"Rank without mirrors and CI share: not counted this month{why}."]
    mirrors = ", ".join(str(name) for name in breakdown.get("mirror_installers", []))
    ci_installers = " and ".join(str(name) for name in breakdown.get("ci_installers", []))
    notes = [
        f"Rank without mirrors: the rank by downloads minus those of mirroring tools"
        f" ({mirrors}), among every project counted.",
        "CI share: the share of all downloads flagged as CI (made by a CI system). Mostly"
        f" {ci_installers or 'pip and uv'} report it, so downloads by other installers count"
        " as not CI.",
    ]
    for column, label in ((MIRRORS, "Rank without mirrors"), (CI, "CI share")):
        if column in unavailable:
            notes.append(f"{label} is blank this month: {str(unavailable[column]).rstrip('.')}.")
    return notes


def project_flags(months: list[tuple[str, Honest | None]], name: str) -> list[tuple[str, Flag]]:
    """(tag, flag) for each flag about the project in the months given as (tag, their honest
    numbers), newest first."""
    found = []
    for tag, view in reversed(months):
        if view is not None:
            found += [(tag, flag) for flag in view.marks.get(name, [])]
    return found
