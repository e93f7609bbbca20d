"""The DuckDB engine's count by row group (each row group one day of the window, read as
dictionaries) against today's SQL on the same files: the same answers, every column, or the
SQL itself when the metadata cannot prove the layout, and the run says which ran."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from publisher.base.progress import silent
from publisher.count import long_tail
from publisher.count.engines.base import Request
from publisher.count.engines.duckdb.by_row_group import Answer, count_by_row_group
from publisher.count.engines.duckdb.day_groups import day_groups
from publisher.count.engines.duckdb.engine import DuckDBEngine, session, sql_answer
from publisher.count.engines.duckdb.events import find_event_files
from publisher.count.engines.duckdb.tally import one_dictionary
from publisher.count.query import to_duckdb, top_projects_sql
from publisher.count.window import Window
from tests.counting import independent_long_tail

WINDOW = Window(date(2026, 10, 2), date(2026, 10, 4))
# Names that differ only in case or in PEP 503 spelling are other names to the SQL (it groups
# `file.project` as logged), a non-ASCII one sorts after every ASCII one, and "" and NULL (the
# name itself, or the whole `file` struct) are no project.
NAMES = ("foo", "Foo", "foo_bar", "foo-bar", "Foo.Bar", "zeta", "é-tude", "", None)
INSTALLERS = (None, "", "pip", "uv", "Pip", "bandersnatch", "devpi", "Nexus", "poetry", "curl")
# Days around the window: two before it, its three, one after.
DAYS = tuple(WINDOW.start + timedelta(days=offset) for offset in range(-2, 4))
LAST_MICROSECOND = 86_400_000_000 - 1

Event = tuple[int, int, int, int, int]  # name, day, time of day, installer, CI flag


def events_table(events: Sequence[Event]) -> pa.Table:
    """The events in the columns the engine reads; the name index len(NAMES) is a NULL
    `file` struct, the installer index len(INSTALLERS) a NULL `details` struct."""
    names = [NAMES[e[0]] if e[0] < len(NAMES) else None for e in events]
    installers = [INSTALLERS[e[3]] if e[3] < len(INSTALLERS) else None for e in events]
    flags = [(True, False, None)[e[4]] for e in events]
    start = {day: datetime(day.year, day.month, day.day, tzinfo=UTC) for day in DAYS}
    stamps = [start[DAYS[e[1]]] + timedelta(microseconds=e[2]) for e in events]
    no_file = pa.array([e[0] == len(NAMES) for e in events])
    no_details = pa.array([e[3] == len(INSTALLERS) for e in events])
    file = pa.StructArray.from_arrays([pa.array(names, pa.string())], ["project"], mask=no_file)
    installer = pa.StructArray.from_arrays([pa.array(installers, pa.string())], ["name"])
    ci = pa.array(flags, pa.bool_())
    details = pa.StructArray.from_arrays([installer, ci], ["installer", "ci"], mask=no_details)
    stamp = pa.array(stamps, pa.timestamp("us", tz="UTC"))
    return pa.table({"timestamp": stamp, "file": file, "details": details})


def write_days(folder: Path, events: Sequence[Event], rows: int) -> None:
    """A file a day of the window (row groups of `rows` events), none for a day without
    events; the days before the window together in one file, one row group spanning both."""
    folder.mkdir()
    for index, day in enumerate(DAYS):
        held = [e for e in events if e[1] == index]
        if held and WINDOW.start <= day <= WINDOW.end:
            pq.write_table(events_table(held), folder / f"{day}.parquet", row_group_size=rows)
        elif held and day > WINDOW.end:
            pq.write_table(events_table(held), folder / f"{day}.parquet")
    before = [e for e in events if DAYS[e[1]] < WINDOW.start]
    if before:
        pq.write_table(events_table(before), folder / "before.parquet")


def sql_count(folder: Path, breakdown: bool) -> Answer:
    files = find_event_files(str(folder), None, breakdown)
    with session(files) as con:
        answer = con.sql(to_duckdb(top_projects_sql(WINDOW, breakdown))).to_arrow_table()
    return sql_answer(answer)


def by_row_group(folder: Path, breakdown: bool) -> Answer:
    layout = day_groups(find_event_files(str(folder), None, breakdown), WINDOW)
    assert layout.why_not is None
    return count_by_row_group(layout.groups, WINDOW, breakdown)


def assert_same(found: Answer, expected: Answer) -> None:
    """The same answer. Where no project has a name, the SQL's answer has no row to carry the
    downloads without a name (0) and counting by row group gives their number: no dataset
    is ever made of an empty ranking (publisher.dataset.collect.check_not_empty)."""
    rows = long_tail.conform(found.table).to_pylist()
    assert rows == long_tail.conform(expected.table).to_pylist()
    assert found.projects_counted == expected.projects_counted
    if rows:
        assert found.unnamed_downloads == expected.unnamed_downloads


events = st.lists(
    st.tuples(
        st.integers(0, len(NAMES)),
        st.integers(0, len(DAYS) - 1),
        st.sampled_from([0, 1, 43_200_000_000, LAST_MICROSECOND]),
        st.integers(0, len(INSTALLERS)),
        st.integers(0, 2),
    ),
    max_size=60,
)


@settings(max_examples=30, derandomize=True, database=None)
@given(events=events, rows=st.integers(1, 8), breakdown=st.booleans())
def test_by_row_group_the_answers_are_the_sqls(
    tmp_path_factory: pytest.TempPathFactory,
    events: list[Event],
    rows: int,
    breakdown: bool,
) -> None:
    """Ties, empty days, names the SQL keeps apart, NULL and empty names and installers, NULL
    structs, a day's first and last microsecond, days outside the window (two of them in one
    row group), a day in many row groups."""
    folder = tmp_path_factory.mktemp("days") / "events"
    write_days(folder, events, rows)
    if not any(folder.iterdir()):
        return  # no events at all: no Parquet to read, refused before counting
    assert_same(by_row_group(folder, breakdown), sql_count(folder, breakdown))


def fixed_events() -> list[Event]:
    """Every name, installer and flag on each day of the window, and more of some."""
    mixed = [
        (name, day, time, name % 11, name % 3)
        for name in range(len(NAMES) + 1)
        for day in range(len(DAYS))
        for time in (0, LAST_MICROSECOND)
    ]
    return mixed + [(0, 3, 5, 2, 0)] * 4 + [(5, 4, 7, 3, 2)] * 3


def test_the_engine_says_it_counted_by_row_group(tmp_path: Path) -> None:
    folder = tmp_path / "events"
    write_days(folder, fixed_events(), 5)
    engine = DuckDBEngine(str(folder), allow_incomplete=True)
    count = engine.count(Request(WINDOW, 3), silent)
    assert dict(count.facts)["counting"].startswith("row group by row group")
    assert dict(engine.plan(Request(WINDOW, 3)).facts)["counting"].startswith("row group by")
    assert count.table is not None
    assert count.table.to_pylist() == independent_long_tail(folder, WINDOW.dates())


def test_a_row_group_spanning_two_days_of_the_window_is_counted_with_the_sql(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "events"
    write_days(folder, fixed_events(), 5)
    first, second = folder / f"{WINDOW.start}.parquet", folder / f"{WINDOW.end}.parquet"
    both = pa.concat_tables([pq.read_table(first), pq.read_table(second)])
    first.unlink()
    pq.write_table(both, second)
    engine = DuckDBEngine(str(folder), allow_incomplete=True)
    count = engine.count(Request(WINDOW, 3), silent)
    why = f"with the SQL below, as row group 0 of {second} spans {WINDOW.start} to {WINDOW.end}"
    assert dict(count.facts)["counting"] == why
    assert dict(engine.plan(Request(WINDOW, 3)).facts)["counting"] == why
    assert count.table is not None
    assert count.table.to_pylist() == independent_long_tail(folder, WINDOW.dates())


def test_a_row_group_across_the_windows_edge_is_counted_with_the_sql(tmp_path: Path) -> None:
    folder = tmp_path / "events"
    write_days(folder, fixed_events(), 5)
    before, first = folder / "before.parquet", folder / f"{WINDOW.start}.parquet"
    pq.write_table(pa.concat_tables([pq.read_table(before), pq.read_table(first)]), first)
    before.unlink()
    engine = DuckDBEngine(str(folder), allow_incomplete=True)
    count = engine.count(Request(WINDOW, 3), silent)
    assert f"spans {DAYS[0]} to {WINDOW.start}" in dict(count.facts)["counting"]
    assert count.table is not None
    assert count.table.to_pylist() == independent_long_tail(folder, WINDOW.dates())


def test_events_without_a_timestamp_are_counted_with_the_sql(tmp_path: Path) -> None:
    """The SQL's window drops them; the statistics cannot say which day they would be."""
    folder = tmp_path / "events"
    write_days(folder, fixed_events(), 100)
    day = folder / f"{WINDOW.end}.parquet"
    table = pq.read_table(day)
    stamps = pa.nulls(1, table.schema.field("timestamp").type)
    blank = table.slice(0, 1).set_column(0, "timestamp", stamps)
    pq.write_table(pa.concat_tables([table, blank]), day)
    count = DuckDBEngine(str(folder), allow_incomplete=True).count(Request(WINDOW, 3), silent)
    why = f"row group 0 of {day} may hold events without a timestamp"
    assert dict(count.facts)["counting"] == f"with the SQL below, as {why}"
    assert count.table is not None
    assert count.table.to_pylist() == independent_long_tail(folder, WINDOW.dates())


def test_a_column_in_many_dictionaries_is_read_as_one() -> None:
    parts = [
        pa.array(["b", "a", "b"]).dictionary_encode(),
        pa.array(["c", "b"]).dictionary_encode(),
    ]
    whole = one_dictionary(pa.chunked_array(parts))
    assert whole.to_pylist() == ["b", "a", "b", "c", "b"]
