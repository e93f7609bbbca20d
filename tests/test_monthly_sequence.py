"""The monthly workflow's sequence, run here with the same commands it runs (publish, release,
site, each with `--summary`), against the local ClickHouse and Zenodo: the dry run, the month,
and the second scheduled run of the month, which finds everything done."""

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import git
import pytest

from publisher.release.zenodo.record import RELEASES_FILE, parse_record
from tests.expect import run_cli
from tests.fakes.clickhouse import ClickHouseStandIn
from tests.fakes.zenodo import DEFAULT_TOKEN, ZenodoStandIn
from tests.repos import publishing_repo

# The scheduled runs: early on the 1st, and again on the 2nd.
FIRST_RUN = datetime(2026, 11, 1, 5, 17, tzinfo=UTC)
SECOND_RUN = datetime(2026, 11, 2, 5, 17, tzinfo=UTC)
CITATION = (
    'cff-version: 1.2.0\nmessage: "Cite it."\ntype: dataset\ntitle: "t"\nauthors:\n  - name: "x"\n'
)


@pytest.fixture
def servers(events_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """ClickHouse and Zenodo on 127.0.0.1, reached as the workflow reaches the real ones:
    through the environment (its secrets and inputs)."""
    with (
        ClickHouseStandIn(events_dir, user="monthly", password="secret") as clickhouse,
        ZenodoStandIn(tmp_path / "zenodo") as zenodo,
    ):
        for name, value in {
            "TOP_PYPI_CLICKHOUSE_URL": clickhouse.url,
            "TOP_PYPI_CLICKHOUSE_USER": "monthly",
            "TOP_PYPI_CLICKHOUSE_PASSWORD": "secret",
            "TOP_PYPI_ZENODO_URL": zenodo.url,
            "ZENODO_API_TOKEN": DEFAULT_TOKEN,
            "TOP_PYPI_END_DATE": "",  # the workflow's empty inputs: unset
            "TOP_PYPI_ENGINE": "",
        }.items():
            monkeypatch.setenv(name, value)
        yield


@pytest.fixture
def repository(tmp_path: Path) -> git.Repo:
    """A publishing repository as this one is: ClickHouse, a dataset citation file."""
    work, _ = publishing_repo(tmp_path, 'engine = "clickhouse"\nlimit = 100\ndays = 4\n')
    (tmp_path / "work" / "CITATION.cff").write_text(CITATION)
    work.git.add("CITATION.cff")
    work.git.commit("-m", "Citation")
    return work


def monthly(
    capsys: pytest.CaptureFixture[str], now: datetime, repo: git.Repo, out: Path, dry_run: bool
) -> tuple[list[int], str]:
    """The workflow's jobs in order, each command with `--summary`; (exit codes, summary)."""
    summary = out.parent / f"summary-{now:%d}-{dry_run}.md"
    dry = ["--dry-run"] if dry_run else []
    root = ["--repo", str(repo.working_tree_dir), "--summary", str(summary)]
    codes = [
        run_cli(capsys, now, "publish", *root, *dry)[0],
        run_cli(capsys, now, "release", *root, *dry)[0],
    ]
    if not dry_run:
        codes.append(run_cli(capsys, now, "site", *root, "--out", str(out))[0])
    return codes, summary.read_text()


def test_the_month_end_to_end_then_the_second_run_finds_it_done(
    servers: None, repository: git.Repo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    codes, summary = monthly(capsys, FIRST_RUN, repository, site, dry_run=True)
    assert codes == [0, 0]
    assert "## top-pypi publish --dry-run" in summary
    assert "would publish 2026.11" in summary
    assert not repository.tags
    codes, summary = monthly(capsys, FIRST_RUN, repository, site, dry_run=False)
    assert codes == [0, 0, 0]
    record = parse_record((repository.head.commit.tree / RELEASES_FILE).data_stream.read().decode())
    doi = record.releases["2026.11"].doi
    assert "- tag: 2026.11, pushed to origin/main" in summary
    assert "- period: 2026-10-28 to 2026-10-31 (4 days)" in summary
    assert f"DOI [{doi}]" in summary
    assert doi in (site / "index.html").read_text()
    shutil.rmtree(site)
    codes, summary = monthly(capsys, SECOND_RUN, repository, site, dry_run=False)
    assert codes == [0, 0, 0]
    assert "2026.11 is already published; nothing to do." in summary
    assert "Nothing to release: every tag has a DOI." in summary
    assert (site / "index.html").is_file()
    assert "secret" not in summary
