"""Publishing repositories for the tests: a real work tree with a pinned identity and
settings committed, pushed to a local bare remote."""

import atexit
import shutil
import tempfile
from pathlib import Path

import git

IDENTITY = {"user.name": "Test Publisher", "user.email": "publisher@example.org"}
# One made repository per settings text in this process; each test gets a copy of it.
_MADE: dict[str, Path] = {}
# Every repository a test opens, closed after it (`close_repositories` in tests/conftest.py).
# Left to the collector, a repository in a reference cycle (a `pytest.raises` keeps the test's
# frame, and so its repositories) has its git cat-file helpers finalised in any order: Python
# then warns that a process is still running, and the warning fails whichever test is running.
_OPENED: list[git.Repo] = []


def opened(repo: git.Repo) -> git.Repo:
    """`repo`, to be closed once the test ends (it may still be used: git starts again)."""
    _OPENED.append(repo)
    return repo


def close_opened() -> None:
    """Close what `opened` kept, newest first."""
    while _OPENED:
        _OPENED.pop().close()


def publishing_repo(folder: Path, settings: str) -> tuple[git.Repo, git.Repo]:
    """(work, remote): `folder/work` with `settings` as its top-pypi.toml, `folder/remote.git`.
    The pair is made once per settings text (eight git commands), then copied: a copy is the
    same commit, pushed, its `origin` pointing at its own remote."""
    made = _MADE.get(settings)
    if made is None:
        made = Path(tempfile.mkdtemp(prefix="publishing-repo-"))
        atexit.register(shutil.rmtree, made, True)
        _make(made, settings)
        _MADE[settings] = made
    shutil.copytree(made, folder, symlinks=True, dirs_exist_ok=True)
    remote, work = opened(git.Repo(folder / "remote.git")), opened(git.Repo(folder / "work"))
    with work.config_writer() as config:
        config.set_value('remote "origin"', "url", str(remote.git_dir))
    return work, remote


def _make(folder: Path, settings: str) -> None:
    remote = git.Repo.init(folder / "remote.git", bare=True, initial_branch="main")
    work = git.Repo.init(folder / "work", initial_branch="main")
    for key, value in IDENTITY.items():
        work.git.config(key, value)
    (folder / "work" / "top-pypi.toml").write_text(settings, encoding="utf-8")
    work.git.add("top-pypi.toml")
    work.git.commit("-m", "Settings")
    work.create_remote("origin", str(remote.git_dir))
    work.git.push("origin", "main")
    work.close()
    remote.close()


def message_text(commit: git.Commit) -> str:
    """A commit's message as text: GitPython gives bytes only for one it could not decode."""
    text = commit.message
    assert isinstance(text, str), f"{commit.hexsha}'s message is not text: {text!r}"
    return text
