"""Servers on 127.0.0.1 that misbehave the way real ones in front of a service do.

- `EchoingProxy`: an HTTP proxy that answers every query with an error page echoing the
  request's headers, `Authorization` first (some proxies and debug pages do), so a client's
  credentials come back in the body of the error. Given an `upstream` and a `needle`, it passes
  every query to the upstream server but those whose text holds the needle: a proxy that
  refuses one query (say, one too large for it) and lets the others through.
- `SilentServer`: accepts TCP connections and never answers a byte, like a server whose
  process hangs or a firewall that swallows the traffic after the handshake.
"""

from __future__ import annotations

import http.client
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import unquote_plus

from tests.fakes.serving import Served


class _Echo(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _EchoServer

    def do_GET(self) -> None:
        self._answer_or_pass(b"")

    def do_POST(self) -> None:
        self._answer_or_pass(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def _answer_or_pass(self, body: bytes) -> None:
        upstream, needle = self.server.upstream, self.server.needle
        if upstream is None or needle in unquote_plus(self.path) + body.decode(errors="replace"):
            self._answer()
            return
        connection = http.client.HTTPConnection(*upstream, timeout=30)
        try:
            headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
            connection.request(self.command, self.path, body=body or None, headers=headers)
            answer = connection.getresponse()
            content = answer.read()
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("connection", "content-length", "transfer-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
        finally:
            connection.close()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        if self.path.startswith("/ping"):
            self._send(200, b"Ok.\n")
            return
        headers = sorted(self.headers.items(), key=lambda item: item[0].lower() != "authorization")
        echoed = ", ".join(f"{name}={value}" for name, value in headers)
        body = f"Request rejected by proxy. Headers: {echoed}\nRequest id 1234\n"
        self._send(self.server.status, body.encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _EchoServer(ThreadingHTTPServer):
    daemon_threads = True
    status = 400
    upstream: tuple[str, int] | None = None
    needle = ""


class EchoingProxy:
    """An HTTP server that answers every query with `status` and the request's headers; with
    `upstream` (host, port), only the queries whose text holds `needle`."""

    def __init__(
        self, status: int = 400, upstream: tuple[str, int] | None = None, needle: str = ""
    ) -> None:
        self._server = _EchoServer(("127.0.0.1", 0), _Echo)
        self._server.status = status
        self._server.upstream, self._server.needle = upstream, needle
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._served = Served(self._server)

    def __enter__(self) -> Self:
        self._served.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._served.stop()


class SilentServer:
    """Accepts connections (the kernel completes the handshake) and never answers."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0), backlog=64)
        self.port = int(self._listener.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        self._accepted: list[socket.socket] = []
        self._closing = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        self._listener.settimeout(0.05)
        while not self._closing.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._accepted.append(connection)  # held open, never read from or written to

    @property
    def connections(self) -> int:
        """How many connections it took (and left unanswered)."""
        return len(self._accepted)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._closing.set()
        self._thread.join()
        self._listener.close()
        for connection in self._accepted:
            connection.close()
