"""From a command's options (publisher.cli.options) to the values the library takes: settings,
window, and the engine with its request, the same for `collect` and `publish`."""

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from publisher.base.days import parse_date
from publisher.base.secrets import keep_out
from publisher.base.settings import (
    END_DATE_VARIABLE,
    Settings,
    environment_settings,
    in_repository,
    read_written_settings,
    resolve,
    written_names,
)
from publisher.cli.options import GivenSettings
from publisher.count.window import Window, window_ending
from publisher.release.month import release_end

if TYPE_CHECKING:  # loaded by `counting_for`: `release` and `site` never count
    from publisher.count.engines.base import Engine, Request


def settings_for(given: GivenSettings, folder: Path) -> Settings:
    """Options `given` over environment variables over `folder`'s top-pypi.toml over defaults."""
    from_file = read_written_settings(folder)
    variables = environment_settings(os.environ)
    written = written_names(from_file, os.environ)
    keep_out(from_file.get("clickhouse_password"))
    return resolve(given, in_repository(folder, from_file), variables, written)


def end_date_given(end_date: str | None, environ: Mapping[str, str]) -> tuple[str | None, str]:
    """The end date asked for, and its name for errors: `--end-date` (where '' is an error, not
    the default), else `TOP_PYPI_END_DATE` (where empty means unset, as CI passes no input)."""
    if end_date is not None:
        return end_date, "--end-date"
    return environ.get(END_DATE_VARIABLE) or None, END_DATE_VARIABLE


def window_for(
    end_date: str | None, settings: Settings, now: datetime, release: bool = False
) -> Window:
    """The days to count, ending with `--end-date`; a release's end on a month's last day
    (`publish`), any other by default yesterday (`collect`)."""
    text, option = end_date_given(end_date, os.environ)
    end = None if text is None else parse_date(text, option)
    if release:
        end = release_end(end, now.date(), option)
    return window_ending(end, settings.days, now.date(), option)


@dataclass(frozen=True)
class Counting:
    settings: Settings
    request: "Request"
    engine: "Engine"


def counting_for(
    given: GivenSettings,
    end_date: str | None,
    folder: Path,
    now: datetime,
    release: bool = False,
) -> Counting:
    """Everything checked and built before any engine is asked anything; `release` holds the
    window to a month's end (`publish`)."""
    from publisher.count.engines import make_engine
    from publisher.count.engines.base import Request

    settings = settings_for(given, folder)
    window = window_for(end_date, settings, now, release)
    request = Request(window=window, limit=settings.limit, breakdown=settings.breakdown)
    return Counting(settings, request, make_engine(settings))
