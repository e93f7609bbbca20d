"""What the BigQuery stand-in keeps between jobs to answer faster (docs/testing.md) must never
change an answer: a statement that reads the clock is planned at each reading, and a folder
written again is measured again. The events and stand-ins are test_bigquery_standin's."""

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from tests.fakes.bigquery import BigQueryStandIn
from tests.test_bigquery_standin import (
    DAYS,
    EVENTS_PER_DAY,
    NOW,
    TABLE,
    TIMESTAMP,
    bigquery_events_dir,
    events,
    expected_bytes,
    make_standin,
)

__all__ = ["bigquery_events_dir", "events", "make_standin"]  # the fixtures, shared


def test_a_statement_that_reads_the_clock_is_pruned_at_each_reading(
    make_standin: Callable[..., BigQueryStandIn], events: pa.Table
) -> None:
    """The stand-in plans a statement once, but CURRENT_TIMESTAMP() is read at every job."""
    clock = [NOW]
    standin = make_standin(clock=lambda: clock[0])
    sql = (
        f"SELECT COUNT(*) FROM {TABLE} WHERE timestamp BETWEEN "
        "TIMESTAMP_SUB(CURRENT_TIMESTAMP(), INTERVAL 1 DAY) AND CURRENT_TIMESTAMP()"
    )
    assert standin.bytes_for(sql).partitions == (DAYS[3],)  # noon 03-04 to noon 03-05
    clock[0] = NOW - timedelta(days=2)
    cost = standin.bytes_for(sql)
    assert cost.partitions == (DAYS[1], DAYS[2])  # noon 03-02 to noon 03-03
    assert cost.processed == expected_bytes(events, DAYS[1:3], [TIMESTAMP])


def test_a_folder_written_again_is_measured_again(tmp_path: Path, events: pa.Table) -> None:
    """Partitions are measured once per folder while its files stay the same."""
    day = events.filter(pc.equal(pc.cast(events["timestamp"], pa.date32()), pa.scalar(DAYS[0])))
    pq.write_table(day, tmp_path / f"{DAYS[0]}.parquet")
    with BigQueryStandIn(tmp_path, clock=lambda: NOW) as standin:
        assert standin.partitions[DAYS[0]].rows == EVENTS_PER_DAY
    pq.write_table(day.slice(0, 10), tmp_path / f"{DAYS[0]}.parquet")
    with BigQueryStandIn(tmp_path, clock=lambda: NOW) as standin:
        assert standin.partitions[DAYS[0]].rows == 10
        assert standin.bytes_for(f"SELECT timestamp FROM {TABLE}").processed == 10 * 8
