"""`top-pypi demo` (what `make run` does): sample events, a scratch publishing repository with
a local bare remote, real publishes into it of the last two whole months, the older first, and
the history of the year before them; all inside one folder the user names."""

from datetime import date, datetime, timedelta
from pathlib import Path

import git
from rich.console import Console

from publisher.base.days import DEFAULT_DAYS
from publisher.base.progress import counter
from publisher.base.settings import SETTINGS_FILE
from publisher.cli.options import HistoryOptions, PublishOptions, ReleaseOptions
from publisher.release.month import previous_month_end
from publisher.release.zenodo.metadata import CITATION_CFF
from publisher.sample.generator import SampleSpec, day_file, write_sample

DEMO_EVENTS = 3_000_000  # over both months: make run stays quick
DEMO_PROJECTS = 20_000
LEAD_DAYS = 5  # days before the older window, as real data has days before any window
# The year before, for `top-pypi history`: few events a month, so make run stays quick.
HISTORY_DAYS, HISTORY_EVENTS = 366, 360_000
IDENTITY = {"user.name": "top-pypi demo", "user.email": "demo@top-pypi.invalid"}
SETTINGS = 'engine = "duckdb"\nevents = "../events"\nlimit = 15000\n'
# What the Zenodo release reads for its metadata: a dataset's minimal citation file.
CITATION = """\
cff-version: 1.2.0
message: "A demo of top-pypi on generated data: not real downloads."
type: dataset
title: "top-pypi demo: generated downloads"
authors:
  - name: "top-pypi demo"
license: CC0-1.0
"""


def demo_month_ends(now: datetime) -> tuple[date, date]:
    """The last days of the two whole months before `now`, the older first."""
    newer = previous_month_end(now.date())
    return previous_month_end(newer), newer


def demo_publishes(work: Path, now: datetime) -> list[PublishOptions]:
    """`publish --repo WORK --end-date D` of each month, the older first; the settings are the
    repository's (its top-pypi.toml) and the environment's, as for anyone's publish."""
    return [PublishOptions(repo=work, end_date=end.isoformat()) for end in demo_month_ends(now)]


def demo_history(work: Path) -> HistoryOptions:
    """`history --repo WORK`: every month before the published ones."""
    return HistoryOptions(repo=work)


def demo_release(work: Path, zenodo_url: str) -> ReleaseOptions:
    """`release --repo WORK --zenodo-url URL`: the months to the Zenodo at `zenodo_url`."""
    return ReleaseOptions(repo=work, given={"zenodo_url": zenodo_url})


def demo_spec(now: datetime) -> SampleSpec:
    """Events for both months' windows and a few days before the older one."""
    older, newer = demo_month_ends(now)
    days = (newer - older).days + DEFAULT_DAYS + LEAD_DAYS
    return SampleSpec(events=DEMO_EVENTS, projects=DEMO_PROJECTS, days=days, end=newer, seed=0)


def history_spec(now: datetime) -> SampleSpec:
    """Fewer events a day over the year before `demo_spec`'s first day."""
    recent = demo_spec(now)
    end = recent.end - timedelta(days=recent.days)
    return SampleSpec(
        events=HISTORY_EVENTS, projects=DEMO_PROJECTS, days=HISTORY_DAYS, end=end, seed=1
    )


def demo_specs(now: datetime) -> list[SampleSpec]:
    """The year before for the history, then the two published months."""
    return [history_spec(now), demo_spec(now)]


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
        git.Repo.init(remote, bare=True, initial_branch="main").close()
    if not work.exists():
        with git.Repo.init(work, initial_branch="main") as repo:
            with repo.config_writer() as config:
                for key, value in IDENTITY.items():
                    section, option = key.split(".")
                    config.set_value(section, option, value)
            (work / SETTINGS_FILE).write_text(SETTINGS, encoding="utf-8")
            repo.index.add([SETTINGS_FILE])
            repo.index.commit("Settings for the demo publishing repository")
            repo.create_remote("origin", str(remote.resolve()))
    with git.Repo(work) as repo:
        ensure_citation(repo)
    return work


def ensure_citation(repo: git.Repo) -> None:
    """The dataset's citation file, committed once (a scratch folder from before it lacks it)."""
    path = Path(str(repo.working_tree_dir)) / CITATION_CFF
    if path.exists():
        return
    path.write_text(CITATION, encoding="utf-8")
    repo.index.add([CITATION_CFF])
    repo.index.commit("Citation of the demo dataset")
