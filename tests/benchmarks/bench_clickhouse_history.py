"""`top-pypi history` with ClickHouse under a public server's row limit (issue 21's benchmark):
the stand-in holds three months of generated days (clickhouse_month.py, the ClickHouse
benchmark's month generator), its user may read at most a tenth of the per-day table in one
query (`read_overflow_mode = 'break'`), and history counts the three months in one run (the
many-months pass). Goal: the most rows one query reads at most half the limit.

The history process runs apart from this one (measure_apart), which holds the stand-in."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from tests.benchmarks.bench_clickhouse import BLOCK_ROWS, LIMIT_SHARE, USER
from tests.benchmarks.clickhouse_month import PER_DAY, MonthStandIn
from tests.benchmarks.measure import measure_apart
from tests.fakes.clickhouse_limits import READ_LIMIT, READ_MODE, Limits
from tests.repos import publishing_repo

PROJECTS = 100_000
# The windows of 30 days of 2026.09 to 2026.11 (each ends on its previous month's last day).
FIRST_DAY, DAYS = date(2026, 8, 1), 92
FROM, TO = "2026.09", "2026.11"


def history(url: str, folder: Path) -> float:
    """The run's wall time; a failed run stops the benchmark, saying why."""
    work, _ = publishing_repo(folder, "limit = 15000\n")
    command = [sys.executable, "-m", "publisher", "history", "--repo", str(work.working_tree_dir)]
    command += ["--no-push", "--from", FROM, "--to", TO, "--engine", "clickhouse"]
    command += ["--clickhouse-url", url, "--clickhouse-user", USER, "--timeout", "1800"]
    env = {name: value for name, value in os.environ.items() if not name.startswith("TOP_PYPI")}
    return measure_apart(command, folder / "history.stdout", env=env).seconds


def run(projects: int = PROJECTS) -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as tmp, MonthStandIn() as standin:
        started = time.perf_counter()
        standin.load_month(projects, FIRST_DAY, DAYS)
        loaded = time.perf_counter() - started
        cap = standin.rows(PER_DAY) // LIMIT_SHARE
        limits = Limits({READ_LIMIT: cap, READ_MODE: "break"}, block_rows=BLOCK_ROWS)
        standin.forget_conditions()
        with standin.limited(limits):
            seconds = history(standin.url, Path(tmp))
        served = list(standin.served)
        table_rows = standin.rows(PER_DAY)
    most = max((item.read_rows for item in served), default=0)
    share = 100 * most / cap
    met = "met" if share <= 50 else "MISSED"
    return [
        (f"stand-in: {projects:,} projects, {DAYS} days", loaded, "s to load"),
        ("  per-day table", table_rows, "rows"),
        ("  row limit (read_overflow_mode break)", cap, "rows"),
        (f"history {FROM} to {TO}, row limit", seconds, "s"),
        ("  queries", len(served), "queries"),
        ("most rows one query read", share, f"% of the limit (goal <= 50: {met})"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=PROJECTS)
    for name, value, unit in run(parser.parse_args().projects):
        print(f"{name:40} {value:14,.2f} {unit}")
