"""`collect` on the embedded engine against a bare DuckDB GROUP BY over the same files.

Goals (issue 20): `collect --no-breakdown` at least 0.8x the bare query's throughput, with the
breakdown (the default) at least 0.5x; peak memory at most 1 GiB, for a 30-day window of a
35-day sample of 50M events and limit 15000.

Throughput is compared warm, in one process, best of three alternating runs: the engine's
whole `collect` (completeness check, translated query, ranking, validation, the three files)
against the bare query alone. The process figures (start-up and imports included) and peak
memory come from running the real command line as a child process.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from tests.benchmarks.measure import measure

END = date(2026, 10, 31)
IN_PROCESS = """
import json, sys, time
from datetime import UTC, date, datetime
from pathlib import Path
import duckdb
from publisher.dataset.collect import collect
from publisher.count.engines.base import Request
from publisher.count.engines.duckdb.engine import DuckDBEngine
from publisher.count.window import Window

folder = sys.argv[1]
BARE = (
    "SELECT file.project AS project, count(*) AS n FROM read_parquet(?) "
    "WHERE timestamp >= TIMESTAMPTZ '2026-10-02 00:00:00+00' "
    "AND timestamp < TIMESTAMPTZ '2026-11-01 00:00:00+00' "
    "GROUP BY ALL ORDER BY n DESC, project LIMIT 15000"
)
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
window = Window(date(2026, 10, 2), date(2026, 10, 31))
engine = DuckDBEngine(folder)

def bare():
    con.execute(BARE, [folder + "/*.parquet"]).fetchall()

def ours(breakdown):
    request = Request(window, 15000, breakdown=breakdown)
    return lambda: collect(engine, request, datetime.now(UTC), lambda message: None)

runs = (("bare", bare), ("collect", ours(True)), ("plain", ours(False)))
best = {name: float("inf") for name, _ in runs}
for _ in range(3):
    for name, run in runs:
        started = time.perf_counter()
        run()
        best[name] = min(best[name], time.perf_counter() - started)
Path(sys.argv[2]).write_text(json.dumps(best))
"""


def run(events: int) -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "events"
        # In a child process: a child's peak memory counts the parent's at fork, so the
        # parent must stay small for the children's figures to be their own.
        sample = [sys.executable, "-m", "publisher", "sample", str(folder)]
        sample += ["--events", str(events), "--projects", "200000", "--end-date", END.isoformat()]
        measure(sample)
        # The figures come back in a file: DuckDB draws its progress bar on standard output.
        figures = Path(tmp) / "warm.json"
        subprocess.run(
            [sys.executable, "-c", IN_PROCESS, str(folder), str(figures)],
            check=True,
            capture_output=True,
        )
        warm = json.loads(figures.read_text())
        command = [sys.executable, "-m", "publisher", "collect", "--events", str(folder)]
        command += ["--end-date", END.isoformat(), "--out", str(Path(tmp) / "out")]
        cold = measure(command)
    in_window = round(events * 30 / 35)
    ratio, plain = warm["bare"] / warm["collect"], warm["bare"] / warm["plain"]
    verdict = "met" if ratio >= 0.5 else "MISSED"
    plain_verdict = "met" if plain >= 0.8 else "MISSED"
    return [
        ("bare DuckDB GROUP BY", in_window / warm["bare"] / 1e6, "M events/s (baseline)"),
        ("collect (count to file bytes)", in_window / warm["collect"] / 1e6, "M events/s"),
        ("collect / bare throughput", ratio, f"x (goal >= 0.5: {verdict})"),
        ("collect --no-breakdown / bare", plain, f"x (goal >= 0.8: {plain_verdict})"),
        ("top-pypi collect, whole process", cold.seconds, "s (start-up and imports included)"),
        ("top-pypi collect peak memory", cold.peak_bytes / 2**20, "MiB (goal <= 1024)"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000_000)
    for name, value, unit in run(parser.parse_args().events):
        print(f"{name:34} {value:10.2f} {unit}")
