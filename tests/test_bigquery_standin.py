"""The local BigQuery stand-in, driven by the real google-cloud-bigquery client and the real
pypinfo CLI.

Answers and bytes are checked against independent computations in plain pyarrow (no SQL, no
DuckDB, no sqlglot), so the stand-in cannot agree with itself by accident.
"""

from __future__ import annotations

import json
import random
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from google.api_core import exceptions
from google.auth.exceptions import RefreshError
from google.cloud import bigquery
from pypinfo import db as pypinfo_db
from pypinfo.cli import pypinfo as pypinfo_cli

from publisher.base.events_schema import FILE_DOWNLOADS
from publisher.sample.generator import SampleSpec, write_sample
from tests.fakes.bigquery import BigQueryStandIn
from tests.fakes.bigquery_auth import ServiceAccount
from tests.fakes.bigquery_billing import MIB, billed_for_table

DAYS = [date(2026, 3, 1) + timedelta(days=n) for n in range(4)]
# The stand-in's clock: noon on the day after the last event.
NOW = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
EVENTS_PER_DAY = 250
# Multi-byte names check that STRING costs UTF-8 bytes, not characters; None checks NULL = 0.
PROJECTS = ["requests", "numpy", "boto3", "café-utils", "日本語-tools", "six", None]
WEIGHTS = [30, 20, 15, 10, 5, 15, 5]
INSTALLERS = ["pip", "uv", "bandersnatch", None]
TABLE = "`bigquery-public-data.pypi.file_downloads`"
# The client's own retry policy, with delays short enough for a test.
FAST_RETRY = bigquery.DEFAULT_RETRY.with_delay(initial=0.01, maximum=0.05)

Leaf = tuple[str, ...]
TIMESTAMP: Leaf = ("timestamp",)
FILE_PROJECT: Leaf = ("file", "project")
INSTALLER: Leaf = ("details", "installer", "name")


# -- the events and independent counts of them ------------------------------------------------


def _day_events(day: date, rng: random.Random) -> list[dict[str, Any]]:
    start = datetime.combine(day, time(), tzinfo=UTC)
    # The first event sits on midnight and the last on the day's final microsecond, which
    # pypinfo's "23:59:59" end bound drops and a millisecond clock would round away.
    offsets = [timedelta(0), timedelta(days=1, microseconds=-1)]
    offsets += [timedelta(seconds=rng.randrange(86_400)) for _ in range(EVENTS_PER_DAY - 2)]
    return [_event(start + offset, rng) for offset in sorted(offsets)]


def _event(moment: datetime, rng: random.Random) -> dict[str, Any]:
    project = rng.choices(PROJECTS, WEIGHTS)[0]
    return {
        "timestamp": moment,
        "country_code": rng.choice(["US", "DE", "CN", None]),
        "url": f"/packages/{project}.whl",
        "project": project,
        "file": {
            "filename": f"{project}.whl",
            "project": project,
            "version": "1.0",
            "type": "bdist_wheel",
        },
        "details": {
            "installer": {"name": rng.choice(INSTALLERS), "version": "24.0"},
            "python": "3.12.1",
            "ci": rng.choice([True, None]),
        },
    }


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    rng = random.Random(2026)
    rows = [event for day in DAYS for event in _day_events(day, rng)]
    return pa.Table.from_pylist(rows, schema=FILE_DOWNLOADS)


@pytest.fixture(scope="module")
def bigquery_events_dir(tmp_path_factory: pytest.TempPathFactory, events: pa.Table) -> Path:
    folder = tmp_path_factory.mktemp("bigquery-events")
    for day in DAYS:
        pq.write_table(
            events.filter(pc.equal(_days(events), pa.scalar(day))), folder / f"{day}.parquet"
        )
    return folder


def _days(events: pa.Table) -> pa.ChunkedArray:
    return pc.cast(events["timestamp"], pa.date32())


def _leaf(events: pa.Table, leaf: Leaf) -> pa.ChunkedArray:
    column = events[leaf[0]]
    for name in leaf[1:]:
        column = pc.struct_field(column, name)
    if pa.types.is_dictionary(column.type):  # the sample generator writes dictionary strings
        column = pc.cast(column, column.type.value_type)
    return column


def leaf_bytes(events: pa.Table, leaf: Leaf) -> int:
    """BigQuery's size of one leaf column over these rows: STRING 2 + UTF-8 bytes, TIMESTAMP 8,
    BOOL 1, NULL 0."""
    column = _leaf(events, leaf)
    if pa.types.is_string(column.type):
        sizes = pc.add(pc.binary_length(column), 2)
    else:
        width = 1 if pa.types.is_boolean(column.type) else 8
        sizes = pc.if_else(pc.is_valid(column), width, None)
    return int(pc.sum(sizes).as_py() or 0)


def expected_bytes(events: pa.Table, days: list[date], leaves: list[Leaf]) -> int:
    scanned = events.filter(pc.is_in(_days(events), pa.array(days, pa.date32())))
    return sum(leaf_bytes(scanned, leaf) for leaf in leaves)


def expected_billed(processed: int) -> int:
    return 0 if processed == 0 else max(10 * MIB, -(-processed // MIB) * MIB)


def counts_between(
    events: pa.Table, first: datetime, last: datetime, pip_only: bool = False
) -> dict[str, int]:
    """Downloads per file.project with first <= timestamp <= last (BETWEEN)."""
    kept = pc.and_(
        pc.greater_equal(events["timestamp"], pa.scalar(first, events["timestamp"].type)),
        pc.less_equal(events["timestamp"], pa.scalar(last, events["timestamp"].type)),
    )
    if pip_only:
        kept = pc.and_(kept, pc.equal(_leaf(events, INSTALLER), "pip"))
    projects = _leaf(events.filter(kept), FILE_PROJECT).to_pylist()
    # pypinfo prints every cell with str(): a NULL project is "None".
    return dict(Counter(str(project) for project in projects))


# -- stand-ins and clients ---------------------------------------------------------------------


@pytest.fixture
def make_standin(bigquery_events_dir: Path) -> Iterator[Callable[..., BigQueryStandIn]]:
    with ExitStack() as stack:

        def make(**options: Any) -> BigQueryStandIn:
            options.setdefault("clock", lambda: NOW)
            return stack.enter_context(BigQueryStandIn(bigquery_events_dir, **options))

        yield make


@pytest.fixture
def standin(make_standin: Callable[..., BigQueryStandIn]) -> BigQueryStandIn:
    return make_standin()


@pytest.fixture(scope="module")
def shared_standin(bigquery_events_dir: Path) -> Iterator[BigQueryStandIn]:
    """For tests that only ask what a query would cost, and change nothing."""
    with BigQueryStandIn(bigquery_events_dir, clock=lambda: NOW) as standin:
        yield standin


@pytest.fixture
def connect(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[BigQueryStandIn], bigquery.Client]]:
    """A real client pointed at a stand-in the way users point it at an emulator."""
    clients: list[bigquery.Client] = []

    def connect(standin: BigQueryStandIn) -> bigquery.Client:
        for name, value in standin.env().items():
            monkeypatch.setenv(name, value)
        clients.append(bigquery.Client())
        return clients[-1]

    yield connect
    # google-cloud's client leaves close() unannotated. An open session would be an
    # unraisable ResourceWarning later.
    for client in clients:
        client.close()  # type: ignore[no-untyped-call]


@pytest.fixture
def client(
    standin: BigQueryStandIn, connect: Callable[[BigQueryStandIn], bigquery.Client]
) -> bigquery.Client:
    return connect(standin)


def top_sql(first: str, last: str) -> str:
    return (
        f"SELECT file.project AS project, COUNT(*) AS n FROM {TABLE} "
        f'WHERE timestamp >= TIMESTAMP("{first}") AND timestamp < TIMESTAMP("{last}") '
        "GROUP BY project ORDER BY n DESC, project"
    )


def limited(maximum_bytes_billed: int) -> bigquery.QueryJobConfig:
    return bigquery.QueryJobConfig(maximum_bytes_billed=maximum_bytes_billed)


# -- pypinfo, unmodified -----------------------------------------------------------------------


def test_pypinfo_cli_gets_the_independent_counts_and_bytes(
    standin: BigQueryStandIn, events: pa.Table, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real pypinfo command, as users run it, over two whole days. In-process, so that
    conftest's guard keeps google-auth's background calls off the network."""
    # pypinfo keeps a credentials database of its own; a fresh one keeps the user's stored key
    # (and Google) out of the test.
    monkeypatch.setattr(pypinfo_db, "DB_FILE", str(tmp_path / "db.json"))
    args = ["--all", "--json", "--start-date", "2026-03-02", "--end-date", "2026-03-03"]
    args += ["--limit", "100", "", "project"]
    result = CliRunner().invoke(pypinfo_cli, args, env=standin.env(), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)

    last_second = datetime(2026, 3, 3, 23, 59, 59, tzinfo=UTC)
    expected = counts_between(events, datetime(2026, 3, 2, tzinfo=UTC), last_second)
    assert {row["project"]: row["download_count"] for row in output["rows"]} == expected
    # pypinfo's end bound drops the event at 23:59:59.999999 on the last day.
    assert sum(expected.values()) == 2 * EVENTS_PER_DAY - 1
    processed = expected_bytes(events, DAYS[1:3], [TIMESTAMP, FILE_PROJECT])
    assert output["query"]["bytes_processed"] == processed
    assert output["query"]["bytes_billed"] == expected_billed(processed) == 10 * MIB
    assert output["query"]["cached"] is False


def test_pypinfo_relative_days_prune_by_the_standin_clock(
    standin: BigQueryStandIn, events: pa.Table, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--start-date -3 --end-date -1` is TIMESTAMP_ADD(CURRENT_TIMESTAMP(), ...): a window from
    noon to noon that touches three partitions. Without --all pypinfo counts pip only, which
    reads details.installer.name too. In-process, to spare a second interpreter start-up."""
    monkeypatch.setattr(pypinfo_db, "DB_FILE", str(tmp_path / "db.json"))
    args = ["--json", "--start-date", "-3", "--end-date", "-1", "--limit", "100", "", "project"]
    result = CliRunner().invoke(pypinfo_cli, args, env=standin.env(), catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)

    expected = counts_between(
        events, NOW - timedelta(days=3), NOW - timedelta(days=1), pip_only=True
    )
    assert {row["project"]: row["download_count"] for row in output["rows"]} == expected
    processed = expected_bytes(events, DAYS[1:4], [TIMESTAMP, FILE_PROJECT, INSTALLER])
    assert output["query"]["bytes_processed"] == processed
    assert standin.jobs[-1].partitions == tuple(DAYS[1:4])


# -- the client's query paths ------------------------------------------------------------------


def test_query_result_pages_through_every_row(
    make_standin: Callable[..., BigQueryStandIn],
    connect: Callable[[BigQueryStandIn], bigquery.Client],
    events: pa.Table,
) -> None:
    standin = make_standin(page_rows=2)
    client = connect(standin)
    sql = top_sql("2026-03-01", "2026-03-05")
    rows = client.query(sql, job_config=limited(100 * MIB)).result()

    expected = counts_between(events, datetime(2026, 3, 1, tzinfo=UTC), NOW)
    assert {str(row["project"]): row["n"] for row in rows} == expected
    tokens = [r for r in standin.requests if "pageToken" in r.params]
    assert len(tokens) == len(expected) // 2  # 7 rows in pages of 2: 3 follow-up pages


def test_query_and_wait_pages_and_decodes_timestamps(
    make_standin: Callable[..., BigQueryStandIn],
    connect: Callable[[BigQueryStandIn], bigquery.Client],
    events: pa.Table,
) -> None:
    client = connect(make_standin(page_rows=3))
    sql = (
        f"SELECT DATE(timestamp) AS day, MIN(timestamp) AS first, MAX(timestamp) AS last, "
        f"COUNT(*) AS n FROM {TABLE} GROUP BY day ORDER BY day"
    )
    rows = list(client.query_and_wait(sql, job_config=limited(100 * MIB)))

    assert [row["day"] for row in rows] == DAYS
    assert [row["n"] for row in rows] == [EVENTS_PER_DAY] * len(DAYS)
    last = datetime(2026, 3, 4, 23, 59, 59, 999_999, tzinfo=UTC)
    assert (rows[0]["first"], rows[-1]["last"]) == (datetime(2026, 3, 1, tzinfo=UTC), last)


def test_dry_run_reports_bytes_and_leaves_no_job(
    standin: BigQueryStandIn, client: bigquery.Client, events: pa.Table
) -> None:
    config = bigquery.QueryJobConfig(dry_run=True, use_query_cache=False)
    job = client.query(top_sql("2026-03-03", "2026-03-04"), job_config=config)

    assert job.total_bytes_processed == expected_bytes(events, [DAYS[2]], [TIMESTAMP, FILE_PROJECT])
    assert job.job_id is None
    assert [j.dry_run for j in standin.jobs] == [True]
    assert standin.billed_this_month() == 0


def test_bytes_limit_refusal_reaches_the_client_as_bytes_billed_limit_exceeded(
    standin: BigQueryStandIn, client: bigquery.Client
) -> None:
    sql = top_sql("2026-03-01", "2026-03-02")
    with pytest.raises(exceptions.InternalServerError) as refused:
        client.query(sql, job_config=limited(10 * MIB - 1)).result()
    assert refused.value.errors[0]["reason"] == "bytesBilledLimitExceeded"
    assert "Query exceeded limit for bytes billed: 10485759. 10485760 or higher required." in str(
        refused.value
    )

    with pytest.raises(exceptions.BadRequest) as refused_again:
        client.query_and_wait(sql, job_config=limited(10 * MIB - 1))
    assert refused_again.value.errors[0]["reason"] == "bytesBilledLimitExceeded"

    client.query(sql, job_config=limited(10 * MIB)).result()  # exactly the bill is enough
    assert [job.maximum_bytes_billed for job in standin.jobs] == [10 * MIB - 1] * 2 + [10 * MIB]
    assert standin.billed_this_month() == 10 * MIB


def test_free_tier_used_up_is_quota_exceeded(
    make_standin: Callable[..., BigQueryStandIn],
    connect: Callable[[BigQueryStandIn], bigquery.Client],
) -> None:
    standin = make_standin(free_tier_bytes=25 * MIB)
    client = connect(standin)
    standin.seed_billed(20 * MIB, when=NOW - timedelta(days=30))  # last month: does not count
    client.query(top_sql("2026-03-01", "2026-03-02")).result()
    standin.seed_billed(6 * MIB)

    with pytest.raises(exceptions.Forbidden) as refused:
        client.query(top_sql("2026-03-01", "2026-03-02")).result()
    assert refused.value.errors[0]["reason"] == "quotaExceeded"
    assert standin.billed_this_month() == 16 * MIB


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 503},
        {"status": 500, "reason": "backendError"},
        {"status": 429, "reason": "rateLimitExceeded"},
        {"drop": True},
    ],
    ids=["503", "500-backendError", "429-rateLimitExceeded", "dropped-connection"],
)
def test_transient_failure_is_retried_by_the_client(
    standin: BigQueryStandIn, client: bigquery.Client, failure: dict[str, Any]
) -> None:
    standin.fail_next(1, **failure)
    rows = client.query(top_sql("2026-03-01", "2026-03-02"), retry=FAST_RETRY).result()

    assert len(list(rows)) == len(PROJECTS)
    inserts = [r for r in standin.requests if r.method == "POST"]
    assert len(inserts) == 2  # the failed attempt and the retry


def test_answer_lost_after_the_job_ran_bills_once(
    standin: BigQueryStandIn, client: bigquery.Client
) -> None:
    """The retried jobs.insert meets its own job (409) and the client fetches it."""
    standin.fail_next(1, status=503, after_processing=True)
    rows = client.query(top_sql("2026-03-01", "2026-03-02"), retry=FAST_RETRY).result()

    assert len(list(rows)) == len(PROJECTS)
    assert len([job for job in standin.jobs if not job.dry_run]) == 1
    assert standin.billed_this_month() == 10 * MIB


def test_invalid_sql_and_unknown_names_are_refused(client: bigquery.Client) -> None:
    with pytest.raises(exceptions.BadRequest) as syntax:
        client.query("SELEC 1").result()
    assert syntax.value.errors[0]["reason"] == "invalidQuery"
    with pytest.raises(exceptions.BadRequest, match="Unrecognized name: nosuch"):
        client.query(f"SELECT nosuch FROM {TABLE}").result()
    with pytest.raises(exceptions.NotFound, match="bigquery-public-data:pypi.downloads"):
        client.query("SELECT 1 FROM `bigquery-public-data.pypi.downloads`").result()
    # Legacy SQL, the API's default dialect, cannot even name the table.
    legacy = bigquery.QueryJobConfig(use_legacy_sql=True)
    with pytest.raises(exceptions.BadRequest, match="Invalid table name"):
        client.query(f"SELECT COUNT(*) FROM {TABLE}", job_config=legacy).result()


# -- metadata views ----------------------------------------------------------------------------


def test_partitions_view_counts_rows_per_day(
    standin: BigQueryStandIn, client: bigquery.Client, events: pa.Table
) -> None:
    sql = (
        "SELECT partition_id, total_rows FROM "
        "`bigquery-public-data.pypi.INFORMATION_SCHEMA.PARTITIONS` "
        "WHERE table_name = 'file_downloads' ORDER BY partition_id"
    )
    job = client.query(sql, job_config=limited(10 * MIB))
    rows = [(row["partition_id"], row["total_rows"]) for row in job.result()]

    per_day = Counter(_days(events).to_pylist())
    assert rows == [(day.strftime("%Y%m%d"), per_day[day]) for day in DAYS]
    assert job.total_bytes_billed == 10 * MIB


def test_jobs_view_sums_this_month_and_can_be_denied(
    standin: BigQueryStandIn, client: bigquery.Client
) -> None:
    standin.seed_billed(3 * 1024 * MIB)
    client.query(top_sql("2026-03-01", "2026-03-02")).result()
    client.query(
        top_sql("2026-03-01", "2026-03-02"), job_config=bigquery.QueryJobConfig(dry_run=True)
    )
    sql = (
        "SELECT COUNT(*) AS jobs, SUM(total_bytes_billed) AS billed "
        "FROM `region-us`.INFORMATION_SCHEMA.JOBS_BY_PROJECT "
        "WHERE creation_time >= TIMESTAMP_TRUNC(CURRENT_TIMESTAMP(), MONTH) AND state = 'DONE'"
    )
    row = next(iter(client.query(sql).result()))
    assert (row["jobs"], row["billed"]) == (2, 3 * 1024 * MIB + 10 * MIB)

    standin.deny_jobs_view()
    with pytest.raises(exceptions.Forbidden) as denied:
        client.query(sql).result()
    assert denied.value.errors[0]["reason"] == "accessDenied"


# -- billing model -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "days"),
    [
        (
            'timestamp BETWEEN TIMESTAMP("2026-03-02 00:00:00") '
            'AND TIMESTAMP("2026-03-03 23:59:59")',
            [1, 2],
        ),
        ('timestamp >= "2026-03-02" AND timestamp < "2026-03-04"', [1, 2]),
        ('timestamp <= TIMESTAMP("2026-03-04 00:00:00")', [0, 1, 2, 3]),
        ('DATE(timestamp) IN (DATE "2026-03-01", DATE "2026-03-04")', [0, 3]),
        ('DATE(timestamp) = DATE "2026-03-02" OR DATE(timestamp) = "2026-03-03"', [1, 2]),
        ("timestamp > TIMESTAMP_ADD(CURRENT_TIMESTAMP(), INTERVAL -2 DAY)", [2, 3]),
        ("DATE(timestamp) >= DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)", [3]),
        ("EXTRACT(DAY FROM timestamp) = 2", [0, 1, 2, 3]),
        ('timestamp < "2026-03-01"', []),
    ],
)
def test_partition_pruning_from_constant_bounds(
    shared_standin: BigQueryStandIn, events: pa.Table, where: str, days: list[int]
) -> None:
    cost = shared_standin.bytes_for(f"SELECT COUNT(*) FROM {TABLE} WHERE {where}")

    assert cost.partitions == tuple(DAYS[i] for i in days)
    assert cost.processed == expected_bytes(events, [DAYS[i] for i in days], [TIMESTAMP])
    assert cost.billed == expected_billed(cost.processed)


@pytest.mark.parametrize(
    ("sql", "leaves"),
    [
        (f"SELECT COUNT(*) FROM {TABLE}", []),
        (f"SELECT details.installer.name, COUNT(*) FROM {TABLE} GROUP BY 1", [INSTALLER]),
        (
            f"SELECT details.installer FROM {TABLE}",
            [INSTALLER, ("details", "installer", "version")],
        ),
        (
            f"WITH t AS (SELECT * FROM {TABLE}) SELECT project, COUNT(*) FROM t GROUP BY 1",
            [("project",)],
        ),
        (f"SELECT COUNTIF(details.ci) FROM {TABLE}", [("details", "ci")]),
        (f"SELECT * FROM {TABLE} LIMIT 1", "all"),
    ],
    ids=["count-star", "nested-leaf", "struct", "cte", "bool", "star"],
)
def test_only_referenced_leaf_columns_are_billed(
    shared_standin: BigQueryStandIn, events: pa.Table, sql: str, leaves: list[Leaf] | str
) -> None:
    read = list(_all_leaves(FILE_DOWNLOADS)) if leaves == "all" else [tuple(x) for x in leaves]
    assert shared_standin.bytes_for(sql).processed == expected_bytes(events, DAYS, read)


def _all_leaves(schema: pa.Schema | pa.StructType, prefix: Leaf = ()) -> Iterator[Leaf]:
    for field in schema:
        if pa.types.is_struct(field.type):
            yield from _all_leaves(field.type, (*prefix, field.name))
        else:
            yield (*prefix, field.name)


def test_sample_generator_events_are_served_and_measured(
    tmp_path: Path, connect: Callable[[BigQueryStandIn], bigquery.Client]
) -> None:
    """The project's own sample writer (dictionary strings, every column filled) loads, counts
    and bills the same as a plain pyarrow reading of its files."""
    folder = tmp_path / "sample"
    write_sample(folder, SampleSpec(events=6_000, projects=50, days=3, end=DAYS[-1], seed=3))
    events = pq.read_table(folder)
    with BigQueryStandIn(folder, clock=lambda: NOW) as standin:
        client = connect(standin)
        rows = client.query(top_sql("2026-03-02", "2026-03-05")).result()
        counted = {row["project"]: row["n"] for row in rows}
        star = standin.bytes_for(f"SELECT * FROM {TABLE}")

    assert counted == counts_between(events, datetime(2026, 3, 2, tzinfo=UTC), NOW)
    assert star.processed == expected_bytes(events, DAYS[1:], list(_all_leaves(FILE_DOWNLOADS)))


def test_billed_bytes_round_up_to_a_mib_with_a_ten_mib_floor() -> None:
    assert [billed_for_table(n) for n in (0, 1, 10 * MIB, 10 * MIB + 1)] == [
        0,
        10 * MIB,
        10 * MIB,
        11 * MIB,
    ]


# -- authentication ----------------------------------------------------------------------------


def test_requests_need_a_token_the_standin_issued(
    standin: BigQueryStandIn, connect: Callable[[BigQueryStandIn], bigquery.Client], tmp_path: Path
) -> None:
    url = f"{standin.url}/bigquery/v2/projects/{standin.project}/queries"
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # 127.0.0.1 only
    for header, reason in [({}, "required"), ({"Authorization": "Bearer made-up"}, "authError")]:
        request = urllib.request.Request(url, data=b'{"query": "SELECT 1"}', headers=header)
        with pytest.raises(urllib.error.HTTPError) as refused:
            direct.open(request, timeout=10)
        with refused.value as response:
            assert response.code == 401
            assert json.load(response)["error"]["errors"][0]["reason"] == reason

    # A key the stand-in did not make cannot get a token from it.
    client = connect(standin)
    stranger = ServiceAccount(standin.project, standin.account.token_uri, fresh_key=True)
    # google-cloud leaves this constructor unannotated.
    foreign = bigquery.Client.from_service_account_json(  # type: ignore[no-untyped-call]
        str(stranger.write_key(tmp_path / "k.json"))
    )
    try:
        with pytest.raises(RefreshError, match="not signed with this service account's key"):
            foreign.query("SELECT 1").result()
    finally:
        foreign.close()

    assert next(iter(client.query("SELECT 1 AS one").result()))["one"] == 1
    assert [r.authorized for r in standin.requests][:3] == [False, False, True]
