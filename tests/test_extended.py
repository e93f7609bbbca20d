"""The extended dataset (issue 11): the long-tail Parquet against an independent count, the
`-30-days` copies, the data package listing every file, the ranks, and `validate` refusing
each kind of damage in one line while the folders of older versions stay valid."""

import hashlib
import io
import json
import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from publisher.count import long_tail
from publisher.count.engines.base import Count, QueryStats
from publisher.count.window import Window
from publisher.dataset.build import COPIES, DATA_FILES, DATAPACKAGE_FILE
from publisher.dataset.check import check_folder
from publisher.dataset.extended import EXTENDED_SCHEMA, extended_table, to_parquet
from publisher.dataset.previous import RANKS_SCHEMA, Previous
from publisher.release.tag_files import TagFolder, month_files, tag_files
from tests.counting import named, window_projects
from tests.expect import assert_one_error_line, run_cli
from tests.published import publish_month, ranked
from tests.repos import publishing_repo
from tests.test_check import rehash

PARQUET = "top-pypi-packages-extended.parquet"
WINDOW = Window(date(2026, 10, 2), date(2026, 10, 31))
# More rows than the sample has projects, and far fewer: the Parquet has every project either way.
LIMITS = ("5000", "10")


@pytest.fixture(scope="module", params=LIMITS)
def published(
    events_dir: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Path:
    from publisher.cli import main
    from tests.conftest import NOW

    out = tmp_path_factory.mktemp("extended") / "data"
    argv = ["collect", "--events", str(events_dir), "--out", str(out), "--limit", request.param]
    assert main(argv, NOW) == 0
    return out


@pytest.fixture
def folder(published: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(published, tmp_path / "data"))


def test_the_parquet_holds_exactly_the_projects_and_counts_of_an_independent_count(
    published: Path, events_dir: Path
) -> None:
    counts = pc.value_counts(named(window_projects(events_dir, WINDOW)))
    expected = ranked({v["values"].as_py(): v["counts"].as_py() for v in counts})
    table = pq.read_table(published / PARQUET)
    found = list(
        zip(table["project"].to_pylist(), table["download_count"].to_pylist(), strict=True)
    )
    assert found == expected
    assert table["rank"].to_pylist() == list(range(1, len(expected) + 1))
    assert table.schema.equals(EXTENDED_SCHEMA)


def test_the_extended_json_and_csv_hold_the_compatible_rows(published: Path) -> None:
    dataset = json.loads((published / "top-pypi-packages.json").read_text())
    extended = json.loads((published / "top-pypi-packages-extended.json").read_text())
    pairs = [(r["project"], r["download_count"]) for r in extended["rows"]]
    assert pairs == [(r["project"], r["download_count"]) for r in dataset["rows"]]
    assert list(extended)[:5] == ["schema_version", "last_update", "period", "engine", "query"]
    assert extended["totals"]["days"] == 30
    assert extended["previous"] is None
    lines = (published / "top-pypi-packages-extended.csv").read_text().splitlines()
    assert lines[0].startswith("rank,project,download_count,pip_downloads,")
    assert lines[0].endswith(",rank_without_mirrors,previous_rank")
    assert lines[1].split(",")[1] == f'"{pairs[0][0]}"'
    assert lines[1].endswith(",")  # previous_rank null: an empty cell


def test_the_30_days_files_are_copies_in_a_published_tag(tmp_path: Path) -> None:
    work, _ = publishing_repo(tmp_path, 'engine = "duckdb"\n')
    count = Count(
        rows=ranked({"boto3": 900, "requests": 800, "six": 40}),
        projects_counted=3,
        period=WINDOW,
        query=QueryStats(bytes_processed=1),
    )
    publish_month(work, "2026.11", count)
    folder = TagFolder(work, "2026.11")
    for main, copy in COPIES.items():
        assert (folder / copy).read_bytes() == (folder / main).read_bytes()
    assert check_folder(folder)["schema_version"] == 4
    sent, stray = month_files(tag_files(work, "2026.11"), 4)
    # A record holds every file its datapackage.json names, the copies included (issue 18).
    assert sorted(f.name for f in sent) == sorted(DATA_FILES)
    assert stray == []


def test_the_data_package_lists_every_file_with_its_size_and_hash(published: Path) -> None:
    package = json.loads((published / DATAPACKAGE_FILE).read_text())
    listed = {r["path"]: r for r in package["resources"]}
    assert sorted(listed) == sorted(set(DATA_FILES) - {DATAPACKAGE_FILE})
    for name, resource in listed.items():
        body = (published / name).read_bytes()
        assert resource["bytes"] == len(body)
        assert resource["hash"] == "sha256:" + hashlib.sha256(body).hexdigest()
    fields = [f["name"] for f in listed[PARQUET]["schema"]["fields"]]
    assert fields == EXTENDED_SCHEMA.names
    assert listed["top-pypi-packages-extended.csv"]["schema"] == listed[PARQUET]["schema"]


def test_same_input_same_parquet_bytes(events_dir: Path, published: Path, tmp_path: Path) -> None:
    from publisher.cli import main
    from tests.conftest import NOW

    again = tmp_path / "again"
    limit = str(json.loads((published / "top-pypi-packages.json").read_text())["total_rows"])
    argv = ["collect", "--events", str(events_dir), "--out", str(again), "--limit", limit]
    assert main(argv, NOW) == 0
    for name in DATA_FILES:
        assert (again / name).read_bytes() == (published / name).read_bytes(), name


def hand_made() -> Count:
    """Mirrors decide the order without them; a tie without mirrors goes by name."""
    table = long_tail.conform(
        pa.table(
            {
                "project": ["a", "b", "c", "d", "e"],
                "download_count": [100, 90, 90, 10, 10],
                "mirror_downloads": [95, 0, 50, 0, 0],
            }
        )
    )
    return Count(
        rows=long_tail.top_rows(table, 2),
        projects_counted=5,
        period=WINDOW,
        query=QueryStats(bytes_processed=1),
        table=table,
    )


def previous_month(ranks: dict[str, int]) -> Previous:
    ranked_rows = pa.table(
        {"project": list(ranks), "rank": list(ranks.values())}, schema=RANKS_SCHEMA
    )
    return Previous({"tag": "2026.10"}, ranked_rows, 3.0)


def test_rank_without_mirrors_and_previous_rank() -> None:
    previous = previous_month({"c": 1, "a": 2, "gone": 3, "e": 4})
    table = extended_table(hand_made(), previous)
    # without mirrors: a 5, b 90, c 40, d 10, e 10
    assert table["rank_without_mirrors"].to_pylist() == [5, 1, 2, 3, 4]
    assert table["previous_rank"].to_pylist() == [2, None, 1, None, 4]
    assert table["rank"].to_pylist() == [1, 2, 3, 4, 5]


def test_without_a_breakdown_or_a_previous_month_the_ranks_are_null() -> None:
    count = hand_made()
    plain = Count(rows=count.rows, projects_counted=5, period=WINDOW, query=count.query)
    table = extended_table(plain, None)
    assert table.num_rows == 2  # no long tail from the engine: its rows
    assert table["rank_without_mirrors"].null_count == 2
    assert table["previous_rank"].null_count == 2


def test_the_same_table_gives_the_same_parquet_bytes() -> None:
    first = to_parquet(extended_table(hand_made(), None))
    assert first == to_parquet(extended_table(hand_made(), None))
    assert pq.read_table(io.BytesIO(first)).num_rows == 5


V2_RELEASE = Path(__file__).parent / "golden" / "v2-release"


def test_a_release_of_schema_version_2_stays_valid(
    now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files written by top-pypi before schema_version 3: no extended files, no copies."""
    code, out, _ = run_cli(capsys, now, "validate", str(V2_RELEASE))
    assert code == 0
    assert "valid, 8 rows, 2026-10-27 to 2026-10-31" in out


def retyped_parquet(folder: Path) -> None:
    table = pq.read_table(folder / PARQUET)
    pq.write_table(table.set_column(0, "rank", table["rank"].cast(pa.int64())), folder / PARQUET)


def renamed_parquet(folder: Path) -> None:
    table = pq.read_table(folder / PARQUET)
    pq.write_table(table.rename_columns(["position", *table.column_names[1:]]), folder / PARQUET)


def edit_extended(folder: Path) -> None:
    path = folder / "top-pypi-packages-extended.json"
    path.write_text(path.read_text().replace('"download_count":', '"download_count":1', 1))


DAMAGE: dict[str, tuple[Callable[[Path], object], str]] = {
    "copy differs": (
        lambda d: (d / "top-pypi-packages-30-days.csv").write_text("download_count,project\n"),
        "top-pypi-packages-30-days.csv is not a byte-identical copy of top-pypi-packages.csv.",
    ),
    "copy missing": (
        lambda d: (d / "top-pypi-packages-30-days.json").unlink(),
        "top-pypi-packages-30-days.json is missing",
    ),
    "parquet missing": (lambda d: (d / PARQUET).unlink(), f"{PARQUET} is missing"),
    "parquet column type": (
        retyped_parquet,
        f"{PARQUET}: column rank is int64, schema_version 4 says int32.",
    ),
    "parquet column name": (renamed_parquet, f"{PARQUET} has the columns position, project,"),
    "parquet not parquet": (
        lambda d: (d / PARQUET).write_bytes(b"PAR1 not really"),
        f"{PARQUET} is not a Parquet file",
    ),
    "csv header": (
        lambda d: (d / "top-pypi-packages-extended.csv").write_text("project,rank\n"),
        "top-pypi-packages-extended.csv starts with 'project,rank', not 'rank,project,",
    ),
    "extended row differs": (edit_extended, "Extended row 1 "),
    "extended schema file": (
        lambda d: (d / "top-pypi-packages-extended.schema.json").write_text("{}\n"),
        "top-pypi-packages-extended.schema.json is not the schema of schema_version 4",
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_to_the_extended_files_is_named_in_one_line(
    folder: Path, damage: str, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    change, message = DAMAGE[damage]
    change(folder)
    if "missing" not in damage:  # what someone who edited a file does next
        rehash(folder)
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 1
    assert_one_error_line(err, message)


def test_a_package_listing_a_file_the_version_lacks_is_refused(
    folder: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    path = folder / DATAPACKAGE_FILE
    package = json.loads(path.read_text())
    package["resources"].append({"path": "../elsewhere.csv", "bytes": 1, "hash": "sha256:0"})
    path.write_text(json.dumps(package, indent=2, sort_keys=True) + "\n")
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 1
    assert_one_error_line(err, "lists '../elsewhere.csv', not a file of schema_version 4")
