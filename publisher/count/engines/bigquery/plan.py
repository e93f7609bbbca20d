"""What the BigQuery engine decides before it spends: how much of the month's budget is left,
and, when the window does not fit, what the --over-budget policy counts instead.

Pure but for `measure`, which the engine gives: a free dry run returning the bytes a query
text would process.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from publisher.base.errors import BudgetError
from publisher.base.sizes import format_size
from publisher.count.engines.bigquery.budget import (
    MIN_BILLED,
    allowance,
    billed_bytes,
    cost,
    largest_fit,
    recent_days,
    spread_days,
)
from publisher.count.query import sampled_projects_sql, top_projects_sql
from publisher.count.window import Window

# A dry run: query text in, bytes processed out.
Measure = Callable[[str], int]
ALTERNATIVE = "--engine clickhouse (free, exact)"
NOTHING_FITS_TIP = "Raise --budget, wait for next month, or use " + ALTERNATIVE + "."


@dataclass(frozen=True)
class Month:
    """The budget and what is already spent of it."""

    budget: int
    billed_this_month: int | None  # from JOBS_BY_PROJECT before this run; None if unreadable
    checks: int = 0  # billed by this run's metadata queries, which the jobs view did not see

    @property
    def allowed(self) -> int:
        return max(0, allowance(self.budget, self.billed_this_month) - self.checks)

    def spent(self, billed: int) -> Month:
        return Month(self.budget, self.billed_this_month, self.checks + billed)

    def require(self, needed: int, what: str) -> None:
        """Refuse before sending a job that could bill more than is left."""
        if self.allowed < needed:
            raise BudgetError(
                f"{format_size(self.allowed)} of the {format_size(self.budget)} budget is left "
                f"this month: not enough for {what} ({format_size(needed)}).",
                NOTHING_FITS_TIP,
            )


@dataclass(frozen=True)
class Choice:
    """What one query will count: `method` over `days`, its text, and its dry-run bytes."""

    method: str  # exact, shrink or sample
    window: Window  # the window asked for
    days: list[date]
    sql: str
    processed: int

    @property
    def period(self) -> Window:
        """What the counts cover: the days counted, or for a sample the whole window."""
        return self.window if self.method == "sample" else Window(self.days[0], self.days[-1])

    @property
    def billed(self) -> int:
        return billed_bytes(self.processed)

    def what(self) -> str:
        days = len(self.days)
        if self.method == "exact":
            return f"exact counts of all {days} days"
        if self.method == "shrink":
            return f"exact counts for the last {days} days"
        return f"estimated {self.window.days}-day counts from {days} days spread over the window"

    def describe(self) -> str:
        return f"{self.what()}: {format_size(self.billed)} billed, ${cost(self.billed)}"


@dataclass
class Fitter:
    """Finds the most days that fit, measuring each candidate query once."""

    window: Window
    breakdown: bool
    measure: Measure
    seen: dict[str, int] = field(default_factory=dict)

    def choice(self, method: str, days: list[date], breakdown: bool | None = None) -> Choice:
        breakdown = self.breakdown if breakdown is None else breakdown
        if method == "sample":
            sql = sampled_projects_sql(days, breakdown)
        else:
            sql = top_projects_sql(Window(days[0], days[-1]), breakdown)
        if sql not in self.seen:
            self.seen[sql] = self.measure(sql)
        return Choice(method, self.window, days, sql, self.seen[sql])

    def days(self, method: str, k: int) -> list[date]:
        if method == "shrink":
            return recent_days(self.window, k).dates()
        return spread_days(self.window, k)

    def exact(self, breakdown: bool | None = None) -> Choice:
        return self.choice("exact", self.window.dates(), breakdown)

    def with_and_without(self) -> tuple[Choice, Choice]:
        """The whole window with the installer breakdown and without it: two free dry runs."""
        return self.exact(breakdown=True), self.exact(breakdown=False)

    def plain_fits(self, allowed: int) -> Choice | None:
        """The whole window without the breakdown, when only the breakdown's bytes do not fit."""
        if not self.breakdown:
            return None
        plain = self.exact(breakdown=False)
        return plain if plain.billed <= allowed else None

    def best(self, method: str, allowed: int) -> Choice | None:
        """The largest k whose query bills no more than `allowed`; None when not even one day."""
        measure = lambda k: self.choice(method, self.days(method, k)).processed  # noqa: E731
        k = largest_fit(measure, self.window.days - 1, allowed)
        return self.choice(method, self.days(method, k)) if k else None


def over_budget(full: Choice, allowed: int, fitter: Fitter) -> BudgetError:
    """The `fail` policy's refusal: the figures, and what each alternative would count."""
    message = (
        f"{full.window.days} days would process {format_size(full.processed)}; "
        f"{format_size(allowed)} left this month."
    )
    plain = fitter.plain_fits(allowed)
    first = (
        f"--no-breakdown ({plain.describe()} without the installer breakdown), " if plain else ""
    )
    shrink, sample = fitter.best("shrink", allowed), fitter.best("sample", allowed)
    if shrink is None or sample is None:
        return BudgetError(message + " Not even one day fits.", NOTHING_FITS_TIP)
    return BudgetError(
        message,
        f"Use {first}--over-budget shrink ({shrink.what()}), --over-budget sample "
        f"({sample.what()}), or {ALTERNATIVE}.",
    )


def breakdown_fact(with_breakdown: Choice, without: Choice) -> str:
    """What the installer breakdown costs: the plan states both queries' bills."""
    extra = with_breakdown.processed - without.processed
    return (
        f"with it {format_size(with_breakdown.billed)} billed (${cost(with_breakdown.billed)}), "
        f"with --no-breakdown {format_size(without.billed)} billed (${cost(without.billed)}): "
        f"the installer and CI columns add {format_size(extra)} processed"
    )


def suggest_plain(chosen: Choice, allowed: int, fitter: Fitter) -> list[tuple[str, str]]:
    """When the policy would shrink or sample but the whole window fits without the
    breakdown, say so first: exact counts of every day may matter more than the breakdown."""
    plain = fitter.plain_fits(allowed) if chosen.method != "exact" else None
    if plain is None:
        return []
    return [("instead", f"--no-breakdown would count {plain.describe()}")]


def choose(policy: str, allowed: int, fitter: Fitter) -> Choice:
    """The query to run: the whole window if it fits, else what the policy allows."""
    full = fitter.exact()
    if full.billed <= allowed:
        return full
    if policy == "fail":
        raise over_budget(full, allowed, fitter)
    best = fitter.best(policy, allowed)
    if best is None:
        raise BudgetError(
            f"Not even one day fits: {format_size(allowed)} left this month, and one day "
            f"bills at least {format_size(MIN_BILLED)}.",
            NOTHING_FITS_TIP,
        )
    return best


def plan_block(month: Month, estimate: int, policy: str, chosen: Choice) -> dict[str, Any]:
    """The dataset's `plan` block."""
    return {
        "budget": month.budget,
        "billed_this_month": month.billed_this_month,
        "estimate": estimate,
        "allowed": month.allowed,
        "policy": policy,
        "days_queried": [day.isoformat() for day in chosen.days],
    }
