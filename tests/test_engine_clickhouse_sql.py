"""The ClickHouse engine's statements as the client sends them. No quote, comment opener or
`$` comes before a statement's last `{name:Type}`: with one there, clickhouse-connect reads
the whole statement token by token, twice a query, to find the placeholders a string might
hide (a plan of a hundred ranges took it longer than the rest of the client's work)."""

import re

import pytest

from publisher.count.engines.clickhouse.limits import SETTINGS_SQL
from publisher.count.engines.clickhouse.queries import (
    GRANULARITY_SQL,
    RECOUNT_SQL,
    TABLES,
    probe_sql,
    ranged,
)
from publisher.count.engines.clickhouse.ranges import EVERY_NAME, Range

PLACEHOLDER = re.compile(r"\{\w+:[^}]+\}")
# What the client takes for the start of a string, a quoted name, a comment or a heredoc.
OPENER = re.compile(r"['\"`$#]|--|/\*|//")
PARTS = [Range("", "b"), Range("b", "c"), Range("c", None)]


def statements() -> dict[str, str]:
    found = {"limits": SETTINGS_SQL, "granularity": GRANULARITY_SQL, "recount": RECOUNT_SQL}
    for number, template in enumerate(TABLES):
        found[f"range template {number}"] = ranged(template, Range("a", "b"))
        found[f"last range of template {number}"] = ranged(template, EVERY_NAME)
        found[f"plan of template {number}"] = probe_sql(template, PARTS)
    return found


@pytest.mark.parametrize(("name", "sql"), statements().items())
def test_nothing_the_client_reads_as_a_string_comes_before_a_placeholder(
    name: str, sql: str
) -> None:
    last = list(PLACEHOLDER.finditer(sql))[-1].start()
    assert OPENER.search(sql, 0, last) is None, sql[:last]
