"""Every secret, in every form it comes back in, is kept out of every error and every
`--summary` line, whichever command meets it: the ClickHouse password, the Zenodo token, the
BigQuery key and its access token, the push token.

Each test drives the real command line, and the secret really comes back into the message
path: a stand-in echoes the credential it was sent in its error answer (tests/fakes/echoing),
or the remote's hook echoes the push token into the refusal git passes on.
"""

import sys
from datetime import datetime
from pathlib import Path

import git
import pytest

from tests.expect import run_cli
from tests.fakes.bigquery_auth import ServiceAccount
from tests.fakes.echoing import FORMS, EchoingServer
from tests.repos import publishing_repo
from tests.test_release_command import published, release, repos

__all__ = ["published", "repos"]  # the fixtures, shared with the release tests

# A secret with characters that URL-encoding changes, pasted with its line end for the
# "stripped" form (the text then holds it without).
SECRET = "S3cr3t/T0k+en=42"
ROOT = Path(__file__).parents[1]


def configured(form: str, secret: str = SECRET) -> str:
    return f"{secret}\r\n" if form == "stripped" else secret


def assert_hidden(secret: str, echoed: list[str], *texts: str) -> None:
    """The stand-in said the secret, and none of what it said reached a person."""
    assert echoed, "the secret never came back: the test proves nothing"
    for text in texts:
        for said in echoed:
            assert said.strip().rstrip("=") not in text
        assert secret.strip() not in text


def summary_of(tmp_path: Path) -> Path:
    return tmp_path / "summary.md"


@pytest.mark.parametrize("form", FORMS)
def test_the_clickhouse_password(
    form: str,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = summary_of(tmp_path)
    with EchoingServer("clickhouse", FORMS[form]) as server:
        settings = f'engine = "clickhouse"\nclickhouse_url = "{server.url}"\n'
        work, _ = publishing_repo(tmp_path, settings)
        monkeypatch.setenv("TOP_PYPI_CLICKHOUSE_PASSWORD", configured(form))
        argv = ["publish", "--repo", str(work.working_tree_dir), "--dry-run"]
        code, out, err = run_cli(capsys, now, *argv, "--summary", str(summary))
    assert code == 1
    assert "refused the query: HTTP 400: Request rejected, credential ***" in err
    assert "Request rejected, credential ***" in summary.read_text()
    assert_hidden(SECRET, server.echoed, out, err, summary.read_text())


@pytest.mark.parametrize("form", FORMS)
def test_the_zenodo_token(
    form: str,
    repos: tuple[git.Repo, git.Repo],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    work, _ = repos
    summary = summary_of(tmp_path)
    with EchoingServer("zenodo", FORMS[form]) as server:
        monkeypatch.setenv("TOP_PYPI_ZENODO_URL", server.url)
        monkeypatch.setenv("ZENODO_API_TOKEN", configured(form))
        code, out, err = release(capsys, work, "--dry-run", "--summary", str(summary))
    assert code == 1
    said = "refused to list depositions (HTTP 400): access_token: Request rejected, credential ***"
    assert said in err, err[-600:]
    assert said in summary.read_text()
    assert_hidden(SECRET, server.echoed, out, err, summary.read_text())


def bigquery_publish(
    server: EchoingServer,
    account: ServiceAccount,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[int, str, str]:
    """`publish --dry-run` counting with BigQuery at `server`, with the account's key."""
    key = account.write_key(tmp_path / "key.json")
    monkeypatch.setenv("BIGQUERY_EMULATOR_HOST", server.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    work, _ = publishing_repo(tmp_path, 'engine = "bigquery"\n')
    argv = ["publish", "--repo", str(work.working_tree_dir), "--dry-run", "--credentials", str(key)]
    return run_cli(capsys, now, *argv, "--summary", str(summary_of(tmp_path)))


@pytest.mark.parametrize("form", FORMS)
def test_the_bigquery_key(
    form: str,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Google's token endpoint refuses the assertion, echoing the account's private key."""
    with EchoingServer("bigquery", FORMS[form]) as server:
        account = ServiceAccount("test-project", f"{server.url}/token")
        private_key = account.key_info()["private_key"]
        server.refuse_tokens_echoing(private_key)
        code, out, err = bigquery_publish(server, account, tmp_path, now, capsys, monkeypatch)
    assert code == 2
    said = "Google credentials refused: invalid_grant: Invalid JWT for key ***"
    summary = summary_of(tmp_path).read_text()
    assert said in err, err[-600:]
    assert said in summary
    core = private_key.strip().splitlines()[1]  # a line of the key itself
    for text in (out, err, summary):
        assert core not in text
    assert_hidden(private_key, server.echoed, out, err, summary)


@pytest.mark.parametrize("form", FORMS)
def test_the_bigquery_access_token(
    form: str,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The token endpoint hands out a token (with a trailing space for the stripped form);
    BigQuery refuses the request, echoing it."""
    token = SECRET + (" " if form == "stripped" else "")
    with EchoingServer("bigquery", FORMS[form], access_token=token) as server:
        account = ServiceAccount("test-project", f"{server.url}/token")
        code, out, err = bigquery_publish(server, account, tmp_path, now, capsys, monkeypatch)
    assert code == 1
    summary = summary_of(tmp_path).read_text()
    for text in (err, summary):
        assert "BigQuery failed" in text
        assert "Request rejected, credential ***" in text
    assert_hidden(SECRET, server.echoed, out, err, summary)


# The remote's hook echoes the push token the credential helper would read, in one form.
HOOK = """#!{python}
import os, sys
sys.path.insert(0, {root!r})
from tests.fakes.echoing import FORMS
print("token", FORMS[{form!r}](os.environ["PUSH_TOKEN"]), "is not allowed here", file=sys.stderr)
sys.exit(1)
"""


@pytest.mark.parametrize("form", FORMS)
def test_the_push_token(
    form: str,
    events_dir: Path,
    tmp_path: Path,
    now: datetime,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    summary = summary_of(tmp_path)
    work, remote = publishing_repo(tmp_path, f"events = {str(events_dir)!r}\nlimit = 20\n")
    hook = Path(remote.git_dir) / "hooks" / "pre-receive"
    hook.write_text(HOOK.format(python=sys.executable, root=str(ROOT), form=form))
    hook.chmod(0o755)
    monkeypatch.setenv("PUSH_TOKEN", configured(form))
    argv = ["publish", "--repo", str(work.working_tree_dir), "--summary", str(summary)]
    code, out, err = run_cli(capsys, now, *argv)
    assert code == 1
    for text in (err, summary.read_text()):
        assert "rejected the push of refs/heads/main: [remote rejected]" in text
        assert "(pre-receive hook declined); token *** is not allowed here." in text
    echoed = [FORMS[form](configured(form))]
    assert_hidden(SECRET, echoed, out, err, summary.read_text())
