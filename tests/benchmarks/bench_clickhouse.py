"""ClickHouse under a public server's row limit (issue 17): `top-pypi collect --engine
clickhouse`, with the installer breakdown, against a stand-in holding a ClickPy-sized month
(about 800,000 projects over 60 days, clickhouse_month.py) whose user may read at most a tenth
of the per-day table in one query (`read_overflow_mode = 'break'`: a cut answer, no error).

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
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq

ROOT = Path(__file__).parents[2]
sys.path.insert(0, str(ROOT))

from clickhouse_month import INSTALLERS, PER_DAY, MonthStandIn, Served  # noqa: E402
from measure import Measured, measure_apart  # noqa: E402

from tests.fakes.clickhouse_limits import READ_LIMIT, READ_MODE, Limits  # noqa: E402

PROJECTS, DAYS = 800_000, 60
END = date(2026, 10, 31)
USER = "demo"
LIMIT_SHARE = 10  # the row limit: a tenth of the per-day table
# ClickHouse's default max_block_size: a real server checks its limits on blocks of this size
# (the stand-in's default, 1,000, is for the tests' tables of thousands of rows).
BLOCK_ROWS = 65_536
KINDS = ("limits", "estimate", "count", "recount", "breakdown", "other")
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


def by_kind(served: list[Served]) -> tuple[Counter[str], dict[str, float]]:
    counts: Counter[str] = Counter(item.kind for item in served)
    seconds: dict[str, float] = defaultdict(float)
    for item in served:
        seconds[item.kind] += item.seconds
    return counts, seconds


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def figures(
    plain: tuple[Measured, list[Served]],
    limited: tuple[Measured, list[Served]],
    cap: int,
    same: bool,
) -> list[tuple[str, float, str]]:
    (plain_run, plain_served), (limited_run, served) = plain, limited
    counts, seconds = by_kind(served)
    plain_server = sum(item.seconds for item in plain_served)
    most = max((item.read_rows for item in served), default=0)
    share = 100 * most / cap
    ratio = limited_run.seconds / plain_run.seconds
    peak = limited_run.peak_bytes / 2**20
    return [
        ("collect, no limits", plain_run.seconds, "s (baseline)"),
        ("  server answering", plain_server, f"s, {len(plain_served)} queries"),
        ("collect, row limit", limited_run.seconds, "s"),
        ("  server answering", sum(seconds.values()), f"s, {len(served)} queries"),
        *[(f"    {kind}", seconds[kind], f"s, {counts[kind]} queries") for kind in KINDS],
        ("limited / no limits", ratio, f"x wall time (goal <= 3: {verdict(ratio <= 3)})"),
        ("most rows one query read", share, f"% of the limit (goal <= 50: {verdict(share <= 50)})"),
        ("peak memory, row limit", peak, f"MiB (goal <= 1024: {verdict(peak <= 1024)})"),
        ("peak memory, no limits", plain_run.peak_bytes / 2**20, "MiB"),
        ("same ranking and long tail", float(same), "(1: yes, 0: NO)"),
    ]


def run(projects: int = PROJECTS) -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as tmp, MonthStandIn() as standin:
        root = Path(tmp)
        started = time.perf_counter()
        standin.load_month(projects, END - timedelta(days=DAYS - 1), DAYS)
        loaded = time.perf_counter() - started
        table_rows = standin.rows(PER_DAY)
        cap = table_rows // LIMIT_SHARE
        standin.served.clear()
        plain = collect(standin.url, root / "plain"), list(standin.served)
        limits = Limits({READ_LIMIT: cap, READ_MODE: "break"}, block_rows=BLOCK_ROWS)
        standin.served.clear()
        with standin.limited(limits):
            limited = collect(standin.url, root / "limited"), list(standin.served)
        same = same_datasets(root / "plain", root / "limited")
        setup = [
            (f"stand-in: {projects:,} projects, {DAYS} days", loaded, "s to load"),
            ("  per-day table", table_rows, "rows"),
            ("  installer table", standin.rows(INSTALLERS), "rows"),
            ("  row limit (read_overflow_mode break)", cap, "rows"),
        ]
    return setup + figures(plain, limited, cap, same)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=PROJECTS)
    for name, value, unit in run(parser.parse_args().projects):
        print(f"{name:40} {value:14,.2f} {unit}")
