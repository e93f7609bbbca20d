"""The long tail: a month of about 800,000 counted projects, with its previous month.

Goals (issue: honest numbers): the extended Parquet of every project at most 10 MB, peak memory
of the whole run at most 1 GiB; (issue 20) its time at most 2x the plain top-N run's.

The sample has 850,000 projects and 100M events over the 61 days of September and October
2026, so each 30-day month holds about 50M events and 780,000 counted projects. September is
counted first, then October with `--previous` pointing at September's folder. The baseline is
a bare DuckDB top-N GROUP BY over the same files, as its own process; `--no-breakdown` is
measured too, to show what the installer and CI columns cost.
"""

import argparse
import sys
import tempfile
import zlib
from pathlib import Path

from tests.benchmarks.measure import Measured, measure

PROJECTS = 850_000
MONTHS = (("2026-09-30", "september"), ("2026-10-31", "october"))
BARE = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
con.execute(
    "SELECT file.project AS project, count(*) AS n FROM read_parquet(?) "
    "WHERE timestamp >= TIMESTAMPTZ '2026-10-02 00:00:00+00' "
    "AND timestamp < TIMESTAMPTZ '2026-11-01 00:00:00+00' "
    "GROUP BY ALL ORDER BY n DESC, project LIMIT 15000",
    [sys.argv[1] + "/*.parquet"],
).fetchall()
"""


def collect(events: Path, end: str, out: Path, *extra: str) -> Measured:
    command = [sys.executable, "-m", "publisher", "collect", "--events", str(events)]
    return measure([*command, "--end-date", end, "--out", str(out), *extra])


def stored_bytes(folder: Path) -> int:
    """What a month adds to a git repository: each distinct file's bytes, zlib-compressed as
    git stores a loose object (identical copies are one object)."""
    distinct = {path.read_bytes() for path in folder.iterdir() if path.is_file()}
    return sum(len(zlib.compress(body)) for body in distinct)


def run(events: int) -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "events"
        sample = [sys.executable, "-m", "publisher", "sample", str(folder), "--events", str(events)]
        measure([*sample, "--projects", str(PROJECTS), "--days", "61", "--end-date", "2026-10-31"])
        (first_end, first), (end, month) = MONTHS
        collect(folder, first_end, root / first)
        whole = collect(folder, end, root / month, "--previous", str(root / first))
        plain = collect(folder, end, root / "plain", "--no-breakdown")
        bare = measure([sys.executable, "-c", BARE, str(folder)])
        parquet = (root / month / "top-pypi-packages-extended.parquet").stat().st_size
        growth = stored_bytes(root / month)
    size_verdict = "met" if parquet <= 10e6 else "MISSED"
    memory_verdict = "met" if whole.peak_bytes <= 2**30 else "MISSED"
    slower = whole.seconds / bare.seconds
    time_verdict = "met" if slower <= 2 else "MISSED"
    return [
        ("bare DuckDB top-N, whole process", bare.seconds, "s (baseline)"),
        (
            "collect, long tail + breakdown",
            slower,
            f"x the baseline's time (goal <= 2: {time_verdict})",
        ),
        ("collect --no-breakdown", plain.seconds / bare.seconds, "x the baseline's time"),
        ("extended Parquet, every project", parquet / 1e6, f"MB (goal <= 10: {size_verdict})"),
        ("collect peak memory", whole.peak_bytes / 2**20, f"MiB (goal <= 1024: {memory_verdict})"),
        ("repository growth per month", growth / 1e6, "MB (git objects, zlib)"),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000_000)
    for name, value, unit in run(parser.parse_args().events):
        print(f"{name:36} {value:10.2f} {unit}")
