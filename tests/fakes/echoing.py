"""A server on 127.0.0.1 that refuses every request with an answer echoing the credential it
was sent, as a proxy's debug page or a careless API does, in one of the forms a secret takes
in text (`FORMS`): as sent, stripped of the line end it was pasted with, URL-encoded, or
inside base64 of `user:secret` (HTTP Basic credentials).

It speaks each protocol just far enough for the real client to read the refusal:
- ClickHouse (`kind="clickhouse"`): a proxy's plain-text page, HTTP 400 (its `/ping` answers);
- Zenodo (`kind="zenodo"`): a 400 in Zenodo's validation shape, `errors[].messages`;
- BigQuery (`kind="bigquery"`): a 400 in BigQuery's error shape; its `/token` is Google's
  token endpoint, which hands out `access_token`, or, given the service account's
  `private_key`, refuses the assertion with an answer echoing that key.

The credential is read as the clients send it: HTTP Basic (ClickHouse), a bearer token
(Zenodo, BigQuery), or `?access_token=` (zenodo-client).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, quote, urlsplit

from tests.fakes.serving import Served

Form = Callable[[str], str]
FORMS: dict[str, Form] = {
    "as given": lambda secret: secret,
    "stripped": lambda secret: secret.strip(),
    "url-encoded": lambda secret: quote(secret.strip(), safe=""),
    "base64 user:secret": lambda secret: base64.b64encode(
        f"x-access-token:{secret.strip()}".encode()
    ).decode(),
}


def credential(headers: Message, path: str) -> str:
    """The secret a request carries, as its client sent it."""
    authorization = str(headers.get("Authorization", ""))
    if authorization.startswith("Basic "):
        return base64.b64decode(authorization.removeprefix("Basic ")).decode().split(":", 1)[1]
    if authorization.startswith("Bearer "):
        return authorization.removeprefix("Bearer ")
    return parse_qs(urlsplit(path).query).get("access_token", [""])[0]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self) -> None:
        echo, kind = self.server.echo, self.server.kind
        if kind == "clickhouse" and self.path.startswith("/ping"):
            self._send(200, "text/plain", "Ok.\n")
        elif kind == "bigquery" and urlsplit(self.path).path == "/token":
            self._token()
        else:
            said = echo(credential(self.headers, self.path))
            self.server.echoed.append(said)
            self._refuse(said)

    def _token(self) -> None:
        key = self.server.private_key
        if key is None:
            answer = {"access_token": self.server.access_token, "expires_in": 3600}
            self._send(200, "application/json", json.dumps(answer | {"token_type": "Bearer"}))
            return
        said = self.server.echo(key)
        self.server.echoed.append(said)
        refusal = {"error": "invalid_grant", "error_description": f"Invalid JWT for key {said}"}
        self._send(400, "application/json", json.dumps(refusal))

    def _refuse(self, said: str) -> None:
        message = f"Request rejected, credential {said} is not allowed here"
        if self.server.kind == "clickhouse":
            self._send(400, "text/plain", f"{message}\nRequest id 1234\n")
            return
        if self.server.kind == "zenodo":
            errors = [{"field": "access_token", "messages": [message]}]
            body = {"status": 400, "message": "Validation error.", "errors": errors}
        else:
            errors = [{"reason": "invalid", "message": message}]
            body = {"error": {"code": 400, "message": message, "errors": errors}}
        self._send(400, "application/json", json.dumps(body))

    def _send(self, status: int, content_type: str, text: str) -> None:
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    kind = ""
    echo: Form
    private_key: str | None = None
    access_token = ""
    echoed: list[str]


class EchoingServer:
    """Refuses every request of a `kind` client, echoing its credential as `echo` shapes it;
    `echoed` lists what it said, so a test knows the secret reached the client's error."""

    def __init__(
        self,
        kind: str,
        echo: Form,
        *,
        private_key: str | None = None,
        access_token: str = "",
    ) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.kind, self._server.echo, self._server.echoed = kind, echo, []
        self._server.private_key, self._server.access_token = private_key, access_token
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._served = Served(self._server)

    def refuse_tokens_echoing(self, private_key: str) -> None:
        """Google's token endpoint: refuse every assertion, echoing the account's key."""
        self._server.private_key = private_key

    @property
    def echoed(self) -> list[str]:
        return list(self._server.echoed)

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
