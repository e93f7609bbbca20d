"""Query jobs of the BigQuery stand-in: what a job costs, whether BigQuery would run it, and how
it looks on the wire.

BigQuery plans a query before reading anything: it knows the bytes it will bill, refuses the job
if they exceed the job's `maximumBytesBilled` (reason bytesBilledLimitExceeded) or the project's
free allowance (quotaExceeded), and otherwise runs it. A refused job still exists, in state DONE
with `status.errorResult` set, and bills nothing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.pushdown_projections import pushdown_projections

from tests.fakes.bigquery_billing import (
    METADATA_BYTES,
    Catalog,
    Scan,
    billed_for_table,
    scanned_bytes,
    table_scans,
)
from tests.fakes.bigquery_engine import EventStore
from tests.fakes.bigquery_sql import (
    EVENTS_TABLE,
    JOBS_VIEW,
    PARTITIONS_VIEW,
    QueryError,
    table_name,
    translate,
)
from tests.fakes.bigquery_wire import LOCATION, error_proto, millis, schema_json

FREE_TIER_MESSAGE = (
    "Quota exceeded: Your project exceeded quota for free query bytes scanned. For more "
    "information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas"
)


@dataclass(frozen=True)
class Cost:
    """What BigQuery reports for a query before and after running it."""

    processed: int
    billed: int
    partitions: tuple[date, ...]


@dataclass
class Job:
    """One query the stand-in received, dry runs included (they get no job id and are never
    stored as jobs by BigQuery, but tests want to see them). `bytes_processed`/`bytes_billed`
    are BigQuery's estimate, also for a refused job; `charged` is what the month's bill got."""

    job_id: str | None
    project: str
    query: str
    dry_run: bool
    maximum_bytes_billed: int | None
    created: datetime
    api: str  # "jobs.insert", "jobs.query" or "seeded"
    user_email: str
    configuration: dict[str, Any] = field(default_factory=dict)
    bytes_processed: int = 0
    bytes_billed: int = 0
    partitions: tuple[date, ...] = ()
    error: QueryError | None = None
    result: pa.Table | None = None

    @property
    def charged(self) -> int:
        """Bytes this job adds to the month's bill: refused jobs and dry runs are free."""
        return 0 if self.dry_run or self.error else self.bytes_billed

    def reference(self) -> dict[str, str]:
        reference = {"projectId": self.project, "location": LOCATION}
        if self.job_id:
            reference["jobId"] = self.job_id
        return reference

    def status(self) -> dict[str, Any]:
        if self.error is None:
            return {"state": "DONE"}
        proto = error_proto(self.error.reason, self.error.message)
        return {"state": "DONE", "errorResult": proto, "errors": [proto]}

    def statistics(self) -> dict[str, Any]:
        times = {"creationTime": millis(self.created)}
        if not self.dry_run:
            times |= {"startTime": millis(self.created), "endTime": millis(self.created)}
        if self.error is not None:
            return times
        query: dict[str, Any] = {
            "totalBytesProcessed": str(self.bytes_processed),
            "totalBytesBilled": str(0 if self.dry_run else self.bytes_billed),
            "totalBytesProcessedAccuracy": "PRECISE",
            "totalPartitionsProcessed": str(len(self.partitions)),
            "cacheHit": False,
            "statementType": "SELECT",
            "billingTier": 1,
        }
        if self.result is not None:
            query["schema"] = schema_json(self.result.schema)
        return times | {"totalBytesProcessed": str(self.bytes_processed), "query": query}

    def resource(self, base_url: str) -> dict[str, Any]:
        """The Job resource of jobs.insert and jobs.get."""
        resource: dict[str, Any] = {
            "kind": "bigquery#job",
            "jobReference": self.reference(),
            "configuration": self.configuration,
            "statistics": self.statistics(),
            "status": self.status(),
            "user_email": self.user_email,
        }
        if self.job_id:
            path = f"/bigquery/v2/projects/{self.project}/jobs/{self.job_id}"
            resource["id"] = f"{self.project}:{LOCATION}.{self.job_id}"
            resource["selfLink"] = f"{base_url}{path}?location={LOCATION}"
        return resource

    def jobs_view_row(self) -> dict[str, Any]:
        """This job as a row of INFORMATION_SCHEMA.JOBS_BY_PROJECT."""
        error: dict[str, str | None] | None = None
        if self.error is not None:
            error = {"reason": self.error.reason, "message": self.error.message}
            error |= {"location": None, "debug_info": None}
        return {
            "creation_time": self.created,
            "project_id": self.project,
            "user_email": self.user_email,
            "job_id": self.job_id,
            "job_type": "QUERY",
            "statement_type": "SELECT",
            "priority": "INTERACTIVE",
            "start_time": self.created,
            "end_time": self.created,
            "query": self.query,
            "state": "DONE",
            "total_bytes_processed": 0 if self.error else self.bytes_processed,
            "total_bytes_billed": self.charged,
            "cache_hit": False,
            "error_result": error,
        }


class QueryPlanner:
    """Translates, costs and runs queries against one EventStore."""

    def __init__(self, store: EventStore) -> None:
        self.store = store
        partitions = frozenset(store.partitions)
        self._catalog = Catalog(
            table_name=table_name,
            leaves={EVENTS_TABLE: store.leaves, PARTITIONS_VIEW: (), JOBS_VIEW: ()},
            partitions={
                EVENTS_TABLE: partitions,
                PARTITIONS_VIEW: frozenset(),
                JOBS_VIEW: frozenset(),
            },
        )
        self._sizes = {day: p.leaf_bytes for day, p in store.partitions.items()}
        self._plans: dict[tuple[str, datetime | None], tuple[str, Cost, bool]] = {}
        self._plans_lock = threading.Lock()

    def plan(self, sql: str, now: datetime) -> tuple[str, Cost, bool]:
        """DuckDB SQL, cost, and whether the query reads JOBS_BY_PROJECT. Raises QueryError."""
        # The events never change under a stand-in, so a statement translates and costs the
        # same every time (at the same clock, if it reads the clock): plan it once. A refused
        # statement is planned again, and refused again, each time it comes.
        key = (sql, now if _READS_CLOCK.search(sql) else None)
        with self._plans_lock:
            planned = self._plans.get(key)
        if planned is None:
            translation = translate(sql, self.store.schema, now)
            cost = self.cost(translation.tree)
            planned = translation.duckdb_sql, cost, translation.reads_jobs_view
            with self._plans_lock:
                self._plans[key] = planned
        return planned

    def cost(self, tree: exp.Expression) -> Cost:
        scans = table_scans(_pushed_down(tree), self._catalog, self.store.fold)
        processed = billed = 0
        for name in {scan.table for scan in scans}:
            table_processed = self._processed(name, [s for s in scans if s.table == name])
            processed += table_processed
            billed += table_processed if name != EVENTS_TABLE else billed_for_table(table_processed)
        days = {
            day for scan in scans if scan.table == EVENTS_TABLE and scan.leaves for day in scan.days
        }
        return Cost(processed, billed, tuple(sorted(days)))

    def _processed(self, name: str, scans: list[Scan]) -> int:
        if name == EVENTS_TABLE:
            return scanned_bytes(scans, self._sizes)
        return METADATA_BYTES

    def run(self, duckdb_sql: str) -> pa.Table:
        return self._guarded(lambda: self.store.run(duckdb_sql))

    def result_schema(self, duckdb_sql: str) -> pa.Table:
        """The query's columns without its rows: what a dry run reports."""
        return self._guarded(lambda: self.store.run(duckdb_sql, limit=0))

    @staticmethod
    def _guarded(run: Callable[[], pa.Table]) -> pa.Table:
        try:
            return run()
        except duckdb.Error as error:
            # What DuckDB cannot bind or run after translation, BigQuery would have rejected
            # too (or the translation has a gap): either way an invalid query, not a crash.
            message = str(error).splitlines()[0]
            raise QueryError("invalidQuery", f"Query failed in the stand-in: {message}") from error


# CURRENT_TIMESTAMP, CURRENT_DATE and the like, anywhere in the text: a false match only plans
# a statement once per clock reading instead of once.
_READS_CLOCK = re.compile(r"current_", re.IGNORECASE)


def _pushed_down(tree: exp.Expression) -> exp.Expression:
    # BigQuery reads only the columns a query uses, even through CTEs and subqueries.
    try:
        return pushdown_projections(tree.copy())
    except SqlglotError:
        return tree


def check_limits(
    cost: Cost, maximum_bytes_billed: int | None, free_left: Callable[[], int | None]
) -> None:
    """Refuse a job as BigQuery does before it reads anything."""
    if maximum_bytes_billed is not None and cost.billed > maximum_bytes_billed:
        raise QueryError(
            "bytesBilledLimitExceeded",
            f"Query exceeded limit for bytes billed: {maximum_bytes_billed}. "
            f"{cost.billed} or higher required.",
        )
    left = free_left()
    if left is not None and cost.billed > left:
        raise QueryError("quotaExceeded", FREE_TIER_MESSAGE)
