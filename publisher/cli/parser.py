"""The command line's words: every command, option and help text, parsed with argparse."""

import argparse
from collections.abc import Sequence
from typing import Any, NoReturn

from publisher import __version__
from publisher.base.errors import UsageError
from publisher.base.settings import ENGINES, OVER_BUDGET_POLICIES, Settings

PROG = "top-pypi"


class Parser(argparse.ArgumentParser):
    """argparse, but a bad option is one line through our error path, not usage + exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message}.", f"See `{self.prog} --help`.")


DEFAULTS = Settings()


def add_window_options(parser: argparse.ArgumentParser, days: int) -> None:
    parser.add_argument("--end-date", metavar="D", help="last UTC day (default: yesterday)")
    parser.add_argument("--days", type=int, metavar="N", help=f"whole days, 1-366 ({days})")


def add_count_options(parser: argparse.ArgumentParser) -> None:
    add_window_options(parser, DEFAULTS.days)
    parser.add_argument("--engine", metavar="E", help=f"{' | '.join(ENGINES)} ({DEFAULTS.engine})")
    parser.add_argument("--events", metavar="PATH", help="duckdb: Parquet file or folder")
    parser.add_argument("--limit", type=int, metavar="N", help=f"rows ({DEFAULTS.limit})")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, write nothing")
    parser.add_argument("--print-sql", action="store_true", help="print the query and stop")
    parser.add_argument(
        "--allow-incomplete", action="store_const", const=True, help="count despite missing days"
    )
    bigquery = parser.add_argument_group("bigquery")
    bigquery.add_argument(
        "--budget", metavar="SIZE", help=f"bytes this month may bill ({DEFAULTS.budget})"
    )
    policies = " | ".join(OVER_BUDGET_POLICIES)
    bigquery.add_argument(
        "--over-budget", metavar="POLICY", help=f"{policies} ({DEFAULTS.over_budget})"
    )
    bigquery.add_argument("--billing-project", metavar="ID", help="project billed for queries")
    bigquery.add_argument("--credentials", metavar="FILE", help="service-account JSON key")
    clickhouse = parser.add_argument_group("clickhouse")
    clickhouse.add_argument(
        "--clickhouse-url", metavar="URL", help=f"server ({DEFAULTS.clickhouse_url})"
    )
    clickhouse.add_argument(
        "--clickhouse-user", metavar="USER", help=f"user ({DEFAULTS.clickhouse_user})"
    )
    clickhouse.add_argument("--clickhouse-password", metavar="PASSWORD", help="password (empty)")


SETTINGS_NOTE = (
    "Options override the environment (TOP_PYPI_CLICKHOUSE_*), which overrides top-pypi.toml"
    " (in --repo for publish, in the current folder for collect), which overrides the defaults."
)


def add_command(commands: Any, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand whose --help opens with its summary, and says where settings come from."""
    counts = name in ("collect", "publish")
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
    sample.add_argument("--events", type=int, metavar="N", help="events in all (1000000)")
    sample.add_argument("--projects", type=int, metavar="N", help="distinct projects (20000)")
    sample.add_argument("--seed", type=int, metavar="S", help="random seed (0)")
    add_window_options(sample, days=35)

    collect = add_command(commands, "collect", "count downloads and write the dataset to a folder")
    add_count_options(collect)
    collect.add_argument("--out", metavar="DIR", help="folder to write the dataset into")

    publish = add_command(commands, "publish", "collect into a git repository, commit, tag, push")
    add_count_options(publish)
    publish.add_argument("--repo", metavar="PATH", default=".", help="publishing repository (.)")
    publish.add_argument("--remote", metavar="NAME", help="remote to push to (origin)")
    publish.add_argument("--no-push", action="store_true", help="commit and tag, do not push")
    publish.add_argument(
        "--correction", action="store_true", help="republish a month as YYYY.MM.1, .2, ..."
    )

    validate = add_command(commands, "validate", "check a folder of published dataset files")
    validate.add_argument("folder", metavar="DIR")
    add_site_command(commands)
    demo = add_command(commands, "demo", "sample events and a scratch repository, then publish")
    demo.add_argument("folder", metavar="FOLDER", nargs="?", default="scratch")
    return parser


def add_site_command(commands: Any) -> None:
    site = add_command(commands, "site", "build the static web site from the published tags")
    site.add_argument("--repo", metavar="PATH", default=".", help="publishing repository (.)")
    site.add_argument("--out", metavar="DIR", help="folder to write the site into")
    site.add_argument(
        "--site-url", metavar="URL", help="the site's address (default: GitHub Pages of the remote)"
    )
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


def option_values(args: argparse.Namespace) -> dict[str, Any]:
    return {key: value for key, value in vars(args).items() if key != "command"}
