"""The HTTP side of the BigQuery stand-in: routing, bearer-token checks, injected failures.

Requests arrive as google-cloud-bigquery sends them (`{host}/bigquery/v2/projects/...`, JSON
bodies, `Authorization: Bearer ...`); answers and errors leave in BigQuery's JSON shapes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.bigquery_auth import TokenError
from tests.fakes.bigquery_service import ApiError, BigQueryService, Failure, RecordedRequest
from tests.fakes.bigquery_wire import error_body
from tests.fakes.serving import QuietHandler

_Route = Callable[[BigQueryService, tuple[str, ...], dict[str, str], dict[str, Any]], Any]
_ROUTES: list[tuple[str, re.Pattern[str], _Route]] = [
    (
        "POST",
        re.compile(r"^/bigquery/v2/projects/([^/]+)/jobs$"),
        lambda service, args, params, body: service.insert_job(args[0], body),
    ),
    (
        "GET",
        re.compile(r"^/bigquery/v2/projects/([^/]+)/jobs/([^/]+)$"),
        lambda service, args, params, body: service.get_job(args[0], args[1], params),
    ),
    (
        "POST",
        re.compile(r"^/bigquery/v2/projects/([^/]+)/jobs/([^/]+)/cancel$"),
        lambda service, args, params, body: service.cancel_job(args[0], args[1], params),
    ),
    (
        "GET",
        re.compile(r"^/bigquery/v2/projects/([^/]+)/queries/([^/]+)$"),
        lambda service, args, params, body: service.query_results(args[0], args[1], params),
    ),
    (
        "POST",
        re.compile(r"^/bigquery/v2/projects/([^/]+)/queries$"),
        lambda service, args, params, body: service.query(args[0], body),
    ),
]


class Server(ThreadingHTTPServer):
    """The stand-in's server: its handlers answer for `service`, set once the stand-in exists."""

    daemon_threads = True
    service: BigQueryService


class Handler(QuietHandler):
    server: Server

    @property
    def service(self) -> BigQueryService:
        return self.server.service

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query).items()}
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path == "/token" and method == "POST":
            self._token(raw)
            return
        refusal = self._refusal()
        body = _json_or_none(raw)
        self.service.record(RecordedRequest(method, url.path, params, body, refusal is None))
        if refusal is not None:
            self._send_json(401, error_body(401, *refusal))
            return
        self._answer(method, url.path, params, body)

    def _answer(self, method: str, path: str, params: dict[str, str], body: Any) -> None:
        failure = self.service.take_failure()
        if failure is not None and not failure.after_processing:
            self._fail(failure)
            return
        status, payload = self._dispatch(method, path, params, body)
        if failure is not None:
            self._fail(failure)
            return
        self._send_json(status, payload)

    def _dispatch(
        self, method: str, path: str, params: dict[str, str], body: Any
    ) -> tuple[int, dict[str, Any]]:
        try:
            return 200, self._route(method, path, params, body if isinstance(body, dict) else {})
        except ApiError as error:
            return error.status, error_body(error.status, error.reason, error.message)

    def _route(
        self, method: str, path: str, params: dict[str, str], body: dict[str, Any]
    ) -> dict[str, Any]:
        for route_method, pattern, handler in _ROUTES:
            match = pattern.match(path)
            if match and route_method == method:
                return dict(handler(self.service, match.groups(), params, body))
        raise ApiError(404, "notFound", f"Not found: {method} {path} is not served by the stand-in")

    def _refusal(self) -> tuple[str, str] | None:
        """Why the request is not authenticated (reason, message), None when it is."""
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return (
                "required",
                "Request is missing required authentication credential. Expected OAuth 2 access "
                "token, login cookie or other valid authentication credential.",
            )
        if not self.service.account.issued(header.removeprefix("Bearer ")):
            return (
                "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, "
                "login cookie or other valid authentication credential.",
            )
        return None

    def _token(self, raw: bytes) -> None:
        form = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
        try:
            self._send_json(200, self.service.account.exchange(form))
        except TokenError as error:
            self._send_json(400, {"error": "invalid_grant", "error_description": str(error)})

    def _fail(self, failure: Failure) -> None:
        if failure.drop:
            self.close_connection = True
            return
        body = error_body(failure.status, failure.reason, failure.message)
        self._send_json(failure.status, body)

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _json_or_none(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
