"""Shared fixtures: generated events (made once per session) and a pinned clock."""

import socket
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from google.auth.compute_engine import _metadata as gce_metadata
from google.auth.credentials import CredentialsWithRegionalAccessBoundary

from publisher.sample.generator import SampleSpec, write_sample

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


LOOPBACK = {"localhost", "127.0.0.1", "::1", None}


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests reach 127.0.0.1 and nothing else: a name lookup of any other host fails the call
    at once, and Google's libraries are kept from their own background network calls."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in LOOPBACK:
            raise socket.gaierror(socket.EAI_NONAME, f"tests reach 127.0.0.1 only, not {name}")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)
    # google-auth reads NO_GCE_CHECK once at import; without it, finding no credentials would
    # probe the metadata server (169.254.169.254).
    monkeypatch.setattr(gce_metadata, "_NO_GCE_CHECK", True)
    # After each token, google-auth looks up a service account's regional access boundary at
    # iamcredentials.googleapis.com in a background thread, for Google's own universe, which
    # the stand-in's generated key names.
    monkeypatch.setattr(
        CredentialsWithRegionalAccessBoundary,
        "_is_regional_access_boundary_lookup_required",
        lambda self: False,
    )


@pytest.fixture(scope="session")
def example_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site's example publishing repository (tests/published.py), made once; read-only."""
    from published import publish_example
    from repos import publishing_repo

    work, _ = publishing_repo(tmp_path_factory.mktemp("example"), "")
    publish_example(work)
    return Path(str(work.working_tree_dir))
