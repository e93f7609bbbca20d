"""What can go wrong between us and a ClickHouse server, in words a person reads right: error
codes and HTTP statuses by what they mean, which failures are worth another try, and one line
for each that is not."""

from __future__ import annotations

import base64
import re
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import quote, quote_plus

from clickhouse_connect.driver.exceptions import ClickHouseError, OperationalError

from publisher.base.errors import EngineError
from publisher.base.progress import Progress
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
# Credentials a server or proxy may echo in its error, whatever the password: request headers
# (`Authorization: Basic ...`, `X-ClickHouse-Key`) and URL parameters.
_ECHOED_CREDENTIALS = (
    re.compile(
        r"(?i)\b((?:proxy-)?authorization|x-clickhouse-key)"  # the header's name
        r"(\s*[=:]\s*)(?:(?:basic|bearer)\s+)?[^\s,;&]+"  # its value, scheme and credentials
    ),
    re.compile(r"(?i)\b(password)(=)[^\s,;&]+"),
)

T = TypeVar("T")

WHAT_TO_DO = (
    "Count with --engine bigquery, try again later (a busy server reads slower), or point"
    " --clickhouse-url at another server."
)


class NotProven(EngineError):
    """An answer could not be shown whole under the server's limits."""


class TooBig(Exception):
    """The server refused an answer over its result cap or its time: a smaller range may pass."""


@dataclass(frozen=True)
class Retry:
    """How often, and how patiently, a transient failure is tried again."""

    attempts: int = 3
    backoff: float = 1.0  # seconds before the second attempt, doubled before each later one
    # No attempt starts later than this many seconds after the first began (None: no limit),
    # so that retries do not multiply a wait: a call ends within about twice the deadline.
    deadline: float | None = None
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)

    def delay(self, attempt: int) -> float:
        return self.backoff * 2.0 ** (attempt - 1)

    def too_late(self, started: float, delay: float) -> bool:
        """Whether an attempt after `delay` more seconds would start past the deadline."""
        return self.deadline is not None and self.clock() + delay - started > self.deadline


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


def server_message(exc: ClickHouseError, secrets: list[str] | None = None) -> str:
    """ClickHouse's own sentence, on one line and short; of another server's answer (a
    proxy's page), the status and the first line of text. `secrets` are cut out first, so
    that shortening cannot leave part of one behind."""
    text = redact(str(exc), secrets or [])
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
    where, secrets = f"ClickHouse at {server.url}", secret_forms(password, user)
    if error_code(exc) in LIMIT_CODES:
        return NotProven(
            f"{where} stopped {what} at its limit: {server_message(exc, secrets)};"
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
            f"{where} does not have {EXPECTED_TABLE} ({server_message(exc, secrets)}).",
            f"Point --clickhouse-url at a ClickPy server, e.g. {PUBLIC_URL}.",
        )
    if is_transient(exc):
        slow = " or raise --timeout" if reason(exc) == "timed out" else ""
        return EngineError(
            f"{where} did not answer ({reason(exc)}) after {attempts} attempt(s).",
            f"Check the URL and the network{slow}, or try again later.",
        )
    return EngineError(
        f"{where} refused the query: {server_message(exc, secrets)}.",
        "Check --clickhouse-url; if the server is ClickPy's, try again later.",
    )


def secret_forms(password: str, user: str) -> list[str]:
    """The password as a server may echo it: as typed, URL-encoded, and inside HTTP Basic
    credentials (base64 of user:password, either alphabet, padded or not); longest first."""
    if not password:
        return []
    forms = {password}
    for safe in ("/", ""):  # the default, and what a query string needs
        forms |= {quote(password, safe=safe), quote_plus(password, safe=safe)}
    for clear in (f"{user}:{password}", password):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(clear.encode()).decode()
            forms |= {encoded, encoded.rstrip("=")}
    return sorted(forms, key=len, reverse=True)


def redact(text: str, forms: list[str]) -> str:
    for form in forms:
        text = text.replace(form, "***")
    for pattern in _ECHOED_CREDENTIALS:
        text = pattern.sub(r"\1\2[redacted]", text)
    return text


def without_secret(error: EngineError, secret: str, user: str = "") -> EngineError:
    """Belt and braces: whatever a server or proxy echoed, the password is never shown, in
    any encoding, nor any credentials header."""
    forms = secret_forms(secret, user)
    return type(error)(redact(error.message, forms), redact(error.tip, forms))


def with_retries(call: Callable[[], T], retry: Retry, notify: Progress) -> T:
    """`call()`, tried again after transient failures with growing pauses, within the retry's
    deadline; `notify` hears each failure and the pause before the next attempt."""
    started = retry.clock()
    for attempt in range(1, retry.attempts):
        try:
            return call()
        except ClickHouseError as exc:
            delay = retry.delay(attempt)
            if not is_transient(exc) or retry.too_late(started, delay):
                raise
            notify(
                f"{reason(exc)}; trying again in {delay:g} s ({attempt + 1} of {retry.attempts})"
            )
            retry.sleep(delay)
    return call()
