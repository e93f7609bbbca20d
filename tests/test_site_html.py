"""Every kind of page the site has is valid HTML, checked offline by the Nu HTML checker
(npm `vnu-jar`, pinned in site/package.json, run with the system's Java)."""

import json
import shutil
import subprocess
from pathlib import Path

from browser import VNU_JAR, require_vnu
from published import publish_generated
from repos import publishing_repo

from publisher.website.builder import build_site


def nu_errors(folder: Path) -> list[str]:
    options = ["--errors-only", "--format", "json", "--skip-non-html", "--also-check-css"]
    command = ["java", "-jar", str(VNU_JAR), *options, "--also-check-svg", str(folder)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    messages = json.loads(done.stderr or done.stdout)["messages"]
    return [f"{m.get('url', '')}:{m.get('lastLine', '')}: {m['message']}" for m in messages]


def test_every_page_of_the_example_is_valid_html(example_repo: Path, tmp_path: Path) -> None:
    require_vnu()
    build_site(example_repo, tmp_path / "site", "https://example.org/top-pypi/", workers=1)
    assert nu_errors(tmp_path / "site") == []


def test_a_long_ranking_with_changes_is_valid_html(tmp_path: Path) -> None:
    require_vnu()
    work, _ = publishing_repo(tmp_path, "")
    publish_generated(work, "2026.10", months=2, rows=1100, breakdown=True)
    build_site(tmp_path / "work", tmp_path / "site", None)
    checked = tmp_path / "checked"
    checked.mkdir()
    for name in ("index.html", "top-1000.html", "top-1100.html"):
        shutil.copy(tmp_path / "site" / name, checked / name)
    shutil.copy(next((tmp_path / "site" / "project").glob("*.html")), checked / "project.html")
    assert nu_errors(checked) == []
    assert len(list(checked.iterdir())) == 4
