"""`top-pypi validate DIR` on a published folder, then on the same folder damaged each way."""

import json
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from expect import assert_one_error_line, run_cli


@pytest.fixture(scope="module")
def published(events_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from conftest import NOW

    from publisher.cli import main

    out = tmp_path_factory.mktemp("published") / "data"
    assert (
        main(["collect", "--events", str(events_dir), "--out", str(out), "--limit", "50"], NOW) == 0
    )
    return out


@pytest.fixture
def folder(published: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(published, tmp_path / "data"))


def edit_json(path: Path, change: Callable[[dict[str, object]], object]) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data, indent=0, sort_keys=True) + "\n")


def test_a_published_folder_is_valid(
    folder: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, now, "validate", str(folder))
    assert code == 0
    assert "valid, 50 rows, 2026-10-02 to 2026-10-31" in out


DAMAGE: dict[str, tuple[Callable[[Path], object], str]] = {
    "missing schema": (
        lambda d: (d / "top-pypi-packages.schema.json").unlink(),
        "top-pypi-packages.schema.json is missing",
    ),
    "missing package": (lambda d: (d / "datapackage.json").unlink(), "datapackage.json is missing"),
    "package not an object": (
        lambda d: (d / "datapackage.json").write_text("[1, 2]\n"),
        "datapackage.json has no list of resources",
    ),
    "empty json": (lambda d: (d / "top-pypi-packages.json").write_text(""), "is not JSON"),
    "csv edited": (
        lambda d: (d / "top-pypi-packages.csv").write_text(
            (d / "top-pypi-packages.csv").read_text() + '1,"extra"\n'
        ),
        "The CSV has 51 rows but the JSON has 50",
    ),
    "min differs": (
        lambda d: edit_json(d / "top-pypi-packages.min.json", lambda o: o.update(total_rows=3)),
        "top-pypi-packages.min.json does not hold the same data",
    ),
    "more rows than projects": (
        lambda d: edit_json(d / "top-pypi-packages.json", lambda o: o.update(projects_counted=10)),
        "50 rows but only 10 projects counted",
    ),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_is_named_in_one_line(
    folder: Path, damage: str, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    change, message = DAMAGE[damage]
    change(folder)
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 1
    assert_one_error_line(err, message)
    assert "Restore the files from the month's git tag" in err


def test_a_consistent_edit_still_breaks_the_hashes(
    folder: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("top-pypi-packages.json", "top-pypi-packages.min.json"):
        path = folder / name
        path.write_text(path.read_text().replace("2026-11-01 06:30:00", "2026-11-01 06:30:01"))
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert_one_error_line(err, "does not match its size and hash in datapackage.json")
    assert code == 1


V1_RELEASE = Path(__file__).parent / "golden" / "v1-release"


def test_a_release_of_schema_version_1_stays_valid(
    now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files written by top-pypi before schema_version 2, as an older tag holds them."""
    code, out, _ = run_cli(capsys, now, "validate", str(V1_RELEASE))
    assert code == 0
    assert "valid, 8 rows, 2026-10-27 to 2026-10-31" in out
