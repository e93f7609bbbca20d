"""Each command's options, typed: built once from what argparse parsed (`options_for`), then
passed down; nothing after this sees argparse. A setting typed as an option (`--limit 5`) stays
in `given` until the command has found its top-pypi.toml (publisher.cli.resolve), as the
command line is only the first of the settings' sources.

Fields are named as the parser's destinations; each is converted to its annotated type here (a
path to `Path`; a setting's type is `Settings`' own). A value that people see in a message as
they typed it stays a `str`."""

from argparse import Namespace
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, get_args, get_type_hints

from publisher.base.settings import KEYS, SettingValue

# Settings given on the command line, by key (`limit`, not `--limit`); a key not given is absent.
GivenSettings = Mapping[str, SettingValue]


@dataclass(frozen=True, kw_only=True)
class Configured:
    """A command that reads settings: the command line's over the environment's and the file's."""

    given: GivenSettings = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Summarised:
    """A command that appends what it did, or why it failed, to `--summary FILE`."""

    summary: str | None = None


@dataclass(frozen=True, kw_only=True)
class SampleOptions:
    out_dir: str  # as typed: the last line names it
    end_date: str | None = None
    events: int | None = None  # not given: SampleSpec's defaults
    projects: int | None = None
    seed: int | None = None
    days: int | None = None


@dataclass(frozen=True, kw_only=True)
class CollectOptions(Configured):
    end_date: str | None = None  # parsed with the settings, named as where it came from
    dry_run: bool = False
    print_sql: bool = False
    out: Path | None = None
    previous: str | None = None  # as typed: errors name it
    accept_anomalies: bool = False


@dataclass(frozen=True, kw_only=True)
class PublishOptions(Configured, Summarised):
    repo: Path
    end_date: str | None = None
    dry_run: bool = False
    print_sql: bool = False
    accept_anomalies: bool = False
    no_push: bool = False
    correction: bool = False


@dataclass(frozen=True, kw_only=True)
class HistoryOptions(Configured, Summarised):
    repo: Path
    from_tag: str | None = None
    to_tag: str | None = None
    no_push: bool = False
    dry_run: bool = False


@dataclass(frozen=True, kw_only=True)
class ReleaseOptions(Configured, Summarised):
    repo: Path
    tag: str | None = None
    no_push: bool = False
    out_of_order: bool = False
    new_concept: bool = False
    sandbox: bool = False
    dry_run: bool = False


@dataclass(frozen=True, kw_only=True)
class ValidateOptions:
    folder: str  # as typed: the verdict names it


@dataclass(frozen=True, kw_only=True)
class SiteOptions(Configured, Summarised):
    repo: Path
    out: Path | None = None


@dataclass(frozen=True, kw_only=True)
class DemoOptions:
    folder: Path
    zenodo_url: str | None = None  # the release's --zenodo-url, given to it as typed


Options = (
    SampleOptions
    | CollectOptions
    | PublishOptions
    | HistoryOptions
    | ReleaseOptions
    | ValidateOptions
    | SiteOptions
    | DemoOptions
)

OPTIONS: dict[str, type[Options]] = {
    "sample": SampleOptions,
    "collect": CollectOptions,
    "publish": PublishOptions,
    "history": HistoryOptions,
    "release": ReleaseOptions,
    "validate": ValidateOptions,
    "site": SiteOptions,
    "demo": DemoOptions,
}


def options_for(args: Namespace) -> Options:
    """The command's options from argparse's result: every field from the destination of its
    name, and for a command that reads settings, every key of `Settings` that was given."""
    kind, parsed = OPTIONS[args.command], vars(args)
    hints = get_type_hints(kind)
    values: dict[str, Any] = {
        f.name: typed(hints[f.name], parsed[f.name]) for f in fields(kind) if f.name != "given"
    }
    if issubclass(kind, Configured):
        values["given"] = {key: parsed[key] for key in KEYS if parsed.get(key) is not None}
    return kind(**values)


def typed(annotation: object, value: object) -> object:
    """A parsed value as its field's type: argparse gives a path as text. An empty text is no
    path where none may be given (`--out ''` is refused as a missing --out, never taken for the
    current folder); a path that must be there is `Path('')`, the current folder, as ever."""
    kinds = (annotation, *get_args(annotation))
    if value is None or Path not in kinds:
        return value
    if value == "" and type(None) in kinds:
        return None
    return Path(str(value))
