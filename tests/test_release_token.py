"""`top-pypi release` and its token: a pasted one is mended, a broken one refused, none ever
shown; and the dry run, which checks the token with one read before saying what would be sent."""

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


def test_a_token_in_the_zenodo_url_is_never_shown(
    repos: tuple[git.Repo, git.Repo],
    zenodo: ZenodoStandIn,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """Every line the release prints or writes into the summary passes the redaction: here the
    token in the URL's credentials, which every progress line and error names."""
    work, _ = repos
    summary = tmp_path / "summary.md"
    host = zenodo.url.removeprefix("http://")
    monkeypatch.setenv("TOP_PYPI_ZENODO_URL", f"http://user:{DEFAULT_TOKEN}@{host}")
    code, out, err = release(capsys, work, "--summary", str(summary))
    assert code == 1
    assert_one_error_line(err, "Zenodo at http://user:***@127.0.0.1:")
    assert "Releasing 2026.10, 2026.11 to Zenodo at http://user:***@" in err
    assert "Zenodo: http://user:***@" in summary.read_text()
    for text in (out, err, summary.read_text()):
        assert DEFAULT_TOKEN not in text
