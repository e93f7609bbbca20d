"""Publishing repositories for the tests: a real work tree with a pinned identity and
settings committed, pushed to a local bare remote."""

from pathlib import Path

import git

IDENTITY = {"user.name": "Test Publisher", "user.email": "publisher@example.org"}


def publishing_repo(folder: Path, settings: str) -> tuple[git.Repo, git.Repo]:
    """(work, remote): `folder/work` with `settings` as its top-pypi.toml, `folder/remote.git`."""
    remote = git.Repo.init(folder / "remote.git", bare=True, initial_branch="main")
    work = git.Repo.init(folder / "work", initial_branch="main")
    for key, value in IDENTITY.items():
        work.git.config(key, value)
    (folder / "work" / "top-pypi.toml").write_text(settings, encoding="utf-8")
    work.git.add("top-pypi.toml")
    work.git.commit("-m", "Settings")
    work.create_remote("origin", str(remote.git_dir))
    work.git.push("origin", "main")
    return work, remote


def message_text(commit: git.Commit) -> str:
    """A commit's message as text: GitPython gives bytes only for one it could not decode."""
    text = commit.message
    assert isinstance(text, str), f"{commit.hexsha}'s message is not text: {text!r}"
    return text
