"""Ctrl-C (SIGINT) sent to a real child process: one line, exit 130, nothing left behind."""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from publisher.base.events_schema import FILE_DOWNLOADS
from tests.children import cli, finish, has_entry, has_open, interrupt_at, read_until, running
from tests.expect import assert_one_error_line

INTERRUPTED = 130
DAY = "2026-10-31"
# Counting these keeps the file open in DuckDB's queries for about a CPU second here: the
# signal is sent while it is open, so inside a query, whatever the machine's load.
SLOW_ROWS = 20_000_000
SLOW_BATCH = 2_000_000


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
        interrupt_at(child, has_open(events.resolve()))
        code, _, err = finish(child)
    assert code == INTERRUPTED, err
    assert_one_error_line(err, "interrupted")
    assert not out.exists()


def test_ctrl_c_in_sample_stops_the_day_it_writes(tmp_path: Path) -> None:
    """One day of ten million events takes seconds to write: Ctrl-C while its unfinished file
    is there must stop it, with no finished file and no hidden partial one."""
    out = tmp_path / "out"
    command = cli("sample", str(out), "--events", "10000000", "--days", "1", "--end-date", DAY)
    with running(command) as child:
        # The day is written to `.{name}.{pid}.partial`, renamed once it is whole.
        interrupt_at(child, has_entry(out, suffix=".partial"))
        code, _, err = finish(child)
    assert code == INTERRUPTED, err
    assert_one_error_line(err, "interrupted")
    assert sorted(p.name for p in out.iterdir()) == []
