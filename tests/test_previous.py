"""The previous published month (issue 11): read from a folder (`collect --previous DIR`) or
from the latest correction of the nearest earlier published month (`publish`), and the
structural anomaly that stops a publish unless --accept-anomalies."""

import json
import shutil
from datetime import date, datetime
from pathlib import Path

import git
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from publisher.base.errors import UsageError
from publisher.count.window import Window
from publisher.dataset.build import EXTENDED_JSON_FILE, EXTENDED_PARQUET_FILE, JSON_FILE
from publisher.dataset.previous_files import read_previous
from publisher.release.calver import previous_tag
from publisher.release.previous_month import read_previous_month
from tests.counting import window_projects
from tests.expect import assert_one_error_line, run_cli
from tests.published import month_count, month_end, publish_month
from tests.repos import publishing_repo

ROWS = [("boto3", 900), ("requests", 800), ("urllib3", 700)]


def extended_json(mean_per_day: float) -> bytes:
    """The part of a month's extended JSON the next month reads: its totals."""
    totals = {"downloads": round(mean_per_day * 30), "days": 30, "mean_per_day": mean_per_day}
    return json.dumps({"totals": totals}).encode()


def every_project(ranked: list[str]) -> bytes:
    ranks = pa.array(range(1, len(ranked) + 1), pa.int32())
    table = pa.table({"rank": ranks, "project": ranked, "download_count": [9] * len(ranked)})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())


@pytest.fixture
def published(tmp_path: Path) -> Path:
    """A publishing repository's work tree with a month published from ROWS, `2026.10`."""
    work, _ = publishing_repo(tmp_path, "")
    publish_month(work, "2026.10", month_count(ROWS, month_end("2026.10")))
    return tmp_path / "work" / "data"


def test_a_folder_without_extended_files_ranks_its_published_rows(published: Path) -> None:
    for older in published.glob("top-pypi-packages-extended*"):  # as months before issue 11
        older.unlink()
    previous = read_previous(published)
    assert previous.block == {
        "tag": None,
        "period": {"start": "2026-09-01", "end": "2026-09-30", "days": 30},
        "file": JSON_FILE,
        "ranked_rows": 3,
    }
    assert previous.ranks.to_pylist() == [
        {"project": "boto3", "rank": 1},
        {"project": "requests", "rank": 2},
        {"project": "urllib3", "rank": 3},
    ]
    assert previous.mean_per_day is None


def test_a_folder_with_extended_files_ranks_every_project(published: Path) -> None:
    tail = ["boto3", "requests", "urllib3", "six", "idna"]
    (published / EXTENDED_PARQUET_FILE).write_bytes(every_project(tail))
    (published / EXTENDED_JSON_FILE).write_bytes(extended_json(1234.5))
    previous = read_previous(published)
    assert previous.block["file"] == EXTENDED_PARQUET_FILE
    assert previous.block["ranked_rows"] == 5
    assert previous.block["period"]["end"] == "2026-09-30"
    assert previous.ranks.schema == pa.schema([("project", pa.string()), ("rank", pa.int32())])
    assert previous.ranks.column("project").to_pylist() == tail
    assert previous.mean_per_day == 1234.5


def test_the_previous_rank_needs_a_readable_folder(
    published: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    broken = Path(shutil.copytree(published, tmp_path / "broken"))
    (broken / EXTENDED_PARQUET_FILE).write_bytes(b"not parquet")
    bad_mean = Path(shutil.copytree(published, tmp_path / "bad-mean"))
    (bad_mean / EXTENDED_JSON_FILE).write_text('{"totals": {}}')
    cases = [
        (tmp_path / "missing", "is not a folder. Give --previous the data folder"),
        (empty, f"{empty} has no {JSON_FILE}, so it is no published month."),
        (broken, f"{broken / EXTENDED_PARQUET_FILE} has no readable project and rank columns"),
        (bad_mean, f"{bad_mean / EXTENDED_JSON_FILE} has no number at totals.mean_per_day."),
    ]
    for folder, message in cases:
        out = tmp_path / "out"
        argv = ["collect", "--previous", str(folder), "--out", str(out), "--events", str(empty)]
        code, _, err = run_cli(capsys, now, *argv)
        assert code == 2, err
        assert_one_error_line(err, message)
        assert not out.exists()  # refused before anything was counted or written


# --- the previous month of a release, from the tags --------------------------------------------


def test_the_nearest_earlier_month_and_its_latest_correction() -> None:
    tags = ["2026.08", "2026.09", "2026.09.1", "2026.09.2", "2026.11"]
    assert previous_tag(tags, "2026.11") == "2026.09.2"
    assert previous_tag(tags, "2026.11.1") == "2026.09.2"  # a correction's is its month's
    assert previous_tag(tags, "2026.10") == "2026.09.2"
    assert previous_tag(tags, "2026.09.2") == "2026.08"
    assert previous_tag(tags, "2026.08") is None


def test_publish_reads_the_latest_correction_from_its_tag(tmp_path: Path) -> None:
    work, _ = publishing_repo(tmp_path, "")
    publish_month(work, "2026.09", month_count(ROWS, month_end("2026.09")))
    publish_month(work, "2026.10", month_count(ROWS, month_end("2026.10")))
    corrected = [("requests", 990), ("boto3", 980)]
    publish_month(work, "2026.10.1", month_count(corrected, month_end("2026.10")))
    work.create_tag("2026.10.2")  # by hand: no trailer, no release
    previous = read_previous_month(work, "2026.11")
    assert previous is not None
    assert previous.block["tag"] == "2026.10.1"
    assert previous.ranks.column("project").to_pylist()[:2] == ["requests", "boto3"]
    data = tmp_path / "work" / "data"
    shutil.rmtree(data)  # read from the tag, never from the working tree
    before = read_previous_month(work, "2026.10.1")
    assert before is not None
    assert before.block["tag"] == "2026.09"
    assert read_previous_month(work, "2026.09") is None


def test_a_broken_previous_tag_is_one_line(tmp_path: Path) -> None:
    work, _ = publishing_repo(tmp_path, "")
    extra = {EXTENDED_JSON_FILE: b"[]"}
    publish_month(work, "2026.10", month_count(ROWS, month_end("2026.10")), extra=extra)
    with pytest.raises(UsageError, match=r"2026\.10:data/top-pypi-packages-extended\.json has no"):
        read_previous_month(work, "2026.11")


# --- publish: a structural anomaly, refused, then accepted ---------------------------------------

WINDOW = Window(date(2026, 10, 2), date(2026, 10, 31))  # what publish counts at NOW


def publish_in(
    work: git.Repo, now: datetime, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    return run_cli(capsys, now, "publish", "--repo", str(work.working_tree_dir), *args)


@pytest.fixture
def fallen(tmp_path: Path, events_dir: Path) -> git.Repo:
    """A repository whose previous month, as corrected (2026.10.1), had 2.5 times the mean
    downloads per day of the events' month: a fall of 60 %."""
    shutil.copytree(events_dir, tmp_path / "events")
    work, _ = publishing_repo(tmp_path, 'events = "../events"\n')
    now_mean = len(window_projects(events_dir, WINDOW)) / WINDOW.days
    count = month_count(ROWS, month_end("2026.10"))
    publish_month(work, "2026.10", count, extra={EXTENDED_JSON_FILE: extended_json(now_mean)})
    fallen = extended_json(now_mean / 0.4)
    publish_month(work, "2026.10.1", count, extra={EXTENDED_JSON_FILE: fallen})
    return work


def test_a_structural_fall_stops_publish_unless_accepted(
    fallen: git.Repo,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = publish_in(fallen, now, capsys, "--dry-run", "--accept-anomalies")
    assert code == 0, err
    assert "2026.10.1 (2026-09-01 to 2026-09-30)" in out  # the month it compares with
    monkeypatch.setenv("TOP_PYPI_ACCEPT_ANOMALIES", "true")  # never read: command line only
    code, _, err = publish_in(fallen, now, capsys, "--no-push")
    assert code == 1
    assert_one_error_line(
        err, "The mean downloads per day fell 60.0 % against the previous month, 2026.10.1"
    )
    assert "--accept-anomalies" in err
    assert "2026.11" not in [t.name for t in fallen.tags]
    code, _, err = publish_in(fallen, now, capsys, "--no-push", "--accept-anomalies")
    assert code == 0, err
    assert "2026.11" in [t.name for t in fallen.tags]


def test_accept_anomalies_is_no_setting(
    fallen: git.Repo, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    root = Path(str(fallen.working_tree_dir))
    (root / "top-pypi.toml").write_text('events = "../events"\naccept-anomalies = true\n')
    fallen.git.commit("-am", "Accept anomalies?")
    code, _, err = publish_in(fallen, now, capsys, "--dry-run")
    assert code == 2
    assert_one_error_line(
        err, "top-pypi.toml has the key 'accept-anomalies', which is command line only."
    )


def test_collect_compares_with_the_previous_folder(
    published: Path,
    events_dir: Path,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    mean = len(window_projects(events_dir, WINDOW)) / WINDOW.days
    (published / EXTENDED_JSON_FILE).write_bytes(extended_json(mean / 0.4))
    out = tmp_path / "out"
    argv = ["collect", "--events", str(events_dir), "--end-date", "2026-10-31"]
    argv += ["--previous", str(published), "--out", str(out)]
    code, _, err = run_cli(capsys, now, *argv)
    assert code == 1
    assert_one_error_line(err, "fell 60.0 % against the previous month (2026-09-01 to 2026-09-30)")
    assert not (out / JSON_FILE).exists()
    code, _, err = run_cli(capsys, now, *argv, "--accept-anomalies")
    assert code == 0, err
    assert (out / JSON_FILE).exists()


@pytest.mark.parametrize("end", ["2026-09-15", "2026-09-30", "2026-10-29"])
def test_collect_refuses_a_previous_month_that_does_not_end_before_the_window(
    end: str,
    published: Path,
    events_dir: Path,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The folder holds 2026-09-01 to 2026-09-30: later than, or overlapping, each window."""
    out = tmp_path / "out"
    argv = ["collect", "--events", str(events_dir), "--end-date", end]
    code, _, err = run_cli(capsys, now, *argv, "--previous", str(published), "--out", str(out))
    assert code == 2
    assert_one_error_line(
        err, f"--previous {published} holds 2026-09-01 to 2026-09-30, which does not end before"
    )
    assert not (out / JSON_FILE).exists()
