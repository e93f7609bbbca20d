"""The command line's words: every command, option and help text, parsed with argparse."""

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from publisher import __version__
from publisher.base.days import FIRST_DAY
from publisher.base.errors import UsageError
from publisher.base.settings import (
    ENGINES,
    MAX_LIMIT,
    MAX_TIMEOUT,
    MAX_ZENODO_RETRY_WAIT,
    OVER_BUDGET_POLICIES,
    Settings,
    key_type,
)

PROG = "top-pypi"


class Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one line through our error path, not usage + exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}.", f"See `{self.prog} --help`.")


DEFAULTS = Settings()


def add_setting(
    parser: argparse._ActionsContainer, key: str, metavar: str | None = None, help: str = ""
) -> None:
    """The option of a key of `Settings`, `--key-with-dashes`, converting its text to the key's
    type as `Settings` declares it: a whole number, a string, or a flag (with a `--no-` form
    for one that is on by default). Not given, it is None: the environment, the file or the
    default decide (publisher.base.settings.resolve)."""
    option, kind = "--" + key.replace("_", "-"), key_type(key)
    if kind is bool and getattr(DEFAULTS, key):
        parser.add_argument(option, action=argparse.BooleanOptionalAction, help=help)
    elif kind is bool:
        parser.add_argument(option, action="store_const", const=True, help=help)
    else:
        parser.add_argument(option, type=kind, metavar=metavar, help=help)


YESTERDAY = f"last UTC day, from {FIRST_DAY} (default: yesterday)"
MONTH_END = "last day of a month (default: the previous month's last day)"


def add_count_options(parser: argparse.ArgumentParser, end: str = YESTERDAY) -> None:
    parser.add_argument("--end-date", metavar="D", help=end)
    add_setting(parser, "days", "N", f"whole days, 1-366 ({DEFAULTS.days})")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    parser.add_argument("--print-sql", action="store_true", help="print the query and stop")
    add_setting(parser, "breakdown", help="count installer groups and CI per project (on)")
    add_engine_options(parser)


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """What any count needs: the engine, its source and its limits."""
    add_setting(parser, "engine", "E", f"{' | '.join(ENGINES)} ({DEFAULTS.engine})")
    add_setting(parser, "events", "PATH", "duckdb: Parquet file or folder")
    add_setting(parser, "limit", "N", f"rows, 1-{MAX_LIMIT:,} ({DEFAULTS.limit})")
    add_setting(parser, "allow_incomplete", help="count despite missing days")
    bigquery = parser.add_argument_group("bigquery")
    add_setting(
        bigquery, "budget", "SIZE", f"bytes this month may bill, up to 1PiB ({DEFAULTS.budget})"
    )
    policies = " | ".join(OVER_BUDGET_POLICIES)
    add_setting(bigquery, "over_budget", "POLICY", f"{policies} ({DEFAULTS.over_budget})")
    add_setting(bigquery, "billing_project", "ID", "project billed for queries")
    add_setting(bigquery, "credentials", "FILE", "service-account JSON key")
    clickhouse = parser.add_argument_group("clickhouse")
    add_setting(clickhouse, "clickhouse_url", "URL", f"server ({DEFAULTS.clickhouse_url})")
    add_setting(clickhouse, "clickhouse_user", "USER", f"user ({DEFAULTS.clickhouse_user})")
    add_setting(clickhouse, "clickhouse_password", "PASSWORD", "password (empty)")
    add_setting(
        parser,
        "timeout",
        "SECONDS",
        f"longest wait for a server's answer, 1-{MAX_TIMEOUT} ({DEFAULTS.timeout})",
    )


def add_anomaly_option(parser: argparse.ArgumentParser) -> None:
    # Command line only, never a setting: a file or a variable would accept every month's.
    parser.add_argument(
        "--accept-anomalies",
        action="store_true",
        help="publish even when the mean downloads per day fell by more than half",
    )


def add_release_options(release: argparse.ArgumentParser) -> None:
    release.add_argument("--repo", metavar="PATH", default=".", help="publishing repository (.)")
    release.add_argument(
        "--tag", metavar="TAG", help="release this tag (default: every tag without a DOI)"
    )
    add_setting(release, "remote", "NAME", "remote to push the DOIs to (origin)")
    release.add_argument("--no-push", action="store_true", help="commit the DOIs, do not push")
    release.add_argument(
        "--out-of-order",
        action="store_true",
        help="release a tag older than the newest released one (Zenodo's latest becomes it)",
    )
    release.add_argument(
        "--new-concept",
        action="store_true",
        help="start a Zenodo concept of this repository's own with the oldest tag without a DOI,"
        " even beside versions of the same names in the account",
    )
    where = release.add_mutually_exclusive_group()
    add_setting(where, "zenodo_url", "URL", f"Zenodo ({DEFAULTS.zenodo_url})")
    where.add_argument(
        "--sandbox", action="store_true", help="Zenodo's sandbox, to try it out; writes nothing"
    )
    release.add_argument(
        "--dry-run", action="store_true", help="print what would be sent, change nothing"
    )
    add_setting(
        release,
        "timeout",
        "SECONDS",
        f"longest wait for one answer of Zenodo, 1-{MAX_TIMEOUT} ({DEFAULTS.timeout})",
    )
    add_setting(
        release,
        "zenodo_retry_wait",
        "SECONDS",
        "pause before Zenodo is asked again after a failure worth another try, doubled"
        f" before each later try, 0-{MAX_ZENODO_RETRY_WAIT} ({DEFAULTS.zenodo_retry_wait})",
    )
    add_summary_option(release)


def add_summary_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--summary", metavar="FILE", help="append a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)"
    )


SETTINGS_NOTE = (
    "Options override the environment (TOP_PYPI_END_DATE, TOP_PYPI_DAYS, TOP_PYPI_ENGINE,"
    " TOP_PYPI_CLICKHOUSE_*, TOP_PYPI_TIMEOUT; empty means unset), which overrides top-pypi.toml"
    " (in --repo for publish, in the current folder for collect), which overrides the defaults."
)


def add_command(commands: Any, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand whose --help opens with its summary, and says where settings come from."""
    counts = name in ("collect", "publish", "history")
    description = f"{summary[0].upper()}{summary[1:]}." + (f" {SETTINGS_NOTE}" if counts else "")
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=summary, description=description
    )
    return parser


def build_parser() -> Parser:
    parser = Parser(
        prog=PROG, description="The monthly dataset of the most-downloaded PyPI projects."
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    sample = add_command(commands, "sample", "write synthetic download events as Parquet")
    sample.add_argument("out_dir", metavar="OUT_DIR")
    # The sample's defaults, written out to spare --help the generator's imports; a test
    # checks them against SampleSpec.
    sample.add_argument(
        "--events", type=int, metavar="N", help="events in all, 1-1,000,000,000 (1000000)"
    )
    sample.add_argument("--projects", type=int, metavar="N", help="distinct projects (20000)")
    sample.add_argument("--seed", type=int, metavar="S", help="random seed (0)")
    sample.add_argument("--end-date", metavar="D", help=YESTERDAY)
    sample.add_argument("--days", type=int, metavar="N", help="whole days, 1-366 (35)")

    collect = add_command(commands, "collect", "count downloads and write the dataset to a folder")
    add_count_options(collect)
    collect.add_argument("--out", metavar="DIR", help="folder to write the dataset into")
    collect.add_argument(
        "--previous", metavar="DIR", help="data folder of the previous published month"
    )
    add_anomaly_option(collect)

    publish = add_command(commands, "publish", "collect into a git repository, commit, tag, push")
    add_count_options(publish, end=MONTH_END)
    add_anomaly_option(publish)
    publish.add_argument("--repo", metavar="PATH", default=".", help="publishing repository (.)")
    add_setting(publish, "remote", "NAME", "remote to push to (origin)")
    publish.add_argument("--no-push", action="store_true", help="commit and tag, do not push")
    publish.add_argument(
        "--correction", action="store_true", help="republish a month as YYYY.MM.1, .2, ..."
    )
    add_summary_option(publish)

    add_history_command(commands)
    release = add_command(
        commands, "release", "publish tags to Zenodo: a DOI for every monthly version"
    )
    add_release_options(release)

    validate = add_command(commands, "validate", "check a folder of published dataset files")
    validate.add_argument("folder", metavar="DIR")
    add_site_command(commands)
    demo = add_command(commands, "demo", "sample events and a scratch repository, then publish")
    demo.add_argument("folder", metavar="FOLDER", nargs="?", default="scratch")
    demo.add_argument(
        "--zenodo-url", metavar="URL", help="release the months to this Zenodo (a local stand-in)"
    )
    return parser


def add_history_command(commands: Any) -> None:
    history = add_command(
        commands, "history", "count every month before the published ones into data/history"
    )
    history.add_argument(
        "--from", dest="from_tag", metavar="TAG", help="first month (the first the source holds)"
    )
    history.add_argument(
        "--to", dest="to_tag", metavar="TAG", help="last month (the one before publish's newest)"
    )
    history.add_argument("--repo", metavar="PATH", default=".", help="publishing repository (.)")
    add_setting(history, "remote", "NAME", "remote to push to (origin)")
    history.add_argument("--no-push", action="store_true", help="commit, do not push")
    history.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    add_setting(history, "days", "N", f"whole days of each month's window ({DEFAULTS.days})")
    add_engine_options(history)
    add_summary_option(history)


def add_site_command(commands: Any) -> None:
    site = add_command(commands, "site", "build the static web site from the published tags")
    site.add_argument("--repo", metavar="PATH", default=".", help="publishing repository (.)")
    site.add_argument("--out", metavar="DIR", help="folder to write the site into")
    add_setting(site, "site_url", "URL", "the site's address (default: GitHub Pages of the remote)")
    site.add_argument(
        "--summary", metavar="FILE", help="append a Markdown summary (e.g. $GITHUB_STEP_SUMMARY)"
    )


# Options whose value may start with "-" (a negative budget, to be refused by name): argparse
# would take "--budget -5GiB" for two options, and say nothing about the value.
DASHED_VALUES = ("--budget",)


def join_dashed_values(argv: Sequence[str]) -> list[str]:
    joined: list[str] = []
    for token in argv:
        if joined and joined[-1] in DASHED_VALUES and token.startswith("-"):
            joined[-1] = f"{joined[-1]}={token}"
        else:
            joined.append(token)
    return joined
