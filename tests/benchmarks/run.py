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
# The child writes its figures to a file named by the parent, never to standard output, where
# DuckDB draws a progress bar for any query that runs longer than about two seconds.
CHILD = (
    "import json, sys; from pathlib import Path; import {module}; "
    "Path(sys.argv[1]).write_text(json.dumps({module}.run({args})))"
)


def run_child(module: str, args: str) -> list[tuple[str, float, str]]:
    code = CHILD.format(module=module, args=args)
    with tempfile.TemporaryDirectory() as tmp:
        result = Path(tmp) / "result.json"
        done = subprocess.run(
            [sys.executable, "-c", code, str(result)], cwd=HERE, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"the {module} benchmark failed:\n{done.stderr.strip()[-2000:]}")
        return [tuple(row) for row in json.loads(result.read_text())]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000_000, help="events for collect")
    parser.add_argument("--sample-events", type=int, default=5_000_000, help="events for sample")
    parser.add_argument(
        "--long-tail-events", type=int, default=100_000_000, help="events for the long tail"
    )
    parser.add_argument("--only", metavar="TITLE", help="run one benchmark, e.g. site")
    args = parser.parse_args()
    console = Console()
    table = Table("benchmark", "value", "unit", title="top-pypi benchmarks")
    sections = [
        ("sample", "bench_sample", str(args.sample_events)),
        ("collect", "bench_collect", str(args.events)),
        ("long tail", "bench_long_tail", str(args.long_tail_events)),
        ("make run", "bench_demo", ""),
        ("site", "bench_site", ""),
    ]
    for title, module, module_args in sections:
        if args.only and title != args.only:
            continue
        with console.status(f"Running the {title} benchmark"):
            for name, value, unit in run_child(module, module_args):
                table.add_row(name, f"{value:,.2f}", unit)
        table.add_section()
    console.print(table)


if __name__ == "__main__":
    main()
