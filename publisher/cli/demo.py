"""`top-pypi demo` (what `make run` does): sample events, a scratch publishing repository with
a local bare remote, and a real publish into it, all inside one folder the user names."""

from datetime import datetime, timedelta
from pathlib import Path

import git
from rich.console import Console

from publisher.base.progress import counter
from publisher.base.settings import SETTINGS_FILE
from publisher.count.window import window_ending
from publisher.sample.generator import SampleSpec, day_file, write_sample

DEMO_EVENTS = 3_000_000
DEMO_PROJECTS = 20_000
DEMO_DAYS = 35  # more than the 30 counted, as real data has days before the window
IDENTITY = {"user.name": "top-pypi demo", "user.email": "demo@top-pypi.invalid"}
SETTINGS = 'engine = "duckdb"\nevents = "../events"\nlimit = 15000\n'


def demo_spec(now: datetime) -> SampleSpec:
    end = window_ending(None, 1, now.date()).end
    return SampleSpec(events=DEMO_EVENTS, projects=DEMO_PROJECTS, days=DEMO_DAYS, end=end, seed=0)


def ensure_events(folder: Path, spec: SampleSpec, err: Console) -> None:
    """Generate the sample unless every day of it is already there (re-runs are quick)."""
    days = [spec.end - timedelta(days=back) for back in range(spec.days)]
    if all(day_file(folder, day).exists() for day in days):
        return
    with counter(err, "Writing sample events", spec.events) as advance:
        write_sample(folder, spec, advance)


def ensure_repository(folder: Path) -> Path:
    """A publishing repository with settings committed and a bare remote, made once."""
    remote, work = folder / "remote.git", folder / "publishing"
    if not remote.exists():
        git.Repo.init(remote, bare=True, initial_branch="main")
    if not work.exists():
        repo = git.Repo.init(work, initial_branch="main")
        with repo.config_writer() as config:
            for key, value in IDENTITY.items():
                section, option = key.split(".")
                config.set_value(section, option, value)
        (work / SETTINGS_FILE).write_text(SETTINGS, encoding="utf-8")
        repo.index.add([SETTINGS_FILE])
        repo.index.commit("Settings for the demo publishing repository")
        repo.create_remote("origin", str(remote.resolve()))
    return work
