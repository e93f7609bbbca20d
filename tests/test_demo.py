"""`top-pypi demo`, what `make run` does: the last two whole months of a generated sample,
published in turn into a scratch repository, the year before them counted into the history, and
nothing counted again on a re-run."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import git
import pytest
from expect import run_cli

from publisher.cli.demo import LEAD_DAYS, demo_month_ends, demo_spec
from tests.fakes.zenodo import DEFAULT_TOKEN, ZenodoStandIn


@pytest.mark.parametrize(
    ("now", "older", "newer"),
    [
        (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), date(2026, 9, 30), date(2026, 10, 31)),
        (datetime(2027, 1, 20, tzinfo=UTC), date(2026, 11, 30), date(2026, 12, 31)),
        (datetime(2027, 2, 1, tzinfo=UTC), date(2026, 12, 31), date(2027, 1, 31)),
        (datetime(2028, 3, 31, tzinfo=UTC), date(2028, 1, 31), date(2028, 2, 29)),
    ],
)
def test_the_sample_covers_both_windows_and_days_before(
    now: datetime, older: date, newer: date
) -> None:
    assert demo_month_ends(now) == (older, newer)
    spec = demo_spec(now)
    first = date.fromordinal(spec.end.toordinal() - spec.days + 1)
    assert (spec.end, first) == (newer, date.fromordinal(older.toordinal() - 29 - LEAD_DAYS))


def test_demo_publishes_the_last_two_months_then_counts_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    now = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)  # mid-month: still the two months before
    scratch = tmp_path / "scratch"
    code, out, err = run_cli(capsys, now, "demo", str(scratch))
    assert code == 0, err
    remote = git.Repo(scratch / "remote.git")
    assert sorted(tag.name for tag in remote.tags) == ["2026.10", "2026.11"]
    assert [commit.summary for commit in remote.iter_commits("main")] == [
        "History: 2025.10 to 2026.09 (12 counted, 0 copied)",
        "Publish 2026.11: downloads 2026-10-02 to 2026-10-31 (30 days)",
        "Publish 2026.10: downloads 2026-09-01 to 2026-09-30 (30 days)",
        "Citation of the demo dataset",
        "Settings for the demo publishing repository",
    ]
    assert "2026.10, pushed to origin/main" in out
    assert "2026.11, pushed to origin/main" in out
    assert "Zenodo release skipped: no --zenodo-url" in " ".join(out.split())
    events = sorted(path.name for path in (scratch / "events").iterdir())
    assert (events[0], events[-1]) == ("2025-08-26.parquet", "2026-10-31.parquet")
    history = json.loads(
        (scratch / "publishing" / "data" / "history" / "top-pypi-packages-history.json").read_text()
    )
    assert history["months"]["2026.10"]["source"] == "2026.10"
    assert {m["source"] for t, m in history["months"].items() if t < "2026.10"} == {"count"}
    written = {path: path.stat().st_mtime_ns for path in (scratch / "events").iterdir()}

    code, out, err = run_cli(capsys, now, "demo", str(scratch))
    assert code == 0, err
    assert out.splitlines()[:3] == [
        "2026.10 is already published; nothing to do.",
        "2026.11 is already published; nothing to do.",
        "counted: 0, copied: 0, kept by a stopped run: 0, held already: 13; nothing new to commit",
    ]
    assert "as it was: nothing it is made of changed" in " ".join(out.split())
    assert {path: path.stat().st_mtime_ns for path in (scratch / "events").iterdir()} == written


def test_demo_releases_both_months_to_a_local_zenodo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    scratch = tmp_path / "scratch"
    with ZenodoStandIn(tmp_path / "zenodo") as zenodo:
        monkeypatch.setenv("ZENODO_API_TOKEN", DEFAULT_TOKEN)
        code, out, err = run_cli(capsys, now, "demo", str(scratch), "--zenodo-url", zenodo.url)
        assert code == 0, err
        assert [d["metadata"]["version"] for d in zenodo.published()] == ["2026.10", "2026.11"]
    remote = git.Repo(scratch / "remote.git")
    record = json.loads(bytes((remote.head.commit.tree / "data/releases.json").data_stream.read()))
    assert sorted(record["releases"]) == ["2026.10", "2026.11"]
    assert "local stand-in of Zenodo" in " ".join(out.split())
