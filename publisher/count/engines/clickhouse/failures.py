"""What can go wrong between us and a ClickHouse server, in words a person reads right: error
codes and HTTP statuses by what they mean, which failures are worth another try, and one line
for each that is not."""

from __future__ import annotations

import re
import socket
import ssl
from collections.abc import Callable
from typing import TypeVar, cast

from clickhouse_connect.driver.exceptions import ClickHouseError, OperationalError

from publisher.base.errors import EngineError
from publisher.base.progress import Progress
from publisher.base.retry import GaveUp, Retry, Transient, retrying
from publisher.base.secrets import Redactor
from publisher.count.engines.clickhouse.server import EXPECTED_TABLE, PUBLIC_URL, Server

# ClickHouse error codes, by what they mean here.
AUTHENTICATION_CODES = frozenset({192, 193, 194, 516})  # unknown user, wrong/required password
SCHEMA_CODES = frozenset({8, 10, 16, 43, 47, 60, 81})  # no such column, table or database
BUSY_CODES = frozenset({202, 209, 210})  # too many queries, socket timeout, network error
# A limit met, with overflow mode `throw`: the server refused to go on.
LIMIT_CODES = frozenset({158, 159, 160, 307, 396})  # rows, time, speed, bytes, result
# Over the rows or bytes to read (TOO_MANY_ROWS, TOO_MANY_BYTES), the result cap
# (TOO_MANY_ROWS_OR_BYTES) or the time limit (TIMEOUT_EXCEEDED): a smaller range may pass.
SMALLER_MAY_PASS = frozenset({158, 159, 307, 396})
RETRY_STATUSES = frozenset({429, 502, 503, 504})  # a proxy in front, overloaded or restarting
AUTHENTICATION_STATUSES = frozenset({401, 403})  # a proxy's own refusal, no ClickHouse code
_CODE = re.compile(r"\bCode: (\d+)\. DB::Exception")
_HTTP_STATUS = re.compile(r"HTTP status (\d{3})")
# Words in the client's transport errors, and how a person would say them.
HOST_NOT_FOUND, TLS_FAILED = "host not found", "TLS handshake failed"
_REASONS = (
    ("timed out", "timed out"),
    ("refused", "connection refused"),
    ("name or service not known", HOST_NOT_FOUND),
    ("nodename nor servname", HOST_NOT_FOUND),
    ("name resolution", HOST_NOT_FOUND),
    ("ssl", TLS_FAILED),
)
# A mistyped host or a bad certificate will not mend itself in a few seconds.
LASTING_REASONS = frozenset({HOST_NOT_FOUND, TLS_FAILED})
# The same, known by the exception's type somewhere in the chain (urllib3 wraps them).
_CAUSES = ((socket.gaierror, HOST_NOT_FOUND), (ssl.SSLError, TLS_FAILED))
# What the client and server wrap around ClickHouse's own sentence, removed in this order.
_NOISE = (
    re.compile(r"^.*?DB::Exception: "),  # the client's "Received ClickHouse exception..."
    re.compile(r" \(for url .*$"),
    re.compile(r" \(version .*$"),
    re.compile(r"\.? In scope .*$"),  # ClickHouse's copy of the whole rewritten query
    re.compile(r" \([A-Z][A-Z0-9_]+\)$"),  # the error's name
)
MESSAGE_CHARS = 160
# What the client says when the answer is not ClickHouse's own error but, say, a proxy's page.
_FOREIGN_ANSWER = re.compile(
    r"HTTP driver received HTTP status (\d{3}), server response: (.*)", re.S
)
_TAGS = re.compile(r"<[^>]*>")
T = TypeVar("T")

WHAT_TO_DO = (
    "Count with --engine bigquery, try again later (a busy server reads slower), or point"
    " --clickhouse-url at another server."
)


class NotProven(EngineError):
    """An answer could not be shown whole under the server's limits."""


class TooBig(Exception):
    """The server refused an answer over its result cap or its time: a smaller range may pass."""


def http_status(exc: ClickHouseError) -> int | None:
    found = _HTTP_STATUS.search(str(exc))
    return int(found.group(1)) if found else None


def error_code(exc: ClickHouseError) -> int | None:
    """The ClickHouse error code; a streamed answer's error carries it in its text only."""
    code = getattr(exc, "code", None)
    if isinstance(code, int):
        return code
    found = _CODE.search(str(exc))
    return int(found.group(1)) if found else None


def failure_chain(exc: BaseException) -> list[BaseException]:
    """The error and its causes: urllib3 puts the reason in the cause."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    return chain


def failure_text(exc: BaseException) -> str:
    """The error and its causes, lower case."""
    return " ".join(str(error) for error in failure_chain(exc)).lower()


def reason(exc: ClickHouseError) -> str:
    """What went wrong on the way, in a few words."""
    status = http_status(exc)
    if status is not None:
        return f"HTTP {status}"
    for error in failure_chain(exc):
        found = next((words for kind, words in _CAUSES if isinstance(error, kind)), None)
        if found:
            return found
    text = failure_text(exc)
    return next((words for needle, words in _REASONS if needle in text), "connection lost")


def is_transient(exc: ClickHouseError) -> bool:
    """Worth another try: the network or a busy server, not our credentials or our SQL."""
    code = error_code(exc)
    if code is not None:
        return code in BUSY_CODES
    if reason(exc) in LASTING_REASONS:
        return False
    return isinstance(exc, OperationalError) or http_status(exc) in RETRY_STATUSES


def is_authentication(exc: ClickHouseError) -> bool:
    code = error_code(exc)
    return code in AUTHENTICATION_CODES or (
        code is None and http_status(exc) in AUTHENTICATION_STATUSES
    )


def server_message(exc: ClickHouseError, redact: Redactor | None = None) -> str:
    """ClickHouse's own sentence, on one line and short; of another server's answer (a
    proxy's page), the status and the first line of text. The secrets are cut out first, so
    that shortening cannot leave part of one behind."""
    text = (redact or Redactor())(str(exc))
    foreign = _FOREIGN_ANSWER.search(text)
    if foreign and error_code(exc) is None:
        lines = (" ".join(line.split()) for line in _TAGS.sub(" ", foreign.group(2)).splitlines())
        message = f"HTTP {foreign.group(1)}: {next((line for line in lines if line), '')}"
    else:
        message = " ".join(text.split())
        for noise in _NOISE:
            message = noise.sub("", message)
    message = message.rstrip(". ")
    return message if len(message) <= MESSAGE_CHARS else message[: MESSAGE_CHARS - 3] + "..."


def engine_error(
    exc: ClickHouseError,
    server: Server,
    user: str,
    attempts: int,
    password: str = "",
    what: str = "the query",
) -> EngineError:
    where, redact = f"ClickHouse at {server.url}", Redactor(password)
    if error_code(exc) in LIMIT_CODES:
        return NotProven(
            f"{where} stopped {what} at its limit: {server_message(exc, redact)};"
            " nothing was written.",
            WHAT_TO_DO,
        )
    if is_authentication(exc):
        return EngineError(
            f"{where}: authentication failed for user {user!r}.",
            "Check --clickhouse-user and --clickhouse-password (or their TOP_PYPI_ variables).",
        )
    if reason(exc) == HOST_NOT_FOUND:
        return EngineError(
            f"{where}: could not resolve the host {server.host}.",
            "Check the host name in --clickhouse-url, and the network's DNS.",
        )
    if reason(exc) == TLS_FAILED:
        return EngineError(
            f"{where}: the TLS handshake failed.",
            "Check that the server speaks https on that port (a plain http port needs an"
            " http:// URL) and that its certificate is valid.",
        )
    if error_code(exc) in SCHEMA_CODES:
        return EngineError(
            f"{where} does not have {EXPECTED_TABLE} ({server_message(exc, redact)}).",
            f"Point --clickhouse-url at a ClickPy server, e.g. {PUBLIC_URL}.",
        )
    if is_transient(exc):
        slow = " or raise --timeout" if reason(exc) == "timed out" else ""
        return EngineError(
            f"{where} did not answer ({reason(exc)}) after {attempts} attempt(s).",
            f"Check the URL and the network{slow}, or try again later.",
        )
    return EngineError(
        f"{where} refused the query: {server_message(exc, redact)}.",
        "Check --clickhouse-url; if the server is ClickPy's, try again later.",
    )


def without_secret(error: EngineError, secret: str, user: str = "") -> EngineError:
    """Belt and braces: whatever a server or proxy echoed, the password is never shown, in
    any form, nor any credentials header. (The user is not needed: the password is found
    inside base64 of any `user:password`.)"""
    return cast(EngineError, Redactor(secret).error(error))


def with_retries(call: Callable[[], T], retry: Retry, notify: Progress) -> T:
    """`call()`, tried again after the failures `is_transient` names, as `retry` says
    (publisher.base.retry); the last failure is raised as the client raised it."""

    def once() -> T:
        try:
            return call()
        except ClickHouseError as exc:
            if is_transient(exc):
                raise Transient(reason(exc), cause=exc) from None
            raise

    try:
        return retrying(once, retry, notify)
    except GaveUp as gave_up:
        raise cast(ClickHouseError, gave_up.last.cause) from None
