"""The command line as people use it: options, help, bad input, output."""

import json
import re
from datetime import datetime
from pathlib import Path

import pytest
from expect import assert_one_error_line, run_cli

from publisher import __version__
from publisher.cli.parser import build_parser

COMMANDS = ["sample", "collect", "publish", "validate", "demo", "site"]


def test_version(now: datetime, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, now, "--version")
    assert (code, out.strip()) == (0, f"top-pypi {__version__}")


@pytest.mark.parametrize("command", COMMANDS)
def test_help_on_every_command(
    command: str, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run_cli(capsys, now, command, "--help")
    assert code == 0
    assert f"usage: top-pypi {command}" in out


def test_every_option_is_in_the_readme() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    parser = build_parser()
    subparsers = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    options = {
        option
        for sub in subparsers.values()
        for action in sub._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    missing = sorted(option for option in options if option not in readme)
    assert missing == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "--days 0 is out of range. Give a whole number of days from 1 to 366."),
        (["--days", "400"], "--days 400 is out of range."),
        (["--end-date", "2026-11-01"], "--end-date 2026-11-01 is not a complete UTC day yet."),
        (["--end-date", "2027-03-01"], "Give 2026-10-31 or earlier."),
        (["--end-date", "2026-13-01"], "--end-date '2026-13-01' is not a date."),
        (["--limit", "0"], "--limit 0 is not a positive number of rows."),
        (["--limit", "-5"], "--limit -5 is not a positive number of rows."),
        (["--limit", "many"], "argument --limit: invalid int value: 'many'"),
        (["--engine", "sqlite"], "--engine 'sqlite' is not an engine. Use one of: duckdb,"),
        (["--events", "{missing}"], "does not exist."),
        (["--events", "{empty}"], "holds no .parquet files."),
        (["--events", "{text}"], "is not a readable Parquet file"),
        (["--over-budget", "pray"], "--over-budget 'pray' is not a policy."),
        (["--budget", "-5GiB"], "--budget '-5GiB' is negative."),
        (["--budget", "lots"], "--budget 'lots' is not a size."),
        (["--frobnicate"], "unrecognized arguments: --frobnicate"),
        (["--out", "{text}"], "is a file, not a folder."),
        (["--out", "{text}/sub"], "is not a writable folder"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    args: list[str],
    message: str,
    events_dir: Path,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "text.parquet").write_text("hello")
    places = {"missing": tmp_path / "nope", "empty": tmp_path / "empty"}
    places["text"] = tmp_path / "text.parquet"
    args = [re.sub(r"\{(\w+)\}", lambda m: str(places[m.group(1)]), a) for a in args]
    out = tmp_path / "out"
    argv = ["collect", "--events", str(events_dir), "--out", str(out), *args]
    code, _, err = run_cli(capsys, now, *argv)
    assert code != 0
    assert_one_error_line(err, message)
    assert not out.exists()


def test_malformed_settings_file(
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "top-pypi.toml").write_text("limit = [\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, now, "collect", "--out", "out", "--events", "x")
    assert code == 2
    assert err.startswith("error: top-pypi.toml is not valid TOML")
    assert not (tmp_path / "out").exists()


def test_print_sql(now: datetime, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, now, "collect", "--print-sql", "--end-date", "2026-10-31")
    assert code == 0
    assert 'timestamp >= TIMESTAMP("2026-10-02 00:00:00")' in out
    assert "LIMIT 15000" in out


def test_dry_run_writes_nothing(
    events_dir: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    argv = ["collect", "--events", str(events_dir), "--dry-run", "--out", str(out)]
    code, printed, _ = run_cli(capsys, now, *argv)
    assert code == 0
    assert "2026-10-02 to 2026-10-31 (30 days)" in printed
    assert "bytes of Parquet to read" in printed
    assert 'timestamp < TIMESTAMP("2026-11-01 00:00:00")' in printed  # the query it would run
    assert not out.exists()


def test_collect_writes_a_valid_dataset(
    events_dir: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, printed, _ = run_cli(
        capsys, now, *["collect", "--events", str(events_dir), "--out", str(out)]
    )
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "datapackage.json",
        "top-pypi-packages.csv",
        "top-pypi-packages.json",
        "top-pypi-packages.min.json",
        "top-pypi-packages.schema.json",
    ]
    dataset = json.loads((out / "top-pypi-packages.json").read_text())
    assert dataset["last_update"] == "2026-11-01 06:30:00"
    assert dataset["period"] == {"start": "2026-10-02", "end": "2026-10-31", "days": 30}
    assert "2026-10-02 to 2026-10-31" in printed
    code, printed, _ = run_cli(capsys, now, "validate", str(out))
    assert (code, "valid") == (0, printed.split()[1].rstrip(","))


def test_validate_catches_a_damaged_file(
    events_dir: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    run_cli(
        capsys, now, *["collect", "--events", str(events_dir), "--out", str(out), "--limit", "20"]
    )
    csv = out / "top-pypi-packages.csv"
    csv.write_text(csv.read_text() + '1,"extra"\n')
    code, _, err = run_cli(capsys, now, "validate", str(out))
    assert code == 1
    assert "The CSV has 21 rows but the JSON has 20" in err


@pytest.mark.parametrize("command", ["sample", "demo"])
def test_a_file_where_a_folder_goes(
    command: str, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "a-file"
    path.write_text("mine\n")
    code, _, err = run_cli(capsys, now, command, str(path))
    assert code == 2
    assert_one_error_line(err, f"{path} is a file, not a folder.")
    assert path.read_text() == "mine\n"


def test_sample_help_shows_the_generators_defaults(
    now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    from dataclasses import fields

    from publisher.sample.generator import SampleSpec

    _, out, _ = run_cli(capsys, now, "sample", "--help")
    defaults = {f.name: f.default for f in fields(SampleSpec) if f.name != "end"}
    for name, value in defaults.items():
        assert re.search(rf"--{name} \w+\s+[^\n]*\({value}\)", out), name
