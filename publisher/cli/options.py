"""From parsed command-line options to the values the library takes: settings, window, and
the engine with its request, the same for `collect` and `publish`."""

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from publisher.base.days import parse_date
from publisher.base.settings import (
    Settings,
    environment_settings,
    in_repository,
    read_written_settings,
    resolve,
    written_names,
)
from publisher.count.engines import make_engine
from publisher.count.engines.base import Engine, Request
from publisher.count.window import Window, window_ending


def settings_for(options: dict[str, Any], folder: Path) -> Settings:
    """Options over environment variables over `folder`'s top-pypi.toml over defaults."""
    from_file = read_written_settings(folder)
    given = in_repository(folder, from_file) | environment_settings(os.environ)
    return resolve(options, given, written_names(from_file, os.environ))


def window_for(options: dict[str, Any], settings: Settings, now: datetime) -> Window:
    end = parse_date(options["end_date"]) if options.get("end_date") else None
    return window_ending(end, settings.days, now.date())


@dataclass(frozen=True)
class Counting:
    settings: Settings
    request: Request
    engine: Engine


def counting_for(options: dict[str, Any], folder: Path, now: datetime) -> Counting:
    """Everything checked and built before any engine is asked anything."""
    settings = settings_for(options, folder)
    request = Request(window=window_for(options, settings, now), limit=settings.limit)
    return Counting(settings, request, make_engine(settings))
