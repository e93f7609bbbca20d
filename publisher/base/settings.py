"""Settings: the command line, then environment variables, then the publishing repository's
`top-pypi.toml`, then defaults.

Every key a `top-pypi.toml` may hold is a field of `Settings`, with the same name (dashes in
option names become underscores). README's "Settings" section documents each one.
"""

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from publisher.base.days import DEFAULT_DAYS, check_days
from publisher.base.errors import UsageError
from publisher.base.paths import refuse_symlink_loop
from publisher.base.sizes import parse_size

SETTINGS_FILE = "top-pypi.toml"
ENGINES = ("duckdb", "bigquery", "clickhouse")
OVER_BUDGET_POLICIES = ("fail", "shrink", "sample")
# Rows a dataset may hold: several times the reference's 15,000, and far below what ClickHouse's
# {limit:UInt32} would wrap around.
MAX_LIMIT = 100_000
CLICKHOUSE_PUBLIC_URL = "https://sql-clickhouse.clickhouse.com"  # ClickPy's, free, user demo
# Settings a CI job can give without writing them (a password above all) into top-pypi.toml.
ENVIRONMENT = {
    "TOP_PYPI_CLICKHOUSE_URL": "clickhouse_url",
    "TOP_PYPI_CLICKHOUSE_USER": "clickhouse_user",
    "TOP_PYPI_CLICKHOUSE_PASSWORD": "clickhouse_password",
    "TOP_PYPI_TIMEOUT": "timeout",
}
# Seconds a request to a server may wait for an answer (--timeout): long enough for a slow
# public server, short enough that a silent one is given up within a minute or two.
DEFAULT_TIMEOUT = 60
MAX_TIMEOUT = 3600


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
    timeout: int = DEFAULT_TIMEOUT  # seconds a request to a server may wait for its answer
    # Not a setting: how errors name each value not typed as an option, as its source has it:
    # key -> (label, label and value), e.g. ("top-pypi.toml: events", "top-pypi.toml: events =
    # '../events'"). See `label` and `name`.
    written: Mapping[str, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)

    def label(self, key: str) -> str:
        """How an error names a setting: its option, or the file or variable that set it."""
        return self.written[key][0] if key in self.written else "--" + key.replace("_", "-")

    def name(self, key: str, shown: str) -> str:
        """How an error names a setting's value: the option and `shown`, or as written."""
        return self.written[key][1] if key in self.written else f"{self.label(key)} {shown}"


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
    "timeout": int,
}

_TYPE_WORDS = {str: "a string", int: "a whole number", bool: "true or false"}

KEYS = tuple(f.name for f in fields(Settings) if f.name in _TYPES)
# Never shown in an error, whoever set them.
SECRET_KEYS = frozenset({"clickhouse_password"})


def check_engine(name: str, label: str = "--engine") -> str:
    if name not in ENGINES:
        raise UsageError(
            f"{label} {name!r} is not an engine.", f"Use one of: {', '.join(ENGINES)}."
        )
    return name


def check_limit(limit: int, label: str = "--limit") -> int:
    if limit < 1:
        raise UsageError(f"{label} {limit} is not a positive number of rows.", "Give 1 or more.")
    if limit > MAX_LIMIT:
        raise UsageError(
            f"{label} {limit} is more than {MAX_LIMIT:,} rows.",
            f"Give a whole number of rows from 1 to {MAX_LIMIT:,}.",
        )
    return limit


def check_timeout(seconds: int, name: str) -> int:
    """`name` is the value as the user gave it, e.g. `--timeout 0` or `TOP_PYPI_TIMEOUT='0'`."""
    if not 1 <= seconds <= MAX_TIMEOUT:
        raise UsageError(
            f"{name} is out of range.", f"Give a whole number of seconds from 1 to {MAX_TIMEOUT}."
        )
    return seconds


def parse_settings_text(text: str, source: str) -> dict[str, Any]:
    """The keys of a settings file, type-checked; unknown keys are errors (a typo must not pass)."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(
            f"{source} is not valid TOML ({exc}).", "Fix the line it names, or delete the file."
        ) from None
    values: dict[str, Any] = {}
    spelt: dict[str, str] = {}  # each key as the file spells it
    for key, value in raw.items():
        name = key.replace("-", "_")
        if name not in _TYPES:
            raise UsageError(
                f"{source} has an unknown key {key!r}.", f"Known keys: {', '.join(KEYS)}."
            )
        if name in spelt:
            raise UsageError(
                f"{source} has both {spelt[name]!r} and {key!r}, which are one key.",
                "Keep one of them.",
            )
        spelt[name] = key
        wanted = _TYPES[name]
        if not isinstance(value, wanted) or (wanted is int and isinstance(value, bool)):
            raise UsageError(
                f"{source}: {key} = {value!r} should be {_TYPE_WORDS[wanted]}.",
                "Fix the value in the file.",
            )
        values[name] = value
    return values


def read_settings_file(repo: Path) -> dict[str, Any]:
    """The file's values, with paths made relative to the repository."""
    return in_repository(repo, read_written_settings(repo))


def read_written_settings(repo: Path) -> dict[str, Any]:
    """The file's values as written there, type-checked; none without a file."""
    path = repo / SETTINGS_FILE
    refuse_symlink_loop(path, str(path))  # not taken for a missing file, which means defaults
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} cannot be read ({exc}).", "Check the file.") from None
    return parse_settings_text(text, SETTINGS_FILE)


def in_repository(repo: Path, values: dict[str, Any]) -> dict[str, Any]:
    if "events" not in values:
        return values
    # A relative events path means relative to the repository, not to where we were run.
    return values | {"events": str(repo / values["events"])}


def as_written(value: Any) -> str:
    """A value as TOML writes it (single-quoted strings are TOML's literal strings)."""
    return str(value).lower() if isinstance(value, bool) else repr(value)


def written_names(
    from_file: Mapping[str, Any], environ: Mapping[str, str]
) -> dict[str, tuple[str, str]]:
    """How errors name the values of the file and of the environment (which wins over the
    file): as written there. A secret is named by where it is, never shown."""
    names = {}
    for key, value in from_file.items():
        label = f"{SETTINGS_FILE}: {key}"
        names[key] = (label, label if key in SECRET_KEYS else f"{label} = {as_written(value)}")
    for variable, key in ENVIRONMENT.items():
        if environ.get(variable):
            shown = "" if key in SECRET_KEYS else f"={environ[variable]!r}"
            names[key] = (variable, variable + shown)
    return names


def environment_settings(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings given by environment variables. An empty variable counts as unset: CI
    systems pass a secret that is not defined as an empty string."""
    return {
        key: from_environment(name, key, environ[name])
        for name, key in ENVIRONMENT.items()
        if environ.get(name)
    }


def from_environment(variable: str, key: str, text: str) -> Any:
    """A variable's text as the setting's type: a number is written as digits."""
    if _TYPES[key] is not int:
        return text
    try:
        return int(text)
    except ValueError:
        raise UsageError(
            f"{variable}={text!r} should be a whole number.", f"Give digits, e.g. {variable}=60."
        ) from None


def labeller(given: dict[str, Any], from_file: dict[str, Any]) -> Callable[[str], str]:
    """How an error names a value: as the option the user typed, or as the file's line."""

    def label(key: str) -> str:
        if key in from_file and key not in given:
            return f"{SETTINGS_FILE}: {key} ="
        return "--" + key.replace("_", "-")

    return label


def resolve(
    command_line: dict[str, Any],
    from_file: dict[str, Any],
    written: Mapping[str, tuple[str, str]] | None = None,
) -> Settings:
    """Command line over file over defaults; `None` on the command line means 'not given'.
    Every value is checked here, whichever of them it came from. `written` names the values
    that were not typed as options (see `written_names`)."""
    given = {k: v for k, v in command_line.items() if v is not None and k in _TYPES}
    names = {k: v for k, v in (written or {}).items() if k not in given}
    settings = replace(Settings(), **{**from_file, **given}, written=names)
    label = labeller(given, from_file)
    check_engine(settings.engine, label("engine"))
    check_limit(settings.limit, label("limit"))
    check_days(settings.days, label("days"))
    parse_size(settings.budget, label("budget"))
    check_timeout(settings.timeout, settings.name("timeout", str(settings.timeout)))
    if settings.over_budget not in OVER_BUDGET_POLICIES:
        raise UsageError(
            f"{label('over_budget')} {settings.over_budget!r} is not a policy.",
            f"Use one of: {', '.join(OVER_BUDGET_POLICIES)}.",
        )
    return settings
