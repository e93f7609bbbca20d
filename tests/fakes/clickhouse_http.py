"""The stand-in's HTTP server: keep-alive connections that it can hang up on, and a handler that
passes each query request to whatever answers it."""

from __future__ import annotations

import contextlib
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from tests.fakes.clickhouse_wire import TEXT_PLAIN


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class Answers(Protocol):
    def answer(
        self, params: dict[str, str], headers: dict[str, str], body: bytes
    ) -> Reply | None: ...


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, standin: Answers) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.standin = standin
        self.connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up on a stalled answer is part of the tests, not an error

    def hang_up(self) -> None:
        """End the kept-alive connections, so that their threads finish and can be joined."""
        with self._connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clickhouse-connect's connection pool expects
    # Headers and body go out in two writes: with Nagle's algorithm, each small answer would
    # wait for the client's delayed acknowledgement (40 ms), as a real server's does not.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve(b"")

    def do_POST(self) -> None:
        self._serve(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _serve(self, body: bytes) -> None:
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        if url.path == "/ping" or (self.command == "GET" and "query" not in params):
            self._send(Reply(200, b"Ok.\n", {"Content-Type": TEXT_PLAIN}))
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.standin.answer(params, headers, body)
        if reply is None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except OSError:
            self.close_connection = True  # the client gave up waiting
