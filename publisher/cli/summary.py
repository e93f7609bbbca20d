"""`--summary FILE`: what a command did, in Markdown, appended to FILE (a CI job's summary,
`$GITHUB_STEP_SUMMARY`), so a month that failed is as visible as one that worked."""

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from publisher.base.errors import OutputError, UsageError
from publisher.base.secrets import without_secrets

if TYPE_CHECKING:  # the engines' module imports pyarrow: not worth it for `--help`
    from publisher.count.engines.base import Plan


def check_path(path: str) -> None:
    """Before any work: a summary whose folder does not exist would be dropped after a whole
    publish. A write that fails later stays a warning-free no-op (see `append`)."""
    file = Path(path)
    tip = "Create the folder, or give --summary a file in a folder that exists."
    if file.is_dir():
        raise UsageError(f"--summary {path}: is a folder, not a file.", tip)
    if not file.parent.is_dir():
        raise UsageError(f"--summary {path}: the folder {file.parent} does not exist.", tip)


def append(path: str | None, lines: Sequence[str], done: str | None = None) -> None:
    """Append `lines` to `path` (nothing without one): the one writer of every command's
    summary, each line without the command's secrets. A summary that cannot be written is not
    worth failing a publish over: the log has the same lines. Given `done` (what the command
    did, e.g. "The site was built"), such a failure is an error that says it."""
    if not path:
        return
    try:
        with open(path, "a", encoding="utf-8") as summary:
            summary.write("\n".join(without_secrets(line) for line in lines) + "\n\n")
    except OSError as exc:
        if done is not None:
            raise OutputError(
                f"--summary {path} cannot be written ({exc.strerror or exc}).",
                f"{done}; give a file you may write to.",
            ) from None


def failure_lines(command: str, message: str) -> list[str]:
    return [f"## top-pypi {command}: failed", "", f"**error:** {message}"]


def dataset_lines(dataset: dict[str, Any], facts: Sequence[tuple[str, str]]) -> list[str]:
    period, engine, query = dataset["period"], dataset["engine"], dataset["query"]
    lines = [
        "## top-pypi publish",
        "",
        f"- period: {period['start']} to {period['end']} ({period['days']} days)",
        f"- engine: {engine['name']} ({engine['method']})",
        f"- rows: {dataset['total_rows']:,} of {dataset['projects_counted']:,} projects",
        f"- bytes processed: {query['bytes_processed']:,}; billed: {query['bytes_billed']:,}"
        f" (${query['estimated_cost']})",
    ]
    return lines + [f"- {label}: {value}" for label, value in facts]


def plan_lines(plan: "Plan", extra: Sequence[tuple[str, str]]) -> list[str]:
    lines = ["## top-pypi publish --dry-run", "", f"- engine: {plan.engine}"]
    lines.append(f"- period: {plan.window.start} to {plan.window.end} ({plan.window.days} days)")
    lines += [f"- {label}: {value}" for label, value in [*plan.facts, *extra]]
    return lines
