"""`top-pypi history`: the options, the months asked for and their bounds, then the stage."""

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import git
from rich.console import Console
from rich.table import Table

from publisher.base.errors import UsageError
from publisher.base.progress import status
from publisher.base.settings import Settings
from publisher.cli import summary
from publisher.cli.options import HistoryOptions
from publisher.cli.resolve import settings_for
from publisher.count.engines import make_engine, many_months
from publisher.history.committed import read_history
from publisher.history.first_day import (
    first_whole_day,
    source_days,
    source_identity,
    source_name,
)
from publisher.history.months import (
    HistoryMonth,
    check_range,
    first_from,
    history_months,
    newest_to,
    parse_month,
)
from publisher.history.progress import kept_months, progress_folder
from publisher.history.remembered import remember_first, remembered_first
from publisher.history.run import (
    Outcome,
    Step,
    held_already,
    held_sources,
    run_history,
    steps,
    usable_months,
)
from publisher.release.commits import publish_tags
from publisher.release.git_state import check_remote
from publisher.release.repository import open_repo

# BigQuery's estimates are no history: every month is counted exactly or not at all.
INEXACT = ("shrink", "sample")


def earliest_month(settings: Settings, git_dir: Path) -> str | None:
    """The first month whose whole window the source holds, where the engine can tell;
    remembered in the git directory for a run with nothing to do (`remembered_months`)."""
    identity = source_identity(settings)
    per_day = source_days(settings)
    if per_day is None:
        return None
    first = first_whole_day(per_day)
    if first is None:
        raise UsageError(
            f"{source_name(settings)} holds no whole day of downloads.",
            "Give a source with at least one whole day.",
        )
    earliest = first_from(first, settings.days)
    if identity is not None:
        remember_first(git_dir, *identity, earliest)
    return earliest


def remembered_months(
    options: HistoryOptions, settings: Settings, now: datetime, repo: git.Repo
) -> list[HistoryMonth] | None:
    """The months asked, from the first month the source held when a run last read it, while
    it has the same files; None when no run remembers it (the source is then read)."""
    identity = source_identity(settings)
    earliest = None if identity is None else remembered_first(git_dir_of(repo), *identity)
    return None if earliest is None else months_asked(options, settings, now, repo, earliest)


def git_dir_of(repo: git.Repo) -> Path:
    return Path(repo.common_dir).resolve()


def months_asked(
    options: HistoryOptions,
    settings: Settings,
    now: datetime,
    repo: git.Repo,
    earliest: str | None,
) -> list[HistoryMonth]:
    newest = newest_to(now.date())
    given = options.from_tag
    if given is None and earliest is None:
        raise UsageError(
            f"--from is needed with --engine {settings.engine}: its first days are not read"
            " (they would be billed).",
            "Give --from YYYY.MM, the first month to count.",
        )
    first = parse_month(given, "--from") if given is not None else str(earliest)
    last = parse_month(options.to_tag, "--to") if options.to_tag else newest
    check_range(first, last, earliest or first, newest)
    return history_months(first, last, settings.days, publish_tags(repo))


def check_exact(settings: Settings) -> None:
    if settings.engine == "bigquery" and settings.over_budget in INEXACT:
        raise UsageError(
            f"over_budget {settings.over_budget!r} is not for history: its months are exact"
            " counts or none.",
            "Use --over-budget fail; a run counts the whole months the budget allows.",
        )


def plan_table(planned: list[Step]) -> Table:
    table = Table("month", "window", "rows from", title="top-pypi history: the plan")
    for step in planned:
        window = step.month.window
        source = {"count": "a count", "copy": f"tag {step.month.source}"}.get(step.action)
        said = source or ("kept by a stopped run" if step.action == "kept" else "held already")
        table.add_row(step.month.tag, f"{window.start} to {window.end}", said)
    return table


def outcome_lines(outcome: Outcome, remote: str | None) -> list[str]:
    where = f", pushed to {remote}" if remote and outcome.commit else ""
    commit = f"commit {outcome.commit[:12]}{where}" if outcome.commit else "nothing new to commit"
    lines = [
        f"counted: {len(outcome.counted)}, copied: {len(outcome.copied)}, kept by a stopped run:"
        f" {len(outcome.resumed)}, held already: {len(outcome.held)}; {commit}"
    ]
    if outcome.left:
        first, last = outcome.left[0], outcome.left[-1]
        lines.append(
            f"left: {len(outcome.left)} month(s), {first} to {last}, for a run with budget to"
            f" spare ({outcome.why_left})"
        )
    return lines


def history_command(options: HistoryOptions, now: datetime, out: Console, err: Console) -> int:
    with open_repo(options.repo) as repo:  # its git processes end with the command
        return history_in(repo, options, now, out, err)


def history_in(
    repo: git.Repo, options: HistoryOptions, now: datetime, out: Console, err: Console
) -> int:
    root = Path(str(repo.working_tree_dir))
    settings = settings_for(options.given, root)
    check_exact(settings)
    remote = None if options.no_push else settings.remote
    if remote is not None:
        check_remote(repo, remote, settings.name("remote", remote))
    if not options.dry_run:  # nothing to do: told without reading the source
        known = remembered_months(options, settings, now, repo)
        held = None if known is None else held_already(repo, known, remote)
        if held is not None:
            return said(held, remote, options, out)
    earliest = earliest_month(settings, git_dir_of(repo))
    months = months_asked(options, settings, now, repo, earliest)
    if options.dry_run:
        found = kept_months(progress_folder(git_dir_of(repo)))
        kept = usable_months(found, months, settings.engine, settings.limit)
        planned = steps(months, held_sources(read_history(repo)), set(kept))
        out.print(plan_table(planned))
        lines = [f"{s.month.tag}: {s.action}" for s in planned]
        summary.append(options.summary, ["## top-pypi history --dry-run", "", *lines])
        return 0
    engine = make_engine(replace(settings, allow_incomplete=True))
    with status(err, f"History with {engine.name}") as progress:
        many = many_months(engine)
        outcome = run_history(repo, engine, settings.limit, months, remote, progress, many=many)
    return said(outcome, remote, options, out)


def said(outcome: Outcome, remote: str | None, options: HistoryOptions, out: Console) -> int:
    lines = outcome_lines(outcome, remote)
    for line in lines:
        out.print(line, highlight=False, soft_wrap=True)
    summary.append(options.summary, ["## top-pypi history", "", *lines])
    return 0
