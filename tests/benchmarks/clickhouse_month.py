"""A ClickPy-sized month for the ClickHouse benchmark: the stand-in's aggregate tables loaded
directly (no events: generating 1.5 G events of a real month would take hours), and a record
of every query the stand-in answered, with what it read and how long it took.

The month's shape is a real one's, by rank: expected downloads a day fall from about 50
million (rank 1) through 3,000 (rank 15,000) and 50 (rank 100,000) to well under one (rank
800,000). A project expected to have HEAD_DAILY downloads a day or more has a row every day;
a smaller one has rows on its release days and the two days after (mirrors and early adopters
fetch a new release), and now and then a stray download. The installer table splits each day's
count over more installers the bigger it is, so it sums to the per-day table, as ClickPy's
tables do when loaded together.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from publisher.sample.names import project_name_array
from tests.fakes.clickhouse import ClickHouseStandIn
from tests.fakes.clickhouse_http import Reply
from tests.fakes.clickhouse_tables import DATABASE, INSTALLER_TABLE

PER_DAY = f"{DATABASE}.pypi_downloads_per_day"
PER_MONTH = f"{DATABASE}.pypi_downloads_per_month"
INSTALLERS = f"{DATABASE}.{INSTALLER_TABLE}"
# (rank, expected downloads a day), read off real months: between two anchors the expected
# downloads fall as a power of the rank.
ANCHORS = ((1, 5e7), (15_000, 3e3), (100_000, 50.0), (800_000, 0.3))
HEAD_DAILY = 20.0  # expected downloads a day from which a project is downloaded every day
RELEASE_ONE_IN = 20  # days: a small project releases about three times in 60 days
# Installers in the order a day's count is spread over them, and their shares.
INSTALLER_SHARES = (
    ("pip", 74), ("uv", 14), ("", 5), ("poetry", 3), ("bandersnatch", 2),
    ("Artifactory", 1), ("pdm", 1), ("Nexus", 1),
)  # fmt: skip

PER_DAY_SQL = """
INSERT INTO {table} (date, project, count)
SELECT toDate({first:String}) + day AS date, project, count
FROM (
    SELECT
        project,
        expected,
        arrayJoin(range({days:UInt32})) AS day,
        cityHash64(project, day) % 1000 AS noise,
        if(toDayOfWeek(toDate({first:String}) + day) >= 6, 0.6, 1.0) AS week,
        arrayFirstIndex(
            back -> cityHash64(project, toInt32(day) - back) % {release:UInt32} = 0, [0, 1, 2]
        ) AS after_release,
        multiIf(
            expected >= {head:Float64},
            greatest(1, toInt64(expected * week * (0.8 + noise / 2500))),
            after_release > 0,
            greatest(1, toInt64((4 + expected * 8) * (0.5 + noise / 1000) / after_release)),
            noise < expected * 25,
            1 + noise % 3,
            0
        ) AS count
    FROM file({names:String}, Parquet)
)
WHERE count > 0
"""

INSTALLERS_SQL = """
INSERT INTO {table} (project, version, date, installer, type, count)
SELECT project, version, date, installers[part], 'bdist_wheel', parts[part]
FROM (
    SELECT
        project,
        date,
        concat('1.', toString(cityHash64(project) % 30), '.0') AS version,
        {installers:Array(String)} AS installers,
        arraySlice({shares:Array(Int64)}, 1, least(length(installers), 1 + toUInt32(log10(count))))
            AS shares,
        arrayMap(share -> intDiv(count * share, arraySum(shares)), shares) AS raw,
        arrayConcat([count - arraySum(arraySlice(raw, 2))], arraySlice(raw, 2)) AS parts
    FROM {per_day}
)
ARRAY JOIN arrayEnumerate(parts) AS part
WHERE parts[part] > 0
"""

PER_MONTH_SQL = """
INSERT INTO {table} (month, project, count)
SELECT toStartOfMonth(date) AS month, project, sum(count) FROM {per_day} GROUP BY month, project
"""


def expected_per_day(projects: int) -> np.ndarray:
    """Each rank's expected downloads a day, log-linear between ANCHORS (and past the last)."""
    ranks = np.log(np.arange(1, projects + 1, dtype=np.float64))
    at = np.log([rank for rank, _ in ANCHORS])
    downloads = np.log([value for _, value in ANCHORS])
    slope = (downloads[-1] - downloads[-2]) / (at[-1] - at[-2])
    inside = np.interp(ranks, at, downloads)
    beyond = downloads[-1] + slope * (ranks - at[-1])
    return np.exp(np.where(ranks > at[-1], beyond, inside))


@dataclass(frozen=True)
class Served:
    """One request as the stand-in answered it."""

    kind: str
    seconds: float
    read_rows: int


def kind_of(sql: str) -> str:
    """What the engine asked, from the statement's text."""
    text = sql.lstrip()
    if text.upper().startswith("EXPLAIN"):
        return "estimate"
    if "system.settings" in text:
        return "limits"
    if INSTALLER_TABLE in text:
        return "breakdown"
    if "project IN" in text:
        return "recount"
    if "pypi_downloads_per_day" in text:
        return "count"
    return "other"


class MonthStandIn(ClickHouseStandIn):
    """The stand-in, loaded with a generated month and keeping a record of its answers."""

    def __init__(self) -> None:
        self.served: list[Served] = []
        # Every collect measured runs its queries: none is answered from the stand-in's memory.
        super().__init__(remember=False)

    def answer(self, params: dict[str, str], headers: dict[str, str], body: bytes) -> Reply | None:
        started, seen = time.perf_counter(), len(self.queries)
        reply = super().answer(params, headers, body)
        seconds = time.perf_counter() - started
        sql = self.queries[-1].sql if len(self.queries) > seen else ""
        summary = json.loads(reply.headers.get("X-ClickHouse-Summary", "{}")) if reply else {}
        self.served.append(Served(kind_of(sql), seconds, int(summary.get("read_rows", 0))))
        return reply

    def forget_conditions(self) -> None:
        """Empty the query condition cache (on by default in the ClickHouse chDB embeds): a
        query asked again skips the granules its first run found no match in, and reads fewer
        rows than EXPLAIN ESTIMATE (the stand-in's rows to read) says, which the engine's proof
        refuses. Each collect of the benchmark is then a first run, as the monthly job's is."""
        self._db.run("SYSTEM DROP QUERY CONDITION CACHE")

    def load_month(self, projects: int, first: date, days: int, seed: int = 1) -> None:
        """`projects` ranked projects over `days` days from `first`, in every aggregate."""
        # The inserts leave a part per million rows or so, each sorted: the index still prunes
        # a range of names in each (a granule per part at least), and no background merge
        # competes with the collects measured; merging 50M rows first would take minutes.
        for table in (PER_DAY, PER_MONTH, INSTALLERS):
            self._db.run(f"SYSTEM STOP MERGES {table}")
        names = project_name_array(projects, seed)
        expected = pa.array(expected_per_day(projects))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "projects.parquet"
            pq.write_table(pa.table({"project": names, "expected": expected}), path)
            values = {
                "first": first.isoformat(),
                "days": str(days),
                "release": str(RELEASE_ONE_IN),
                "head": str(HEAD_DAILY),
                "names": str(path),
            }
            self._db.run(PER_DAY_SQL.replace("{table}", PER_DAY), params=values)
        installers = {
            "installers": str([name for name, _ in INSTALLER_SHARES]),
            "shares": str([share for _, share in INSTALLER_SHARES]),
        }
        sql = INSTALLERS_SQL.replace("{table}", INSTALLERS).replace("{per_day}", PER_DAY)
        self._db.run(sql, params=installers)
        self._db.run(PER_MONTH_SQL.replace("{table}", PER_MONTH).replace("{per_day}", PER_DAY))
