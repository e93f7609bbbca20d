"""What the HTTP stand-ins of the tests share: a handler that answers at once and logs nothing
(a request line may carry a token), and a server that answers from a thread of its own."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler
from socketserver import BaseServer
from typing import Any


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the clients' connection pools expect

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes; without this, Nagle's algorithm and the
        # client's delayed ACK hold every answer back by ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        """Silence http.server's log on stderr: a request line may carry `?access_token=`."""


class Served:
    """`server` answering from a thread between `start()` and `stop()`."""

    def __init__(self, server: BaseServer) -> None:
        self.server = server
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        # serve_forever checks for shutdown between polls: a short poll makes stop() quick.
        serve = lambda: self.server.serve_forever(poll_interval=0.02)  # noqa: E731
        self._thread = threading.Thread(target=serve, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        if self._thread is not None:
            self._thread.join()
