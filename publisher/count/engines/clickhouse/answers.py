"""A ClickHouse answer as the engine takes it: Arrow, read whole, with the summary the server
sent of what it read (X-ClickHouse-Summary), which is what proves an answer whole."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

import pyarrow as pa
from clickhouse_connect.driver.client import Client
from clickhouse_connect.driver.exceptions import OperationalError
from clickhouse_connect.driver.query import QueryResult
from urllib3.exceptions import HTTPError
from urllib3.response import HTTPResponse

from publisher.base.errors import EngineError
from publisher.count.engines.clickhouse.server import EXPECTED_TABLE, PUBLIC_URL, Server

# What proves a read whole: rows read against rows to read, both from the summary.
READ_ROWS, ROWS_TO_READ = "read_rows", "total_rows_to_read"


@dataclass(frozen=True)
class Read:
    """What the server reported reading, from its X-ClickHouse-Summary header. `summarized`
    is False when the header or one of its two row counts was missing."""

    rows: int = 0
    bytes: int = 0
    elapsed_ns: int = 0
    to_read: int = 0
    result_rows: int = 0
    result_bytes: int = 0
    summarized: bool = True
    queries: int = 1
    most_rows: int = 0  # the most rows one query read

    @classmethod
    def of(cls, result: QueryResult) -> Read:
        return cls.of_summary(result.summary)

    @classmethod
    def of_summary(cls, summary: dict[str, Any]) -> Read:
        def number(name: str) -> int:
            try:
                return int(summary.get(name, 0))
            except (TypeError, ValueError):
                return 0

        rows = number(READ_ROWS)
        return cls(
            rows=rows,
            bytes=number("read_bytes"),
            elapsed_ns=number("elapsed_ns"),
            to_read=number(ROWS_TO_READ),
            result_rows=number("result_rows"),
            result_bytes=number("result_bytes"),
            summarized=READ_ROWS in summary and ROWS_TO_READ in summary,
            most_rows=rows,
        )

    def __add__(self, other: Read) -> Read:
        return Read(
            self.rows + other.rows,
            self.bytes + other.bytes,
            self.elapsed_ns + other.elapsed_ns,
            self.to_read + other.to_read,
            self.result_rows + other.result_rows,
            self.result_bytes + other.result_bytes,
            self.summarized and other.summarized,
            self.queries + other.queries,
            max(self.most_rows, other.most_rows),
        )

    def block(self) -> dict[str, Any]:
        """The dataset's `statistics` block."""
        return {
            "rows_read": self.rows,
            "bytes_read": self.bytes,
            "elapsed": round(self.elapsed_ns / 1e9, 6),
        }


NOTHING_READ = Read(queries=0)


@dataclass(frozen=True)
class Answer:
    """An Arrow answer and what the server read for it."""

    table: pa.Table
    read: Read


# The answer only once the query has ended, so that X-ClickHouse-Summary counts every byte
# read: sent with the first bytes of a streamed answer, it may count less (ClickHouse issue
# 12122). clickhouse-connect's query_arrow drops the headers, so the engine reads the
# ArrowStream response itself. Text comes as Arrow binary unless a setting says otherwise, and
# a readonly user (a public server's) may not change settings: the engine casts it instead.
ARROW_SETTINGS = {"wait_end_of_query": 1}


def fetch_arrow(client: Client, sql: str, values: dict[str, Any]) -> Answer:
    stream = client.raw_stream(sql, parameters=values, settings=ARROW_SETTINGS, fmt="ArrowStream")
    response = cast(HTTPResponse, stream)
    try:
        summary = summary_of(response.headers.get("X-ClickHouse-Summary"))
        table = pa.ipc.open_stream(response).read_all()
    except (HTTPError, OSError) as exc:
        # Cut off in the middle of the answer: as transient as a connection that failed first.
        raise OperationalError(f"connection lost while reading the answer ({exc})") from None
    finally:
        response.close()
    return Answer(as_text(table), Read.of_summary(summary))


def summary_of(header: str | None) -> dict[str, Any]:
    """X-ClickHouse-Summary's numbers; none when a proxy dropped or mangled it, as the client
    takes it for its other queries."""
    try:
        summary = json.loads(header or "{}")
    except json.JSONDecodeError:
        return {}
    return summary if isinstance(summary, dict) else {}


def as_text(table: pa.Table) -> pa.Table:
    """Binary columns (and lists of binary) as UTF-8 strings (ArrowInvalid if one is not)."""
    for index, column in enumerate(table.columns):
        name = table.column_names[index]
        if pa.types.is_binary(column.type) or pa.types.is_large_binary(column.type):
            table = table.set_column(index, name, column.cast(pa.string()))
        elif pa.types.is_list(column.type) and pa.types.is_binary(column.type.value_type):
            table = table.set_column(index, name, column.cast(pa.list_(pa.string())))
    return table


def check_table(table: pa.Table, schema: pa.Schema, server: Server) -> None:
    """The Arrow answer has `schema`'s columns and types, and no NULL in them."""
    if table.schema.names != schema.names:
        raise unexpected(server, f"columns {', '.join(table.schema.names)}")
    for expected in schema:
        column = table.column(expected.name)
        if column.type != expected.type:
            raise unexpected(server, f"{expected.name} of type {column.type}")
        if column.null_count:
            raise unexpected(server, f"{expected.name} None")


def unexpected(server: Server, what: str) -> EngineError:
    return EngineError(
        f"ClickHouse at {server.url} answered {what:.80}: it does not have {EXPECTED_TABLE}.",
        f"Point --clickhouse-url at a ClickPy server, e.g. {PUBLIC_URL}.",
    )
