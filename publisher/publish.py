"""`top-pypi publish`: the release plan first (nothing spent on a month already published),
then count, validate, write `data/`, commit, tag and push."""

from datetime import datetime
from pathlib import Path
from typing import Any

import git
from rich.console import Console

from publisher import report
from publisher.collect import collect, write_collected
from publisher.dataset import DATA_FILES
from publisher.engines import make_engine
from publisher.engines.base import Request
from publisher.options import settings_for, window_for
from publisher.release import (
    Action,
    ReleasePlan,
    commit_and_tag,
    open_repo,
    plan_release,
    push,
    resume,
)
from publisher.window import release_tag

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
    settings = settings_for(options, root)
    window = window_for(options, settings, now)
    request = Request(window=window, limit=settings.limit)
    engine = make_engine(settings)
    if options["print_sql"]:
        report.print_sql(out, engine.sql(request))
        return 0
    remote = None if options["no_push"] else settings.remote
    plan = plan_release(repo, release_tag(window), remote, options["correction"], DATA_PATHS)
    if options["dry_run"]:
        release = [("release", f"{plan.reason}: would {plan.action.value} {plan.tag}")]
        out.print(report.plan_table(engine.plan(request), release))
        return 0
    if plan.action is not Action.PUBLISH:
        return finish(repo, plan, out)
    with report.status(err, f"Publishing {plan.tag} with {engine.name}") as progress:
        collected = collect(engine, request, now, progress, version=plan.tag)
        write_collected(collected, root / DATA_FOLDER)
        progress(f"Committing and tagging {plan.tag}")
        commit_and_tag(repo, plan.tag, DATA_PATHS, commit_message(plan.tag, collected.dataset))
        progress(f"Pushing {plan.tag}")
        push(repo, plan)
    out.print(report.summary_table(collected.dataset, release_facts(plan, root / DATA_FOLDER)))
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
