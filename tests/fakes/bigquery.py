"""A local BigQuery for the tests: the REST v2 API on 127.0.0.1, DuckDB behind it.

The real google-cloud-bigquery client and the real `pypinfo` CLI talk to it when
BIGQUERY_EMULATOR_HOST points here (`.env()` gives the variables). It serves the public table
`bigquery-public-data.pypi.file_downloads` from a folder of daily Parquet files, bills queries
with BigQuery's on-demand model (bigquery_billing), refuses them as BigQuery does
(maximumBytesBilled, the free tier; bigquery_jobs), and can be told to fail like a flaky
network (bigquery_service).

    with BigQueryStandIn(events_dir) as bigquery:
        subprocess.run([...], env=os.environ | bigquery.env())
        assert all(job.maximum_bytes_billed for job in bigquery.jobs if not job.dry_run)
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.fakes.bigquery_http import Handler, Server
from tests.fakes.bigquery_jobs import Cost, Job
from tests.fakes.bigquery_service import DEFAULT_PAGE_ROWS, BigQueryService, RecordedRequest
from tests.fakes.serving import Served

__all__ = ["BigQueryStandIn", "Cost", "Job", "RecordedRequest"]


class BigQueryStandIn(BigQueryService):
    """The stand-in server. A context manager: it listens from __enter__ to __exit__."""

    def __init__(
        self,
        events_dir: Path,
        project: str = "test-project",
        free_tier_bytes: int | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        page_rows: int = DEFAULT_PAGE_ROWS,
    ) -> None:
        self._server = Server(("127.0.0.1", 0), Handler)
        url = f"http://127.0.0.1:{self._server.server_address[1]}"
        try:
            super().__init__(
                events_dir, url, project, free_tier_bytes, clock=clock, page_rows=page_rows
            )
        except BaseException:
            self._server.server_close()
            raise
        self._server.service = self
        self._served = Served(self._server)
        self._key_dir: tempfile.TemporaryDirectory[str] | None = None

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self._served.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._served.stop()
        self.close()
        if self._key_dir is not None:
            self._key_dir.cleanup()

    # -- credentials -----------------------------------------------------------------------

    def write_key(self, path: Path) -> Path:
        """Write the service-account JSON key (token_uri pointing here) to `path`."""
        return self.account.write_key(path)

    def env(self, key_path: Path | None = None) -> dict[str, str]:
        """Environment variables that point google-cloud-bigquery (and pypinfo) here."""
        if key_path is None:
            key_path = self._default_key_path()
        return {
            "BIGQUERY_EMULATOR_HOST": self.url,
            "GOOGLE_APPLICATION_CREDENTIALS": str(key_path),
            # A proxy from the environment must not see requests meant for 127.0.0.1.
            "NO_PROXY": "127.0.0.1,localhost",
        }

    def _default_key_path(self) -> Path:
        if self._key_dir is None:
            self._key_dir = tempfile.TemporaryDirectory(prefix="bigquery-standin-")
            self.write_key(Path(self._key_dir.name) / "service-account.json")
        return Path(self._key_dir.name) / "service-account.json"
