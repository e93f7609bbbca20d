"""The HTTP side of the Zenodo stand-in: routes, the token (query or header), request bodies
(fixed length or chunked, uploads streamed to disk), injected faults and the answers' bytes.

Requests arrive as zenodo-client and `requests` send them; answers leave in Zenodo's shapes,
with the rate-limit headers Zenodo puts on every answer.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.serving import QuietHandler
from tests.fakes.zenodo_faults import Fault
from tests.fakes.zenodo_service import ApiError, RecordedRequest, Reply, ZenodoService
from tests.fakes.zenodo_wire import INTERNAL_ERROR, NOT_FOUND, error, gateway_page

CHUNK = 64 * 1024
JSON_LIMIT = 10 * 1024 * 1024
RATE_LIMIT = 133  # Zenodo's documented limit per minute for an authenticated user

# The handler gets the service, the route's captured groups, the query parameters and (for
# JSON routes) the parsed body; uploads are served apart, as their bodies are streamed.
# The owner is None only on public routes, which do not read it.
_Call = Callable[[ZenodoService, Any, tuple[str, ...], dict[str, str], Any], Reply]


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    pattern: re.Pattern[str]
    call: _Call | None  # None: the upload, whose body is streamed
    public: bool = False  # readable without a token
    json_body: bool = False


def _route(name: str, method: str, path: str, call: _Call | None, **flags: bool) -> Route:
    return Route(name, method, re.compile(f"^{path}/?$"), call, **flags)


_DEPOSITION = r"/api/deposit/depositions/(\d+)"
ROUTES = [
    _route("create", "POST", r"/api/deposit/depositions", lambda s, o, a, p, b: s.create(o, b),
           json_body=True),
    _route("list", "GET", r"/api/deposit/depositions",
           lambda s, o, a, p, b: s.list_depositions(o, p)),
    _route("get", "GET", _DEPOSITION, lambda s, o, a, p, b: s.get(o, a[0])),
    _route("update", "PUT", _DEPOSITION, lambda s, o, a, p, b: s.update(o, a[0], b),
           json_body=True),
    _route("delete", "DELETE", _DEPOSITION, lambda s, o, a, p, b: s.delete(o, a[0])),
    _route("files", "GET", f"{_DEPOSITION}/files", lambda s, o, a, p, b: s.files(o, a[0])),
    _route("file_delete", "DELETE", f"{_DEPOSITION}/files/([^/]+)",
           lambda s, o, a, p, b: s.delete_file(o, a[0], a[1])),
    _route("publish", "POST", f"{_DEPOSITION}/actions/publish",
           lambda s, o, a, p, b: s.publish(o, a[0])),
    _route("newversion", "POST", f"{_DEPOSITION}/actions/newversion",
           lambda s, o, a, p, b: s.new_version(o, a[0])),
    _route("action", "POST", f"{_DEPOSITION}/actions/([a-z]+)",
           lambda s, o, a, p, b: _not_modelled(a[1])),
    _route("upload", "PUT", r"/api/files/([0-9a-f-]+)/(.+)", None),
    _route("download", "GET", r"/api/files/([0-9a-f-]+)/(.+)",
           lambda s, o, a, p, b: s.download(o, a[0], unquote(a[1]))),
    _route("record", "GET", r"/api/records/(\d+)", lambda s, o, a, p, b: s.record(a[0]),
           public=True),
    _route("versions", "GET", r"/api/records/(\d+)/versions",
           lambda s, o, a, p, b: s.versions(a[0], p), public=True),
    _route("latest", "GET", r"/api/records/(\d+)/versions/latest",
           lambda s, o, a, p, b: s.latest(a[0]), public=True),
    _route("content", "GET", r"/api/records/(\d+)/files/(.+)/content",
           lambda s, o, a, p, b: s.content(a[0], unquote(a[1])), public=True),
]  # fmt: skip


def _not_modelled(action: str) -> Reply:
    raise ApiError(400, f"The stand-in does not model the {action} action.")


def find_route(method: str, path: str) -> tuple[Route, tuple[str, ...]] | int:
    """The route and its captured groups, or 404 / 405 when none fits."""
    status = 404
    for route in ROUTES:
        found = route.pattern.match(path)
        if found and route.method == method:
            return route, found.groups()
        if found:
            status = 405
    return status


class Body:
    """A request's body, read once: by Content-Length or chunked transfer encoding."""

    def __init__(self, handler: QuietHandler) -> None:
        self._rfile = handler.rfile
        self.chunked = "chunked" in handler.headers.get("Transfer-Encoding", "").lower()
        length = handler.headers.get("Content-Length")
        self.length = int(length) if length and not self.chunked else None
        self._left = self.length or 0
        self._done = not self.chunked and not self._left

    def chunks(self, limit: int | None = None) -> Iterator[bytes]:
        """The body's bytes in pieces; with `limit`, stop after that many."""
        read = 0
        while not self._done and (limit is None or read < limit):
            piece = self._next(CHUNK if limit is None else min(CHUNK, limit - read))
            read += len(piece)
            yield piece

    def _next(self, most: int) -> bytes:
        if not self.chunked:
            piece = self._rfile.read(min(most, self._left))
            self._left -= len(piece)
            self._done = self._left == 0 or not piece
            return piece
        if not self._left:
            self._left = int(self._rfile.readline().split(b";")[0].strip() or b"0", 16)
            if self._left == 0:
                while self._rfile.readline().strip():  # trailers, then the blank line
                    pass
                self._done = True
                return b""
        piece = self._rfile.read(min(most, self._left))
        self._left -= len(piece)
        if not self._left:
            self._rfile.readline()  # the CRLF after each chunk
        return piece

    def read_all(self) -> bytes:
        data = b"".join(self.chunks(JSON_LIMIT + 1))
        if len(data) > JSON_LIMIT:
            raise ApiError(413, "Request Entity Too Large")
        return data

    def drain(self) -> None:
        for _ in self.chunks():
            pass


class Server(ThreadingHTTPServer):
    """The stand-in's server: its handlers answer for `service`, set once the stand-in exists."""

    daemon_threads = True
    service: ZenodoService

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver would print a traceback on stderr; the tests read it here instead.
        failure = sys.exc_info()[1]
        if not isinstance(failure, OSError):
            self.service.internal_errors.append(repr(failure))


class Handler(QuietHandler):
    server: Server

    @property
    def service(self) -> ZenodoService:
        return self.server.service

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        arrival = self.service.start_answer()
        try:
            self._answer(method, arrival)
        finally:
            self.service.end_answer()

    def _answer(self, method: str, arrival: int) -> None:
        url = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        token, via = self._token(params)
        params.pop("access_token", None)
        found = find_route(method, url.path)
        body = Body(self)
        status: int | None
        try:
            status = self._handle(found, body, token, params)
        except OSError:  # the client went away (a timeout on its side): nothing to answer
            self.close_connection = True
            status = None
        except Exception as failure:  # a bug in the stand-in: answer as Zenodo would
            self.service.internal_errors.append(f"{method} {url.path}: {failure!r}")
            status = self._send(Reply(500, error(500, INTERNAL_ERROR)), body)
        name = found[0].name if isinstance(found, tuple) else None
        self.service.log_request(
            RecordedRequest(method, name, url.path, params, via, status), arrival
        )

    def _token(self, params: dict[str, str]) -> tuple[str | None, str | None]:
        if params.get("access_token"):
            return params["access_token"], "query"
        header = self.headers.get("Authorization", "")
        if header.lower().startswith("bearer ") and header[7:].strip():
            return header[7:].strip(), "header"
        return None, None

    def _handle(
        self,
        found: tuple[Route, tuple[str, ...]] | int,
        body: Body,
        token: str | None,
        params: dict[str, str],
    ) -> int | None:
        if isinstance(found, int):
            message = NOT_FOUND if found == 404 else "The method is not allowed for the URL."
            return self._send(Reply(found, error(found, message)), body)
        route, groups = found
        fault = self.service.faults.take(route.name)
        hold = self.service.faults.take_hold(route.name)
        if fault is not None and not fault.after and fault.kind not in ("slow", "cut"):
            return self._fail(fault, body)
        try:
            owner = self.service.authenticate(token, route.public)
            reply = self._call(route, owner, groups, params, body)
        except ApiError as refusal:
            reply = Reply(refusal.status, refusal.body())
        if hold is not None:
            hold.wait()
        if fault is None:
            return self._send(reply, body)
        if fault.kind == "slow":
            self.service.pause(fault.seconds)
            return self._send(reply, body)
        if fault.kind == "cut":
            return self._send(reply, body, cut=True)
        return self._fail(fault, body)

    def _call(
        self,
        route: Route,
        owner: int | None,
        groups: tuple[str, ...],
        params: dict[str, str],
        body: Body,
    ) -> Reply:
        if route.call is None:
            return self._upload(owner, groups[0], unquote(groups[1]), body)
        data = None
        if route.json_body:
            data = _json(body.read_all(), self.headers.get("Content-Type", ""))
        return route.call(self.service, owner, groups, params, data)

    def _upload(self, owner: int | None, bucket: str, key: str, body: Body) -> Reply:
        assert owner is not None  # uploads are not public
        if body.length is None and not body.chunked:
            raise ApiError(411, "Length Required")
        target = self.service.upload_target(owner, bucket, key)
        md5, size = self.service.store.write_blob(body.chunks())
        return self.service.commit_upload(target, key, md5, size)

    # -- answers ---------------------------------------------------------------------------

    def _fail(self, fault: Fault, body: Body) -> int | None:
        if fault.kind == "reset":
            self._reset(body, fault.read_bytes)
            return None
        status = fault.status
        assert status is not None
        if status == 429:
            headers = {"Retry-After": str(fault.retry_after)} | _rate_limit(0, fault.retry_after)
            return self._send(Reply(429, error(429, "Too Many Requests"), headers), body)
        if status == 500:
            return self._send(Reply(500, error(500, INTERNAL_ERROR)), body)
        return self._send_html(status, gateway_page(status), body)

    def _reset(self, body: Body, read_bytes: int | None) -> None:
        """Close the connection with a TCP reset, after part of the body when it has one."""
        if read_bytes is None:
            read_bytes = (body.length or 2 * CHUNK) // 2
        for _ in body.chunks(read_bytes):
            pass
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _send(self, reply: Reply, body: Body, cut: bool = False) -> int:
        """The reply; `cut`: its first half only, then the connection closed."""
        body.drain()  # an unread body would be taken for the next request
        data = b"" if reply.body is None else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        for name, value in (_rate_limit(RATE_LIMIT - 1, 60) | reply.headers).items():
            self.send_header(name, value)
        if reply.blob is not None:
            self.send_header("Content-Type", "application/octet-stream")
            self.end_headers()
            for chunk in self.service.store.read_blob(reply.blob):
                self.wfile.write(chunk)
            return reply.status
        if reply.status != 204:
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if cut else data)
        if cut:
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        return reply.status

    def _send_html(self, status: int, page: bytes, body: Body) -> int:
        body.drain()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)
        return status


def _json(raw: bytes, content_type: str) -> Any:
    if not raw:
        return {}
    if not content_type.lower().startswith("application/json"):
        raise ApiError(415, "Unsupported media type: send the body as application/json.")
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "The request body is not valid JSON.") from None


def _rate_limit(remaining: int, reset_in: int) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(RATE_LIMIT),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": str(int(time.time()) + reset_in),
    }
