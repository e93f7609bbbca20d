"""`top-pypi history` on the embedded engine (issue 21): 24 months of generated events, counted
into the history by one run, against `collect --no-breakdown --limit 15000` run once per month
on the same events, in the same run (goal: the history at most 0.5x their time together); peak
memory of the history process (goal: at most 1 GiB)."""

import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from publisher.history.months import month_window, months_from
from publisher.sample.generator import SampleSpec, write_sample
from tests.benchmarks.measure import measure
from tests.repos import publishing_repo

FIRST, LAST = "2024.12", "2026.11"
# Two draws of a year each (a sample holds at most 366 days), one Parquet file per day.
HALVES = ((date(2025, 10, 31), 365), (date(2026, 10, 31), 365))
TIME_GOAL, MEMORY_GOAL = 0.5, 1 << 30


def write_events(folder: Path, events: int) -> None:
    for seed, (end, days) in enumerate(HALVES, 1):
        spec = SampleSpec(events=events // 2, projects=200_000, days=days, end=end, seed=seed)
        write_sample(folder, spec)


def top_pypi() -> list[str]:
    return [sys.executable, "-m", "publisher"]


def run(events: int = 100_000_000) -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "events"
        folder.mkdir()
        write_events(folder, events)
        tags = months_from(FIRST, LAST)
        each = 0.0
        for tag in tags:
            end = month_window(tag, 30).end.isoformat()
            out = Path(tmp) / "out" / tag
            argv = ["collect", "--events", str(folder), "--no-breakdown", "--limit", "15000"]
            argv += ["--end-date", end, "--days", "30", "--out", str(out)]
            each += measure([*top_pypi(), *argv]).seconds
        work, _ = publishing_repo(Path(tmp) / "repo", f'events = "{folder}"\nlimit = 15000\n')
        history = ["history", "--repo", str(work.working_tree_dir), "--no-push"]
        measured = measure([*top_pypi(), *history, "--from", FIRST, "--to", LAST])
        subprocess.run(["git", "-C", str(work.working_tree_dir), "log", "-1"], check=True,
                       capture_output=True)  # fmt: skip
    return [
        (f"collect --no-breakdown, once per month, {len(tags)} months", each, "s"),
        ("history, the same months in one run", measured.seconds, "s"),
        ("history / collects: goal at most 0.5", measured.seconds / each, "x"),
        ("history peak memory", measured.peak_bytes / (1 << 20), "MiB"),
        ("history peak memory: goal 1 GiB, share of it", measured.peak_bytes / MEMORY_GOAL, "x"),
    ]
