"""`top-pypi site`: the command line over the site builder (tests/test_site_build.py checks
the pages themselves)."""

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.expect import assert_one_error_line, run_cli
from tests.published import month_count, month_end, publish_month, ranked
from tests.repos import publishing_repo


def test_site_builds_and_says_what_it_built(
    example_repo: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "site"
    code, stdout, _ = run_cli(capsys, now, "site", "--repo", str(example_repo), "--out", str(out))
    assert code == 0
    assert "2026.11.1" in stdout
    assert "none (give --site-url" in stdout
    assert "404 page" in stdout
    assert "root only" in stdout
    assert (out / "index.html").is_file()
    assert not (out / "sitemap.xml").exists()


def test_site_url_from_the_option_and_a_summary_appended(
    example_repo: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("# Monthly job\n")
    argv = ["site", "--repo", str(example_repo), "--out", str(tmp_path / "site")]
    code, _, _ = run_cli(
        capsys, now, *argv, "--site-url", "https://example.org/top", "--summary", str(summary)
    )
    assert code == 0
    assert (
        "Sitemap: https://example.org/top/sitemap.xml" in (tmp_path / "site/robots.txt").read_text()
    )
    text = summary.read_text()
    assert text.startswith("# Monthly job\n### Site\n")
    assert "| latest release | 2026.11.1 |" in text
    assert "| address | https://example.org/top/ |" in text


def test_site_url_from_the_settings_file_and_from_a_github_remote(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = publishing_repo(tmp_path, 'site_url = "https://data.example.org/"\n')
    publish_month(work, "2026.11", month_count(ranked({"boto3": 5}), month_end("2026.11")))
    repo = str(tmp_path / "work")
    assert run_cli(capsys, now, "site", "--repo", repo, "--out", str(tmp_path / "a"))[0] == 0
    assert "https://data.example.org/" in (tmp_path / "a" / "sitemap.xml").read_text()
    (tmp_path / "work" / "top-pypi.toml").write_text("")
    work.git.remote("set-url", "origin", "git@github.com:someone/top-pypi.git")
    assert run_cli(capsys, now, "site", "--repo", repo, "--out", str(tmp_path / "b"))[0] == 0
    assert "https://someone.github.io/top-pypi/" in (tmp_path / "b" / "sitemap.xml").read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["site", "--repo", "{repo}"], "site needs --out DIR."),
        (["site", "--repo", "{tmp}", "--out", "{tmp}/site"], "is not a git repository"),
        (
            ["site", "--repo", "{repo}", "--out", "{tmp}/site", "--site-url", "ftp://x"],
            "--site-url 'ftp://x' is not an http or https address",
        ),
        (
            [
                "site",
                "--repo",
                "{repo}",
                "--out",
                "{tmp}/site",
                "--site-url",
                "https://u:p@e.org/x",
            ],
            "--site-url holds a user name or password: every page would show it",
        ),
        (
            [
                "site",
                "--repo",
                "{repo}",
                "--out",
                "{tmp}/site",
                "--site-url",
                "https://e.org/x?q=1",
            ],
            "--site-url 'https://e.org/x?q=1' has a query (?q=1)",
        ),
        (
            [
                "site",
                "--repo",
                "{repo}",
                "--out",
                "{tmp}/site",
                "--site-url",
                "https://e.org/x#top",
            ],
            "--site-url 'https://e.org/x#top' has a fragment (#top)",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    argv: list[str],
    message: str,
    example_repo: Path,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    filled = [a.format(repo=example_repo, tmp=tmp_path) for a in argv]
    code, _, err = run_cli(capsys, now, *filled)
    assert code == 2
    assert_one_error_line(err, message)
    assert not (tmp_path / "site").exists()


def test_a_bad_site_url_in_the_settings_file_is_named(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    publishing_repo(tmp_path, 'site_url = "example.org"\n')
    code, _, err = run_cli(
        capsys, now, "site", "--repo", str(tmp_path / "work"), "--out", str(tmp_path / "s")
    )
    assert code == 2
    assert_one_error_line(err, "top-pypi.toml: site_url = 'example.org' is not an http")


def test_no_publish_tags_is_one_line(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = publishing_repo(tmp_path, "")
    work.create_tag("2026.11", message="by hand")
    code, _, err = run_cli(
        capsys, now, "site", "--repo", str(tmp_path / "work"), "--out", str(tmp_path / "s")
    )
    assert code == 2
    assert_one_error_line(err, "The repository has no publish tags")
    assert not (tmp_path / "s").exists()


def test_the_demo_ends_with_the_site_and_says_where_it_is(
    example_repo: Path, tmp_path: Path
) -> None:
    from io import StringIO

    from rich.console import Console

    from publisher.cli.commands import demo_site

    said = StringIO()
    code = demo_site(example_repo, tmp_path / "site", Console(file=said), Console(file=StringIO()))
    assert code == 0
    assert (tmp_path / "site" / "index.html").is_file()
    # 5 ranking pages, 4 flags pages, 6 project pages, the archive and 404.
    assert f"Site: {tmp_path / 'site'}/index.html (17 pages)" in said.getvalue()


def test_the_scheme_of_a_site_url_is_case_insensitive(
    example_repo: Path, tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["site", "--repo", str(example_repo), "--out", str(tmp_path / "site")]
    code, _, _ = run_cli(capsys, now, *argv, "--site-url", "HTTPS://EXAMPLE.ORG/x")
    assert code == 0
    assert (
        "Sitemap: https://example.org/x/sitemap.xml" in (tmp_path / "site/robots.txt").read_text()
    )


@pytest.mark.parametrize("command", ["site", "publish", "release"])
def test_a_summary_in_a_missing_folder_stops_every_command_before_any_work(
    command: str,
    example_repo: Path,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
) -> None:
    missing = tmp_path / "nowhere" / "summary.md"
    argv = [command, "--repo", str(example_repo), "--summary", str(missing)]
    if command == "site":
        argv += ["--out", str(tmp_path / "site")]
    code, _, err = run_cli(capsys, now, *argv)
    assert code == 2
    assert_one_error_line(err, f"--summary {missing}: the folder {missing.parent} does not exist.")
    assert not (tmp_path / "site").exists()
    assert not missing.parent.exists()


def test_a_repository_of_another_user_is_one_line_with_the_fix(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    work, _ = publishing_repo(tmp_path, "")
    publish_month(work, "2026.11", month_count(ranked({"boto3": 5}), month_end("2026.11")))
    root = tmp_path / "work"
    os.chown(root, 12345, -1)  # what git checks: the owner of the work tree
    argv = ["site", "--repo", str(root), "--out", str(tmp_path / "site")]
    code, _, err = run_cli(capsys, now, *argv)
    assert code == 1
    assert_one_error_line(err, f"detected dubious ownership in repository at '{root}'")
    assert f"git config --global --add safe.directory {root}" in err
    assert not (tmp_path / "site").exists()


def test_an_ascii_console_gets_plain_characters(example_repo: Path, tmp_path: Path) -> None:
    """PYTHONIOENCODING=ascii: rich's table borders and the status spinner were not ASCII."""
    env = {**os.environ, "PYTHONIOENCODING": "ascii"}
    argv = ["site", "--repo", str(example_repo), "--out", str(tmp_path / "site")]
    done = subprocess.run(
        [sys.executable, "-m", "publisher", *argv], env=env, capture_output=True, check=False
    )
    assert done.returncode == 0, done.stderr.decode("ascii", "replace")
    assert b"Traceback" not in done.stderr
    assert b"2026.11.1" in done.stdout
    done.stdout.decode("ascii")  # nothing but ASCII
