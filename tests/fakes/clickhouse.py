"""A local ClickHouse for the tests: the real engine (chDB, embedded) behind the part of
ClickHouse's HTTP interface that clickhouse-connect speaks, holding ClickPy's `pypi` tables.

The unmodified client runs against it: `clickhouse_connect.get_client(host=..., port=...,
username=..., password=..., interface="http")`. Modelled: the handshake, server-side bound
parameters (`param_<name>` in the URL or a multipart form), URL settings (unknown ones refused;
applied to statements with a result), the output format of the query's FORMAT clause, one
statement per request, the `X-ClickHouse-Summary` header, error bodies with their
`X-ClickHouse-Exception-Code` header and HTTP status, and HTTP authentication. The failures a
public endpoint shows can be switched on: 503s, dropped connections, stalls, days never loaded,
a changed schema.

Not modelled: response compression (answers are always identity-encoded, which the client
accepts), `client_protocol_version` block info (the client's probe then falls back to protocol
0, as behind a proxy that strips the parameter), sessions, readonly for GET, INSERT data in
the request body, external tables, progress headers and exceptions in the middle of a stream.

chDB runs one embedded server per process: one stand-in may be open at a time.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import email.policy
import hmac
import json
import re
import shutil
import socket
import tempfile
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qsl, urlsplit

from chdb.session import Session

DATABASE = "pypi"

# ClickPy's definitions (ClickHouse/clickpy, scripts/create_tables.sh and ClickHouse.md), reduced
# to the raw table and three download aggregates. ClickPy's monthly view only keeps the last six
# months by `now()`; here it keeps every month loaded, since the tests' days are not tied to the
# clock.
RAW_TABLE = f"""
CREATE TABLE {DATABASE}.pypi
(
    `date` Date,
    `country_code` LowCardinality(String),
    `project` String,
    `type` LowCardinality(String),
    `installer` LowCardinality(String),
    `python_minor` LowCardinality(String),
    `system` LowCardinality(String),
    `version` String
)
ENGINE = MergeTree
ORDER BY (project, date, version, country_code, python_minor, system)
"""

INSTALLER_TABLE = "pypi_downloads_per_day_by_version_by_installer_by_type"

# Each aggregate: its columns, sorting key and the SELECT its materialized view runs on every
# insert into the raw table (also used to rebuild it after a day is dropped).
AGGREGATES = {
    "pypi_downloads_per_day": (
        "`date` Date, `project` String, `count` Int64",
        "(project, date)",
        f"SELECT date, project, count() AS count FROM {DATABASE}.pypi GROUP BY date, project",
    ),
    "pypi_downloads_per_month": (
        "`month` Date, `project` String, `count` Int64",
        "(month, project)",
        f"SELECT toStartOfMonth(date) AS month, project, count() AS count FROM {DATABASE}.pypi"
        " GROUP BY month, project",
    ),
    # ClickPy's ClickHouse.md, "Downloads per day by version by installer by type": the table
    # the engine's installer breakdown reads. An unknown installer is '' (LOAD_EVENTS).
    INSTALLER_TABLE: (
        "`project` String, `version` String, `date` Date, `installer` String,"
        " `type` LowCardinality(String), `count` Int64",
        "(project, version, date, installer)",
        f"SELECT project, version, date, installer, type, count() AS count FROM {DATABASE}.pypi"
        " GROUP BY project, version, date, installer, type",
    ),
}

# One row of `bigquery-public-data.pypi.file_downloads` (publisher/events_schema.py) as ClickPy
# stores it: the day in UTC, the Python version cut to major.minor, NULLs as ''.
LOAD_EVENTS = f"""
INSERT INTO {DATABASE}.pypi
    (date, country_code, project, type, installer, python_minor, system, version)
SELECT
    toDate(timestamp, 'UTC'),
    ifNull(country_code, ''),
    ifNull(project, ''),
    ifNull(file.type, ''),
    ifNull(details.installer.name, ''),
    arrayStringConcat(arraySlice(splitByChar('.', ifNull(details.python, '')), 1, 2), '.'),
    ifNull(details.system.name, ''),
    ifNull(file.version, '')
FROM file({{path}}, Parquet)
"""

# URL parameters the HTTP handler consumes itself; every other one (but `param_*`) is a setting.
TRANSPORT_PARAMS = frozenset(
    {
        "query", "compress", "decompress", "user", "password", "quota_key", "query_id",
        "stacktrace", "role", "buffer_size", "wait_end_of_query", "session_id",
        "session_timeout", "session_check", "client_protocol_version", "close_session",
    }
)  # fmt: skip
# The prefix the default server config registers for user-defined settings.
CUSTOM_SETTING_PREFIX = "SQL_"
DEFAULT_FORMAT = "TabSeparated"

# ClickHouse's exceptionCodeToHTTPStatus, by error name; anything else is a 500.
_STATUS_OF_ERRORS = {
    400: (
        "SYNTAX_ERROR", "BAD_ARGUMENTS", "CANNOT_PARSE_TEXT", "CANNOT_PARSE_DATE",
        "CANNOT_PARSE_DATETIME", "CANNOT_PARSE_NUMBER", "CANNOT_PARSE_INPUT_ASSERTION_FAILED",
        "CANNOT_PARSE_QUOTED_STRING", "CANNOT_PARSE_ESCAPE_SEQUENCE", "ILLEGAL_COLUMN",
        "THERE_IS_NO_COLUMN", "DUPLICATE_COLUMN", "INCORRECT_DATA", "TYPE_MISMATCH",
        "VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE",
    ),
    401: ("REQUIRED_PASSWORD",),
    403: ("UNKNOWN_USER", "WRONG_PASSWORD", "AUTHENTICATION_FAILED", "ACCESS_DENIED"),
    404: (
        "UNKNOWN_TABLE", "UNKNOWN_FUNCTION", "UNKNOWN_IDENTIFIER", "UNKNOWN_TYPE",
        "UNKNOWN_STORAGE", "UNKNOWN_DATABASE", "UNKNOWN_SETTING", "UNKNOWN_FORMAT",
        "UNKNOWN_AGGREGATE_FUNCTION", "UNKNOWN_TYPE_OF_QUERY",
    ),
    408: ("TIMEOUT_EXCEEDED",),
    501: ("NOT_IMPLEMENTED",),
}  # fmt: skip
HTTP_STATUS = {name: status for status, names in _STATUS_OF_ERRORS.items() for name in names}

CONTENT_TYPES = {
    "TabSeparated": "text/tab-separated-values; charset=UTF-8",
    "TSV": "text/tab-separated-values; charset=UTF-8",
    "TabSeparatedWithNames": "text/tab-separated-values; charset=UTF-8",
    "TSVWithNames": "text/tab-separated-values; charset=UTF-8",
    "CSV": "text/csv; charset=UTF-8; header=absent",
    "CSVWithNames": "text/csv; charset=UTF-8; header=present",
    "JSON": "application/json; charset=UTF-8",
    "JSONCompact": "application/json; charset=UTF-8",
    "JSONEachRow": "application/x-ndjson; charset=UTF-8",
}
TEXT_PLAIN = "text/plain; charset=UTF-8"
BINARY = "application/octet-stream"

FailureKind = Literal["503", "disconnect", "slow"]
FAILURE_KINDS: tuple[FailureKind, ...] = ("503", "disconnect", "slow")


class ServerError(Exception):
    """A ClickHouse exception, answered the way clickhouse-server writes it over HTTP."""

    def __init__(self, code: int, name: str, message: str) -> None:
        super().__init__(f"Code: {code}. {message} ({name})")
        self.code = code
        self.name = name
        self.message = message

    @property
    def status(self) -> int:
        return HTTP_STATUS.get(self.name, 500)

    def body(self, version: str) -> bytes:
        # ClickHouse ends the message with a full stop, then the error's name and the version.
        text = self.message if self.message.endswith(".") else self.message + "."
        return (
            f"Code: {self.code}. DB::Exception: {text} ({self.name}) (version {version})\n".encode()
        )


_CODE = re.compile(r"Code: (\d+)\. DB::Exception: ")
_VERSION = re.compile(r"\s*\(version [^()]*\)")
_TRAILING_NAME = re.compile(r"[.\s]*\(([A-Z][A-Z0-9_]+)\)[.\s]*$")


def error_from_chdb(text: str) -> ServerError:
    """chDB nests a query's exception in copies of itself ("Code: 73. DB::Exception: Code: 73.
    ..."); the server shows it once."""
    matches = list(_CODE.finditer(text))
    if not matches:
        return ServerError(1001, "STD_EXCEPTION", text.strip())
    inner = _VERSION.sub("", text[matches[-1].end() :]).strip()
    name = "UNKNOWN_EXCEPTION"
    while found := _TRAILING_NAME.search(inner):
        name = found.group(1)
        inner = inner[: found.start()]
    return ServerError(int(matches[0].group(1)), name, inner.strip())


def authentication_failed(user: str) -> ServerError:
    return ServerError(
        516,
        "AUTHENTICATION_FAILED",
        f"{user}: Authentication failed: password is incorrect, "
        "or there is no user with such name.",
    )


def invalid_authentication(reason: str) -> ServerError:
    return ServerError(516, "AUTHENTICATION_FAILED", f"Invalid authentication: {reason}")


def credentials(headers: dict[str, str], params: dict[str, str]) -> tuple[str, str]:
    """User and password from X-ClickHouse-User/Key, HTTP Basic auth or `user`/`password`
    parameters; like clickhouse-server, mixing two of these is refused."""
    header_user, header_key = headers.get("x-clickhouse-user"), headers.get("x-clickhouse-key")
    authorization = headers.get("authorization")
    by_params = "user" in params or "password" in params
    if header_user is not None or header_key is not None:
        if authorization or by_params:
            raise invalid_authentication(
                "it is not allowed to use X-ClickHouse HTTP headers and other authentication "
                "methods simultaneously"
            )
        return header_user or "default", header_key or ""
    if authorization:
        if by_params:
            raise invalid_authentication(
                "it is not allowed to use Authorization HTTP header and authentication via "
                "parameters simultaneously"
            )
        return basic_credentials(authorization)
    return params.get("user", "default"), params.get("password", "")


def basic_credentials(authorization: str) -> tuple[str, str]:
    scheme, _, encoded = authorization.partition(" ")
    if scheme.lower() != "basic":
        raise invalid_authentication(f"'{scheme}' HTTP Authorization scheme is not supported")
    try:
        user, _, password = base64.b64decode(encoded.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise invalid_authentication("malformed Basic credentials") from None
    return user, password


def split_params(params: dict[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """The query's bound parameters (`param_x` -> `x`) and its settings."""
    bound = {k.removeprefix("param_"): v for k, v in params.items() if k.startswith("param_")}
    settings = {
        k: v
        for k, v in params.items()
        if k and k not in TRANSPORT_PARAMS and not k.startswith("param_")
    }
    return bound, settings


def check_settings(settings: dict[str, str], known: frozenset[str]) -> None:
    for name in settings:
        if name not in known and not name.startswith(CUSTOM_SETTING_PREFIX):
            raise ServerError(
                115,
                "UNKNOWN_SETTING",
                f"Setting {name} is neither a builtin setting nor started with the prefix "
                f"'{CUSTOM_SETTING_PREFIX}' registered for user-defined settings",
            )


def sql_string(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


_LEADING_COMMENTS = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*", re.DOTALL)
_RESULT_STATEMENT = re.compile(r"\(|(?:SELECT|WITH|SHOW|DESC|DESCRIBE|EXISTS|EXPLAIN)\b", re.I)
_TRAILING_FORMAT = re.compile(r"\bFORMAT\s+([A-Za-z0-9_]+)\s*$", re.I)
_QUOTED_OR_COMMENT = re.compile(
    r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`(?:[^`\\]|\\.)*`|--[^\n]*|/\*.*?\*/", re.DOTALL
)


def _mask(found: re.Match[str]) -> str:
    text = found.group()
    return " " * len(text) if text.startswith(("--", "/*")) else "x" * len(text)


def single_statement(sql: str) -> str:
    """The request's statement without trailing semicolons and comments. The HTTP interface
    runs one statement per request; chDB, like clickhouse-local, would run them all."""
    mask = _QUOTED_OR_COMMENT.sub(_mask, sql)  # same length: strings are x, comments blank
    end = mask.find(";")
    if end >= 0 and mask[end:].replace(";", " ").strip():
        raise ServerError(
            62,
            "SYNTAX_ERROR",
            "Syntax error (Multi-statements are not allowed): failed at position "
            f"{end + 1}: {sql[end:]}",
        )
    statement = sql[: len(mask[: end if end >= 0 else len(mask)].rstrip())]
    if not statement.strip():
        raise ServerError(62, "SYNTAX_ERROR", "Empty query")
    return statement


def prepare(sql: str, settings: dict[str, str], default_format: str) -> tuple[str, str | None]:
    """The text chDB runs and the output format (None for a statement without a result).

    The request's settings become the query's trailing SETTINGS clause, so they last for this
    query only, as URL settings do; statements without a result cannot carry one, so for them
    settings are checked but not applied."""
    sql = single_statement(sql)
    if not _RESULT_STATEMENT.match(_LEADING_COMMENTS.sub("", sql, count=1)):
        return sql, None
    found = _TRAILING_FORMAT.search(sql)
    fmt = found.group(1) if found else default_format
    text = sql if found else f"{sql}\nFORMAT {fmt}"
    applied = {k: v for k, v in settings.items() if not k.startswith(CUSTOM_SETTING_PREFIX)}
    if applied:
        text += "\nSETTINGS " + ", ".join(f"{k} = {sql_string(v)}" for k, v in applied.items())
    return text, fmt


def summary(result: Any) -> str:
    """`X-ClickHouse-Summary` as clickhouse-server writes it, every number as a string. chDB's
    `rows_read`/`bytes_read` describe the result; its `storage_*` counters are what was read."""
    values = {
        "read_rows": result.storage_rows_read(),
        "read_bytes": result.storage_bytes_read(),
        "written_rows": result.rows_written(),
        "written_bytes": result.bytes_written(),
        "total_rows_to_read": result.storage_rows_read(),
        "result_rows": result.rows_read(),
        "result_bytes": result.bytes_read(),
        "elapsed_ns": int(result.elapsed() * 1e9),
    }
    return json.dumps({k: str(v) for k, v in values.items()}, separators=(",", ":"))


def form_fields(content_type: str, body: bytes) -> dict[str, str]:
    """The text fields of a multipart/form-data body: clickhouse-connect sends the query and
    its parameters this way when they are too long for a URL."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode()
    message = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields = {}
    for part in message.iter_parts():
        if part.get_filename():
            raise ServerError(48, "NOT_IMPLEMENTED", "External tables are not supported here")
        name = part.get_param("name", header="content-disposition")
        fields[str(name)] = bytes(part.get_payload(decode=True)).decode()
    return fields


def read_query(params: dict[str, str], headers: dict[str, str], body: bytes) -> dict[str, str]:
    """The request's parameters, with form fields merged in and `query` holding the whole SQL:
    clickhouse-server reads the `query` parameter, then a newline, then the POST body."""
    content_type = headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        return params | form_fields(content_type, body)
    try:
        text = body.decode()
    except UnicodeDecodeError:
        raise ServerError(48, "NOT_IMPLEMENTED", "Binary data in the request body") from None
    sql = "\n".join(part for part in (params.get("query", ""), text) if part)
    return params | {"query": sql}


@dataclass(frozen=True)
class ReceivedQuery:
    """One request as the server saw it, for the tests' assertions."""

    sql: str
    params: dict[str, str]  # bound parameters, without the `param_` prefix
    settings: dict[str, str]
    user: str
    failure: FailureKind | None = None  # the injected failure this attempt met


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class ChDB:
    """One chDB session on a folder, used by one thread at a time."""

    def __init__(self, path: Path) -> None:
        try:
            self._session = Session(str(path))
        except RuntimeError as exc:
            raise RuntimeError(
                f"chDB would not open {path} ({exc}). chDB runs one embedded server per "
                "process: close the other ClickHouseStandIn first."
            ) from None
        self._lock = threading.Lock()

    def run(self, sql: str, fmt: str = DEFAULT_FORMAT, params: dict[str, str] | None = None) -> Any:
        with self._lock:
            try:
                return self._session.query(sql, fmt, params=params or None)
            except RuntimeError as exc:
                raise error_from_chdb(str(exc)) from None

    def text(self, sql: str) -> str:
        return bytes(self.run(sql).bytes()).decode()

    def close(self) -> None:
        with self._lock:
            self._session.close()


def create_tables(db: ChDB) -> None:
    db.run(f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
    db.run(RAW_TABLE)
    for table, (columns, order, select) in AGGREGATES.items():
        target = f"{DATABASE}.{table}"
        db.run(f"CREATE TABLE {target} ({columns}) ENGINE = SummingMergeTree ORDER BY {order}")
        db.run(f"CREATE MATERIALIZED VIEW {target}_mv TO {target} ({columns}) AS {select}")


def event_files(events: Path) -> str:
    """The path file() reads: one Parquet file, or every `*.parquet` in a folder."""
    if any(c in str(events) for c in "*?{}[]"):
        raise ValueError(f"{events}: file() would read this name as a glob")
    if not events.is_dir():
        return str(events)
    if not any(events.glob("*.parquet")):
        raise ValueError(f"{events} holds no .parquet files")
    return str(events / "*.parquet")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, standin: ClickHouseStandIn) -> None:
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


class ClickHouseStandIn:
    """ClickPy's `pypi` tables in chDB, served over ClickHouse's HTTP interface on 127.0.0.1."""

    def __init__(
        self,
        events_dir: Path | None = None,
        user: str = "demo",
        password: str = "",
        *,
        display_name: str = "clickhouse-standin",
    ) -> None:
        self.users = {user: password}
        self.display_name = display_name
        self.queries: list[ReceivedQuery] = []
        self._failures: deque[FailureKind] = deque()
        self._stall_seconds = 0.0
        self._closing = threading.Event()
        self._workdir = Path(tempfile.mkdtemp(prefix="clickhouse-standin-"))
        try:
            self._db = ChDB(self._workdir / "data")
            self._load(events_dir)
        except BaseException:
            self._discard()
            raise
        self._server = _Server(self)
        self.host, self.port = "127.0.0.1", int(self._server.server_address[1])
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,))
        self._thread.start()

    def _load(self, events_dir: Path | None) -> None:
        self.version = self._db.text("SELECT version()").strip()
        self.timezone = self._db.text("SELECT timezone()").strip()
        self.settings = frozenset(self._db.text("SELECT name FROM system.settings").split())
        create_tables(self._db)
        if events_dir is not None:
            self.load_events(events_dir)

    def _discard(self) -> None:
        if hasattr(self, "_db"):
            self._db.close()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self) -> ClickHouseStandIn:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._closing.is_set():
            return
        self._closing.set()  # wakes stalled answers
        self._server.shutdown()
        self._server.hang_up()
        self._server.server_close()  # joins the request threads
        self._thread.join()
        self._discard()

    # Data: what ClickPy has loaded.

    def load_events(self, events: Path) -> None:
        """Insert file_downloads events (a Parquet file or a folder of them) into `pypi.pypi`;
        the materialized views add them to the aggregates, as in ClickPy's loads."""
        self._db.run(LOAD_EVENTS.format(path=sql_string(event_files(events))))

    def drop_day(self, day: date) -> None:
        """Make `day` missing everywhere, as when ClickPy's loader stalled on it."""
        self._db.run(f"DELETE FROM {DATABASE}.pypi WHERE date = {sql_string(day.isoformat())}")
        self.rebuild_aggregates()

    def rebuild_aggregates(self) -> None:
        """Every aggregate again from the raw table, as its materialized view would have it."""
        for table, (_, _, select) in AGGREGATES.items():
            self._db.run(f"TRUNCATE TABLE {DATABASE}.{table}")
            self._db.run(f"INSERT INTO {DATABASE}.{table} {select}")

    def add_installer_downloads(
        self, project: str, day: date, installer: str, count: int, version: str = "1.0"
    ) -> None:
        """Downloads in the installer table only: ClickPy loads its tables separately, so they
        can disagree with the per-day one (`rebuild_aggregates` mends it)."""
        self._db.run(
            f"INSERT INTO {DATABASE}.{INSTALLER_TABLE} (project, version, date, installer, type,"
            " count) VALUES ({project:String}, {version:String}, {day:Date}, {installer:String},"
            " 'bdist_wheel', {count:Int64})",
            params={
                "project": project,
                "version": version,
                "day": day.isoformat(),
                "installer": installer,
                "count": str(count),
            },
        )

    def serve_wrong_schema(self) -> None:
        """Rename the aggregates' `count` column to `downloads`: a schema change upstream.
        Loading more events afterwards fails, as the views still write `count`."""
        for table in AGGREGATES:
            self._db.run(f"ALTER TABLE {DATABASE}.{table} RENAME COLUMN count TO downloads")

    # Faults: what a public endpoint does on a bad day.

    def fail_next(self, n: int = 1, kind: FailureKind = "503", *, seconds: float = 5.0) -> None:
        """Answer the next `n` query requests with `kind`: "503" (Service Unavailable, no
        ClickHouse exception: a proxy in front), "disconnect" (the connection closes with no
        answer) or "slow" (the answer waits `seconds`, longer than the client's timeout)."""
        if kind not in FAILURE_KINDS:
            raise ValueError(f"kind {kind!r} is not one of {FAILURE_KINDS}")
        self._stall_seconds = seconds
        self._failures.extend([kind] * n)

    def _take_failure(self) -> FailureKind | None:
        try:
            return self._failures.popleft()
        except IndexError:
            return None

    # The HTTP interface.

    def answer(self, params: dict[str, str], headers: dict[str, str], body: bytes) -> Reply | None:
        """The reply to one query request, or None to close the connection without one."""
        failure = self._take_failure()
        if failure == "slow" and self._closing.wait(self._stall_seconds):
            return None  # closing: nobody is waiting any more
        try:
            fields = read_query(params, headers, body)
            user, password = credentials(headers, fields)
        except ServerError as error:
            return None if failure == "disconnect" else self._error(error, params)
        bound, settings = split_params(fields)
        self.queries.append(ReceivedQuery(fields["query"], bound, settings, user, failure))
        if failure == "disconnect":
            return None
        if failure == "503":
            return Reply(503, b"Service Unavailable\n", {"Content-Type": TEXT_PLAIN})
        try:
            self._authenticate(user, password)
            return self._execute(fields, bound, settings)
        except ServerError as error:
            return self._error(error, fields)

    def _authenticate(self, user: str, password: str) -> None:
        expected = self.users.get(user)
        if expected is None or not hmac.compare_digest(expected.encode(), password.encode()):
            raise authentication_failed(user)

    def _execute(
        self, fields: dict[str, str], bound: dict[str, str], settings: dict[str, str]
    ) -> Reply:
        check_settings(settings, self.settings)
        default_format = fields.get("default_format", DEFAULT_FORMAT)
        text, fmt = prepare(fields["query"], settings, default_format)
        result = self._db.run(text, params=bound)
        headers = self._headers(fields) | {"X-ClickHouse-Summary": summary(result)}
        if fmt is None:
            return Reply(200, result.bytes(), headers | {"Content-Type": TEXT_PLAIN})
        headers |= {"Content-Type": CONTENT_TYPES.get(fmt, BINARY), "X-ClickHouse-Format": fmt}
        return Reply(200, result.bytes(), headers)

    def _error(self, error: ServerError, fields: dict[str, str]) -> Reply:
        headers = self._headers(fields) | {
            "Content-Type": TEXT_PLAIN,
            "X-ClickHouse-Exception-Code": str(error.code),
        }
        return Reply(error.status, error.body(self.version), headers)

    def _headers(self, fields: dict[str, str]) -> dict[str, str]:
        return {
            "X-ClickHouse-Server-Display-Name": self.display_name,
            "X-ClickHouse-Query-Id": fields.get("query_id") or str(uuid.uuid4()),
            "X-ClickHouse-Timezone": self.timezone,
        }
