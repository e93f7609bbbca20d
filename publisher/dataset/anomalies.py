"""Anomaly flags: what makes a month look wrong, each flag with its numbers.

Pure: the count, the previous month, the limit in; a list of flags out. Each flag is
{"kind", "message" (one line), "structural", ...its numbers}; only a structural one (the mean
downloads per day down by more than half) stops a publish, unless --accept-anomalies.
"""

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from publisher.base.errors import AnomalyError
from publisher.count.completeness import BadDay
from publisher.count.engines.base import Count
from publisher.count.long_tail import BUSIEST_TWO_DAYS, DOWNLOADS, MEDIAN_DAY, PROJECT
from publisher.dataset.build import EXTENDED_PARQUET_FILE
from publisher.dataset.previous import Previous

MEAN_CHANGE = 0.25  # a month-on-month move of the mean per day beyond this is flagged
STRUCTURAL_FALL = -0.5  # down by more than half: a source that lost data, not a quiet month
TOP = 10  # a newcomer in the top 10 ...
FROM_OUTSIDE = 1000  # ... from outside the previous month's top 1,000
SPIKE_SHARE = 0.5  # the two busiest days hold at least half the project's window ...
SPIKE_MEDIANS = 10  # ... and at least 10 times its median day ...
# ... for a project of the top 1,000 whose median day is at least one download. Most small
# projects get most of their downloads on release days (mirrors fetch every new file), so their
# median day is 0: flagging them buried the ranking under a thousand flags no one could use.
SPIKE_TOP = 1000
SPIKE_MIN_MEDIAN = 1


def mean_per_day(count: Count) -> float | None:
    """All downloads of the period, those without a project name included, per day; None when
    the engine gave only the top rows of more projects (their sum is not the month's)."""
    if count.table is None and len(count.rows) < count.projects_counted:
        return None
    return count.all_downloads() / count.period.days


def previous_name(previous: Previous) -> str:
    period = previous.block["period"]
    named = f"{period['start']} to {period['end']}"
    tag = previous.block["tag"]
    return f"the previous month, {tag} ({named})" if tag else f"the previous month ({named})"


def mean_flags(count: Count, previous: Previous | None) -> list[dict[str, Any]]:
    now = mean_per_day(count)
    if previous is None or not previous.mean_per_day or now is None:
        return []
    before = previous.mean_per_day
    change = now / before - 1
    if abs(change) <= MEAN_CHANGE:
        return []
    structural = change < STRUCTURAL_FALL
    moved = f"{'rose' if change > 0 else 'fell'} {abs(change) * 100:.1f} %"
    message = (
        f"The mean downloads per day {moved} against {previous_name(previous)}"
        f" ({before:,.0f} to {now:,.0f})"
        + (", down by more than half: a structural anomaly" if structural else "")
    )
    numbers = {"mean_per_day": now, "previous_mean_per_day": before, "change": round(change, 4)}
    return [{"kind": "mean_per_day", "message": message, "structural": structural, **numbers}]


def previous_ranks(previous: Previous, projects: list[str]) -> dict[str, int]:
    ranks = previous.ranks
    found = ranks.filter(pc.is_in(ranks.column("project"), pa.array(projects, pa.string())))
    return dict(
        zip(found.column("project").to_pylist(), found.column("rank").to_pylist(), strict=True)
    )


def unranked_is_outside(previous: Previous) -> bool:
    """A project without a previous rank was outside the top 1,000 when that month ranked at
    least 1,000 rows, or every project (the Parquet): else nobody knows where it was."""
    block = previous.block
    return bool(block["ranked_rows"] >= FROM_OUTSIDE or block["file"] == EXTENDED_PARQUET_FILE)


def top_entry_flag(project: str, rank: int, was: int | None) -> dict[str, Any]:
    where = "unranked" if was is None else f"rank {was:,}"
    message = f"{project} entered the top {TOP} at rank {rank}, from {where} the month before"
    numbers = {"project": project, "rank": rank, "previous_rank": was}
    return {"kind": "top10_entry", "message": message, "structural": False, **numbers}


def top_entry_flags(table: pa.Table, previous: Previous | None) -> list[dict[str, Any]]:
    if previous is None:
        return []
    head = table.slice(0, TOP).column(PROJECT).to_pylist()
    before, unranked = previous_ranks(previous, head), unranked_is_outside(previous)
    return [
        top_entry_flag(project, rank, was)
        for rank, project in enumerate(head, 1)
        if ((was := before.get(project)) is None and unranked)
        or (was is not None and was > FROM_OUTSIDE)
    ]


def spiked(head: pa.Table) -> pa.Array:
    """Which rows' two busiest days are a bot spike; a null day column checks nothing."""
    busiest = head.column(BUSIEST_TWO_DAYS)
    half = pc.greater_equal(pc.divide(pc.cast(busiest, pa.float64()), SPIKE_SHARE), head[DOWNLOADS])
    medians = pc.greater_equal(busiest, pc.multiply(head.column(MEDIAN_DAY), SPIKE_MEDIANS))
    return pc.fill_null(pc.and_(half, medians), False)


def is_flagged(flag: dict[str, Any]) -> bool:
    """Whether a flag stands by today's rule: every flag but a bot spike outside the top
    SPIKE_TOP or with a median day under SPIKE_MIN_MEDIAN. Months published before the rule
    keep their files; whoever shows their flags filters them with this."""
    if flag.get("kind") != "bot_spike":
        return True
    rank, median = flag.get("rank"), flag.get("median_day")
    if not isinstance(rank, int) or not isinstance(median, int | float):
        return False
    return rank <= SPIKE_TOP and median >= SPIKE_MIN_MEDIAN


def spike_flag(rank: int, row: dict[str, Any]) -> dict[str, Any]:
    project, busiest, median = row[PROJECT], row[BUSIEST_TWO_DAYS], row[MEDIAN_DAY]
    message = (
        f"{project} (rank {rank}) had {busiest:,} of its {row[DOWNLOADS]:,} downloads on its two"
        f" busiest days, against a median day of {median:,.1f}: a bot spike"
    )
    numbers = {"project": project, "rank": rank, "busiest_two_days": busiest}
    numbers |= {"download_count": row[DOWNLOADS], "median_day": median}
    return {"kind": "bot_spike", "message": message, "structural": False, **numbers}


def spike_flags(table: pa.Table, limit: int) -> list[dict[str, Any]]:
    head = table.slice(0, min(limit, SPIKE_TOP))
    indices = pc.indices_nonzero(spiked(head)).to_pylist()
    rows = head.take(pa.array(indices, pa.int64())).to_pylist()
    flags = [spike_flag(index + 1, row) for index, row in zip(indices, rows, strict=True)]
    return [flag for flag in flags if is_flagged(flag)]


def low_day_flag(bad: BadDay) -> dict[str, Any]:
    if bad.rows == 0:
        said = f"{bad.day} is missing at the source"
    else:
        share = bad.rows / bad.expected * 100
        said = f"{bad.day} has {bad.rows:,} rows, {share:.0f} % of its weekday's median"
        said += f" ({bad.expected:,.0f})"
    message = f"{said}; counted anyway (--allow-incomplete)"
    numbers = {"day": bad.day.isoformat(), "rows": bad.rows, "expected": bad.expected}
    return {"kind": "low_day", "message": message, "structural": False, **numbers}


def find_anomalies(count: Count, previous: Previous | None, limit: int) -> list[dict[str, Any]]:
    """Every flag of the month, in the extended JSON's `anomalies` shape."""
    table = count.every_project()
    return [
        *mean_flags(count, previous),
        *top_entry_flags(table, previous),
        *spike_flags(table, limit),
        *(low_day_flag(bad) for bad in count.bad_days),
    ]


def refuse_structural(anomalies: list[dict[str, Any]], accept: bool) -> None:
    """Raise AnomalyError for a structural flag unless `accept` (--accept-anomalies)."""
    structural = [flag["message"] for flag in anomalies if flag["structural"]]
    if structural and not accept:
        raise AnomalyError(
            f"{'; '.join(structural)}. Nothing was published.",
            "Check the source's data; if the month is right, run again with --accept-anomalies.",
        )
