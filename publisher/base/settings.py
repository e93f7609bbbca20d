"""Settings: the command line, then environment variables, then the publishing repository's
`top-pypi.toml`, then defaults.

Every key a `top-pypi.toml` may hold is a field of `Settings`, with the same name (dashes in
option names become underscores). README's "Settings" section documents each one.
"""

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from publisher.base.days import DEFAULT_DAYS, check_days
from publisher.base.errors import UsageError
from publisher.base.sizes import parse_size

SETTINGS_FILE = "top-pypi.toml"
ENGINES = ("duckdb", "bigquery", "clickhouse")
OVER_BUDGET_POLICIES = ("fail", "shrink", "sample")
CLICKHOUSE_PUBLIC_URL = "https://sql-clickhouse.clickhouse.com"  # ClickPy's, free, user demo
# Settings a CI job can give without writing them (a password above all) into top-pypi.toml.
ENVIRONMENT = {
    "TOP_PYPI_CLICKHOUSE_URL": "clickhouse_url",
    "TOP_PYPI_CLICKHOUSE_USER": "clickhouse_user",
    "TOP_PYPI_CLICKHOUSE_PASSWORD": "clickhouse_password",
}


@dataclass(frozen=True)
class Settings:
    engine: str = "duckdb"
    limit: int = 15000
    days: int = DEFAULT_DAYS
    events: str | None = None  # duckdb: Parquet file or folder of file_downloads events
    remote: str = "origin"
    budget: str = "1TiB"  # bigquery: bytes the month may bill, e.g. 500GiB, 1.5TB
    over_budget: str = "fail"  # bigquery: fail, shrink or sample
    billing_project: str | None = None  # bigquery
    credentials: str | None = None  # bigquery: service-account JSON key
    allow_incomplete: bool = False
    clickhouse_url: str = CLICKHOUSE_PUBLIC_URL
    clickhouse_user: str = "demo"
    clickhouse_password: str = ""
    site_url: str | None = None  # site: its absolute address (default: from a GitHub remote)


_TYPES: dict[str, type] = {
    "engine": str,
    "limit": int,
    "days": int,
    "events": str,
    "remote": str,
    "budget": str,
    "over_budget": str,
    "billing_project": str,
    "credentials": str,
    "allow_incomplete": bool,
    "clickhouse_url": str,
    "clickhouse_user": str,
    "clickhouse_password": str,
    "site_url": str,
}

_TYPE_WORDS = {str: "a string", int: "a whole number", bool: "true or false"}

KEYS = tuple(f.name for f in fields(Settings))


def check_engine(name: str, label: str = "--engine") -> str:
    if name not in ENGINES:
        raise UsageError(
            f"{label} {name!r} is not an engine.", f"Use one of: {', '.join(ENGINES)}."
        )
    return name


def check_limit(limit: int, label: str = "--limit") -> int:
    if limit < 1:
        raise UsageError(f"{label} {limit} is not a positive number of rows.", "Give 1 or more.")
    return limit


def parse_settings_text(text: str, source: str) -> dict[str, Any]:
    """The keys of a settings file, type-checked; unknown keys are errors (a typo must not pass)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(
            f"{source} is not valid TOML ({exc}).", "Fix the line it names, or delete the file."
        ) from None
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in _TYPES:
            raise UsageError(
                f"{source} has an unknown key {key!r}.", f"Known keys: {', '.join(KEYS)}."
            )
        wanted = _TYPES[name]
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise UsageError(
                f"{source}: {key} = {value!r} should be {_TYPE_WORDS[wanted]}.",
                "Fix the value in the file.",
            )
        values[name] = value
    return values


def read_settings_file(repo: Path) -> dict[str, Any]:
    path = repo / SETTINGS_FILE
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} cannot be read ({exc}).", "Check the file.") from None
    values = parse_settings_text(text, SETTINGS_FILE)
    if "events" in values:
        # A relative events path means relative to the repository, not to where we were run.
        values["events"] = str(repo / values["events"])
    return values


def environment_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings given by environment variables. An empty variable counts as unset: CI
    systems pass a secret that is not defined as an empty string."""
    return {key: environ[name] for name, key in ENVIRONMENT.items() if environ.get(name)}


def labeller(given: dict[str, Any], from_file: dict[str, Any]) -> Callable[[str], str]:
    """How an error names a value: as the option the user typed, or as the file's line."""

    def label(key: str) -> str:
        if key in from_file and key not in given:
            return f"{SETTINGS_FILE}: {key} ="
        return "--" + key.replace("_", "-")

    return label


def resolve(command_line: dict[str, Any], from_file: dict[str, Any]) -> Settings:
    """Command line over file over defaults; `None` on the command line means 'not given'.
    Every value is checked here, whichever of them it came from."""
    given = {k: v for k, v in command_line.items() if v is not None and k in _TYPES}
    settings = replace(Settings(), **{**from_file, **given})
    label = labeller(given, from_file)
    check_engine(settings.engine, label("engine"))
    check_limit(settings.limit, label("limit"))
    check_days(settings.days, label("days"))
    parse_size(settings.budget, label("budget"))
    if settings.over_budget not in OVER_BUDGET_POLICIES:
        raise UsageError(
            f"{label('over_budget')} {settings.over_budget!r} is not a policy.",
            f"Use one of: {', '.join(OVER_BUDGET_POLICIES)}.",
        )
    return settings
