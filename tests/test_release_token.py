"""`top-pypi release` and its token: a pasted one is mended, a broken one refused, none ever
shown; and the dry run, which checks the token with one read before saying what would be sent."""

import time
from pathlib import Path

import git
import pytest

from tests.expect import assert_one_error_line
from tests.fakes.zenodo import DEFAULT_TOKEN, ZenodoStandIn
from tests.test_release_command import TAGS, published, release, repos, zenodo

__all__ = ["published", "repos", "zenodo"]  # the fixtures, shared with the release tests


def test_a_pasted_token_is_stripped_and_never_shown(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """A secret pasted with its line end: the token is the text without it."""
    work, _ = repos
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("ZENODO_API_TOKEN", f" {DEFAULT_TOKEN}\r\n")
    code, out, err = release(capsys, work, "--summary", str(summary))
    assert code == 0, err
    assert [d["metadata"]["version"] for d in zenodo.published()] == TAGS
    assert {r.token_via for r in zenodo.requests} <= {"header", "query"}
    for text in (out, err, summary.read_text()):
        assert DEFAULT_TOKEN not in text


@pytest.mark.parametrize("inside", [" ", "\t", "\n", "\x7f", "\x1b"])
def test_a_token_with_a_space_or_control_character_inside_is_refused_unseen(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    inside: str,
) -> None:
    work, _ = repos
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("ZENODO_API_TOKEN", f"first8ch{inside}last8chr\n")
    for args in ([], ["--dry-run"]):
        code, out, err = release(capsys, work, "--summary", str(summary), *args)
        assert code == 2
        assert_one_error_line(err, "ZENODO_API_TOKEN has a space or a control character")
        for text in (out, err, summary.read_text()):
            assert "first8ch" not in text
            assert "last8chr" not in text
    assert not zenodo.requests


@pytest.mark.parametrize(
    ("variable", "password"),
    [
        ("TOP_PYPI_ZENODO_URL", DEFAULT_TOKEN),
        ("TOP_PYPI_ZENODO_URL", "s3cret-pass"),
        ("TOP_PYPI_ZENODO_SANDBOX_URL", "s3cret-pass"),
    ],
)
def test_a_zenodo_url_with_credentials_is_refused_unseen(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    variable: str,
    password: str,
) -> None:
    """Credentials in the Zenodo URL, the token or any other password: `requests` would send
    them as Basic auth in place of the token, and every line names the URL. Refused before
    anything is sent, in one line that shows neither."""
    work, _ = repos
    summary = tmp_path / "summary.md"
    host = zenodo.url.removeprefix("http://")
    monkeypatch.setenv(variable, f"http://user:{password}@{host}")
    monkeypatch.setenv("ZENODO_SANDBOX_API_TOKEN", DEFAULT_TOKEN)
    sandbox = ["--sandbox"] if "SANDBOX" in variable else []
    for args in (sandbox, [*sandbox, "--dry-run"]):
        code, out, err = release(capsys, work, "--summary", str(summary), *args)
        assert code == 2
        assert_one_error_line(err, f"{variable} 'http://***@{host}' has credentials")
        for text in (out, err, summary.read_text()):
            assert password not in text
    assert not zenodo.requests


def logged_requests(zenodo: ZenodoStandIn, at_least: int) -> list[str]:
    """The routes of the requests the stand-in has logged, once `at_least` are (it logs each
    a moment after the client has its answer)."""
    for _ in range(500):
        if len(zenodo.requests) >= at_least:
            break
        time.sleep(0.01)
    return [f"{r.method} {r.route}" for r in zenodo.requests]


def test_a_dry_run_with_a_token_reads_once_and_says_a_read_proves_no_right_to_publish(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
) -> None:
    work, _ = repos
    code, out, err = release(capsys, work, "--dry-run")
    assert code == 0, err
    assert "top-pypi-packages.json" in out
    assert "md5:" in out
    said = " ".join(out.split())
    assert f"Zenodo at {zenodo.url} answered and read this token's depositions" in said
    assert "a read cannot prove the right to publish" in said
    assert logged_requests(zenodo, 1) == ["GET list"]
    assert not zenodo.depositions()


def test_a_dry_run_without_a_token_asks_nothing_and_says_so(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work, _ = repos
    monkeypatch.setenv("ZENODO_API_TOKEN", "")
    code, out, err = release(capsys, work, "--dry-run")
    assert code == 0, err
    assert "top-pypi-packages.json" in out
    assert [line for line in out.splitlines() if "not asked" in line] == [
        "no token: Zenodo was not asked"
    ]
    assert not zenodo.requests


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("wrong-token", "refused the token (HTTP 401)"),
        ("unreachable", "did not list depositions (connection refused)"),
        ("answer-lost", "did not list depositions (connection lost)"),
    ],
)
def test_a_dry_run_whose_token_is_refused_or_unanswered_fails_in_one_line(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    setup: str,
    message: str,
) -> None:
    """The dry run is how a setup is checked (docs/github.md's fork recipe): it must not pass."""
    work, _ = repos
    if setup == "wrong-token":
        monkeypatch.setenv("ZENODO_API_TOKEN", "not-a-token-here")
    if setup == "unreachable":
        monkeypatch.setenv("TOP_PYPI_ZENODO_URL", "http://127.0.0.1:9")
    if setup == "answer-lost":
        zenodo.fail("list", "reset", times=2)
    for args in (["--dry-run"], ["--dry-run", "--tag", TAGS[0]]):
        code, out, err = release(capsys, work, *args)
        assert code == 1
        assert_one_error_line(err, message)
        assert "md5:" not in out
    for secret in (DEFAULT_TOKEN, "not-a-token-here"):
        assert secret not in err


@pytest.mark.parametrize(
    ("where", "words"), [("no-such-folder/summary.md", "the folder"), (".", "is a folder")]
)
def test_a_summary_that_cannot_be_written_is_refused_before_anything_is_sent(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    where: str,
    words: str,
) -> None:
    """Else the DOIs are published, and the summary asked for is silently never written."""
    work, _ = repos
    summary = tmp_path / where
    for args in ([], ["--dry-run"]):
        code, _, err = release(capsys, work, "--summary", str(summary), *args)
        assert code == 2
        assert_one_error_line(err, f"--summary {summary}: {words}")
    assert not zenodo.requests
    assert not (tmp_path / "no-such-folder").exists()
