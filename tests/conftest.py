"""Shared fixtures: generated events (made once per session) and a pinned clock."""

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from publisher.sample import SampleSpec, write_sample

# The clock every test runs at: the monthly job's usual moment, early on the 1st.
NOW = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
# The sample covers 35 days up to the last complete day before NOW.
SAMPLE_END = date(2026, 10, 31)
SAMPLE_SPEC = SampleSpec(events=300_000, projects=3_000, days=35, end=SAMPLE_END, seed=7)


@pytest.fixture(scope="session")
def events_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("events")
    write_sample(folder, SAMPLE_SPEC)
    return folder


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user or system git config, and no identity from the environment, leaks in."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "gitconfig").write_text("")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        for field in ("NAME", "EMAIL", "DATE"):
            monkeypatch.delenv(f"GIT_{who}_{field}", raising=False)
    for name in ("EMAIL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
