"""`make run` after installation: `top-pypi demo` in a fresh folder. Goal: under 60 s."""

import sys
import tempfile
from pathlib import Path

from tests.benchmarks.measure import measure

GOAL_SECONDS = 60.0


def run() -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        first = measure([sys.executable, "-m", "publisher", "demo", str(Path(tmp) / "scratch")])
        again = measure([sys.executable, "-m", "publisher", "demo", str(Path(tmp) / "scratch")])
    return [
        ("make run (demo), first run", first.seconds, "s"),
        ("make run / 60 s goal", first.seconds / GOAL_SECONDS, "x (goal < 1)"),
        ("make run again (already published)", again.seconds, "s (baseline: no counting)"),
        ("first / again", first.seconds / again.seconds, "x"),
    ]


if __name__ == "__main__":
    for name, value, unit in run():
        print(f"{name:36} {value:10.2f} {unit}")
