"""`top-pypi publish`: the release plan first (nothing spent on a month already published),
then count, validate, write `data/`, commit, tag and push."""

from datetime import datetime
from pathlib import Path
from typing import Any

import git
from rich.console import Console

from publisher.base.progress import status
from publisher.cli import report
from publisher.cli.options import Counting, counting_for
from publisher.dataset.build import DATA_FILES
from publisher.dataset.collect import Collected, collect, write_collected
from publisher.release.git import (
    Action,
    ReleasePlan,
    check_remote,
    commit_and_tag,
    open_repo,
    plan_release,
    push,
    release_tag,
    resume,
)

DATA_FOLDER = "data"
DATA_PATHS = [f"{DATA_FOLDER}/{name}" for name in DATA_FILES]


def commit_message(tag: str, dataset: dict[str, Any]) -> str:
    period, engine = dataset["period"], dataset["engine"]
    return (
        f"Publish {tag}: downloads {period['start']} to {period['end']} ({period['days']} days)\n\n"
        f"{dataset['total_rows']} rows of {dataset['projects_counted']} projects, counted by "
        f"{engine['name']} ({engine['method']})."
    )


def release_facts(plan: ReleasePlan, folder: Path) -> list[tuple[str, str]]:
    where = f"pushed to {plan.remote}/{plan.branch}" if plan.remote else "not pushed (--no-push)"
    return [("tag", f"{plan.tag}, {where}"), ("files", str(folder))]


def publish_command(options: dict[str, Any], now: datetime, out: Console, err: Console) -> int:
    repo = open_repo(Path(options["repo"]))
    root = Path(str(repo.working_tree_dir))
    counting = counting_for(options, root, now)
    if options["print_sql"]:
        report.print_sql(out, counting.engine.sql(counting.request))
        return 0
    remote = None if options["no_push"] else counting.settings.remote
    if remote is not None:  # before the release plan, to name it as the user gave it
        check_remote(repo, remote, counting.settings.name("remote", remote))
    window = counting.request.window
    plan = plan_release(repo, release_tag(window), remote, options["correction"], DATA_PATHS)
    if options["dry_run"]:
        return dry_run(counting, plan, out, err)
    if plan.action is not Action.PUBLISH:
        return finish(repo, plan, out)
    collected = publish(repo, counting, plan, now, err)
    out.print(report.summary_table(collected.dataset, release_facts(plan, root / DATA_FOLDER)))
    return 0


def publish(
    repo: git.Repo, counting: Counting, plan: ReleasePlan, now: datetime, err: Console
) -> Collected:
    """Count, write `data/`, commit, tag and push: the month's release."""
    engine, root = counting.engine, Path(str(repo.working_tree_dir))
    with status(err, f"Publishing {plan.tag} with {engine.name}") as progress:
        collected = collect(engine, counting.request, now, progress, version=plan.tag)
        write_collected(collected, root / DATA_FOLDER)
        progress(f"Committing and tagging {plan.tag}")
        commit_and_tag(repo, plan.tag, DATA_PATHS, commit_message(plan.tag, collected.dataset))
        if plan.remote is not None:  # not with --no-push
            progress(f"Pushing {plan.tag} to {plan.remote}")
            push(repo, plan)
    return collected


def dry_run(counting: Counting, plan: ReleasePlan, out: Console, err: Console) -> int:
    """The engine's plan and the release's; for a month already published, no engine at all
    (BigQuery's plan itself bills two metadata reads)."""
    if plan.action is Action.DONE:
        out.print(f"{plan.reason}; a run would count nothing.", highlight=False, soft_wrap=True)
        return 0
    git_row = [("git", f"{plan.reason}: would {plan.action.value} {plan.tag}")]
    with status(err, f"Planning with {counting.engine.name}") as progress:
        engine_plan = counting.engine.plan(counting.request, progress)
    out.print(report.plan_table(engine_plan, git_row))
    return 0


def finish(repo: git.Repo, plan: ReleasePlan, out: Console) -> int:
    """A month already published, or one an earlier run left half-done: no query either way."""
    resume(repo, plan)
    if plan.action is Action.DONE:
        out.print(f"{plan.reason}; nothing to do.", highlight=False, soft_wrap=True)
    else:
        out.print(
            f"{plan.reason}: completed ({plan.action.value}), nothing counted again.",
            highlight=False,
            soft_wrap=True,
        )
    return 0
