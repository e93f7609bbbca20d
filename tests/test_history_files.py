"""The history folder's files (issue 21 §2): one Parquet file per tag year, the index of what
each month is, the folder's own data package; a correction replaces its month whole; the same
months give the same bytes; `check_history` refuses what breaks the rules."""

import json
import shutil
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from publisher.base.errors import ValidationError
from publisher.dataset.history.check import check_history
from publisher.dataset.history.folder import Month, with_history_months
from publisher.dataset.history.index import COUNTED, MonthFacts
from publisher.dataset.history.names import (
    DATAPACKAGE_FILE,
    INDEX_FILE,
    INDEX_SCHEMA_FILE,
    year_file,
)
from publisher.dataset.history.table import HISTORY_SCHEMA, month_table
from tests.expect import assert_one_error_line, run_cli

# The longest name PyPI's rules allow in its normal form: 1 + 2 * 49 + 1 characters here.
LONG = "a" + "-b" * 49 + "c"


def month(
    tag: str,
    start: date,
    end: date,
    rows: int,
    source: str = COUNTED,
    missing: tuple[str, ...] = (),
) -> Month:
    names = [f"p{i:05d}" for i in range(rows - 1)] + [LONG]
    counts = [10 * (rows - i) for i in range(rows)]
    table = month_table(tag, start, end, pa.array(names), pa.array(counts, pa.int64()))
    facts = MonthFacts(tag, start, end, "duckdb", "exact", source, rows, missing_days=missing)
    return Month(facts, table)


def first_history() -> dict[str, bytes]:
    return with_history_months(
        {},
        [
            month("2019.02", date(2019, 1, 2), date(2019, 1, 31), 50),
            month("2019.01", date(2018, 12, 2), date(2018, 12, 31), 40, missing=("2018-12-25",)),
            month("2020.01", date(2019, 12, 2), date(2019, 12, 31), 30),
        ],
    )


def test_one_parquet_file_per_tag_year_sorted_by_tag_then_rank() -> None:
    files = first_history()
    assert sorted(files) == sorted(
        [INDEX_FILE, INDEX_SCHEMA_FILE, DATAPACKAGE_FILE, year_file(2019), year_file(2020)]
    )
    table = pq.read_table(pa.BufferReader(files[year_file(2019)]))
    assert table.schema.remove_metadata() == HISTORY_SCHEMA
    keys = list(zip(table.column("tag").to_pylist(), table.column("rank").to_pylist(), strict=True))
    assert keys == sorted(keys)
    assert keys[0] == ("2019.01", 1)
    assert len(keys) == 90
    assert table.column("period_start").to_pylist()[0] == date(2018, 12, 2)
    assert table.column("project").to_pylist()[-1] == LONG
    assert check_history(files) == 3


def test_the_index_says_what_each_month_is_and_keeps_a_gap_marked() -> None:
    index = json.loads(first_history()[INDEX_FILE])
    assert list(index["months"]) == ["2019.01", "2019.02", "2020.01"]
    gap = index["months"]["2019.01"]
    assert gap["missing_days"] == ["2018-12-25"]
    assert gap["rows"] == 40
    assert gap["period"] == {"start": "2018-12-02", "end": "2018-12-31", "days": 30}
    assert gap["source"] == "count"
    assert gap["engine"] == {"name": "duckdb", "method": "exact"}


def test_a_window_across_the_logging_change_is_noted() -> None:
    files = with_history_months({}, [month("2026.09", date(2026, 8, 2), date(2026, 8, 31), 5)])
    notes = json.loads(files[INDEX_FILE])["months"]["2026.09"]["notes"]
    assert len(notes) == 1
    assert "2026-08-24" in notes[0]
    after = with_history_months({}, [month("2026.10", date(2026, 9, 1), date(2026, 9, 30), 5)])
    assert json.loads(after[INDEX_FILE])["months"]["2026.10"]["notes"] == []


def test_the_same_months_give_the_same_bytes() -> None:
    assert first_history() == first_history()


def test_a_correction_replaces_its_month_whole_in_a_past_year_and_leaves_other_years() -> None:
    files = first_history()
    fixed = month("2019.02", date(2019, 1, 2), date(2019, 1, 31), 7, source="2019.02.1")
    again = with_history_months(files, [fixed])
    assert again[year_file(2020)] == files[year_file(2020)]
    table = pq.read_table(pa.BufferReader(again[year_file(2019)]))
    tags = table.column("tag").to_pylist()
    assert tags.count("2019.02") == 7
    assert tags.count("2019.01") == 40
    assert json.loads(again[INDEX_FILE])["months"]["2019.02"]["source"] == "2019.02.1"
    assert check_history(again) == 3


def test_the_package_lists_every_file_with_its_hash() -> None:
    files = first_history()
    package = json.loads(files[DATAPACKAGE_FILE])
    paths = [r["path"] for r in package["resources"]]
    assert paths == [INDEX_FILE, INDEX_SCHEMA_FILE, year_file(2019), year_file(2020)]
    assert {r["bytes"] for r in package["resources"]} == {len(files[p]) for p in paths}


def test_frictionless_accepts_the_folder(tmp_path: Path) -> None:
    for name, body in first_history().items():
        (tmp_path / name).write_bytes(body)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "frictionless",
            "validate",
            "--json",
            str(tmp_path / DATAPACKAGE_FILE),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    errors = [e["message"] for t in report["tasks"] for e in t["errors"]] + [
        e["message"] for e in report["errors"]
    ]
    assert errors == []
    assert report["valid"]


def broken(change: str) -> dict[str, bytes]:
    files = first_history()
    index = json.loads(files[INDEX_FILE])
    if change == "unheld month":
        index["months"]["2018.05"] = index["months"]["2019.01"]
    elif change == "rows":
        index["months"]["2019.01"]["rows"] = 41
    elif change == "period":
        index["months"]["2019.01"]["period"]["end"] = "2018-12-30"
    elif change == "stray":
        files["notes.txt"] = b"x"
        return files
    elif change == "hash":  # the same rows, written another way
        sink = pa.BufferOutputStream()
        pq.write_table(pq.read_table(pa.BufferReader(files[year_file(2020)])), sink)
        files[year_file(2020)] = sink.getvalue().to_pybytes()
        return files
    elif change == "name":
        window = (date(2019, 12, 2), date(2019, 12, 31))
        names, counts = pa.array(["fine", "Not_Normal"]), pa.array([2, 1], pa.int64())
        bad = Month(
            MonthFacts("2020.01", *window, "duckdb", "exact", COUNTED, 2),
            month_table("2020.01", *window, names, counts),
        )
        return with_history_months(files, [bad])
    elif change == "other year":
        files[year_file(2020)] = files[year_file(2019)]
        return files
    files[INDEX_FILE] = json.dumps(index).encode()
    return files


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ("unheld month", "lists 2018.05, which no year file holds"),
        ("rows", "2019.01 has 40 rows; top-pypi-packages-history.json says 41"),
        ("period", "period_end is not 2018-12-30"),
        ("stray", "notes.txt: is not a history file"),
        ("hash", "the hash it gives for top-pypi-packages-history-2020.parquet"),
        ("other year", "holds 2019.01, a month of another year"),
        ("name", "2020.01: 'Not_Normal' is not a PEP 503-normalised name"),
    ],
)
def test_check_refuses_a_broken_folder_in_one_line(change: str, said: str) -> None:
    with pytest.raises(ValidationError) as raised:
        check_history(broken(change))
    assert said in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.fixture(scope="module")
def data_folder(events_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from publisher.cli import main
    from tests.conftest import NOW

    out = tmp_path_factory.mktemp("with-history") / "data"
    assert (
        main(["collect", "--events", str(events_dir), "--out", str(out), "--limit", "20"], NOW) == 0
    )
    return out


def test_validate_checks_the_history_folder_and_does_not_call_it_stray(
    data_folder: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = Path(shutil.copytree(data_folder, tmp_path / "data"))
    (folder / "history").mkdir()
    for name, body in first_history().items():
        (folder / "history" / name).write_bytes(body)
    code, out, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 0
    assert "history: valid, 3 month(s)" in out
    assert "warning" not in err
    (folder / "history" / year_file(2020)).write_bytes(b"PAR1")
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code != 0
    assert_one_error_line(err, "top-pypi-packages-history-2020.parquet")


def test_validate_refuses_a_history_that_is_not_a_folder(
    data_folder: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = Path(shutil.copytree(data_folder, tmp_path / "data"))
    (folder / "history").write_text("months\n")
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code != 0
    assert_one_error_line(err, "data/history/: is not a folder")
