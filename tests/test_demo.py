"""`top-pypi demo`, what `make run` does: the last two whole months of a generated sample,
published in turn into a scratch repository, the year before them counted into the history, and
nothing counted again on a re-run."""

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import git
import pytest

from publisher.base.settings import END_DATE_VARIABLE, ENVIRONMENT
from publisher.cli import main
from publisher.cli.demo import LEAD_DAYS, demo_month_ends, demo_spec
from tests.conftest import isolate_git
from tests.expect import run_cli
from tests.fakes.zenodo import DEFAULT_TOKEN, ZenodoStandIn
from tests.repos import opened
from tests.site_pages import grid

# Mid-month: still the two months before. The demo's first run, its sample and its year of
# history, costs the most of this module: it runs once, and each test starts from its result.
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FirstRun:
    scratch: Path
    code: int
    out: str
    err: str


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstRun]:
    """`demo` in a new folder, as each test's own would run it (its git and settings isolated);
    the tests that go on from it without changing it (the re-run) use it, the others a copy."""
    folder = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as patch:
        isolate_git(patch, folder)
        for name in [*ENVIRONMENT, END_DATE_VARIABLE]:
            patch.delenv(name, raising=False)
        patch.setenv("COLUMNS", "200")
        out, err = StringIO(), StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(["demo", str(folder / "scratch")], NOW)
        yield FirstRun(folder / "scratch", code, out.getvalue(), err.getvalue())


# What a run never changes in place: the sample's day files (written once, kept while every day
# is there) and the site (built into a new folder swapped in for the old one). A copy links them.
LINKED = ("events", "site")


def copy_of(run: FirstRun, folder: Path) -> Path:
    """The first run's scratch folder at `folder`, its repository pushing to its own remote;
    the events and the site hard-linked, not copied (130 MB and thousands of pages)."""

    def linked_later(where: str, names: list[str]) -> list[str]:
        return [name for name in names if name in LINKED and Path(where) == run.scratch]

    shutil.copytree(run.scratch, folder, symlinks=True, ignore=linked_later)
    for name in LINKED:
        shutil.copytree(run.scratch / name, folder / name, symlinks=True, copy_function=os.link)
    work = opened(git.Repo(folder / "publishing"))
    work.remote("origin").set_url(str((folder / "remote.git").resolve()))
    return folder


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
    first_run: FirstRun, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    now = NOW
    scratch = first_run.scratch
    code, out, err = first_run.code, first_run.out, first_run.err
    assert code == 0, err
    remote = opened(git.Repo(scratch / "remote.git"))
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
    first_run: FirstRun,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a scratch folder the demo has published into (a re-run: the same two months)."""
    now = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert demo_spec(now) == demo_spec(NOW)  # the first run's sample is this run's
    scratch = copy_of(first_run, tmp_path / "scratch")
    with ZenodoStandIn(tmp_path / "zenodo") as zenodo:
        monkeypatch.setenv("ZENODO_API_TOKEN", DEFAULT_TOKEN)
        code, out, err = run_cli(capsys, now, "demo", str(scratch), "--zenodo-url", zenodo.url)
        assert code == 0, err
        assert [d["metadata"]["version"] for d in zenodo.published()] == ["2026.10", "2026.11"]
    remote = opened(git.Repo(scratch / "remote.git"))
    record = json.loads(bytes((remote.head.commit.tree / "data/releases.json").data_stream.read()))
    assert sorted(record["releases"]) == ["2026.10", "2026.11"]
    assert "local stand-in of Zenodo" in " ".join(out.split())


def test_demo_gives_its_commands_options_not_words_to_parse_again(
    first_run: FirstRun,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A scratch folder whose name starts with a dash: the words `publish --repo -scratch/...`
    would be an option without its value; the options are a folder. The first run's folder,
    as a re-run changes nothing in it."""
    (tmp_path / "-scratch").symlink_to(first_run.scratch)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = run_cli(capsys, NOW, "demo", "./-scratch")
    assert code == 0, err
    assert out.splitlines()[:3] == [
        "2026.10 is already published; nothing to do.",
        "2026.11 is already published; nothing to do.",
        "counted: 0, copied: 0, kept by a stopped run: 0, held already: 13; nothing new to commit",
    ]
    assert "Publishing repository: -scratch/publishing" in out
    assert "as it was: nothing it is made of changed" in " ".join(out.split())


def test_the_demo_site_shows_the_history_months(first_run: FirstRun) -> None:
    """The year `history` counted is on the site: on project pages, in the archive, without
    month folders of its own."""
    site = first_run.scratch / "site"
    assert first_run.code == 0, first_run.err
    counted = [f"{year}.{month:02d}" for year, month in [(2025, 10), (2025, 11), (2025, 12)]]
    counted += [f"2026.{month:02d}" for month in range(1, 10)]
    archive = (site / "archive.html").read_text(encoding="utf-8").split('<h2 id="history">')[1]
    assert [m for m in counted if f'<th scope="row">{m}</th>' in archive] == counted
    assert not any((site / tag).exists() for tag in counted)
    latest = json.loads((site / "top-pypi-packages.json").read_text())["rows"][0]["project"]
    page = (site / "project" / f"{latest}.html").read_text(encoding="utf-8")
    # Each month a cell of the grid of years by months (empty if the project has no rank
    # then), marked a history month; or a row of the detailed table, marked likewise.
    cells = grid(page)
    detailed = page.split('<table class="history">', 1)[1].split("</table>", 1)[0]
    shown = {t for t in counted if cells.get(t, ("", False))[1] or f"history><th>{t}<" in detailed}
    assert shown == set(counted)
    assert any(text for text, _ in cells.values())
