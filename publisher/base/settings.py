"""Settings: the command line, then environment variables (`TOP_PYPI_*`), then the publishing
repository's `top-pypi.toml`, then defaults.

Every key a `top-pypi.toml` may hold is a field of `Settings`, with the same name (dashes in
option names become underscores). docs/settings.md documents each one.
"""

import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, cast, get_args, get_type_hints
from urllib.parse import urlsplit

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
ZENODO_URL = "https://zenodo.org"
# Credentials in a URL (`scheme://user:password@host`), and a host name or address.
CREDENTIALS = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@")
HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")
# Settings a CI job can give without writing them (a password above all) into top-pypi.toml;
# workflows pass their inputs this way.
ENVIRONMENT = {
    "TOP_PYPI_ENGINE": "engine",
    "TOP_PYPI_DAYS": "days",
    "TOP_PYPI_CLICKHOUSE_URL": "clickhouse_url",
    "TOP_PYPI_CLICKHOUSE_USER": "clickhouse_user",
    "TOP_PYPI_CLICKHOUSE_PASSWORD": "clickhouse_password",
    "TOP_PYPI_TIMEOUT": "timeout",
    "TOP_PYPI_ZENODO_URL": "zenodo_url",
    "TOP_PYPI_ZENODO_RETRY_WAIT": "zenodo_retry_wait",
}
VARIABLES = {key: name for name, key in ENVIRONMENT.items()}
# Options that are no key of the file: a file that accepted anomalies would publish every wrong
# month that follows, unseen.
COMMAND_LINE_ONLY = {"accept_anomalies": "--accept-anomalies"}
# The end date is a variable and an option but no key of the file: a file that pinned it would
# publish the same month forever.
END_DATE_VARIABLE = "TOP_PYPI_END_DATE"
# Seconds a request to a server may wait for an answer (--timeout): long enough for a slow
# public server, short enough that a silent one is given up within a minute or two.
DEFAULT_TIMEOUT = 60
MAX_TIMEOUT = 3600
# Seconds before Zenodo is asked again after a failure worth another try, doubled before each
# later try: 2, 4, 8 s spread four tries over a passing outage. A pause longer than the retry
# rule's longest (publisher.base.retry) would never be waited for.
DEFAULT_ZENODO_RETRY_WAIT = 2
MAX_ZENODO_RETRY_WAIT = 300


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
    breakdown: bool = True  # installer groups and CI counts of every project (bigquery: bytes)
    clickhouse_url: str = CLICKHOUSE_PUBLIC_URL
    clickhouse_user: str = "demo"
    clickhouse_password: str = ""
    zenodo_url: str = ZENODO_URL  # release: the Zenodo that mints the DOIs
    zenodo_concept: int | None = None  # release: the record id of an existing concept to join
    zenodo_retry_wait: int = DEFAULT_ZENODO_RETRY_WAIT  # release: seconds before a second try
    site_url: str | None = None  # site: its absolute address (default: from a GitHub remote)
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


# Not a key: how errors name the values (see `Settings.written`).
_NOT_KEYS = frozenset({"written"})


def _key_type(annotation: Any) -> type:
    """The type a key's value must have: its field's, without the `None` of 'not set'."""
    kinds = [kind for kind in get_args(annotation) if kind is not type(None)] or [annotation]
    (kind,) = kinds
    return cast(type, kind)


# Each key's type, as its field in `Settings` declares it: the one place a type is written. The
# file's values, the variables' and the options' conversions (publisher.cli.parser) follow it.
_TYPES: dict[str, type] = {
    name: _key_type(annotation)
    for name, annotation in get_type_hints(Settings).items()
    if name not in _NOT_KEYS
}

_TYPE_WORDS = {str: "a string", int: "a whole number", bool: "true or false"}
# A key's value, whichever of those types it has.
SettingValue = str | int | bool


def key_type(key: str) -> type:
    """The type of a key's value (`str`, `int` or `bool`)."""
    return _TYPES[key]


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
        if name in COMMAND_LINE_ONLY:
            raise UsageError(
                f"{source} has the key {key!r}, which is command line only.",
                f"Remove it; give {COMMAND_LINE_ONLY[name]} to the one run that should publish.",
            )
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
    return {key: environ[name] for name, key in ENVIRONMENT.items() if environ.get(name)}


def variable_value(key: str, text: str) -> Any:
    """A variable's text as the key's type, named as the variable when it is not."""
    if _TYPES[key] is not int:
        return text
    try:
        return int(text)
    except ValueError:
        raise UsageError(
            f"{VARIABLES[key]} {text!r} is not a whole number.", "Set it to one, or unset it."
        ) from None


def labeller(
    given: Mapping[str, SettingValue],
    from_file: dict[str, Any],
    variables: Mapping[str, Any] | None = None,
) -> Callable[[str], str]:
    """How an error names a value: as the option the user typed, the variable, or the file's
    line, whichever the value came from."""

    def label(key: str) -> str:
        if key in given:
            return "--" + key.replace("_", "-")
        if key in (variables or {}):
            return VARIABLES[key]
        if key in from_file:
            return f"{SETTINGS_FILE}: {key} ="
        return "--" + key.replace("_", "-")

    return label


def resolve(
    command_line: Mapping[str, SettingValue | None],
    from_file: dict[str, Any],
    from_environment: Mapping[str, str] | None = None,
    written: Mapping[str, tuple[str, str]] | None = None,
) -> Settings:
    """Command line over environment over file over defaults; `None` on the command line means
    'not given'. Every value is checked here, whichever of them it came from; a variable the
    command line overrides is not read at all. `written` names the values that were not typed
    as options (see `written_names`)."""
    given = {k: v for k, v in command_line.items() if v is not None and k in _TYPES}
    variables = {
        key: variable_value(key, text)
        for key, text in (from_environment or {}).items()
        if key not in given
    }
    names = {k: v for k, v in (written or {}).items() if k not in given}
    settings = replace(Settings(), **{**from_file, **variables, **given}, written=names)
    label = labeller(given, from_file, variables)
    check_engine(settings.engine, label("engine"))
    check_limit(settings.limit, label("limit"))
    check_days(settings.days, label("days"))
    parse_size(settings.budget, label("budget"))
    check_zenodo(settings, label)
    check_timeout(settings.timeout, settings.name("timeout", str(settings.timeout)))
    if settings.over_budget not in OVER_BUDGET_POLICIES:
        raise UsageError(
            f"{label('over_budget')} {settings.over_budget!r} is not a policy.",
            f"Use one of: {', '.join(OVER_BUDGET_POLICIES)}.",
        )
    return settings


def check_zenodo(settings: Settings, label: Callable[[str], str]) -> None:
    check_zenodo_url(settings.zenodo_url, label("zenodo_url"))
    wait = settings.zenodo_retry_wait
    if not 0 <= wait <= MAX_ZENODO_RETRY_WAIT:
        raise UsageError(
            f"{settings.name('zenodo_retry_wait', str(wait))} is out of range.",
            f"Give a whole number of seconds from 0 to {MAX_ZENODO_RETRY_WAIT}.",
        )
    if settings.zenodo_concept is not None and settings.zenodo_concept < 1:
        raise UsageError(
            f"{label('zenodo_concept')} {settings.zenodo_concept} is not a Zenodo record id.",
            "Give the concept's record id, the number in its all-versions DOI 10.5281/zenodo.N.",
        )


def check_zenodo_url(url: str, where: str) -> None:
    """A Zenodo's address, as `where` names it (a setting, a variable): an http(s) URL without
    credentials, which `requests` would send as Basic auth in place of the token."""
    shown = CREDENTIALS.sub(r"\1***@", url)  # a user or password is never shown
    if shown != url:
        raise UsageError(
            f"{where} {shown!r} has credentials in it (not shown).",
            "Give the URL without them: the Zenodo token is read from ZENODO_API_TOKEN only.",
        )
    if not is_http_url(url):
        raise UsageError(
            f"{where} {url!r} is not an http(s) URL.",
            f"Give one like {ZENODO_URL} (without /api).",
        )


def is_http_url(url: str) -> bool:
    """An http(s) URL that `requests` can send to: a host name or address, a port if any,
    a path, and nothing after it (no query, no fragment)."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # reading it checks the port
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and HOST.fullmatch(parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc)
        is not None
        and not (parts.query or parts.fragment or "#" in url or "?" in url)
        and not any(c.isspace() for c in url)
    )
