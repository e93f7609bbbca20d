"""ClickHouse's HTTP interface as the stand-in speaks it: requests read into SQL, parameters
and settings, and errors written the way clickhouse-server writes them."""

from __future__ import annotations

import base64
import binascii
import email.policy
import re
from email.parser import BytesParser

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
    403: ("UNKNOWN_USER", "WRONG_PASSWORD", "AUTHENTICATION_FAILED", "ACCESS_DENIED", "READONLY"),
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
    if not has_result(sql):
        return sql, None
    found = _TRAILING_FORMAT.search(sql)
    fmt = found.group(1) if found else default_format
    text = sql if found else f"{sql}\nFORMAT {fmt}"
    applied = {k: v for k, v in settings.items() if not k.startswith(CUSTOM_SETTING_PREFIX)}
    if applied:
        text += "\nSETTINGS " + ", ".join(f"{k} = {sql_string(v)}" for k, v in applied.items())
    return text, fmt


def has_result(sql: str) -> bool:
    """Whether a statement answers with rows (it reads); any other changes what is stored."""
    return bool(_RESULT_STATEMENT.match(_LEADING_COMMENTS.sub("", sql, count=1)))


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
