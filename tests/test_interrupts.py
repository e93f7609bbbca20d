"""Ctrl-C (SIGINT) sent to a real child process: one line, exit 130, nothing left behind."""

import signal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from children import cli, finish, read_until, running, wait_for_cpu, wait_for_entry
from expect import assert_one_error_line

from publisher.base.events_schema import FILE_DOWNLOADS

INTERRUPTED = 130
DAY = "2026-10-31"
# Counting these takes DuckDB tens of CPU seconds here; what it does before its first query
# takes a few hundredths, so a child that has worked this long is inside a query.
SLOW_ROWS = 20_000_000
SLOW_BATCH = 2_000_000
INSIDE_THE_QUERY = 0.5


def slow_events(folder: Path) -> Path:
    """A Parquet file that is small on disk but slow to count: one event per microsecond of
    DAY's first seconds (delta-encoded, so a few bits each), without timestamp statistics, so
    DuckDB first counts the rows of each day itself."""
    stamp = FILE_DOWNLOADS.field("timestamp").type
    project = pa.DictionaryArray.from_arrays(pa.array(np.zeros(SLOW_BATCH, np.int32)), ["boto3"])
    file = pa.StructArray.from_arrays([project], names=["project"])
    schema = pa.schema([("timestamp", stamp), ("file", file.type)])
    start = int(np.datetime64(f"{DAY}T00:00:00", "us").astype(np.int64))
    folder.mkdir()
    path = folder / "slow.parquet"
    with pq.ParquetWriter(
        path,
        schema,
        write_statistics=False,
        use_dictionary=["file.project"],
        column_encoding={"timestamp": "DELTA_BINARY_PACKED"},
        compression="zstd",
    ) as writer:
        for first in range(start, start + SLOW_ROWS, SLOW_BATCH):
            stamps = pa.array(np.arange(first, first + SLOW_BATCH), type=stamp)
            writer.write_batch(pa.record_batch([stamps, file], schema=schema))
    return path


def test_ctrl_c_while_duckdb_counts_is_one_line_and_130(tmp_path: Path) -> None:
    events, out = slow_events(tmp_path / "events"), tmp_path / "out"
    command = cli("collect", "--events", str(events), "--days", "1", "--end-date", DAY)
    # The slow events have no `details` columns: counted without the installer breakdown.
    with running([*command, "--no-breakdown", "--out", str(out)]) as child:
        assert "Counting downloads" in read_until(child, "Counting downloads")
        wait_for_cpu(child, INSIDE_THE_QUERY)
        child.send_signal(signal.SIGINT)
        code, _, err = finish(child)
    assert code == INTERRUPTED, err
    assert_one_error_line(err, "interrupted")
    assert not out.exists()


def test_ctrl_c_in_sample_stops_the_day_it_writes(tmp_path: Path) -> None:
    """One day of ten million events takes seconds to write: Ctrl-C as soon as its file
    appears must stop it there, with no finished file and no hidden partial one."""
    out = tmp_path / "out"
    command = cli("sample", str(out), "--events", "10000000", "--days", "1", "--end-date", DAY)
    with running(command) as child:
        wait_for_entry(child, out)
        child.send_signal(signal.SIGINT)
        code, _, err = finish(child)
    assert code == INTERRUPTED, err
    assert_one_error_line(err, "interrupted")
    assert sorted(p.name for p in out.iterdir()) == []
