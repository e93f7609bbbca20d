"""The command line as people use it: options, help, bad input, output."""

import argparse
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from publisher import __version__
from publisher.cli.parser import build_parser
from tests.documentation import docs_text
from tests.expect import assert_one_error_line, run_cli

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


def test_every_option_is_in_the_docs() -> None:
    docs = docs_text()
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    subparsers = commands.choices
    options = {
        option
        for sub in subparsers.values()
        for action in sub._actions
        for option in action.option_strings
        if option.startswith("--") and option != "--help"
    }
    missing = sorted(option for option in options if option not in docs)
    assert missing == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "--days 0 is out of range. Give a whole number of days from 1 to 366."),
        (["--days", "400"], "--days 400 is out of range."),
        (["--end-date", "2026-11-01"], "--end-date 2026-11-01 is not a complete UTC day yet."),
        (["--end-date", "2027-03-01"], "Give 2026-10-31 or earlier."),
        (["--end-date", "2026-13-01"], "--end-date '2026-13-01' is not a date."),
        (["--end-date", ""], "--end-date '' is not a date."),
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
        # Extreme values: bounds checked before anything is counted.
        (
            ["--limit", "99999999999999999999999"],
            "--limit 99999999999999999999999 is more than 100,000 rows. Give a whole number",
        ),
        (["--limit", "100001"], "--limit 100001 is more than 100,000 rows."),
        (["--end-date", "0001-01-05"], "--end-date 0001-01-05 is before 2016-01-01, the first"),
        (["--end-date", "2015-12-31"], "Give 2016-01-01 or later."),
        (["--budget", "1e1000000"], "--budget '1e1000000' is more than 1 PiB."),
        (["--budget", "1e999999"], "--budget '1e999999' is more than 1 PiB."),
        (["--budget", "1e99999999999999999999999"], "is more than 1 PiB."),
        (["--budget", "1.0000001PiB"], "--budget '1.0000001PiB' is more than 1 PiB."),
        (["--timeout", "0"], "--timeout 0 is out of range. Give a whole number of seconds from"),
        (["--timeout", "3601"], "--timeout 3601 is out of range."),
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
    # Every project (the long tail): the top --limit rows are taken from it after the query;
    # only the per-day figures are limited, to the top 1,000.
    assert out.count("LIMIT") == 1
    assert "LIMIT 1000\n" in out
    assert "GROUP BY project, day" in out


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
        "top-pypi-packages-30-days.csv",
        "top-pypi-packages-30-days.json",
        "top-pypi-packages-30-days.min.json",
        "top-pypi-packages-extended.csv",
        "top-pypi-packages-extended.json",
        "top-pypi-packages-extended.parquet",
        "top-pypi-packages-extended.schema.json",
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


def test_a_window_without_events_is_never_a_dataset(
    events_dir: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """--allow-incomplete counts missing days, but zero rows is an error, before writing."""
    out = tmp_path / "out"
    argv = ["collect", "--events", str(events_dir), "--out", str(out), "--allow-incomplete"]
    code, _, err = run_cli(capsys, now, *argv, "--end-date", "2026-09-15", "--days", "5")
    assert code == 1
    assert_one_error_line(err, "No downloads were counted from 2026-09-11 to 2026-09-15")
    assert not out.exists()


def test_sample_refuses_an_empty_end_date(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, now, "sample", str(tmp_path / "out"), "--end-date", "")
    assert code == 2
    assert_one_error_line(err, "--end-date '' is not a date.")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("command", "default"),
    [("collect", "(default: yesterday)"), ("publish", "(default: the previous month's last day)")],
)
def test_help_shows_the_default_end_date(
    command: str, default: str, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run_cli(capsys, now, command, "--help")
    assert default in " ".join(out.split())


@pytest.mark.parametrize(
    ("variables", "args", "period"),
    [
        ({"TOP_PYPI_END_DATE": "2026-10-15", "TOP_PYPI_DAYS": "3"}, [], "2026-10-13 to 2026-10-15"),
        ({"TOP_PYPI_END_DATE": "2026-10-15"}, ["--end-date", "2026-10-20", "--days", "2"],
         "2026-10-19 to 2026-10-20"),
        ({"TOP_PYPI_END_DATE": "", "TOP_PYPI_DAYS": ""}, [], "2026-10-02 to 2026-10-31"),
    ],
)  # fmt: skip
def test_collect_reads_the_window_from_the_environment(
    variables: dict[str, str],
    args: list[str],
    period: str,
    events_dir: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    argv = ["collect", "--events", str(events_dir), "--dry-run", *args]
    code, printed, err = run_cli(capsys, now, *argv)
    assert code == 0, err
    assert period in printed


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TOP_PYPI_END_DATE", "soon", "TOP_PYPI_END_DATE 'soon' is not a date."),
        ("TOP_PYPI_END_DATE", "2026-11-05", "TOP_PYPI_END_DATE 2026-11-05 is not a complete"),
        ("TOP_PYPI_DAYS", "thirty", "TOP_PYPI_DAYS 'thirty' is not a whole number."),
        ("TOP_PYPI_ENGINE", "sqlite", "TOP_PYPI_ENGINE 'sqlite' is not an engine."),
    ],
)
def test_a_bad_variable_is_one_line_naming_it(
    name: str,
    value: str,
    message: str,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(name, value)
    code, _, err = run_cli(capsys, now, "collect", "--dry-run")
    assert code == 2
    assert_one_error_line(err, message)


def test_the_engine_variable_is_over_the_file(
    events_dir: Path,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "top-pypi.toml").write_text(f'engine = "bigquery"\nevents = "{events_dir}"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOP_PYPI_ENGINE", "duckdb")
    code, printed, err = run_cli(capsys, now, "collect", "--dry-run")
    assert code == 0, err
    assert "duckdb" in printed


@pytest.mark.parametrize("end", ["0001-01-01", "2015-12-31"])
def test_sample_refuses_days_before_pypis_data(
    end: str, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "events"
    code, _, err = run_cli(capsys, now, "sample", str(out), "--end-date", end, "--events", "10")
    assert code == 2
    assert_one_error_line(err, f"--end-date {end} is before 2016-01-01")
    assert not out.exists()


def test_help_states_the_bounds(now: datetime, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run_cli(capsys, now, "collect", "--help")
    flat = " ".join(out.split())
    assert "rows, 1-100,000 (15000)" in flat
    assert "up to 1PiB (1TiB)" in flat
    assert "from 2016-01-01" in flat


def test_sample_refuses_too_many_events_before_writing_anything(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    code, _, err = run_cli(capsys, now, "sample", str(work / "events"), "--events", "10" * 7)
    assert code == 2
    assert_one_error_line(err, "--events 10101010101010 is more than 1,000,000,000 events.")
    assert list(work.iterdir()) == []  # nothing, hidden .partial files included


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        (["collect", "--events", "{loop}", "--out", "{out}"], "--events {loop} is a symlink loop."),
        (
            ["collect", "--events", "{loop}/day.parquet", "--out", "{out}"],
            "--events {loop}/day.parquet goes through a symlink loop.",
        ),
        (["collect", "--out", "{loop}", "--events", "{events}"], "--out {loop} is a symlink loop."),
        (["sample", "{loop}", "--events", "10"], "OUT_DIR {loop} is a symlink loop."),
        (["demo", "{loop}"], "FOLDER {loop} is a symlink loop."),
        (["validate", "{loop}"], "{loop} is a symlink loop."),
        (["publish", "--repo", "{loop}"], "--repo {loop} is a symlink loop."),
        (
            ["collect", "--engine", "bigquery", "--credentials", "{loop}", "--dry-run"],
            "--credentials {loop} is a symlink loop.",
        ),
    ],
)
def test_a_symlink_loop_is_named_as_one(
    argv: list[str],
    named: str,
    events_dir: Path,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to("loop")  # itself
    places = {"loop": str(loop), "out": str(tmp_path / "out"), "events": str(events_dir)}
    code, _, err = run_cli(capsys, now, *[arg.format(**places) for arg in argv])
    assert code == 2
    assert_one_error_line(err, named.format(**places))
    assert "does not exist" not in err
    assert not (tmp_path / "out").exists()


def test_a_settings_file_in_a_symlink_loop_is_not_taken_for_no_file(
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "top-pypi.toml").symlink_to("top-pypi.toml")
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, now, "collect", "--print-sql")
    assert code == 2
    assert_one_error_line(err, f"{tmp_path / 'top-pypi.toml'} is a symlink loop.")


@pytest.mark.parametrize(
    ("settings", "argv", "named"),
    [
        ('events = "nope"\n', [], "top-pypi.toml: events = 'nope' does not exist."),
        (
            'events = "../x"\nengine = "duckdb"\n',
            ["--events", "{tmp}/gone"],
            "--events {tmp}/gone does not exist.",  # the option wins, and is named
        ),
        (
            'engine = "clickhouse"\nclickhouse_url = "ftp://x"\n',
            ["--dry-run"],
            "top-pypi.toml: clickhouse_url = 'ftp://x' is not an http:// or https:// URL",
        ),
        (
            'engine = "clickhouse"\nclickhouse_url = "https://me:secret-pw@x.invalid"\n',
            ["--dry-run"],
            "top-pypi.toml: clickhouse_url must not hold a user or password.",
        ),
        (
            'engine = "bigquery"\ncredentials = "gone.json"\n',
            ["--dry-run"],
            "top-pypi.toml: credentials = 'gone.json' does not exist.",
        ),
    ],
)
def test_values_from_the_settings_file_are_named_as_the_file_has_them(
    settings: str,
    argv: list[str],
    named: str,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "top-pypi.toml").write_text(settings, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for name in ("TOP_PYPI_CLICKHOUSE_URL", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    args = [arg.format(tmp=tmp_path) for arg in argv]
    code, out, err = run_cli(capsys, now, "collect", "--out", "out", *args)
    assert code == 2
    assert_one_error_line(err, named.format(tmp=tmp_path))
    assert "secret-pw" not in out + err
    assert not (tmp_path / "out").exists()


def test_a_value_from_the_environment_is_named_by_its_variable(
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "top-pypi.toml").write_text('clickhouse_url = "http://localhost:8123"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TOP_PYPI_CLICKHOUSE_URL", "localhost")
    code, _, err = run_cli(capsys, now, "collect", "--engine", "clickhouse", "--dry-run")
    assert code == 2
    assert_one_error_line(
        err, "TOP_PYPI_CLICKHOUSE_URL='localhost' is not an http:// or https:// URL with a host."
    )
