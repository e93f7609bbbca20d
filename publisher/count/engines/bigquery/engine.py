"""The BigQuery engine: the shared query text, run on `bigquery-public-data.pypi` by
google-cloud-bigquery, within a monthly budget.

Before anything that bills much, it reads what the month has billed (JOBS_BY_PROJECT), checks
from PARTITIONS metadata that every day of the window has data, and measures the query with a
free dry run. Every job it sends carries maximum_bytes_billed, so BigQuery itself refuses to
spend more than the plan allows. When the window does not fit, --over-budget decides: fail,
shrink to the most recent days that fit, or sample days spread over the window and scale.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from google.api_core import exceptions as api_exceptions

from publisher.base.errors import BudgetError
from publisher.base.events_schema import TABLE
from publisher.base.progress import Progress, silent
from publisher.base.settings import Settings
from publisher.base.sizes import format_size, parse_size
from publisher.count import long_tail
from publisher.count.completeness import (
    check_complete,
    describe_bad_days,
    find_bad_days,
    incomplete_fields,
)
from publisher.count.engines.base import Count, Plan, QueryStats, Request
from publisher.count.engines.bigquery.budget import MIB, TIB, cost, scale
from publisher.count.engines.bigquery.client import (
    FAILURES,
    Answer,
    Patience,
    Session,
    billing_project,
    engine_failure,
    fetch_token,
    find_identity,
    open_client,
    reason_of,
    server_message,
)
from publisher.count.engines.bigquery.plan import (
    Choice,
    Fitter,
    Month,
    breakdown_fact,
    choose,
    plan_block,
    suggest_plain,
)
from publisher.count.engines.bigquery.sampled import scale_long_tail
from publisher.count.query import (
    PROJECTS_COUNTED,
    UNNAMED_DOWNLOADS,
    day_runs,
    top_projects_sql,
    window_value,
)
from publisher.count.window import Window

# INFORMATION_SCHEMA queries bill 10 MB at least; a cap of that lets one through and no more.
METADATA_CAP = 10 * MIB
PARTITIONS_VIEW = "bigquery-public-data.pypi.INFORMATION_SCHEMA.PARTITIONS"
# The jobs of the billing project since the first of this month (UTC: TIMESTAMP_TRUNC's
# default zone, and BigQuery's clock rather than ours). Bounding creation_time prunes the view.
MONTH_BILLED_SQL = """\
SELECT COALESCE(SUM(total_bytes_billed), 0) AS billed
FROM `region-us`.INFORMATION_SCHEMA.JOBS_BY_PROJECT
WHERE creation_time >= TIMESTAMP_TRUNC(CURRENT_TIMESTAMP(), MONTH)"""
# A permission the account may lack (bigquery.jobs.listAll), or a history too big for the cap.
UNREADABLE_MONTH = {"accessDenied", "bytesBilledLimitExceeded"}


def partitions_sql(window: Window) -> str:
    """Rows per day partition of the window. Partition ids are YYYYMMDD; the special ones
    (__NULL__, __UNPARTITIONED__) sort outside any range of digits."""
    return "\n".join(
        [
            "SELECT partition_id, total_rows",
            f"FROM `{PARTITIONS_VIEW}`",
            f"WHERE table_name = '{TABLE.rsplit('.', 1)[1]}'",
            f"  AND partition_id BETWEEN '{window.start:%Y%m%d}' AND '{window.end:%Y%m%d}'",
        ]
    )


def rows_per_day(answer: Answer) -> dict[date, int]:
    return {
        datetime.strptime(str(partition), "%Y%m%d").date(): int(rows or 0)
        for partition, rows in answer.rows
    }


@dataclass(frozen=True)
class Checked:
    """What the metadata said, before anything that bills much."""

    month: Month
    month_note: str  # how the month's bill was read, or why it could not be
    per_day: dict[date, int]


def count_from(answer: Answer, chosen: Choice, plan: dict[str, Any], request: Request) -> Count:
    """The engine's answer; a sample's counts scaled to the window (order, ties included, kept:
    scaling by N/k >= 1 maps distinct counts to distinct counts)."""
    sampled = chosen.method == "sample"
    n, k = chosen.window.days, len(chosen.days)
    answered = answer.table if answer.table is not None else long_tail.SCHEMA.empty_table()
    table = long_tail.conform(answered)
    unnamed = window_value(answered, UNNAMED_DOWNLOADS)
    if sampled:
        table = scale_long_tail(table, n, k, request.breakdown)
        unnamed = scale(unnamed, n, k)
    return Count(
        rows=long_tail.top_rows(table, request.limit),
        # For a sample: the projects seen on the sampled days, not an estimate for the window.
        projects_counted=window_value(answered, PROJECTS_COUNTED),
        period=chosen.period,
        query=QueryStats(
            bytes_processed=answer.bytes_processed,
            bytes_billed=answer.bytes_billed,
            cached=answer.cached,
            estimated_cost=cost(answer.bytes_billed),
        ),
        method=chosen.method,
        unnamed_downloads=unnamed,
        engine_fields={"sampled_days": plan["days_queried"]} if sampled else {},
        blocks={"plan": plan},
        table=table,
        unavailable=long_tail.not_counted(request.breakdown),
    )


def describe_days(days: list[date]) -> str:
    runs = [f"{r.start}" if r.days == 1 else f"{r.start} to {r.end}" for r in day_runs(days)]
    return ", ".join(runs)


@dataclass(frozen=True)
class BigQueryEngine:
    budget: int = TIB
    over_budget: str = "fail"
    billing_project: str | None = None
    credentials: str | None = None  # a service-account key file; None: the standard search
    allow_incomplete: bool = False
    patience: Patience = field(default_factory=Patience)
    name: str = "bigquery"
    credentials_name: str | None = None  # how errors name the key file, if not --credentials

    @classmethod
    def from_settings(cls, settings: Settings) -> BigQueryEngine:
        return cls(
            budget=parse_size(settings.budget),
            over_budget=settings.over_budget,
            billing_project=settings.billing_project,
            credentials=settings.credentials,
            allow_incomplete=settings.allow_incomplete,
            credentials_name=settings.name("credentials", str(settings.credentials)),
            patience=Patience.within(settings.timeout),
        )

    def sql(self, request: Request) -> str:
        return top_projects_sql(request.window, request.breakdown)

    def count(self, request: Request, progress: Progress) -> Count:
        with self.session(progress) as session:
            checked = self.check(session, request.window, progress)
            bad = check_complete(checked.per_day, request.window, self.allow_incomplete)
            progress("Measuring the query with dry runs (free)")
            fitter = self.fitter(session, request)
            chosen = choose(self.over_budget, checked.month.allowed, fitter)
            cap = checked.month.allowed
            progress(
                f"Counting with BigQuery, {chosen.what()} (billing {format_size(cap)} at most)"
            )
            answer = session.attempt("the count", lambda: session.query_table(chosen.sql, cap))
        plan = plan_block(checked.month, fitter.exact().processed, self.over_budget, chosen)
        count = count_from(answer, chosen, plan, request)
        return replace(
            count,
            engine_fields={**count.engine_fields, **incomplete_fields(bad)},
            bad_days=tuple(bad),
        )

    def plan(self, request: Request, progress: Progress = silent) -> Plan:
        with self.session(progress) as session:
            checked = self.check(session, request.window, progress)
            fitter = self.fitter(session, request)
            outcome, sql = self.outcome(checked.month.allowed, fitter)
            both = fitter.with_and_without()
        full, month = fitter.exact(), checked.month
        facts = [
            ("billing project", f"{session.project} (credentials: {session.source})"),
            ("this month", checked.month_note),
            ("budget", f"{format_size(month.budget)}; {format_size(month.allowed)} left"),
            ("completeness", describe_bad_days(find_bad_days(checked.per_day, request.window))),
            ("estimate", f"{full.window.days} days: {format_size(full.processed)} processed, "
             f"{format_size(full.billed)} billed, ${cost(full.billed)} at $6.25/TiB"),
            ("breakdown", breakdown_fact(*both)),
            *outcome,
            ("checks", f"metadata queries billed {format_size(month.checks)}"),
        ]  # fmt: skip
        return Plan(
            engine=self.name, window=request.window, sql=sql or self.sql(request), facts=facts
        )

    def outcome(self, allowed: int, fitter: Fitter) -> tuple[list[tuple[str, str]], str | None]:
        """What the policy would do, the days it would query, and the query it would run."""
        policy = f"--over-budget {self.over_budget}"
        try:
            chosen = choose(self.over_budget, allowed, fitter)
        except BudgetError as refusal:
            return [("policy", f"{policy}: would stop: {refusal}")], None
        facts = [
            ("policy", f"{policy}: would count {chosen.describe()}"),
            ("days", describe_days(chosen.days)),
            *suggest_plain(chosen, allowed, fitter),
        ]
        return facts, chosen.sql

    def fitter(self, session: Session, request: Request) -> Fitter:
        measure = lambda sql: session.attempt("a dry run", lambda: session.dry_run(sql))  # noqa: E731
        return Fitter(request.window, request.breakdown, measure)

    # -- before spending: the month's bill and the window's partitions -------------------------

    def check(self, session: Session, window: Window, progress: Progress) -> Checked:
        progress("Reading what BigQuery billed this month (INFORMATION_SCHEMA.JOBS_BY_PROJECT)")
        month, note = self.read_month(session)
        progress("Checking every day of the window (INFORMATION_SCHEMA.PARTITIONS)")
        month.require(METADATA_CAP, "the completeness check")
        answer = session.attempt(
            "the completeness check", lambda: session.query(partitions_sql(window), METADATA_CAP)
        )
        return Checked(month.spent(answer.bytes_billed), note, rows_per_day(answer))

    def read_month(self, session: Session) -> tuple[Month, str]:
        month = Month(self.budget, None)
        month.require(METADATA_CAP, "reading this month's bill")
        try:
            answer = session.query(MONTH_BILLED_SQL, METADATA_CAP)
        except api_exceptions.GoogleAPICallError as exc:
            if reason_of(exc) not in UNREADABLE_MONTH:
                raise session.failure(exc, "reading this month's bill") from None
            note = f"not readable ({exc.code} {reason_of(exc)}: {server_message(exc)})"
            return month, f"{note}; the budget is used as given"
        except FAILURES as exc:
            raise session.failure(exc, "reading this month's bill") from None
        billed = int(answer.rows[0][0] or 0)
        read = Month(self.budget, billed, answer.bytes_billed)
        return read, f"{format_size(billed)} billed before this run (JOBS_BY_PROJECT)"

    # -- the client ------------------------------------------------------------------------------

    @contextmanager
    def session(self, progress: Progress) -> Iterator[Session]:
        identity = find_identity(self.credentials, self.credentials_name)
        project = billing_project(self.billing_project, identity)
        longest = f"up to {self.patience.request_timeout:g} s"
        progress(f"Waiting for Google's token endpoint ({identity.source}; {longest})")
        try:
            fetch_token(identity.credentials, self.patience.request_timeout)
        except FAILURES as exc:
            raise engine_failure(exc, "an access token", project, self.patience) from None
        progress(f"Waiting for BigQuery as project {project} ({longest} an answer)")
        client = open_client(identity, project)
        try:
            yield Session(client, project, self.patience, identity.source)
        finally:
            client.close()  # type: ignore[no-untyped-call]
