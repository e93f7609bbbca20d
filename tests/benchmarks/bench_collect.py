"""`collect` on the embedded engine against a bare DuckDB GROUP BY over the same files.

Goal (issue: the monthly run): at least 0.8x the bare query's throughput, peak memory at most
1 GiB, for a 30-day window of a 35-day sample of 50M events and limit 15000.
"""

import argparse
import sys
import tempfile
from datetime import date
from pathlib import Path

from measure import measure

END = date(2026, 10, 31)
BARE_QUERY = """
import sys, duckdb
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
rows = con.execute(
    "SELECT file.project AS project, count(*) AS n FROM read_parquet(?) "
    "WHERE timestamp >= TIMESTAMPTZ '2026-10-02 00:00:00+00' "
    "AND timestamp < TIMESTAMPTZ '2026-11-01 00:00:00+00' "
    "GROUP BY ALL ORDER BY n DESC, project LIMIT 15000",
    [sys.argv[1] + '/*.parquet'],
).fetchall()
assert len(rows) > 0
"""


def run(events: int) -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "events"
        # In a child process: a child's peak memory counts the parent's at fork, so the
        # parent must stay small for the children's figures to be their own.
        measure(
            [
                sys.executable,
                "-m",
                "publisher",
                "sample",
                str(folder),
                "--events",
                str(events),
                "--projects",
                "200000",
                "--days",
                "35",
                "--end-date",
                END.isoformat(),
            ]
        )
        in_window = round(events * 30 / 35)
        bare = measure([sys.executable, "-c", BARE_QUERY, str(folder)])
        collect = measure(
            [
                sys.executable,
                "-m",
                "publisher",
                "collect",
                "--events",
                str(folder),
                "--end-date",
                END.isoformat(),
                "--out",
                str(Path(tmp) / "out"),
            ]
        )
    ratio = bare.seconds / collect.seconds
    return [
        ("bare DuckDB GROUP BY", in_window / bare.seconds / 1e6, "M events/s (baseline)"),
        ("collect --engine duckdb", in_window / collect.seconds / 1e6, "M events/s"),
        (
            "collect / bare throughput",
            ratio,
            f"x (goal >= 0.8: {'met' if ratio >= 0.8 else 'MISSED'})",
        ),
        ("collect peak memory", collect.peak_bytes / 2**20, "MiB (goal <= 1024)"),
        ("bare peak memory", bare.peak_bytes / 2**20, "MiB"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000_000)
    for name, value, unit in run(parser.parse_args().events):
        print(f"{name:32} {value:10.2f} {unit}")
