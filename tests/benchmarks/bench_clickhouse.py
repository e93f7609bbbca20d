"""ClickHouse under a public server's row limit (issue 17): `top-pypi collect --engine
clickhouse`, with the installer breakdown, against a stand-in holding a ClickPy-sized month
(about 800,000 projects over 60 days, clickhouse_month.py) whose user may read at most a tenth
of the per-day table in one query (`read_overflow_mode = 'break'`: a cut answer, no error).

Each collect runs REPEATS times, alternating, and the faster run of each counts: on a shared
machine the same collect took 33 s in one run and 67 s in another.

Goals: the most rows one query reads at most half the limit; the limited collect's wall time at
most 3x the same collect on the same stand-in without limits, measured in the same run; peak
memory (max RSS) of the `top-pypi collect` process at most 1 GiB. Also shown: how many queries
the server answered, by kind, and the seconds it spent on each kind (where the time goes), and
whether both collects wrote the same ranking and long tail.

Both collects run as child processes of a fresh small parent (measure_apart), since this
process holds the stand-in (chDB) and a child's max RSS counts its parent's memory at fork.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq

from tests.benchmarks.clickhouse_month import INSTALLERS, PER_DAY, MonthStandIn, Served
from tests.benchmarks.measure import Measured, measure_apart
from tests.fakes.clickhouse_limits import READ_LIMIT, READ_MODE, Limits

PROJECTS, DAYS = 800_000, 60
END = date(2026, 10, 31)
USER = "demo"
LIMIT_SHARE = 10  # the row limit: a tenth of the per-day table
# ClickHouse's default max_block_size: a real server checks its limits on blocks of this size
# (the stand-in's default, 1,000, is for the tests' tables of thousands of rows).
BLOCK_ROWS = 65_536
KINDS = ("limits", "estimate", "count", "recount", "breakdown", "other")
REPEATS = 2  # runs of each collect, alternating; the faster counts
COMPARED = ("top-pypi-packages.csv", "top-pypi-packages-extended.csv")


def collect(url: str, out: Path) -> Measured:
    command = [sys.executable, "-m", "publisher", "collect", "--engine", "clickhouse"]
    command += ["--clickhouse-url", url, "--clickhouse-user", USER, "--timeout", "1800"]
    command += ["--end-date", END.isoformat(), "--out", str(out)]
    env = {name: value for name, value in os.environ.items() if not name.startswith("TOP_PYPI")}
    return measure_apart(command, out.with_name(out.name + ".stdout"), env=env)


def same_datasets(first: Path, second: Path) -> bool:
    """The same rows and long tail: the compared files' bytes, the extended Parquet's table."""
    if any((first / name).read_bytes() != (second / name).read_bytes() for name in COMPARED):
        return False
    parquet = "top-pypi-packages-extended.parquet"
    return bool(pq.read_table(first / parquet).equals(pq.read_table(second / parquet)))


@dataclass(frozen=True)
class Collected:
    """One collect: the process's figures and what the stand-in answered it."""

    measured: Measured
    served: list[Served]


def server_rows(label: str, served: list[Served]) -> list[tuple[str, float, str]]:
    """The server's time, queries and rows read, in all and for each kind of query."""
    total = sum(item.seconds for item in served)
    rows = [(f"  {label}: server answering", total, f"s, {len(served)} queries")]
    for kind in KINDS:
        mine = [item for item in served if item.kind == kind]
        if mine:
            seconds, read = sum(i.seconds for i in mine), sum(i.read_rows for i in mine)
            rows.append((f"    {kind}", seconds, f"s, {len(mine)} queries, {read:,} rows read"))
    return rows


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def figures(plain: Collected, limited: Collected, cap: int) -> list[tuple[str, float, str]]:
    """`plain` and `limited`: the faster of each's runs (wall time) in the same run."""
    most = max((item.read_rows for item in limited.served), default=0)
    share = 100 * most / cap
    ratio = limited.measured.seconds / plain.measured.seconds
    peak = limited.measured.peak_bytes / 2**20
    return [
        ("collect, no limits", plain.measured.seconds, "s (baseline, the faster run)"),
        *server_rows("no limits", plain.served),
        ("collect, row limit", limited.measured.seconds, "s (the faster run)"),
        *server_rows("row limit", limited.served),
        ("limited / no limits", ratio, f"x wall time (goal <= 3: {verdict(ratio <= 3)})"),
        ("most rows one query read", share, f"% of the limit (goal <= 50: {verdict(share <= 50)})"),
        ("peak memory, row limit", peak, f"MiB (goal <= 1024: {verdict(peak <= 1024)})"),
        ("peak memory, no limits", plain.measured.peak_bytes / 2**20, "MiB"),
    ]


def collected(standin: MonthStandIn, out: Path) -> Collected:
    standin.forget_conditions()
    standin.served.clear()
    measured = collect(standin.url, out)
    return Collected(measured, list(standin.served))


def run(projects: int = PROJECTS, repeats: int = REPEATS) -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as tmp, MonthStandIn() as standin:
        root = Path(tmp)
        started = time.perf_counter()
        standin.load_month(projects, END - timedelta(days=DAYS - 1), DAYS)
        loaded = time.perf_counter() - started
        table_rows = standin.rows(PER_DAY)
        cap = table_rows // LIMIT_SHARE
        limits = Limits({READ_LIMIT: cap, READ_MODE: "break"}, block_rows=BLOCK_ROWS)
        plain, limited = [], []
        for index in range(repeats):  # alternating, so that a busy minute hits both alike
            plain.append(collected(standin, root / f"plain-{index}"))
            with standin.limited(limits):
                limited.append(collected(standin, root / f"limited-{index}"))
        same = all(same_datasets(root / "plain-0", root / f"limited-{i}") for i in range(repeats))
        setup = [
            (f"stand-in: {projects:,} projects, {DAYS} days", loaded, "s to load"),
            ("  per-day table", table_rows, "rows"),
            ("  installer table", standin.rows(INSTALLERS), "rows"),
            ("  row limit (read_overflow_mode break)", cap, "rows"),
        ]
    fastest_plain, fastest_limited = (
        min(runs, key=lambda run: run.measured.seconds) for runs in (plain, limited)
    )
    spread = [
        (f"  {name} runs", run.measured.seconds, "s")
        for name, runs in (("no limits", plain), ("row limit", limited))
        for run in runs
    ]
    same_row = ("same ranking and long tail", float(same), "(1: yes, 0: NO)")
    return [*setup, *figures(fastest_plain, fastest_limited, cap), *spread, same_row]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=PROJECTS)
    parser.add_argument("--repeats", type=int, default=REPEATS)
    arguments = parser.parse_args()
    for name, value, unit in run(arguments.projects, arguments.repeats):
        print(f"{name:40} {value:14,.2f} {unit}")
