"""Every kind of page the site has is valid HTML, checked offline by the Nu HTML checker
(npm `vnu-jar`, pinned in site/package.json, run with the system's Java).

The checker starts a Java machine, the most of what it costs: it checks both sites in one run,
and each test reads the messages about its own site."""

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from publisher.website.builder import build_site
from tests.browser import VNU_JAVA, require_vnu
from tests.conftest import isolate_git
from tests.published import publish_generated
from tests.repos import publishing_repo


def nu_errors(folders: list[Path]) -> dict[Path, list[str]]:
    """Each folder's errors; one about no page in particular counts against every folder."""
    options = ["--errors-only", "--format", "json", "--skip-non-html", "--also-check-css"]
    command = [*VNU_JAVA, *options, "--also-check-svg", *map(str, folders)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    errors: dict[Path, list[str]] = {folder: [] for folder in folders}
    for m in messages:
        line = f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}"
        page = Path(unquote(urlparse(m.get("url", "")).path))
        about = [folder for folder in folders if page.is_relative_to(folder)] or folders
        for folder in about:
            errors[folder].append(line)
    return errors


def long_ranking_pages(folder: Path) -> Path:
    """A long ranking with changes: its index, its top-N pages and a project page."""
    work, _ = publishing_repo(folder, "")
    publish_generated(work, "2026.10", months=2, rows=1100, breakdown=True)
    build_site(folder / "work", folder / "site", None)
    checked = folder / "checked"
    checked.mkdir()
    for name in ("index.html", "top-1000.html", "top-1100.html"):
        shutil.copy(folder / "site" / name, checked / name)
    shutil.copy(next((folder / "site" / "project").glob("*.html")), checked / "project.html")
    return checked


@pytest.fixture(scope="module")
def sites(
    example_site_at_url: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Path]]:
    """(the example's site, shared by the session, the long ranking's pages), built once."""
    require_vnu()
    folder = tmp_path_factory.mktemp("html")
    with pytest.MonkeyPatch.context() as patch:
        isolate_git(patch, folder)
        yield [example_site_at_url, long_ranking_pages(folder / "long")]


@pytest.fixture(scope="module")
def errors(sites: list[Path]) -> dict[Path, list[str]]:
    return nu_errors(sites)


def test_every_page_of_the_example_is_valid_html(
    sites: list[Path], errors: dict[Path, list[str]]
) -> None:
    assert errors[sites[0]] == []


def test_a_long_ranking_with_changes_is_valid_html(
    sites: list[Path], errors: dict[Path, list[str]]
) -> None:
    checked = sites[1]
    assert errors[checked] == []
    assert len(list(checked.iterdir())) == 4
