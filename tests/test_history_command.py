"""`top-pypi history` on a real publishing repository (issue 21 §1): the months before the
published ones counted by DuckDB over local events, a published month copied from its tag,
one commit on main and no tag, a re-run that does nothing, a stop that keeps what it counted."""

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import git
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from publisher.base.progress import silent
from publisher.base.sizes import parse_size
from publisher.count.engines.base import Request
from publisher.count.engines.duckdb.engine import DuckDBEngine
from publisher.history.months import history_months
from publisher.history.progress import kept_months, progress_folder
from publisher.history.run import run_history
from publisher.sample.generator import SampleSpec, write_sample
from tests.children import cli, finish, has_entry, interrupt_at, kill_at, running
from tests.expect import assert_one_error_line, run_cli
from tests.fakes.bigquery import BigQueryStandIn
from tests.repos import message_text, publishing_repo

# Five months of events up to the day before the clock's month: 2026.07 to 2026.10 are whole.
SPEC = SampleSpec(events=60_000, projects=400, days=153, end=date(2026, 10, 31), seed=21)
NOW = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
HISTORY = Path("data") / "history"
# Room for two months of counts here: each bills its three queries at 10 MiB at least.
BUDGET = "70MiB"


@pytest.fixture(scope="module")
def months_of_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("history-events")
    write_sample(folder, SPEC)
    return folder


def new_repo(tmp_path: Path, events: Path) -> tuple[git.Repo, git.Repo]:
    return publishing_repo(tmp_path, f'events = "{events}"\nlimit = 50\n')


def year_rows(work: git.Repo) -> pa.Table:
    path = Path(str(work.working_tree_dir)) / HISTORY / "top-pypi-packages-history-2026.parquet"
    return pq.read_table(path)


def tag_rows(table: pa.Table, tag: str) -> list[tuple[str, int]]:
    month = table.filter(pa.compute.equal(table.column("tag"), tag))
    return list(
        zip(
            month.column("project").to_pylist(),
            month.column("download_count").to_pylist(),
            strict=True,
        )
    )


def test_history_counts_the_months_before_the_published_one_and_copies_it(
    months_of_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work, remote = new_repo(tmp_path, months_of_events)
    repo = str(work.working_tree_dir)
    assert run_cli(capsys, NOW, "publish", "--repo", repo, "--end-date", "2026-08-31")[0] == 0
    work.git.rm("-r", "--quiet", "data/history")  # as a month published before the history
    work.git.commit("--quiet", "-m", "Without the history")
    tags_before = sorted(t.name for t in work.tags)
    code, out, _ = run_cli(capsys, NOW, "history", "--repo", repo)
    assert code == 0
    assert "counted: 3, copied: 1, kept by a stopped run: 0, held already: 0" in out
    assert sorted(t.name for t in work.tags) == tags_before  # never tags
    assert message_text(work.head.commit).startswith("History: 2026.07 to 2026.10")
    assert remote.commit("main") == work.head.commit  # pushed
    assert work.git.status("--porcelain") == ""
    index = json.loads((Path(repo) / HISTORY / "top-pypi-packages-history.json").read_text())
    assert {t: m["source"] for t, m in index["months"].items()} == {
        "2026.07": "count",
        "2026.08": "count",
        "2026.09": "2026.09",
        "2026.10": "count",
    }
    table = year_rows(work)
    published = json.loads(work.git.show("2026.09:data/top-pypi-packages.json"))
    assert tag_rows(table, "2026.09") == [
        (r["project"], r["download_count"]) for r in published["rows"]
    ]
    months = history_months("2026.08", "2026.08", 30, [])
    count = DuckDBEngine(str(months_of_events)).count(
        __import__("publisher.count.engines.base", fromlist=["Request"]).Request(
            months[0].window, 50, False
        ),
        silent,
    )
    assert tag_rows(table, "2026.08") == count.rows
    assert run_cli(capsys, NOW, "validate", str(Path(repo) / "data"))[0] == 0
    head = work.head.commit
    code, out, _ = run_cli(capsys, NOW, "history", "--repo", repo, "--no-push")
    assert code == 0
    assert "nothing new to commit" in out
    assert work.head.commit == head


def test_a_push_that_failed_is_made_by_the_next_run(
    months_of_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work, remote = new_repo(tmp_path, months_of_events)
    repo = str(work.working_tree_dir)
    hook = Path(remote.git_dir) / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho closed for the night >&2\nexit 1\n")
    hook.chmod(0o755)
    code, _, err = run_cli(capsys, NOW, "history", "--repo", repo, "--to", "2026.07")
    assert code != 0
    assert_one_error_line(err, "rejected the push")
    assert message_text(work.head.commit).startswith("History: 2026.07 to 2026.07")
    hook.unlink()
    code, out, _ = run_cli(capsys, NOW, "history", "--repo", repo, "--to", "2026.07")
    assert code == 0
    assert "nothing new to commit" in out
    assert remote.commit("main") == work.head.commit


def test_a_stopped_run_keeps_its_months_and_the_next_one_continues(
    months_of_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = new_repo(tmp_path, months_of_events)
    repo = str(work.working_tree_dir)
    head = work.head.commit
    months = history_months("2026.07", "2026.10", 30, [])

    def stop_after_the_first(tag: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_history(
            work,
            DuckDBEngine(str(months_of_events), True),
            50,
            months,
            None,
            silent,
            stop_after_the_first,
        )
    assert work.head.commit == head
    assert work.git.status("--porcelain") == ""  # the tree as it was
    assert list(kept_months(progress_folder(Path(work.git_dir)))) == ["2026.07"]
    code, out, _ = run_cli(capsys, NOW, "history", "--repo", repo, "--no-push")
    assert code == 0
    assert "counted: 3, copied: 0, kept by a stopped run: 1" in out
    assert kept_months(progress_folder(Path(work.git_dir))) == {}
    assert sorted(set(year_rows(work).column("tag").to_pylist())) == [
        "2026.07",
        "2026.08",
        "2026.09",
        "2026.10",
    ]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--from", "2026.06"], "--from 2026.06 is before 2026.07, the first month"),
        (["--to", "2026.11"], "--to 2026.11 is not a finished month"),
        (["--from", "2026.9"], "--from '2026.9' is not a month's tag"),
        (["--engine", "bigquery"], "--from is needed with --engine bigquery"),
        (
            ["--engine", "bigquery", "--over-budget", "shrink", "--from", "2026.07"],
            "'shrink' is not for history",
        ),
    ],
)
def test_history_refuses_in_one_line(
    months_of_events: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    said: str,
) -> None:
    work, _ = new_repo(tmp_path, months_of_events)
    code, _, err = run_cli(capsys, NOW, "history", "--repo", str(work.working_tree_dir), *argv)
    assert code != 0
    assert_one_error_line(err, said)


def test_the_dry_run_shows_the_plan_and_changes_nothing(
    months_of_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = new_repo(tmp_path, months_of_events)
    head = work.head.commit
    code, out, _ = run_cli(
        capsys, NOW, "history", "--repo", str(work.working_tree_dir), "--dry-run"
    )
    assert code == 0
    for tag in ("2026.07", "2026.08", "2026.09", "2026.10"):
        assert tag in out
    assert work.head.commit == head
    assert not (Path(str(work.working_tree_dir)) / HISTORY).exists()


@pytest.fixture(scope="module")
def one_run(months_of_events: Path, tmp_path_factory: pytest.TempPathFactory) -> pa.Table:
    """The history of 2026.07 to 2026.10 as one uninterrupted run writes it."""
    from publisher.cli import main

    work, _ = new_repo(tmp_path_factory.mktemp("one-run"), months_of_events)
    assert main(["history", "--repo", str(work.working_tree_dir), "--no-push"], NOW) == 0
    return year_rows(work)


@pytest.mark.parametrize("how", ["SIGKILL", "Ctrl-C"])
def test_a_killed_run_keeps_its_months_and_a_re_run_ends_as_one_run_would(
    months_of_events: Path,
    one_run: pa.Table,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    how: str,
) -> None:
    work, _ = new_repo(tmp_path, months_of_events)
    repo, head = str(work.working_tree_dir), work.head.commit
    kept = progress_folder(Path(work.git_dir))
    with running(cli("history", "--repo", repo, "--no-push")) as child:
        if how == "SIGKILL":
            assert kill_at(child, has_entry(kept, ".parquet"))
        else:
            interrupt_at(child, has_entry(kept, ".parquet"))
            assert finish(child)[0] == 130
    assert work.head.commit == head
    assert work.git.status("--porcelain") == ""
    assert len(kept_months(kept)) >= 1
    code, out, _ = run_cli(capsys, NOW, "history", "--repo", repo, "--no-push")
    assert code == 0
    assert "kept by a stopped run: 0" not in out
    assert year_rows(work).equals(one_run)


def test_bigquery_counts_the_whole_months_the_budget_allows_oldest_first_and_says_what_is_left(
    months_of_events: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work, _ = new_repo(tmp_path, months_of_events)
    repo = str(work.working_tree_dir)
    with BigQueryStandIn(months_of_events) as standin:
        for name, value in standin.env().items():
            monkeypatch.setenv(name, value)
        argv = ["history", "--repo", repo, "--no-push", "--engine", "bigquery", "--from", "2026.07"]
        code, out, err = run_cli(capsys, NOW, *argv, "--budget", BUDGET)
        assert code == 0, err
        assert "counted: 2, copied: 0" in out
        assert "left: 2 month(s), 2026.09 to 2026.10, for a run with budget to spare" in out
        billed = sum(job.bytes_billed for job in standin.jobs if not job.dry_run)
        assert billed <= parse_size(BUDGET)
    index = json.loads((Path(repo) / HISTORY / "top-pypi-packages-history.json").read_text())
    assert list(index["months"]) == ["2026.07", "2026.08"]
    assert {m["engine"]["name"] for m in index["months"].values()} == {"bigquery"}
    table = year_rows(work)
    count = DuckDBEngine(str(months_of_events)).count(
        Request(history_months("2026.07", "2026.07", 30, [])[0].window, 50, False), silent
    )
    assert tag_rows(table, "2026.07") == count.rows


def test_publish_writes_its_month_into_the_history_and_a_correction_replaces_it(
    months_of_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = new_repo(tmp_path, months_of_events)
    repo = str(work.working_tree_dir)
    argv = ["publish", "--repo", repo, "--no-push", "--end-date", "2026-08-31"]
    assert run_cli(capsys, NOW, *argv)[0] == 0
    assert "data/history/top-pypi-packages-history.json" in work.git.show("--name-only", "2026.09")
    index = Path(repo) / HISTORY / "top-pypi-packages-history.json"
    assert json.loads(index.read_text())["months"]["2026.09"]["source"] == "2026.09"
    assert run_cli(capsys, NOW, *argv, "--limit", "20", "--correction")[0] == 0
    assert json.loads(index.read_text())["months"]["2026.09"]["source"] == "2026.09.1"
    corrected = json.loads(work.git.show("2026.09.1:data/top-pypi-packages.json"))
    rows = [(r["project"], r["download_count"]) for r in corrected["rows"]]
    assert tag_rows(year_rows(work), "2026.09") == rows
    assert len(rows) == 20
    assert run_cli(capsys, NOW, "validate", str(Path(repo) / "data"))[0] == 0


def test_a_broken_history_stops_the_run_and_a_half_written_one_is_rewritten(
    months_of_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = new_repo(tmp_path, months_of_events)
    repo = str(work.working_tree_dir)
    argv = ["history", "--repo", repo, "--no-push", "--to", "2026.07"]
    assert run_cli(capsys, NOW, *argv)[0] == 0
    year = Path(repo) / HISTORY / "top-pypi-packages-history-2026.parquet"
    whole = year.read_bytes()
    year.write_bytes(whole[: len(whole) // 2])  # a stopped run's half-written file
    assert run_cli(capsys, NOW, *argv[:-1], "2026.08")[0] == 0
    assert sorted(set(year_rows(work).column("tag").to_pylist())) == ["2026.07", "2026.08"]
    index = Path(repo) / HISTORY / "top-pypi-packages-history.json"
    index.write_text("{}\n")
    work.git.commit("--quiet", "-am", "A broken history, committed")
    for command in (argv, ["publish", "--repo", repo, "--no-push", "--end-date", "2026-09-30"]):
        code, _, err = run_cli(capsys, NOW, *command)
        assert code != 0
        assert_one_error_line(err, "data/history/top-pypi-packages-history.json")


def unreadable(events: Path) -> None:
    """Every event file no Parquet file any more, under the same name and size: a run that
    opens one fails."""
    for path in events.glob("*.parquet"):
        body = path.read_bytes()
        path.write_bytes(body[:-4] + b"XXXX")


def test_a_re_run_with_nothing_missing_reads_no_event_and_still_refuses_a_broken_history(
    months_of_events: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: the re-run read every event file's metadata for the first month, and failed."""
    events = tmp_path / "events"
    shutil.copytree(months_of_events, events)
    work, remote = new_repo(tmp_path, events)
    repo = str(work.working_tree_dir)
    assert run_cli(capsys, NOW, "history", "--repo", repo)[0] == 0
    head = work.head.commit
    unreadable(events)
    code, out, err = run_cli(capsys, NOW, "history", "--repo", repo)
    assert code == 0, err
    assert "counted: 0, copied: 0, kept by a stopped run: 0, held already: 4; nothing new" in out
    assert work.head.commit == head
    assert remote.commit("main") == head
    year = Path(repo) / HISTORY / "top-pypi-packages-history-2026.parquet"
    year.write_bytes(year.read_bytes()[:-100])  # the index still lists every month
    work.git.commit("--quiet", "-am", "A broken year file, committed")
    code, _, err = run_cli(capsys, NOW, "history", "--repo", repo, "--no-push")
    assert code != 0
    assert_one_error_line(err, "data/history/top-pypi-packages-history-2026.parquet")
    work.git.reset("--quiet", "--hard", "HEAD~1")
    (events / "2026-01-01.parquet").write_bytes(b"PAR1")  # a day more: the events are read
    code, _, err = run_cli(capsys, NOW, "history", "--repo", repo, "--no-push")
    assert code != 0
    assert_one_error_line(err, "2026-01-01.parquet")
