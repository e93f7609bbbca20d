"""`write_sample` against a naive generator in plain DuckDB SQL, measured in the same run.

Goal: at least 1,000,000 events/s for the full `file_downloads` schema on a 2-core machine.
The baseline builds every row in SQL (random() and string concatenation per row), the obvious
way to write such a generator; it runs on a smaller count and is scaled to events/s.
"""

import argparse
import os
import resource
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

from publisher.sample.generator import SampleSpec, write_sample

END = date(2026, 10, 31)
DAYS = 35
PROJECTS = 20_000
GOAL = 1_000_000  # events/s
BASELINE_MAX_EVENTS = 1_000_000

# Same columns and nesting as FILE_DOWNLOADS; values drawn per row.
BASELINE_SQL = """
COPY (
    SELECT
        TIMESTAMPTZ '{start} 00:00:00+00'
            + to_microseconds(CAST(floor(random() * {days} * 86400e6) AS BIGINT)) AS timestamp,
        ['US', 'CN', 'DE', 'IE', 'GB', 'IN'][CAST(floor(random() * 6) AS INTEGER) + 1]
            AS country_code,
        '/packages/' || md5(CAST(p AS VARCHAR)) || '/' || filename AS url,
        name AS project,
        struct_pack(filename := filename, project := name, version := version,
                    type := 'bdist_wheel') AS file,
        struct_pack(
            installer := struct_pack(
                name := ['pip', 'uv', 'poetry', 'Nexus'][CAST(floor(random() * 4) AS INTEGER) + 1],
                version := '24.0'),
            python := '3.1' || CAST(floor(random() * 5) AS INTEGER) || '.4',
            implementation := struct_pack(name := 'CPython', version := '3.12.4'),
            distro := struct_pack(
                name := 'Ubuntu', version := '24.04', id := 'noble',
                libc := struct_pack(lib := 'glibc', version := '2.39')),
            system := struct_pack(name := 'Linux', release := '6.8.0'),
            cpu := 'x86_64',
            openssl_version := 'OpenSSL 3.0.13 30 Jan 2024',
            setuptools_version := '69.5.1',
            rustc_version := CAST(NULL AS VARCHAR),
            ci := CASE WHEN random() < 0.3 THEN true END) AS details,
        'TLSv1.3' AS tls_protocol,
        'TLS_AES_128_GCM_SHA256' AS tls_cipher
    FROM (
        SELECT *, replace(name, '-', '_') || '-' || version || '-py3-none-any.whl' AS filename
        FROM (
            SELECT
                p,
                'project-' || p AS name,
                '1.' || CAST(floor(random() * 20) AS INTEGER) || '.0' AS version
            FROM (
                SELECT CAST(floor({projects} * pow(random(), 4)) AS BIGINT) AS p
                FROM range({n})
            )
        )
    )
    ORDER BY timestamp
) TO '{path}' (FORMAT parquet, COMPRESSION zstd)
"""


def run(events: int) -> list[tuple[str, float, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        _warm_up(Path(tmp) / "warm-up")
        seconds, cpu = _time_sample(Path(tmp) / "sample", events)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
        baseline_events = min(events, BASELINE_MAX_EVENTS)
        baseline_seconds = _time_baseline(Path(tmp) / "baseline.parquet", baseline_events)
    rate = events / seconds
    baseline = baseline_events / baseline_seconds
    met = "met" if rate >= GOAL else "MISSED"
    return [
        ("write_sample", rate / 1e6, f"M events/s ({events:,} events, {DAYS} days)"),
        (
            "write_sample CPU time",
            cpu / events * 1e9,
            "ns/event CPU, all threads (less load-sensitive than wall time)",
        ),
        (
            "plain DuckDB SQL generator",
            baseline / 1e6,
            f"M events/s (baseline, {baseline_events:,})",
        ),
        ("write_sample / baseline", rate / baseline, "x"),
        ("write_sample / 1M events/s goal", rate / GOAL, f"x (goal >= 1: {met})"),
        ("process peak memory", peak, "MiB (after write_sample)"),
    ]


def _warm_up(folder: Path) -> None:
    """Pay the one-time imports (pyarrow loads pandas lazily) outside the measurement."""
    write_sample(folder, SampleSpec(events=10_000, projects=100, days=2, end=END))


def _time_sample(folder: Path, events: int) -> tuple[float, float]:
    spec = SampleSpec(events=events, projects=PROJECTS, days=DAYS, end=END)
    started, cpu_started = time.perf_counter(), time.process_time()
    write_sample(folder, spec)
    return time.perf_counter() - started, time.process_time() - cpu_started


def _time_baseline(path: Path, events: int) -> float:
    start = END - timedelta(days=DAYS - 1)
    sql = BASELINE_SQL.format(start=start, days=DAYS, projects=PROJECTS, n=events, path=path)
    con = duckdb.connect()
    con.execute("SELECT setseed(0.5)")
    started = time.perf_counter()
    con.execute(sql)
    seconds = time.perf_counter() - started
    con.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5_000_000, help="events to generate")
    events = parser.parse_args().events
    print(f"write_sample with {events:,} events on {os.cpu_count()} CPUs")
    for name, value, unit in run(events):
        print(f"{name:34} {value:10.2f} {unit}")


if __name__ == "__main__":
    main()
