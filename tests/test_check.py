"""`top-pypi validate DIR` on a published folder, then on the same folder damaged each way."""

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from publisher.dataset.validate import json_schema
from tests.expect import assert_one_error_line, run_cli


@pytest.fixture(scope="module")
def published(events_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from publisher.cli import main
    from tests.conftest import NOW

    out = tmp_path_factory.mktemp("published") / "data"
    assert (
        main(["collect", "--events", str(events_dir), "--out", str(out), "--limit", "50"], NOW) == 0
    )
    return out


@pytest.fixture
def folder(published: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(published, tmp_path / "data"))


def edit_json(path: Path, change: Callable[[dict[str, Any]], object]) -> None:
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
    "deeply nested": (
        lambda d: replace_value(d / "top-pypi-packages.json", "cached", "[" * 10**5 + "]" * 10**5),
        "top-pypi-packages.json nests arrays or objects too deeply to read.",
    ),
    "5,001-digit count": (
        lambda d: replace_value(d / "top-pypi-packages.json", "download_count", "9" * 5001),
        "top-pypi-packages.json holds a number of more than 4,300 digits.",
    ),
}


def replace_value(path: Path, key: str, value: str) -> None:
    """The first value of `key` replaced by the JSON text `value`, nothing else changed."""
    text = re.sub(rf'"{key}": [^,\n]+', lambda _: f'"{key}": {value}', path.read_text(), count=1)
    path.write_text(text)


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


@pytest.mark.parametrize("depth", range(900, 1004, 8))
def test_json_nested_near_pythons_limit_is_one_line(
    folder: Path, depth: int, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deep enough that reading or comparing it may exceed Python's recursion limit."""
    nested = '{"a":' * depth + "1" + "}" * depth
    for name in ("top-pypi-packages.json", "top-pypi-packages.min.json"):
        path = folder / name
        path.write_text(path.read_text().replace('"engine":', f'"plan":{nested},"engine":', 1))
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 1
    assert_one_error_line(err, "Restore the files from the month's git tag")


def rehash(folder: Path) -> None:
    """What someone who edited a file does next: make datapackage.json agree with it."""
    path = folder / "datapackage.json"
    package = json.loads(path.read_text())
    for resource in package["resources"]:
        body = (folder / resource["path"]).read_bytes()
        digest = hashlib.sha256(body).hexdigest()
        resource["bytes"], resource["hash"] = len(body), f"sha256:{digest}"
    path.write_text(json.dumps(package, indent=2, sort_keys=True) + "\n")


def crlf(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


def spaced(path: Path) -> None:
    path.write_text(json.dumps(json.loads(path.read_text()), indent=2, sort_keys=True) + "\n")


def other_dialect(folder: Path) -> None:
    def crlf_dialect(package: dict[str, Any]) -> None:
        csv = next(r for r in package["resources"] if r["path"] == "top-pypi-packages.csv")
        csv["dialect"]["lineTerminator"] = "\r\n"

    edit_json(folder / "datapackage.json", crlf_dialect)


def loosened_schema(folder: Path) -> None:
    schema = folder / "top-pypi-packages.schema.json"
    schema.write_text(schema.read_text().replace("^[a-z0-9]+(-[a-z0-9]+)*$", ".*"))


def unknown_schema_version(folder: Path) -> None:
    for name in ("top-pypi-packages.json", "top-pypi-packages.min.json"):
        edit_json(folder / name, lambda o: o.update(schema_version=5))


REHASHED: dict[str, tuple[Callable[[Path], object], str]] = {
    "crlf csv": (
        lambda d: crlf(d / "top-pypi-packages.csv"),
        "top-pypi-packages.csv ends lines with \\r\\n; its dialect in datapackage.json says \\n.",
    ),
    "csv without its last line end": (
        lambda d: (d / "top-pypi-packages.csv").write_text(
            (d / "top-pypi-packages.csv").read_text().rstrip("\n")
        ),
        "top-pypi-packages.csv holds the data but not its published layout",
    ),
    "json spaced otherwise": (
        lambda d: spaced(d / "top-pypi-packages.json"),
        "top-pypi-packages.json holds the data but not its published layout",
    ),
    "another dialect": (other_dialect, 'the dialect {"delimiter": ",", "header": true, '),
    "schema loosened": (
        loosened_schema,
        "top-pypi-packages.schema.json is not the schema of schema_version 4 that top-pypi ships.",
    ),
    "unknown schema_version": (
        unknown_schema_version,
        "schema_version 5 is not one this top-pypi knows (1, 2, 3, 4).",
    ),
}


@pytest.mark.parametrize("damage", sorted(REHASHED))
def test_damage_is_caught_even_when_the_package_is_rehashed(
    folder: Path, damage: str, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    change, message = REHASHED[damage]
    change(folder)
    rehash(folder)
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 1
    assert_one_error_line(err, message)


V1_RELEASE = Path(__file__).parent / "golden" / "v1-release"
# A month as top-pypi published it before schema_version 4: datapackage.json without types.
V3_RELEASE = Path(__file__).parent / "golden" / "v3-release"


def test_a_release_of_schema_version_3_stays_valid(
    now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, now, "validate", str(V3_RELEASE))
    assert code == 0
    assert "valid, 8 rows, 2026-10-02 to 2026-10-31" in out


def untyped(folder: Path, name: str) -> None:
    """The package of a month of schema_version 4 with one resource's type taken out, as a
    standard reader would then guess it from the file name."""
    path = folder / "datapackage.json"
    package = json.loads(path.read_text())
    for resource in package["resources"]:
        if resource["path"] == name:
            del resource["type"]
    path.write_text(json.dumps(package, indent=2, sort_keys=True) + "\n")


@pytest.mark.parametrize(
    ("name", "kind"),
    [("top-pypi-packages.schema.json", "json"), ("top-pypi-packages-extended.parquet", "file")],
)
def test_a_resource_without_its_type_is_refused(
    folder: Path, name: str, kind: str, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    untyped(folder, name)
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 1
    assert_one_error_line(
        err, f'datapackage.json gives {name} the type null; the format\'s is "{kind}".'
    )


def test_a_release_of_schema_version_1_stays_valid(
    now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """Files written by top-pypi before schema_version 2, as an older tag holds them."""
    code, out, _ = run_cli(capsys, now, "validate", str(V1_RELEASE))
    assert code == 0
    assert "valid, 8 rows, 2026-10-27 to 2026-10-31" in out


def test_a_schema_file_is_compared_parsed(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before schema_version 3 the package did not hash the schema file: spacing is no fault.
    (From version 3 on every file is hashed: test_a_respaced_schema_file_breaks_its_hash.)"""
    folder = Path(shutil.copytree(V1_RELEASE, tmp_path / "v1"))
    spaced(folder / "top-pypi-packages.schema.json")
    assert run_cli(capsys, now, "validate", str(folder))[0] == 0


def test_a_respaced_schema_file_breaks_its_hash(
    folder: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    spaced(folder / "top-pypi-packages.schema.json")
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 1
    assert_one_error_line(
        err, "top-pypi-packages.schema.json does not match its size and hash in datapackage.json"
    )


@pytest.mark.parametrize(
    ("schema", "message"),
    [
        ("v2", "is not the schema of schema_version 1 that top-pypi ships."),
        ("const true", "is not the schema of schema_version 1 that top-pypi ships."),
    ],
)
def test_a_replaced_schema_file_of_a_version_1_release(
    tmp_path: Path, schema: str, message: str, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = Path(shutil.copytree(V1_RELEASE, tmp_path / "v1"))
    path = folder / "top-pypi-packages.schema.json"
    if schema == "v2":
        path.write_text(json.dumps(json_schema(2), indent=2) + "\n")
    else:  # 1 == True in Python: compared as parsed values, the two would pass for equal
        edit_json(path, lambda o: o["properties"]["schema_version"].update(const=True))
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 1
    assert_one_error_line(err, message)


def test_a_consistent_edit_still_breaks_the_hashes(
    folder: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("top-pypi-packages.json", "top-pypi-packages.min.json"):
        path = folder / name
        path.write_text(path.read_text().replace("2026-11-01 06:30:00", "2026-11-01 06:30:01"))
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert_one_error_line(err, "does not match its size and hash in datapackage.json")
    assert code == 1


def release_record(doi: str, url: str) -> str:
    entry = {"doi": doi, "recid": 12, "url": url, "published": "2026-11-01", "files": {}}
    return json.dumps(
        {
            "schema_version": 1,
            "zenodo": {"url": "https://zenodo.org", "concept_recid": 11, "concept_doi": None},
            "releases": {"2026.11": entry},
        }
    ).replace('"concept_doi": null', '"concept_doi": "10.5281/zenodo.11"')


def test_the_release_record_beside_the_data_is_checked(
    folder: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    record = folder / "releases.json"
    record.write_text(release_record("10.5281/zenodo.12", "https://zenodo.org/records/12"))
    code, out, _ = run_cli(capsys, now, "validate", str(folder))
    assert code == 0
    assert "releases.json: 1 DOI(s), each the one https://zenodo.org gives its record" in out
    record.write_text(release_record("10.5072/zenodo.12", "https://zenodo.org/records/12"))
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 2
    assert_one_error_line(
        err, "data/releases.json gives 2026.11 the DOI '10.5072/zenodo.12', but record 12"
    )
    record.write_text(release_record("10.5281/zenodo.12", "https://zenodo.org/records/13"))
    code, _, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 2
    assert_one_error_line(err, "the url 'https://zenodo.org/records/13', but record 12")


def test_a_stray_file_is_named_as_a_warning(
    folder: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    (folder / "notes.txt").write_text("not a month's file\n")
    (folder / "README.md").write_text("# data\n")
    (folder / "releases.json").write_text(
        release_record("10.5281/zenodo.12", "https://zenodo.org/records/12")
    )
    code, out, err = run_cli(capsys, now, "validate", str(folder))
    assert code == 0
    assert "valid, 50 rows" in out
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"warning: {folder / 'notes.txt'} is not one of the month's files")
    assert "`top-pypi release` skips it" in lines[0]
