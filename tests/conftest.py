"""Shared fixtures: generated events (made once per session) and a pinned clock."""

import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from google.auth.compute_engine import _metadata as gce_metadata
from google.auth.credentials import CredentialsWithRegionalAccessBoundary
from hypothesis import settings

from publisher.base.settings import END_DATE_VARIABLE, ENVIRONMENT
from publisher.sample.generator import SampleSpec, write_sample
from tests.repos import close_opened

# One Chromium per worker session, and the sites tests only read, built once per session.
pytest_plugins = ["tests.browser", "tests.sites"]

# Property tests check what is true, not how fast: a loaded CI machine must not fail them.
settings.register_profile("top-pypi", deadline=None)
settings.load_profile("top-pypi")

# The clock every test runs at: the monthly job's usual moment, early on the 1st.
NOW = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
# The sample covers 35 days up to the last complete day before NOW.
SAMPLE_END = date(2026, 10, 31)
SAMPLE_SPEC = SampleSpec(events=300_000, projects=3_000, days=35, end=SAMPLE_END, seed=7)
# Events some of which have no project name, in June: apart from the sample's days, so that
# they can be loaded beside it. Every 7th event's name is NULL, every 11th's empty.
UNNAMED_SPEC = SampleSpec(events=40_000, projects=400, days=7, end=date(2026, 6, 30), seed=9)
UNNAMED_WINDOW = (date(2026, 6, 24), date(2026, 6, 30))


@pytest.fixture(scope="session")
def events_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("events")
    write_sample(folder, SAMPLE_SPEC)
    return folder


def blank_names(path: Path) -> None:
    """Rewrite a day file with NULL (every 7th) and empty (every 11th) project names, in the
    top-level `project` column and in `file.project` alike, as the public table would hold them."""
    table = pq.read_table(path)
    names = table["project"].to_pylist()
    for start, blank in ((0, None), (3, "")):
        step = 7 if blank is None else 11
        names[start::step] = [blank] * len(names[start::step])
    project = pa.array(names, pa.string())
    file = table["file"].combine_chunks()
    fields = [project if f.name == "project" else file.field(f.name) for f in file.type]
    table = table.set_column(table.schema.get_field_index("project"), "project", project)
    nested = pa.StructArray.from_arrays(fields, fields=list(file.type), mask=file.is_null())
    table = table.set_column(table.schema.get_field_index("file"), "file", nested)
    pq.write_table(table, path)


@pytest.fixture(scope="session")
def unnamed_events_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("unnamed-events")
    for path in write_sample(folder, UNNAMED_SPEC):
        blank_names(path)
    return folder


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(autouse=True)
def no_settings_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    """A TOP_PYPI_* variable in the developer's shell (or a CI job's) must not reach a test."""
    for name in [*ENVIRONMENT, END_DATE_VARIABLE]:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def close_repositories() -> Iterator[None]:
    """The repositories the test opened (`opened` in tests/repos.py) are closed after it: their
    git helpers end with the test, not when the collector reaches them."""
    yield
    close_opened()


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No user or system git config, and no identity from the environment, leaks in."""
    isolate_git(monkeypatch, tmp_path)


def isolate_git(patch: pytest.MonkeyPatch, folder: Path) -> None:
    """`isolated_git` for a module's or a session's fixture: a home of its own in `folder`."""
    home = folder / "home"
    home.mkdir()
    (home / "gitconfig").write_text("")
    patch.setenv("HOME", str(home))
    patch.setenv("XDG_CONFIG_HOME", str(home))
    patch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        for field in ("NAME", "EMAIL", "DATE"):
            patch.delenv(f"GIT_{who}_{field}", raising=False)
    for name in ("EMAIL", "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        patch.delenv(name, raising=False)


@pytest.fixture(scope="session", autouse=True)
def outside_the_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests run in an empty folder, from the first fixture on: this repository's own
    top-pypi.toml (engine = "clickhouse", ClickHouse's public server) never applies to them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(tmp_path_factory.mktemp("cwd"))
        yield


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
    from tests.published import publish_example
    from tests.repos import publishing_repo

    work, _ = publishing_repo(tmp_path_factory.mktemp("example"), "")
    publish_example(work)
    return Path(str(work.working_tree_dir))
