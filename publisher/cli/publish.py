"""`top-pypi publish`: the release plan first (nothing spent on a month already published),
then count, validate, write `data/`, commit, tag and push."""

from datetime import datetime
from pathlib import Path
from typing import Any

import git
from rich.console import Console

from publisher.base.progress import status
from publisher.cli import report, summary
from publisher.cli.options import PublishOptions
from publisher.cli.resolve import Counting, counting_for
from publisher.dataset.build import DATA_FILES, DATA_FOLDER
from publisher.dataset.collect import Collected, collect, write_collected
from publisher.dataset.previous import Previous
from publisher.dataset.write import check_writable_folder
from publisher.history.published import (
    CommittedHistory,
    committed_history,
    write_published_month,
)
from publisher.release.decision import Action, ReleasePlan
from publisher.release.duplicate import drop_duplicate, duplicate_publish
from publisher.release.git import commit_and_tag, plan_release, push, tag_commit
from publisher.release.git_state import check_remote, current_branch
from publisher.release.lock import repository_lock
from publisher.release.month import release_tag
from publisher.release.newest import newer_published, restore_newest, restored_facts
from publisher.release.previous_month import read_previous_month
from publisher.release.repository import open_repo

DATA_PATHS = [f"{DATA_FOLDER}/{name}" for name in DATA_FILES]
DATA_FOLDER_TIPS = (
    "Move that file aside: publish writes the month's files into a folder of that name.",
    "Make it writable for the user who runs publish, then re-run.",
)


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


def publish_command(options: PublishOptions, now: datetime, out: Console, err: Console) -> int:
    with open_repo(options.repo) as repo:  # its git processes end with the command
        return publish_in(repo, options, now, out, err)


def publish_in(
    repo: git.Repo, options: PublishOptions, now: datetime, out: Console, err: Console
) -> int:
    root = Path(str(repo.working_tree_dir))
    counting = counting_for(options.given, options.end_date, root, now, release=True)
    if options.print_sql:
        report.print_sql(out, counting.engine.sql(counting.request))
        return 0
    remote = None if options.no_push else counting.settings.remote
    if remote is not None:  # before the release plan, to name it as the user gave it
        check_remote(repo, remote, counting.settings.name("remote", remote))
    if options.dry_run:
        plan, _ = release_plan(repo, counting, remote, options.correction)
        return dry_run(repo, counting, plan, out, err, options.summary)
    with repository_lock(Path(repo.common_dir).resolve()):
        drop_left_duplicate(repo, counting, remote, err)
        plan, history = release_plan(repo, counting, remote, options.correction)
        if plan.action is not Action.PUBLISH:
            finished = finish(repo, plan, out)
            summary.append(options.summary, ["## top-pypi publish", "", finished])
            return 0
        previous = read_previous_month(repo, plan.tag)  # before counting, which BigQuery bills
        accept = options.accept_anomalies
        collected, newest = publish(repo, counting, plan, history, now, err, previous, accept)
    facts = [*collected.facts, *release_facts(plan, root / DATA_FOLDER)]
    if newest is not None:
        facts = [*facts, *restored_facts(newest, plan.tag)]
    out.print(report.summary_table(collected.dataset, facts))
    summary.append(options.summary, summary.dataset_lines(collected.dataset, facts))
    return 0


def release_plan(
    repo: git.Repo, counting: Counting, remote: str | None, correction: bool
) -> tuple[ReleasePlan, CommittedHistory]:
    """What to do with the month, and the history the publish writes it into."""
    window = counting.request.window
    tag = release_tag(window)
    history = committed_history(repo, tag)  # before counting: a broken history stops the run
    plan = plan_release(repo, tag, remote, correction, DATA_PATHS, window, history.paths)
    if plan.action is Action.PUBLISH:  # before counting, which BigQuery bills
        root = Path(str(repo.working_tree_dir))
        check_writable_folder(root / DATA_FOLDER, "The data folder", DATA_FOLDER_TIPS)
    return plan, history


def drop_left_duplicate(
    repo: git.Repo, counting: Counting, remote: str | None, err: Console
) -> None:
    """What two runs at once left before the lock existed: a second commit of the same files."""
    tag, branch = release_tag(counting.request.window), current_branch(repo)
    duplicate = duplicate_publish(repo, tag, branch, remote)
    if duplicate is not None:
        drop_duplicate(repo, branch, duplicate)
        err.print(
            f"Dropped {duplicate.hexsha[:12]}, a second publish commit of {tag} with the same"
            " files, left by two runs at once.",
            highlight=False,
            soft_wrap=True,
        )


def publish(
    repo: git.Repo,
    counting: Counting,
    plan: ReleasePlan,
    history: CommittedHistory,
    now: datetime,
    err: Console,
    previous: Previous | None = None,
    accept_anomalies: bool = False,
) -> tuple[Collected, str | None]:
    """Count, write `data/` and the month into `history`, commit, tag and push: the month's
    release, compared with the `previous` month's; and the newer month whose files went back
    into `data/`, if any."""
    engine, root = counting.engine, Path(str(repo.working_tree_dir))
    with status(err, f"Publishing {plan.tag} with {engine.name}") as progress:
        request, tag = counting.request, plan.tag
        collected = collect(engine, request, now, progress, tag, previous, accept_anomalies)
        write_collected(collected, root / DATA_FOLDER)
        written = write_published_month(repo, history, plan.tag, collected.files)
        progress(f"Committing and tagging {plan.tag}")
        message = commit_message(plan.tag, collected.dataset)
        paths = [*DATA_PATHS, *written]
        commit_and_tag(repo, plan.tag, paths, message, counting.request.window)
        newest = restore_newest(repo, plan.tag, DATA_PATHS)
        if plan.remote is not None:  # not with --no-push
            progress(f"Pushing {plan.tag} to {plan.remote}")
            push(repo, plan)
    return collected, newest


def previous_fact(previous: Previous | None) -> str:
    """Which month the anomaly flags and previous ranks would compare with."""
    if previous is None:
        return "none: no earlier month is published"
    block = previous.block
    period = f"{block['period']['start']} to {block['period']['end']}"
    return f"{block['tag']} ({period}), ranks of {block['ranked_rows']:,} rows from {block['file']}"


def dry_run(
    repo: git.Repo,
    counting: Counting,
    plan: ReleasePlan,
    out: Console,
    err: Console,
    summary_file: str | None,
) -> int:
    """The engine's plan and the release's, also into `summary_file`; for a month already
    published, no engine at all (BigQuery's plan itself bills two metadata reads)."""
    if plan.action is Action.DONE:
        said = f"{plan.reason}; a run would count nothing."
        out.print(said, highlight=False, soft_wrap=True)
        summary.append(summary_file, ["## top-pypi publish --dry-run", "", said])
        return 0
    git_row = [("git", f"{plan.reason}: would {plan.action.value} {plan.tag}")]
    if plan.action is Action.PUBLISH:
        git_row.append(("previous", previous_fact(read_previous_month(repo, plan.tag))))
        newest = newer_published(repo, plan.tag)
        if newest is not None:
            git_row.append(("data/", f"would put {newest}, the newest month, back after it"))
    with status(err, f"Planning with {counting.engine.name}") as progress:
        engine_plan = counting.engine.plan(counting.request, progress)
    out.print(report.plan_table(engine_plan, git_row))
    summary.append(summary_file, summary.plan_lines(engine_plan, git_row))
    return 0


def finish(repo: git.Repo, plan: ReleasePlan, out: Console) -> str:
    """A month already published, or one an earlier run left half-done: no query either way.
    Tag, put the newest month back into `data/` if a stop came before, push. Returns what it
    says."""
    if plan.action is Action.PUBLISH:
        raise ValueError("a PUBLISH plan needs the query, then commit_and_tag and push")
    if plan.action is Action.TAG:
        tag_commit(repo, plan.tag)
    newest = restore_newest(repo, plan.tag, DATA_PATHS)
    if plan.action is not Action.DONE or newest is not None:
        push(repo, plan)
    if plan.action is Action.DONE and newest is None:
        said = f"{plan.reason}; nothing to do."
    else:
        done = plan.action.value if newest is None else f"{plan.action.value}, data/ to {newest}"
        said = f"{plan.reason}: completed ({done}), nothing counted again."
    out.print(said, highlight=False, soft_wrap=True)
    return said
