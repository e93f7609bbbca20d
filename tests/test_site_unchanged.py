"""A re-run with nothing new leaves the site as it is (publisher/website/unchanged.py): no page
is written again. A change of anything the pages are made of, or of the site's own files,
writes the site again."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from importlib.resources import files
from io import StringIO
from pathlib import Path

import git
import pytest
from rich.console import Console

from publisher.cli.commands import demo_site
from publisher.website.builder import build_site
from publisher.website.render import ASSETS, STATIC
from publisher.website.unchanged import fingerprint_file, package_files
from tests.expect import run_cli
from tests.published import CITATION, commit_file, month_count, month_end, publish_month, ranked
from tests.repos import publishing_repo

URL = "https://example.org/top-pypi/"


def written(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file's inode and time of change: a file written again has another inode."""
    return {
        path.relative_to(folder).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_a_rebuild_with_nothing_new_writes_nothing(example_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "build" / "site"
    first = build_site(example_repo, out, URL, workers=1)
    before = written(out)
    again = build_site(example_repo, out, URL, workers=1)
    assert not first.unchanged
    assert again.unchanged
    assert replace(again, unchanged=False) == first  # the same pages, files and bytes
    assert written(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == [".site.inputs.json", "site"]


def another_month(work: git.Repo, out: Path) -> None:
    publish_month(work, "2026.11", month_count(ranked({"numpy": 7}), month_end("2026.11")))


def a_citation(work: git.Repo, out: Path) -> None:
    commit_file(work, "CITATION.cff", CITATION, "Citation")


def a_moved_tag(work: git.Repo, out: Path) -> None:
    """The same tag name on another publish commit (deleted and made again by hand)."""
    work.delete_tag(work.tags["2026.10"])
    publish_month(work, "2026.10", month_count(ranked({"rich": 3}), month_end("2026.10")))


def a_page_edited(work: git.Repo, out: Path) -> None:
    (out / "index.html").write_text("edited by hand")


def a_page_removed(work: git.Repo, out: Path) -> None:
    (out / "404.html").unlink()


def a_file_added(work: git.Repo, out: Path) -> None:
    (out / "project" / "stale.html").write_text("stale")


def a_broken_fingerprint(work: git.Repo, out: Path) -> None:
    fingerprint_file(out).write_text("{not json")


@pytest.mark.parametrize(
    "change",
    [
        another_month,
        a_citation,
        a_moved_tag,
        a_page_edited,
        a_page_removed,
        a_file_added,
        a_broken_fingerprint,
    ],
)
def test_a_change_of_what_the_site_is_made_of_writes_it_again(
    tmp_path: Path, change: Callable[[git.Repo, Path], None]
) -> None:
    work, _ = publishing_repo(tmp_path, "")
    publish_month(work, "2026.10", month_count(ranked({"boto3": 9}), month_end("2026.10")))
    out = tmp_path / "site"
    build_site(tmp_path / "work", out, None, workers=1)
    before = written(out)
    change(work, out)
    built = build_site(tmp_path / "work", out, None, workers=1)
    assert not built.unchanged
    assert not set(written(out).items()) & set(before.items())  # every file written again
    assert not (out / "project" / "stale.html").exists()
    assert build_site(tmp_path / "work", out, None, workers=1).unchanged


def test_another_address_writes_it_again_and_a_commit_the_pages_do_not_read_does_not(
    tmp_path: Path,
) -> None:
    work, _ = publishing_repo(tmp_path, "")
    publish_month(work, "2026.10", month_count(ranked({"boto3": 9}), month_end("2026.10")))
    out = tmp_path / "site"
    build_site(tmp_path / "work", out, None, workers=1)
    assert not build_site(tmp_path / "work", out, URL, workers=1).unchanged
    commit_file(work, "NOTES.md", "Not read by the site.\n", "Notes")
    assert build_site(tmp_path / "work", out, URL, workers=1).unchanged


def test_the_fingerprint_covers_the_code_the_templates_and_the_static_files() -> None:
    names = {name for name, _ in package_files()}
    assert {"publisher/__init__.py", "publisher/website/pages.py"} <= names
    for folder in ("templates", STATIC):
        shipped = files(ASSETS).joinpath(folder).iterdir()
        assert {f"assets/{folder}/{entry.name}" for entry in shipped} <= names
    assert not [name for name in names if "__pycache__" in name]


def test_the_site_command_and_the_demo_say_the_site_was_left_as_it_was(
    example_repo: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["site", "--repo", str(example_repo), "--out", str(tmp_path / "site")]
    code, stdout, _ = run_cli(capsys, now, *argv)
    assert code == 0
    assert "nothing it is made of changed" not in " ".join(stdout.split())
    code, stdout, _ = run_cli(capsys, now, *argv)
    assert code == 0
    assert "no: nothing it is made of changed since the last build" in " ".join(stdout.split())
    said = StringIO()
    code = demo_site(example_repo, tmp_path / "site", Console(file=said), Console(file=StringIO()))
    assert code == 0
    pages = len(list((tmp_path / "site").rglob("*.html")))
    assert (
        f"Site: {tmp_path / 'site'}/index.html ({pages} pages), as it was: nothing it is made of"
        " changed;" in " ".join(said.getvalue().split())
    )
