"""`top-pypi history`, start to finish: under the repository's lock, each month not yet in the
history is taken from the progress a stopped run kept, copied from its published tag, or counted
(oldest first); then `data/history/` is written and committed on the branch in one commit, never
tagged, and pushed.

A stop at any point (Ctrl-C, a kill, a server's refusal) keeps every month counted so far in the
git directory and leaves the work tree as it was; the next run continues from there.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import git

from publisher.base.errors import BudgetError
from publisher.base.progress import Progress
from publisher.count.engines import CountMany
from publisher.count.engines.base import Engine, Request
from publisher.dataset.check import read_json
from publisher.dataset.history.check import check_history
from publisher.dataset.history.folder import Month, with_history_months
from publisher.dataset.history.index import COUNTED
from publisher.dataset.history.names import INDEX_FILE
from publisher.dataset.write import write_files
from publisher.history.committed import (
    found_whole,
    head_history,
    names_in_tree,
    read_history,
    tree_id_at,
)
from publisher.history.months import COUNT, HistoryMonth
from publisher.history.progress import (
    Kept,
    forget_months,
    kept_months,
    progress_folder,
    save_month,
    usable,
)
from publisher.history.remembered import remember_checked
from publisher.history.sources import copied_month, counted_month
from publisher.release.git import commit_paths, push_branch
from publisher.release.git_state import check_clean, current_branch
from publisher.release.history_folder import HISTORY
from publisher.release.lock import repository_lock
from publisher.release.tag_files import TagFolder

COPY, KEPT, HELD = "copy", "kept", "held"


@dataclass(frozen=True)
class Step:
    """What a run does with one month: count it, copy it from its tag, take the month a stopped
    run kept, or nothing (the history holds it already, from the same source)."""

    month: HistoryMonth
    action: str  # COUNT, COPY, KEPT or HELD


def usable_months(
    kept: dict[str, Kept], months: list[HistoryMonth], engine: str, limit: int
) -> dict[str, Month]:
    """The kept months that stand for the months asked (see `progress.usable`)."""
    windows = {m.tag: m.window for m in months}
    return {
        tag: k.month
        for tag, k in kept.items()
        if tag in windows and usable(k, engine, limit, windows[tag].start, windows[tag].end)
    }


def held_sources(files: dict[str, bytes]) -> dict[str, str]:
    """Each month the history holds, and where its rows came from."""
    if INDEX_FILE not in files:
        return {}
    months = json.loads(files[INDEX_FILE]).get("months", {})
    return {tag: str(block.get("source")) for tag, block in months.items()}


def steps(months: list[HistoryMonth], held: dict[str, str], kept: set[str]) -> list[Step]:
    """Pure: a month already held from the same source is left; a counted month stays counted
    even if a later run would count it differently (ClickPy loads days late); a published month
    replaces whatever the history held before (its latest correction wins)."""
    planned = []
    for month in months:
        source = held.get(month.tag)
        if month.source == COUNT and source is not None:
            action = HELD
        elif month.source != COUNT:
            action = HELD if source == month.source else COPY
        else:
            action = KEPT if month.tag in kept else COUNT
        planned.append(Step(month, action))
    return planned


def copy_from_tag(repo: git.Repo, month: HistoryMonth) -> Month:
    from publisher.dataset.build import EXTENDED_JSON_FILE, JSON_FILE

    folder = TagFolder(repo, month.source)
    dataset = read_json(folder, JSON_FILE)
    names = {item.name for item in folder.tree.blobs} if folder.tree is not None else set()
    extended = read_json(folder, EXTENDED_JSON_FILE) if EXTENDED_JSON_FILE in names else None
    return copied_month(month.tag, month.source, dataset, extended)


@dataclass(frozen=True)
class Outcome:
    commit: str | None  # None: nothing new, nothing committed
    counted: list[str]
    copied: list[str]
    resumed: list[str]
    held: list[str]
    left: list[str]  # months the budget had no room for, left for a later run
    why_left: str = ""  # the engine's refusal that stopped the counting


def held_already(repo: git.Repo, months: list[HistoryMonth], remote: str | None) -> Outcome | None:
    """A run with nothing to do, told from the committed index alone once the history's tree
    is known whole (no Parquet file read when it was found whole before); None when a month is
    missing or has a newer correction to copy. A push an earlier run could not make is made."""
    git_dir = Path(repo.common_dir).resolve()
    with repository_lock(git_dir):
        folder = head_history(repo)
        if folder is None or not folder.files:
            return None
        found_whole(git_dir, folder)
        index = folder.files.get(INDEX_FILE)
        held = held_sources({INDEX_FILE: index.read()} if index is not None else {})
        if any(step.action != HELD for step in steps(months, held, set())):
            return None
        if remote is not None:
            branch = current_branch(repo)
            push_branch(repo, remote, branch, "The local history commits are kept")
    return Outcome(None, [], [], [], [month.tag for month in months], [])


def count_month(engine: Engine, month: HistoryMonth, limit: int, progress: Progress) -> Month:
    window = month.window
    progress(f"Counting {month.tag} ({window.start} to {window.end})")
    request = Request(window, limit, breakdown=False)
    return counted_month(month.tag, engine.count(request, progress), engine.name)


MOST_AT_ONCE = 12  # months one pass counts at most: a year


def batch_of(planned: list[Step], first: int) -> list[HistoryMonth]:
    """The month to count at `first` and the months to count right after it, up to a year,
    while no two windows share a day (with 30 days, February's shares January's last)."""
    batch = [planned[first].month]
    for step in planned[first + 1 :]:
        if step.action != COUNT or len(batch) == MOST_AT_ONCE:
            break
        if step.month.window.start <= batch[-1].window.end:
            break
        batch.append(step.month)
    return batch


def count_many(
    many: CountMany, engine: str, months: list[HistoryMonth], limit: int, progress: Progress
) -> dict[str, Month]:
    first, last = months[0], months[-1]
    progress(f"Counting {first.tag} to {last.tag} in one pass")
    requests = [Request(month.window, limit, breakdown=False) for month in months]
    counts = many(requests, progress)
    return {
        month.tag: counted_month(month.tag, count, engine)
        for month, count in zip(months, counts, strict=True)
    }


def message(outcome: Outcome, months: list[Month]) -> str:
    tags = sorted(m.facts.tag for m in months)
    said = [f"{len(outcome.counted)} counted", f"{len(outcome.copied)} copied"]
    if outcome.resumed:
        said.append(f"{len(outcome.resumed)} kept by a stopped run")
    if outcome.left:
        said.append(f"{len(outcome.left)} left for the next budget")
    return f"History: {tags[0]} to {tags[-1]} ({', '.join(said)})"


def run_history(
    repo: git.Repo,
    engine: Engine,
    limit: int,
    months: list[HistoryMonth],
    remote: str | None,
    progress: Progress,
    counted: Callable[[str], None] = lambda tag: None,
    many: CountMany | None = None,
) -> Outcome:
    """Count, copy and commit every month of `months` the history lacks; `counted` hears each
    month once it is kept. With `many`, the months to count in a row are counted in one pass
    (a year at most), and kept when the pass is done."""
    root, git_dir = Path(str(repo.working_tree_dir)), Path(repo.common_dir).resolve()
    with repository_lock(git_dir):
        current = read_history(repo)
        paths = [f"{HISTORY}/{name}" for name in {*current, *names_in_tree(repo)}]
        check_clean(repo, paths)
        branch = current_branch(repo)
        kept_dir = progress_folder(git_dir)
        kept = usable_months(kept_months(kept_dir), months, engine.name, limit)
        planned = steps(months, held_sources(current), set(kept))
        done: dict[str, list[str]] = {COUNT: [], COPY: [], KEPT: [], HELD: []}
        finished: list[Month] = []
        left: list[str] = []
        why_left = ""
        passed: dict[str, Month] = {}  # counted in a pass, not yet kept
        for position, step in enumerate(planned):
            tag = step.month.tag
            if step.action == COUNT and why_left:
                left.append(tag)
                continue
            if step.action == KEPT:
                finished.append(kept[tag])
            elif step.action == COPY:
                finished.append(copy_from_tag(repo, step.month))
            elif step.action == COUNT:
                if many is not None and tag not in passed:
                    batch = batch_of(planned, position)
                    passed |= count_many(many, engine.name, batch, limit, progress)
                try:
                    month = passed.pop(tag, None) or count_month(
                        engine, step.month, limit, progress
                    )
                except BudgetError as refusal:  # whole months only: the rest waits
                    left.append(tag)
                    why_left = refusal.message
                    continue
                save_month(kept_dir, month, limit)
                finished.append(month)
                counted(tag)
            done[step.action].append(tag)
        outcome = Outcome(None, done[COUNT], done[COPY], done[KEPT], done[HELD], left, why_left)
        if not finished:  # a push an earlier run could not make is made now
            if remote is not None:
                push_branch(repo, remote, branch, "The local history commits are kept")
            return outcome
        files = with_history_months(current, finished)
        check_history(files)  # what is committed is found whole, so no later run checks it
        write_files(root / HISTORY, files)
        commit = commit_paths(repo, [f"{HISTORY}/{n}" for n in files], message(outcome, finished))
        remember_checked(git_dir, tree_id_at(repo, commit))
        forget_months(kept_dir, [m.facts.tag for m in finished if m.facts.source == COUNTED])
        if remote is not None:
            push_branch(repo, remote, branch, f"The local history commit {commit[:12]} is kept")
    return replace(outcome, commit=commit)
