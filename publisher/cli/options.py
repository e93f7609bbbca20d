"""From parsed command-line options to the values the library takes: settings, window, and
the engine with its request, the same for `collect` and `publish`."""

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from publisher.base.days import parse_date
from publisher.base.settings import Settings, environment_settings, read_settings_file, resolve
from publisher.count.engines import make_engine
from publisher.count.engines.base import Engine, Request
from publisher.count.window import Window, window_ending
from publisher.release.month import release_end


def settings_for(options: dict[str, Any], folder: Path) -> Settings:
    """Options over environment variables over `folder`'s top-pypi.toml over defaults."""
    return resolve(options, read_settings_file(folder) | environment_settings(os.environ))


def window_for(
    options: dict[str, Any], settings: Settings, now: datetime, release: bool = False
) -> Window:
    """The days to count; a release's end on a month's last day (`publish`), any other by
    default yesterday (`collect`). An empty `--end-date ''` is an error, not the default."""
    given = options.get("end_date")
    end = None if given is None else parse_date(given)
    if release:
        end = release_end(end, now.date())
    return window_ending(end, settings.days, now.date())


@dataclass(frozen=True)
class Counting:
    settings: Settings
    request: Request
    engine: Engine


def counting_for(
    options: dict[str, Any], folder: Path, now: datetime, release: bool = False
) -> Counting:
    """Everything checked and built before any engine is asked anything; `release` holds the
    window to a month's end (`publish`)."""
    settings = settings_for(options, folder)
    window = window_for(options, settings, now, release)
    request = Request(window=window, limit=settings.limit)
    return Counting(settings, request, make_engine(settings))
