"""Which neighbouring ranges the ClickHouse engine tries as one (ranges.grouped): on a freshly
loaded table, where every range reads a granule in each of many small parts, neighbours are
tried together by their granules past those, to be shown small by their exact rows (planning.py)
rather than kept apart by the sum of their rows, which counts the small parts' rows once per
range. Before: each range of a freshly loaded table was read on its own or with one neighbour
(85 installer ranges where 35 do, in test_engine_clickhouse_parts.py's freshly loaded table)."""

from publisher.count.engines.clickhouse.ranges import GranuleSize, Planned, Range, grouped

SIZE = GranuleSize(256, read=True)
MOST, HALF = 10, 2694  # granules and rows a range may read


def pieces(granules: int, rows: int, count: int) -> list[Planned]:
    names = [f"n{index:02}" for index in range(count)]
    ends = [*names[1:], None]
    bounds = zip(names, ends, strict=True)
    return [Planned(Range(low, high), granules, rows, SIZE) for low, high in bounds]


def test_on_a_table_of_many_parts_neighbours_are_grouped_by_granules_past_one_a_part() -> None:
    # 41 parts: each range reads one granule in each and two of its own, 1,000 rows in all.
    groups = grouped(pieces(43, 1000, 12), MOST, HALF, shared=41)
    assert [len(group) for group in groups] == [5, 5, 2]


def test_on_a_merged_table_neighbours_are_grouped_by_their_granules_or_rows_as_before() -> None:
    groups = grouped(pieces(4, 1024, 6), MOST, HALF, shared=1)
    assert [len(group) for group in groups] == [3, 3]  # 4 + 4 + 4 - 2 granules; 4 are 13
    groups = grouped(pieces(3, 768, 6), MOST, HALF, shared=1)
    assert [len(group) for group in groups] == [4, 2]  # 3 + 3 + 3 + 3 - 3 = 9 granules
