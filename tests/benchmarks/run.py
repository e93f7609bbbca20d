"""`make bench`: every benchmark, each printing ratios against a baseline measured in the same
run (machines here are noisy, so absolute times mean little on their own).

Each benchmark runs in a child process of its own: a child's peak memory (max RSS) includes the
memory of its parent at fork, so the parent here must stay small for the figures to be honest.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).parent
# A child runs in this folder, away from the repository's own top-pypi.toml (which the commands
# it measures would read), with the repository's root first on its path: the package `tests`.
# It writes its figures to a file named by the parent, never to standard output, where DuckDB
# draws a progress bar for any query that runs longer than about two seconds.
CHILD = (
    "import json, sys; from pathlib import Path; sys.path.insert(0, {root!r}); "
    "from tests.benchmarks import {module}; "
    "Path(sys.argv[1]).write_text(json.dumps({module}.run({args})))"
)


class SectionFailed(Exception):
    """A benchmark that could not finish: one line saying why (a missing tool, a failure)."""


def run_child(module: str, args: str) -> list[tuple[str, float, str]]:
    code = CHILD.format(root=str(HERE.parents[1]), module=module, args=args)
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        done = subprocess.run(
            [sys.executable, "-c", code, str(result)], cwd=HERE, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SectionFailed(last_line(done.stderr) or f"exit code {done.returncode}")
        return [tuple(row) for row in json.loads(result.read_text())]


def last_line(text: str) -> str:
    """The last line of a child's stderr: a missing tool's message, or a traceback's error."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def section_table(title: str, rows: list[tuple[str, float, str]]) -> Table:
    table = Table("benchmark", "value", "unit", title=f"top-pypi benchmarks: {title}")
    for name, value, unit in rows:
        table.add_row(name, f"{value:,.2f}", unit)
    return table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000_000, help="events for collect")
    parser.add_argument("--sample-events", type=int, default=5_000_000, help="events for sample")
    parser.add_argument(
        "--long-tail-events", type=int, default=100_000_000, help="events for the long tail"
    )
    parser.add_argument(
        "--history-events", type=int, default=100_000_000, help="events over 24 months, history"
    )
    parser.add_argument(
        "--clickhouse-projects", type=int, default=800_000, help="projects for clickhouse"
    )
    parser.add_argument(
        "--clickhouse-history-projects",
        type=int,
        default=100_000,
        help="projects for clickhouse history (three months)",
    )
    parser.add_argument("--only", metavar="TITLE", help="run one benchmark, e.g. clickhouse")
    args = parser.parse_args()
    console = Console()
    sections = [
        ("sample", "bench_sample", str(args.sample_events)),
        ("collect", "bench_collect", str(args.events)),
        ("long tail", "bench_long_tail", str(args.long_tail_events)),
        ("make run", "bench_demo", ""),
        ("site", "bench_site", ""),
        ("years", "bench_years", ""),
        ("clickhouse", "bench_clickhouse", str(args.clickhouse_projects)),
        ("clickhouse history", "bench_clickhouse_history", str(args.clickhouse_history_projects)),
        ("history", "bench_history", ""),
        ("history time", "bench_history_time", str(args.history_events)),
    ]
    titles = [title for title, _, _ in sections]
    if args.only and args.only not in titles:
        parser.error(f"--only {args.only!r} is no benchmark; give one of: {', '.join(titles)}")
    failed = []
    for title, module, module_args in sections:
        if args.only and title != args.only:
            continue
        # Each section's figures as soon as it ends: a later failure loses none of them.
        try:
            with console.status(f"Running the {title} benchmark"):
                rows = run_child(module, module_args)
        except SectionFailed as exc:
            console.print(f"[bold red]{title}:[/] {exc}", soft_wrap=True, highlight=False)
            failed.append(title)
            continue
        console.print(section_table(title, rows))
    if failed:
        console.print(f"[bold red]Not measured:[/] {', '.join(failed)}.", highlight=False)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
