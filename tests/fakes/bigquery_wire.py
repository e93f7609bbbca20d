"""BigQuery REST v2 payloads: errors, jobs, query results, as the real service shapes them.

Shapes follow the public reference (Job, QueryResponse, GetQueryResultsResponse, ErrorProto) as
google-cloud-bigquery reads them: numbers of bytes and milliseconds travel as decimal strings,
every cell of a row as a string (or a nested {"f": [...]} / [{"v": ...}]).
"""

from __future__ import annotations

import base64
import math
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pyarrow as pa

LOCATION = "US"

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ALREADY_EXISTS",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}

# The HTTP status BigQuery answers a request with when it fails for this reason. A job that
# fails is a 200 on jobs.insert/jobs.get (the reason is in status.errorResult) but one of these
# on jobs.query and jobs.getQueryResults.
REASON_STATUS = {
    "invalid": 400,
    "invalidQuery": 400,
    "bytesBilledLimitExceeded": 400,
    "required": 401,
    "authError": 401,
    "accessDenied": 403,
    "quotaExceeded": 403,
    "notFound": 404,
    "duplicate": 409,
    "rateLimitExceeded": 429,
    "internalError": 500,
    "backendError": 503,
}

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def error_proto(reason: str, message: str) -> dict[str, str]:
    return {"reason": reason, "domain": "global", "message": message}


def error_body(status: int, reason: str, message: str) -> dict[str, Any]:
    """Google's JSON error envelope, which google-api-core turns into an exception whose
    `.errors` is the `errors` list here."""
    return {
        "error": {
            "code": status,
            "message": message,
            "errors": [error_proto(reason, message)],
            "status": _STATUS_NAMES.get(status, "UNKNOWN"),
        }
    }


def millis(moment: datetime) -> str:
    return str(int((moment - EPOCH).total_seconds() * 1000))


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // _MICROSECOND


_MICROSECOND = datetime(1970, 1, 1, 0, 0, 0, 1, tzinfo=UTC) - EPOCH


def schema_json(schema: pa.Schema) -> dict[str, Any]:
    return {"fields": [_field_json(field.name, field.type) for field in schema]}


def _field_json(name: str, type_: pa.DataType) -> dict[str, Any]:
    mode = "NULLABLE"
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        mode, type_ = "REPEATED", type_.value_type
    field: dict[str, Any] = {"name": name, "type": _type_name(type_), "mode": mode}
    if pa.types.is_struct(type_):
        field["fields"] = [_field_json(child.name, child.type) for child in type_]
    return field


def _type_name(type_: pa.DataType) -> str:
    if pa.types.is_decimal(type_):
        # DuckDB widens SUM(INT64) to HUGEINT (DECIMAL(38,0) in Arrow); BigQuery keeps INT64.
        return "INTEGER" if type_.scale == 0 else "NUMERIC"
    if pa.types.is_timestamp(type_):
        return "TIMESTAMP" if type_.tz else "DATETIME"
    names = [
        (pa.types.is_struct, "RECORD"),
        (pa.types.is_boolean, "BOOLEAN"),
        (pa.types.is_integer, "INTEGER"),
        (pa.types.is_floating, "FLOAT"),
        (pa.types.is_date, "DATE"),
        (pa.types.is_time, "TIME"),
        (pa.types.is_binary, "BYTES"),
        (pa.types.is_string, "STRING"),
        (pa.types.is_large_string, "STRING"),
    ]
    for test, name in names:
        if test(type_):
            return name
    raise ValueError(f"no BigQuery type for result column type {type_}")


def rows_json(table: pa.Table, int64_timestamps: bool) -> list[dict[str, Any]]:
    """Rows in BigQuery's f/v encoding. TIMESTAMPs are integer microseconds when the caller
    asked for formatOptions.useInt64Timestamp (the client always does), else float seconds."""
    columns = [
        _cells(table.column(i), field.type, int64_timestamps)
        for i, field in enumerate(table.schema)
    ]
    return [{"f": [{"v": cell} for cell in row]} for row in zip(*columns, strict=True)]


def _cells(column: pa.ChunkedArray, type_: pa.DataType, int64_timestamps: bool) -> list[Any]:
    """One column's cells. Strings go as they are, integers and booleans as Arrow writes them
    as text ("42", "true"), a whole column at a time: results of thousands of rows are common."""
    if pa.types.is_integer(type_) or pa.types.is_boolean(type_):
        column = column.cast(pa.string())
    values: list[Any] = column.to_pylist()
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        return values
    return [_cell(value, type_, int64_timestamps) for value in values]


def _cell(value: Any, type_: pa.DataType, int64_timestamps: bool) -> Any:
    if value is None:
        return None
    if pa.types.is_struct(type_):
        cells = [_cell(value[child.name], child.type, int64_timestamps) for child in type_]
        return {"f": [{"v": cell} for cell in cells]}
    if pa.types.is_list(type_) or pa.types.is_large_list(type_):
        return [{"v": _cell(item, type_.value_type, int64_timestamps)} for item in value]
    return _scalar(value, type_, int64_timestamps)


def _scalar(value: Any, type_: pa.DataType, int64_timestamps: bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime) and type_.tz:
        count = micros(value.astimezone(UTC))
        return str(count) if int64_timestamps else repr(count / 1_000_000)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, int | Decimal):
        return str(value)
    return str(value)


def _float_text(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def page_token(job_id: str, offset: int) -> str:
    return base64.urlsafe_b64encode(f"{job_id}:{offset}".encode()).decode().rstrip("=")


def token_offset(job_id: str, token: str) -> int | None:
    """The row offset a page token stands for; None for a token this job did not hand out."""
    try:
        text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    owner, _, offset = text.rpartition(":")
    return int(offset) if owner == job_id and offset.isdigit() else None
