"""Sites the tests only read, each built once per session of a worker (registered in
tests/conftest.py) and shared by every module that reads it: no test changes one. A test
that changes a site builds its own.

| fixture | what it is |
| --- | --- |
| `example_site_dir` | the example repository's site with no address (`url=None`) |
| `example_site_at_url` | the same site for the address `EXAMPLE_URL` (a sitemap, canonical links) |
| `example_site` | `example_site_dir` served on 127.0.0.1: its base URL |
| `big_repo`, `big_site` | two months of 1,200 rows, and their site served: its base URL |
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from publisher.website.builder import build_site
from tests.conftest import isolate_git
from tests.published import publish_generated
from tests.repos import publishing_repo
from tests.site_pages import serve

EXAMPLE_URL = "https://example.org/top-pypi/"


def built_once(repo: Path, folder: Path, url: str | None, workers: int = 1) -> Path:
    """The site of `repo` built into `folder`/site, with a git home of its own in `folder`
    (a session's fixture runs before any test's isolation)."""
    with pytest.MonkeyPatch.context() as patch:
        isolate_git(patch, folder)
        build_site(repo, folder / "site", url, workers=workers)
    return folder / "site"


@pytest.fixture(scope="session")
def example_site_dir(example_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_once(example_repo, tmp_path_factory.mktemp("example-site"), None)


@pytest.fixture(scope="session")
def example_site_at_url(example_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_once(example_repo, tmp_path_factory.mktemp("example-site-url"), EXAMPLE_URL)


@pytest.fixture(scope="session")
def example_site(example_site_dir: Path) -> Iterator[str]:
    with serve(example_site_dir) as url:
        yield url


@pytest.fixture(scope="session")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two months of 1,200 rows: every ranking page length up to "all", and rank changes."""
    work, _ = publishing_repo(tmp_path_factory.mktemp("big"), "")
    publish_generated(work, "2026.10", months=2, rows=1200)
    return Path(str(work.working_tree_dir))


@pytest.fixture(scope="session")
def big_site(big_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(built_once(big_repo, tmp_path_factory.mktemp("big-site"), None, workers=2)) as url:
        yield url
