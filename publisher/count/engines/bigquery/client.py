"""The BigQuery engine's edge: whose credentials, which project pays, how long to retry, and how
a failure reads to a person. No credential (private key, token) ever reaches a message.

The client is configured the standard way, so BIGQUERY_EMULATOR_HOST and the other variables
google-cloud-bigquery reads keep working; no endpoint is written here.
"""

from __future__ import annotations

import concurrent.futures
import errno
import functools
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import google.auth
import pyarrow as pa
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import Credentials
from google.cloud import bigquery
from google.oauth2 import service_account

from publisher.base.errors import BudgetError, EngineError, PublisherError, UsageError
from publisher.base.paths import loop_words
from publisher.base.secrets import keep_out, running
from publisher.count.engines.bigquery.plan import NOTHING_FITS_TIP

T = TypeVar("T")
SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
KEY_FIELDS = ("client_email", "private_key", "token_uri")
CREDENTIALS_TIP = (
    "Give --credentials FILE (a service-account JSON key), set GOOGLE_APPLICATION_CREDENTIALS, "
    "store a key with `pypinfo --auth FILE`, or run `gcloud auth application-default login`."
)
MESSAGE_CHARS = 200


def redact(text: str) -> str:
    """One line, credentials cut out (the command's secrets, and any key, token or JWT), at
    most MESSAGE_CHARS characters."""
    return running().line(text, MESSAGE_CHARS)


def keep_key_out(path: str | None) -> None:
    """The private key of a key file, never shown from now on, whoever reads the file."""
    try:
        info = json.loads(Path(path).read_text(encoding="utf-8")) if path else None
    except (OSError, ValueError):
        return
    if isinstance(info, dict):
        keep_out(str(info.get("private_key") or ""))


# -- credentials and the billing project ----------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    """Credentials, the project they name (if any), and where they came from (for the plan)."""

    credentials: Credentials
    project: str | None
    source: str


def key_error(source: str, problem: str) -> UsageError:
    return UsageError(f"{source} {problem}.", CREDENTIALS_TIP)


def read_key(path: str, source: str) -> dict[str, Any]:
    """The JSON object in a key file. The text itself is never quoted: it holds the key."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise key_error(source, "does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        problem = f"cannot be read ({type(exc).__name__})"
        if isinstance(exc, OSError) and exc.errno == errno.ELOOP:
            problem = loop_words(Path(path))
        raise key_error(source, problem) from None
    try:
        info = json.loads(text)
    except ValueError:
        raise key_error(source, "is not JSON") from None
    if not isinstance(info, dict):
        raise key_error(source, "is not a JSON object")
    return info


def service_account_identity(path: str, source: str) -> Identity:
    info = read_key(path, source)
    if info.get("type") != "service_account":
        raise key_error(source, f"is not a service-account key (type {info.get('type')!r:.40})")
    missing = [name for name in KEY_FIELDS if not info.get(name)]
    if missing:
        raise key_error(source, f"is not a complete service-account key (no {', '.join(missing)})")
    try:
        credentials = service_account.Credentials.from_service_account_info(  # type: ignore[no-untyped-call]
            info, scopes=SCOPES
        )
    except ValueError:
        raise key_error(source, "holds a private key that cannot be read") from None
    return Identity(credentials, info.get("project_id"), source)


def pypinfo_key_path() -> str | None:
    """The key `pypinfo --auth` stored, if any. Its database is opened only when it exists:
    opening creates it."""
    from pypinfo import db

    if not Path(db.DB_FILE).is_file():
        return None
    return db.get_credentials()


def default_identity() -> Identity:
    """Application Default Credentials: the variable, gcloud's file, the metadata server."""
    try:
        credentials, project = google.auth.default(scopes=SCOPES)
    except auth_exceptions.DefaultCredentialsError as exc:
        raise UsageError(f"No Google credentials: {auth_message(exc)}", CREDENTIALS_TIP) from None
    source = "GOOGLE_APPLICATION_CREDENTIALS"
    if not os.environ.get(source):
        source = "application default credentials"
    return Identity(credentials, project, source)


def find_identity(credentials_file: str | None, name: str | None = None) -> Identity:
    """--credentials (named `name` in errors, if not by the option), else
    GOOGLE_APPLICATION_CREDENTIALS, else pypinfo's stored key, else the rest of Application
    Default Credentials."""
    keep_key_out(credentials_file or os.environ.get("GOOGLE_APPLICATION_CREDENTIALS"))
    if credentials_file:
        source = name or f"--credentials {credentials_file}"
        return service_account_identity(credentials_file, source)
    stored = None if os.environ.get("GOOGLE_APPLICATION_CREDENTIALS") else pypinfo_key_path()
    if stored:
        keep_key_out(stored)
        return service_account_identity(stored, f"pypinfo's stored key {stored}")
    return default_identity()


def billing_project(given: str | None, identity: Identity) -> str:
    project = given or identity.project
    if not project:
        raise UsageError(
            f"No billing project: the credentials from {identity.source} do not name one.",
            "Give --billing-project ID, the Google Cloud project that pays for the queries.",
        )
    return project


def fetch_token(credentials: Credentials, timeout: float) -> None:
    """An access token now, so the wait for Google's token endpoint is its own and bounded:
    inside the first API call google-auth would wait 120 s for it, and the API's retries
    would ask again for two minutes more."""
    from google.auth.transport.requests import Request as AuthRequest

    credentials.refresh(functools.partial(AuthRequest(), timeout=timeout))  # type: ignore[no-untyped-call]
    keep_out(credentials.token)


def open_client(identity: Identity, project: str) -> bigquery.Client:
    try:
        return bigquery.Client(project=project, credentials=identity.credentials)
    except auth_exceptions.GoogleAuthError as exc:
        raise UsageError(
            f"Google credentials refused: {redact(str(exc))}", CREDENTIALS_TIP
        ) from None


# -- retries --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Patience:
    """How long transient failures of an API call (429 rateLimitExceeded, 5xx backendError,
    dropped connections) are tried again, in seconds. The client's defaults wait up to 10
    minutes per call; a monthly job would rather fail soon and be run again."""

    deadline: float = 120.0
    first_delay: float = 1.0
    longest_delay: float = 16.0
    request_timeout: float = 300.0  # each HTTP request, the token's included
    # A query job may run longer than one request may wait: it is polled until then.
    job_timeout: float = 600.0

    @classmethod
    def within(cls, timeout: float) -> Patience:
        """--timeout: each request waits at most `timeout`, and retries stop after it."""
        return cls(deadline=timeout, request_timeout=timeout)

    def retry(self) -> Retry:
        """The client's own predicate, with our deadline and pauses."""
        retry: Retry = bigquery.DEFAULT_RETRY.with_timeout(self.deadline)
        return retry.with_delay(initial=self.first_delay, maximum=self.longest_delay)


# -- failures as people read them -----------------------------------------------------------------


def auth_message(exc: auth_exceptions.GoogleAuthError) -> str:
    """google-auth puts the sentence first and the token endpoint's whole answer after it."""
    first = exc.args[0] if exc.args else exc
    return redact(str(first))


def first_error(exc: api_exceptions.GoogleAPICallError) -> dict[str, Any]:
    """BigQuery's ErrorProto: the reason and BigQuery's own sentence. The exception's text also
    holds the client's copy of every error and the job's location, on several lines."""
    errors = getattr(exc, "errors", None) or []
    return errors[0] if errors and isinstance(errors[0], dict) else {}


def reason_of(exc: api_exceptions.GoogleAPICallError) -> str:
    return str(first_error(exc).get("reason") or "")


def server_message(exc: api_exceptions.GoogleAPICallError) -> str:
    message = first_error(exc).get("message") or getattr(exc, "message", "") or str(exc)
    return redact(str(message)).rstrip(".")


def api_error(exc: api_exceptions.GoogleAPICallError, what: str, project: str) -> PublisherError:
    """A refusal from BigQuery, by its reason (the exception class depends on the API path)."""
    reason, message = reason_of(exc), server_message(exc)
    if reason == "bytesBilledLimitExceeded":
        return BudgetError(
            f"BigQuery refused {what}: it would bill more than its maximum_bytes_billed "
            f"({message}).",
            NOTHING_FITS_TIP,
        )
    if reason == "quotaExceeded":
        return BudgetError(
            f"BigQuery refused {what}: quota exceeded ({message}).", NOTHING_FITS_TIP
        )
    if exc.code == 401 or reason in {"authError", "required"}:
        return UsageError(f"BigQuery did not accept the credentials ({message}).", CREDENTIALS_TIP)
    if reason == "accessDenied" or exc.code == 403:
        return EngineError(
            f"BigQuery denied {what} in project {project!r} ({message}).",
            "Give the account the BigQuery Job User role there, or choose another "
            "--billing-project.",
        )
    return EngineError(
        f"BigQuery failed {what} ({exc.code} {reason or 'error'}: {message}).",
        "Try again later; if it persists, check the query with --print-sql.",
    )


def transport_reason(exc: Exception) -> str:
    """Why a request got no answer, in a few words."""
    text = str(exc)
    for needle, words in (("refused", "connection refused"), ("timed out", "timed out")):
        if needle in text.lower():
            return words
    return redact(text)[:100]


def engine_failure(exc: Exception, what: str, project: str, patience: Patience) -> PublisherError:
    """Any failure of a BigQuery call, as one line."""
    if isinstance(exc, api_exceptions.RetryError):
        cause = exc.cause
        while isinstance(cause, api_exceptions.RetryError):  # a retry around a retry
            cause = cause.cause
        if isinstance(cause, api_exceptions.GoogleAPICallError):
            detail = f"{cause.code} {reason_of(cause) or 'error'}"
        else:
            detail = redact(str(cause)) if cause is not None else "no answer"
        return EngineError(
            f"BigQuery did not answer {what} ({detail}) within {patience.deadline:g} s of retries.",
            "Try again later.",
        )
    if isinstance(exc, api_exceptions.GoogleAPICallError):
        return api_error(exc, what, project)
    if isinstance(exc, auth_exceptions.TransportError):
        return EngineError(
            f"Google's token endpoint did not answer for {what} ({transport_reason(exc)}, "
            f"waiting up to {patience.request_timeout:g} s).",
            "Check the network, raise --timeout, or try again later.",
        )
    if isinstance(exc, auth_exceptions.GoogleAuthError):
        return UsageError(f"Google credentials refused: {auth_message(exc)}.", CREDENTIALS_TIP)
    return EngineError(
        f"BigQuery could not be reached for {what} ({redact(str(exc))}).",
        "Check the network, or try again later.",
    )


# -- one client, its calls ------------------------------------------------------------------------

# Recognisable in the project's job history. The client makes each job id (this prefix and a
# uuid) before the first attempt, so a retried jobs.insert whose answer was lost meets its own
# job (409) and fetches it instead of running the query twice.
JOB_PREFIX = "top_pypi_"
FAILURES = (api_exceptions.GoogleAPIError, auth_exceptions.GoogleAuthError, OSError)


@dataclass(frozen=True)
class Answer:
    """A finished job's rows and statistics."""

    rows: list[tuple[Any, ...]]
    bytes_processed: int
    bytes_billed: int
    cached: bool
    table: pa.Table | None = None  # the rows as Arrow, from `query_table` (rows then empty)


@dataclass
class Session:
    """Queries through one client; every job that can bill carries its cap."""

    client: bigquery.Client
    project: str
    patience: Patience
    source: str  # where the credentials came from

    def dry_run(self, sql: str) -> int:
        """Bytes the query would process; free, and never from the cache (which reports 0)."""
        config = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False, use_legacy_sql=False)
        job = self._start(sql, config)
        return int(job.total_bytes_processed or 0)

    def query(self, sql: str, cap: int) -> Answer:
        """Run and wait; BigQuery itself refuses to bill more than `cap` bytes."""
        job, rows = self._run(sql, cap)
        return self._answer(job, [tuple(row.values()) for row in rows])

    def query_table(self, sql: str, cap: int) -> Answer:
        """`query`, the rows as one Arrow table: the long tail never becomes Python objects.
        Paged through the REST API: the Storage Read API bills on its own and needs more
        permissions, for a table of a few tens of MB."""
        job, rows = self._run(sql, cap)
        return self._answer(job, [], rows.to_arrow(create_bqstorage_client=False))

    def _run(self, sql: str, cap: int) -> tuple[bigquery.QueryJob, Any]:
        config = bigquery.QueryJobConfig(maximum_bytes_billed=cap, use_legacy_sql=False)
        job = self._start(sql, config)
        return job, self._wait(job)

    @staticmethod
    def _answer(
        job: bigquery.QueryJob, rows: list[tuple[Any, ...]], table: pa.Table | None = None
    ) -> Answer:
        return Answer(
            rows=rows,
            bytes_processed=int(job.total_bytes_processed or 0),
            bytes_billed=int(job.total_bytes_billed or 0),
            cached=bool(job.cache_hit),
            table=table,
        )

    def _wait(self, job: bigquery.QueryJob) -> Any:
        """The job's rows: polled for up to `job_timeout`, each poll waiting at most
        `request_timeout` (`result`'s timeout bounds both the requests and the job)."""
        deadline = time.monotonic() + self.patience.job_timeout
        while True:
            try:
                return job.result(
                    retry=self.patience.retry(), timeout=self.patience.request_timeout
                )
            except concurrent.futures.TimeoutError:
                if time.monotonic() >= deadline:
                    raise

    def _start(self, sql: str, config: bigquery.QueryJobConfig) -> bigquery.QueryJob:
        # No job retry: the client would wrap the insert in a fixed 10-minute retry of its own,
        # and a job that itself failed is better reported than started again unseen.
        return self.client.query(
            sql,
            job_config=config,
            job_id_prefix=JOB_PREFIX,
            retry=self.patience.retry(),
            job_retry=None,
            timeout=self.patience.request_timeout,
        )

    def attempt(self, what: str, call: Callable[[], T]) -> T:
        """`call()`; what still fails after the client's retries becomes one line."""
        try:
            return call()
        except FAILURES as exc:
            raise self.failure(exc, what) from None

    def failure(self, exc: Exception, what: str) -> PublisherError:
        return engine_failure(exc, what, self.project, self.patience)
