"""The standard validator on a published month: `frictionless validate datapackage.json`, the
version pinned in the test extras, run as a user would run it on the files `top-pypi publish`
committed (a previous month first, so that `previous_rank` holds numbers and nulls)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import git
import pyarrow.parquet as pq
import pytest

from publisher.cli import main
from publisher.dataset.build import DATA_FILES, DATAPACKAGE_FILE, EXTENDED_PARQUET_FILE
from tests.repos import opened, publishing_repo


@pytest.fixture(scope="module")
def published(events_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder of 2026.11 as published after 2026.10 (its last four days)."""
    from tests.conftest import NOW

    folder = tmp_path_factory.mktemp("frictionless")
    shutil.copytree(events_dir, folder / "events")
    work, _ = publishing_repo(folder, 'events = "../events"\nlimit = 500\n')
    repo = str(work.working_tree_dir)
    assert main(["publish", "--repo", repo, "--end-date", "2026-09-30", "--days", "4"], NOW) == 0
    assert main(["publish", "--repo", repo], NOW) == 0
    assert opened(git.Repo(repo)).git.describe("--tags") == "2026.11"
    return Path(repo) / "data"


def frictionless(package: Path) -> dict[str, Any]:
    """Frictionless's report on the package, as `frictionless validate --json` gives it."""
    done = subprocess.run(
        [sys.executable, "-m", "frictionless", "validate", "--json", str(package)],
        capture_output=True,
        text=True,
        check=False,
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def problems(report: dict[str, Any]) -> list[str]:
    return [
        f"{task['name']}: {error['message']}"
        for task in report["tasks"]
        for error in task["errors"]
    ] + [error["message"] for error in report["errors"]]


def test_a_published_month_passes_frictionless(published: Path) -> None:
    previous_rank = pq.read_table(published / EXTENDED_PARQUET_FILE).column("previous_rank")
    assert 0 < previous_rank.null_count < len(previous_rank)  # numbers and nulls alike
    report = frictionless(published / DATAPACKAGE_FILE)
    assert problems(report) == []
    assert report["valid"]
    checked = [Path(task["place"]).name for task in report["tasks"]]
    assert checked == [name for name in DATA_FILES if name != DATAPACKAGE_FILE]


def test_frictionless_checks_the_bytes_of_every_file(published: Path, tmp_path: Path) -> None:
    """Not only read: a file changed after publishing fails, the Parquet file as well."""
    folder = Path(shutil.copytree(published, tmp_path / "data"))
    for name in ("top-pypi-packages.schema.json", EXTENDED_PARQUET_FILE):
        body = (folder / name).read_bytes()
        (folder / name).write_bytes(body[:-1] + bytes([body[-1] ^ 1]))
    report = frictionless(folder / DATAPACKAGE_FILE)
    failed = [Path(task["place"]).name for task in report["tasks"] if not task["valid"]]
    assert failed == ["top-pypi-packages.schema.json", EXTENDED_PARQUET_FILE]
