"""The BigQuery stand-in's service: jobs.insert, jobs.get, jobs.getQueryResults and jobs.query
with BigQuery's semantics, plus the knobs tests turn (failures, the month's bill, access).

HTTP lives in bigquery_http, the server's lifecycle in bigquery; this module only maps request
bodies to response bodies, raising ApiError where BigQuery answers with an HTTP error.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tests.fakes.bigquery_auth import ServiceAccount
from tests.fakes.bigquery_engine import EventStore, Partition
from tests.fakes.bigquery_jobs import Cost, Job, QueryPlanner, check_limits
from tests.fakes.bigquery_sql import QueryError
from tests.fakes.bigquery_wire import (
    LOCATION,
    REASON_STATUS,
    millis,
    page_token,
    rows_json,
    schema_json,
    token_offset,
)

# Real BigQuery cuts result pages at about 10 MB; the stand-in cuts them at a row count, small
# enough that the tests' clients have to follow pageToken.
DEFAULT_PAGE_ROWS = 5000

_FAILURE_REASONS = {429: "rateLimitExceeded", 500: "backendError", 503: "backendError"}
_FAILURE_MESSAGES = {
    "backendError": "Error encountered during execution. Retrying may solve the problem.",
    "rateLimitExceeded": (
        "Exceeded rate limits: too many api requests per user per method for this user_method. "
        "For more information, see https://cloud.google.com/bigquery/docs/troubleshoot-quotas"
    ),
    "internalError": "An internal error occurred and the request could not be completed.",
}


class ApiError(Exception):
    """A request BigQuery answers with an HTTP error."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.status, self.reason, self.message = status, reason, message

    @classmethod
    def of(cls, error: QueryError) -> ApiError:
        return cls(REASON_STATUS.get(error.reason, 400), error.reason, error.message)


@dataclass(frozen=True)
class Failure:
    """One injected failure: an error answer, or a connection closed without one."""

    status: int
    reason: str
    drop: bool
    after_processing: bool

    @property
    def message(self) -> str:
        return _FAILURE_MESSAGES.get(self.reason, self.reason)


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    params: dict[str, str]
    body: Any
    authorized: bool


@dataclass
class _State:
    jobs: list[Job] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    # jobs.query is idempotent per requestId: a retried request gets the first one's job.
    by_request_id: dict[str, Job] = field(default_factory=dict)
    jobs_view_denied: bool = False


class BigQueryService:
    """What the stand-in knows and does, without the HTTP around it."""

    def __init__(
        self,
        events_dir: Path,
        base_url: str,
        project: str = "test-project",
        free_tier_bytes: int | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        page_rows: int = DEFAULT_PAGE_ROWS,
    ) -> None:
        self.url = base_url
        self.project = project
        self.free_tier_bytes = free_tier_bytes
        self.page_rows = page_rows
        self.clock = clock or (lambda: datetime.now(UTC))
        self.account = ServiceAccount(project, f"{base_url}/token")
        self._store = EventStore(events_dir)
        self._planner = QueryPlanner(self._store)
        self._state = _State()
        self._lock = threading.RLock()

    def close(self) -> None:
        self._store.close()

    # -- what tests use --------------------------------------------------------------------

    @property
    def jobs(self) -> list[Job]:
        """Every query received, in order: dry runs, refused jobs and seeded jobs included."""
        with self._lock:
            return list(self._state.jobs)

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._state.requests)

    @property
    def partitions(self) -> dict[date, Partition]:
        return dict(self._store.partitions)

    def fail_next(
        self,
        n: int = 1,
        status: int = 503,
        reason: str | None = None,
        *,
        drop: bool = False,
        after_processing: bool = False,
    ) -> None:
        """Make the next `n` API requests fail: with `status`/`reason` in BigQuery's error shape,
        or (drop=True) by closing the connection unanswered. With after_processing=True the
        request takes effect first and only its answer is lost, as when a network fails late."""
        failure = Failure(
            status, reason or _FAILURE_REASONS.get(status, "backendError"), drop, after_processing
        )
        with self._lock:
            self._state.failures.extend([failure] * n)

    def seed_billed(self, bytes_billed: int, when: datetime | None = None) -> Job:
        """Pretend an earlier job billed `bytes_billed` (this month unless `when` says other)."""
        job = Job(
            job_id=f"seeded_{secrets.token_hex(8)}",
            project=self.project,
            query="SELECT 'seeded earlier job'",
            dry_run=False,
            maximum_bytes_billed=None,
            created=when or self.clock(),
            api="seeded",
            user_email=self.account.email,
            bytes_processed=bytes_billed,
            bytes_billed=bytes_billed,
        )
        with self._lock:
            self._state.jobs.append(job)
        return job

    def deny_jobs_view(self, denied: bool = True) -> None:
        """Answer queries of INFORMATION_SCHEMA.JOBS_BY_PROJECT with 403 accessDenied, as for an
        account without bigquery.jobs.listAll."""
        with self._lock:
            self._state.jobs_view_denied = denied

    def billed_this_month(self, now: datetime | None = None) -> int:
        now = now or self.clock()
        with self._lock:
            return sum(j.charged for j in self._state.jobs if _same_month(j.created, now))

    def bytes_for(self, sql: str) -> Cost:
        """What BigQuery would report for `sql` now, without recording a job."""
        _, cost, _ = self._planner.plan(sql, self.clock())
        return cost

    # -- the API ---------------------------------------------------------------------------

    def take_failure(self) -> Failure | None:
        with self._lock:
            return self._state.failures.pop(0) if self._state.failures else None

    def record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._state.requests.append(request)

    def insert_job(self, project: str, body: dict[str, Any]) -> dict[str, Any]:
        """jobs.insert: a refused or failing query still makes a job (DONE, errorResult set)."""
        self._check_project(project)
        config = body.get("configuration") or {}
        query_config = config.get("query")
        if not isinstance(query_config, dict) or "query" not in query_config:
            raise ApiError(400, "invalid", "The stand-in runs query jobs only: configuration.query")
        dry_run = bool(config.get("dryRun"))
        job_id = None
        if not dry_run:
            job_id = str((body.get("jobReference") or {}).get("jobId") or _new_job_id())
            self._check_new(job_id)
        job = self._new_job(job_id, query_config, dry_run, "jobs.insert", config)
        if dry_run:
            self._dry_run(job, query_config)
        else:
            self._execute(job, query_config)
        return job.resource(self.url)

    def query(self, project: str, body: dict[str, Any]) -> dict[str, Any]:
        """jobs.query: the job runs and its first page comes back; a failed job is an HTTP
        error here."""
        self._check_project(project)
        if "query" not in body:
            raise ApiError(400, "invalid", "Required parameter is missing: query")
        request_id = body.get("requestId")
        with self._lock:
            earlier = self._state.by_request_id.get(request_id) if request_id else None
        job = earlier or self._query_job(body)
        if request_id and earlier is None:
            with self._lock:
                self._state.by_request_id[request_id] = job
        if job.error is not None:
            raise ApiError.of(job.error)
        return self._query_response(job, body)

    def _query_job(self, body: dict[str, Any]) -> Job:
        dry_run = bool(body.get("dryRun"))
        config = {"query": {k: v for k, v in body.items() if k in _QUERY_CONFIG_KEYS}}
        job = self._new_job(None if dry_run else _new_job_id(), body, dry_run, "jobs.query", config)
        if dry_run:
            self._dry_run(job, body)
        else:
            self._execute(job, body)
        return job

    def _query_response(self, job: Job, body: dict[str, Any]) -> dict[str, Any]:
        response: dict[str, Any] = {
            "kind": "bigquery#queryResponse",
            "jobReference": job.reference(),
            "jobComplete": True,
            "cacheHit": False,
            "totalBytesProcessed": str(job.bytes_processed),
        }
        if job.dry_run:
            if job.result is not None:
                response["schema"] = schema_json(job.result.schema)
            return response
        int64_timestamps = bool((body.get("formatOptions") or {}).get("useInt64Timestamp"))
        response |= {
            "location": LOCATION,
            "totalBytesBilled": str(job.bytes_billed),
            "creationTime": millis(job.created),
            "startTime": millis(job.created),
            "endTime": millis(job.created),
        }
        return response | self._page(job, 0, _int_or_none(body.get("maxResults")), int64_timestamps)

    def get_job(self, project: str, job_id: str, params: dict[str, str]) -> dict[str, Any]:
        return self._stored_job(project, job_id, params).resource(self.url)

    def cancel_job(self, project: str, job_id: str, params: dict[str, str]) -> dict[str, Any]:
        job = self._stored_job(project, job_id, params)
        # Every stand-in job is already DONE; cancelling one is a no-op, as in BigQuery.
        return {"kind": "bigquery#jobCancelResponse", "job": job.resource(self.url)}

    def query_results(self, project: str, job_id: str, params: dict[str, str]) -> dict[str, Any]:
        """jobs.getQueryResults: pages of a finished job's rows."""
        job = self._stored_job(project, job_id, params)
        if job.error is not None:
            raise ApiError.of(job.error)
        offset = self._offset(job, params)
        int64_timestamps = params.get("formatOptions.useInt64Timestamp", "").lower() == "true"
        response = {
            "kind": "bigquery#getQueryResultsResponse",
            "jobReference": job.reference(),
            "jobComplete": True,
            "cacheHit": False,
            "totalBytesProcessed": str(job.bytes_processed),
        }
        return response | self._page(
            job, offset, _int_or_none(params.get("maxResults")), int64_timestamps
        )

    def _offset(self, job: Job, params: dict[str, str]) -> int:
        token = params.get("pageToken")
        if token is None:
            return int(params.get("startIndex", "0"))
        offset = token_offset(str(job.job_id), token)
        if offset is None:
            raise ApiError(400, "invalid", f"Invalid page token: {token}")
        return offset

    def _page(
        self, job: Job, offset: int, max_results: int | None, int64_timestamps: bool
    ) -> dict[str, Any]:
        assert job.result is not None
        size = self.page_rows if max_results is None else min(max_results, self.page_rows)
        page = job.result.slice(offset, size)
        body: dict[str, Any] = {
            "schema": schema_json(job.result.schema),
            "totalRows": str(job.result.num_rows),
        }
        if page.num_rows:
            body["rows"] = rows_json(page, int64_timestamps)
            if offset + page.num_rows < job.result.num_rows:
                body["pageToken"] = page_token(str(job.job_id), offset + page.num_rows)
        return body

    # -- running a job ---------------------------------------------------------------------

    def _new_job(
        self,
        job_id: str | None,
        query_config: dict[str, Any],
        dry_run: bool,
        api: str,
        configuration: dict[str, Any],
    ) -> Job:
        job = Job(
            job_id=job_id,
            project=self.project,
            query=str(query_config.get("query", "")),
            dry_run=dry_run,
            maximum_bytes_billed=_maximum_bytes_billed(query_config),
            created=self.clock(),
            api=api,
            user_email=self.account.email,
            configuration=configuration | {"jobType": "QUERY"},
        )
        with self._lock:
            self._state.jobs.append(job)
        return job

    def _check_new(self, job_id: str) -> None:
        # A retried jobs.insert whose first attempt got through meets its own job: the client
        # then fetches that job instead of running the query twice.
        with self._lock:
            if any(j.job_id == job_id for j in self._state.jobs):
                message = f"Already Exists: Job {self.project}:{LOCATION}.{job_id}"
                raise ApiError(409, "duplicate", message)

    def _dry_run(self, job: Job, query_config: dict[str, Any]) -> None:
        # A dry run is checked like a real query (syntax, names, access) but never billed.
        try:
            duckdb_sql, cost = self._prepare(job, query_config)
            job.result = self._planner.result_schema(duckdb_sql)
        except QueryError as error:
            job.error = error
            raise ApiError.of(error) from error
        job.bytes_processed, job.partitions = cost.processed, cost.partitions

    def _execute(self, job: Job, query_config: dict[str, Any]) -> None:
        with self._lock:  # one job at a time, so the month's bill is checked consistently
            try:
                duckdb_sql, cost = self._prepare(job, query_config)
                job.bytes_processed, job.bytes_billed = cost.processed, cost.billed
                job.partitions = cost.partitions
                check_limits(cost, job.maximum_bytes_billed, lambda: self._free_left(job))
                job.result = self._planner.run(duckdb_sql)
            except QueryError as error:
                job.error = error

    def _prepare(self, job: Job, query_config: dict[str, Any]) -> tuple[str, Cost]:
        if query_config.get("useLegacySql", True) is not False:
            # The API's default is legacy SQL, which cannot even name this table.
            raise QueryError(
                "invalidQuery",
                "Invalid table name: `bigquery-public-data.pypi.file_downloads` "
                "[Try using standard SQL (https://cloud.google.com/bigquery/docs/reference/standard-sql/enabling-standard-sql)]",
            )
        duckdb_sql, cost, reads_jobs = self._planner.plan(job.query, job.created)
        if reads_jobs:
            self._refresh_jobs_view(job)
        return duckdb_sql, cost

    def _refresh_jobs_view(self, current: Job) -> None:
        with self._lock:
            if self._state.jobs_view_denied:
                raise QueryError(
                    "accessDenied",
                    f"Access Denied: Table {self.project}:region-us.INFORMATION_SCHEMA."
                    "JOBS_BY_PROJECT: User does not have permission to query table, or perhaps it "
                    "does not exist.",
                )
            rows = [j.jobs_view_row() for j in self._state.jobs if j.job_id and j is not current]
        self._store.set_jobs(rows)

    def _free_left(self, job: Job) -> int | None:
        if self.free_tier_bytes is None:
            return None
        return self.free_tier_bytes - self.billed_this_month(job.created)

    def _stored_job(self, project: str, job_id: str, params: dict[str, str]) -> Job:
        self._check_project(project)
        location = params.get("location", LOCATION)
        with self._lock:
            found = [j for j in self._state.jobs if j.job_id == job_id and j.api != "seeded"]
        if not found or location.upper() != LOCATION:
            raise ApiError(404, "notFound", f"Not found: Job {project}:{location}.{job_id}")
        return found[0]

    def _check_project(self, project: str) -> None:
        if project != self.project:
            raise ApiError(
                403,
                "accessDenied",
                f"Access Denied: Project {project}: User does not have bigquery.jobs.create "
                f"permission in project {project}.",
            )


_QUERY_CONFIG_KEYS = ("query", "useLegacySql", "maximumBytesBilled", "useQueryCache", "labels")


def _new_job_id() -> str:
    return "job_" + secrets.token_urlsafe(21).replace("-", "_")


def _maximum_bytes_billed(query_config: dict[str, Any]) -> int | None:
    value = query_config.get("maximumBytesBilled")
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise ApiError(
            400, "invalid", f"Invalid value for maximumBytesBilled: {value!r}"
        ) from error


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _same_month(a: datetime, b: datetime) -> bool:
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    return (a.year, a.month) == (b.year, b.month)
