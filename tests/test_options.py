"""Each command's typed options, as the command line builds them and as `demo` builds them for
the commands it runs: the same values for the same words."""

from argparse import ArgumentParser
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest

from publisher.base.settings import KEYS, Settings, key_type
from publisher.cli.demo import demo_history, demo_month_ends, demo_publishes, demo_release
from publisher.cli.options import (
    OPTIONS,
    CollectOptions,
    Configured,
    HistoryOptions,
    Options,
    PublishOptions,
    ReleaseOptions,
    SampleOptions,
    SiteOptions,
    options_for,
)
from publisher.cli.parser import build_parser, join_dashed_values
from tests.expect import assert_one_error_line, run_cli

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
# The least each command takes.
LEAST = {"sample": ["events"], "validate": ["data"]}


def parsed(*argv: str) -> Options:
    return options_for(build_parser().parse_args(join_dashed_values(argv)))


def test_demo_publishes_with_the_options_a_typed_publish_has(tmp_path: Path) -> None:
    """What `demo` gives publish, history and release is what the same words on the command
    line give them: their settings come from the repository and the environment alike."""
    work = tmp_path / "-scratch" / "publishing"  # a dash: no option for a parser to take it for
    typed = [
        parsed("publish", "--repo", str(work), "--end-date", end.isoformat())
        for end in demo_month_ends(NOW)
    ]
    publishes = demo_publishes(work, NOW)
    assert publishes == typed
    assert [p.end_date for p in publishes] == ["2026-09-30", "2026-10-31"]
    assert demo_history(work) == parsed("history", "--repo", str(work))
    url = "http://127.0.0.1:8000"
    assert demo_release(work, url) == parsed("release", "--repo", str(work), "--zenodo-url", url)


def test_a_publish_has_typed_options_and_the_settings_it_was_given() -> None:
    argv = ["publish", "--repo", "here", "--limit", "5", "--no-breakdown", "--allow-incomplete"]
    options = parsed(*argv, "--budget", "-5GiB", "--correction", "--summary", "s.md")
    assert options == PublishOptions(
        repo=Path("here"),
        given={"limit": 5, "breakdown": False, "allow_incomplete": True, "budget": "-5GiB"},
        correction=True,
        summary="s.md",
    )


def test_options_not_given_are_absent_and_flags_off() -> None:
    assert parsed("history") == HistoryOptions(repo=Path("."))
    assert parsed("release", "--timeout", "9") == ReleaseOptions(
        repo=Path("."), given={"timeout": 9}
    )
    assert parsed("sample", "out", "--days", "3") == SampleOptions(out_dir="out", days=3)


def test_an_empty_folder_is_no_folder_where_one_may_be_missing() -> None:
    """`--out ''` stays refused as no --out (never the current folder); `--repo ''` is the
    current folder, as `Path('')` always was."""
    assert parsed("collect", "--out", "") == CollectOptions()
    assert parsed("site", "--out", "", "--repo", "") == SiteOptions(repo=Path("."))
    assert parsed("collect", "--out", "x/") == CollectOptions(out=Path("x"))


@pytest.mark.parametrize("command", sorted(OPTIONS))
def test_every_command_has_options_of_its_own_type(command: str) -> None:
    options = parsed(command, *LEAST.get(command, []))
    assert type(options) is OPTIONS[command]


CONFIGURED = sorted(name for name, kind in OPTIONS.items() if issubclass(kind, Configured))


def setting_words(key: str) -> tuple[list[str], object]:
    """The words that give `key` a value other than its default, and that value."""
    option, kind = "--" + key.replace("_", "-"), key_type(key)
    if kind is bool:  # a flag: on, or `--no-` of one on by default
        on = getattr(Settings(), key)
        return ([f"--no-{option[2:]}"] if on else [option]), not on
    return [option, "7"], kind("7")


@pytest.mark.parametrize("command", CONFIGURED)
def test_every_setting_option_gives_its_key_s_type(command: str) -> None:
    """An option of a key converts its text to the type `Settings` declares for the key."""
    subparsers = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    subparser = cast(dict[str, ArgumentParser], subparsers)[command]
    keys = [a.dest for a in subparser._actions if a.dest in KEYS]
    assert keys
    for key in keys:
        words, value = setting_words(key)
        options = parsed(command, *LEAST.get(command, []), *words)
        assert isinstance(options, Configured)
        assert options.given == {key: value}
        assert type(options.given[key]) is key_type(key)


def test_collect_with_an_empty_out_is_refused_and_writes_nothing(
    events_dir: Path,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    code, _, err = run_cli(capsys, now, "collect", "--events", str(events_dir), "--out", "")
    assert code == 2
    assert_one_error_line(err, "collect needs --out DIR.")
    assert sorted(tmp_path.iterdir()) == before
