"""`make bench`: every benchmark, each printing ratios against a baseline measured in the same
run (machines here are noisy, so absolute times mean little on their own)."""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import bench_collect
import bench_demo
import bench_sample
from rich.console import Console
from rich.table import Table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=50_000_000, help="events for collect")
    parser.add_argument("--sample-events", type=int, default=5_000_000, help="events for sample")
    args = parser.parse_args()
    console = Console()
    table = Table("benchmark", "value", "unit", title="top-pypi benchmarks")
    sections = [
        ("sample", lambda: bench_sample.run(args.sample_events)),
        ("collect", lambda: bench_collect.run(args.events)),
        ("make run", bench_demo.run),
    ]
    for title, bench in sections:
        with console.status(f"Running the {title} benchmark"):
            for name, value, unit in bench():
                table.add_row(name, f"{value:,.2f}", unit)
        table.add_section()
    console.print(table)


if __name__ == "__main__":
    main()
