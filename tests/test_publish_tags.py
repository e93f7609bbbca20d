"""What a publish tag is (publisher/release/commits.py): the one rule the release, Zenodo and the
site share, against real git, with every kind of tag a repository may hold."""

from pathlib import Path

import git
import pytest

from publisher.release.commits import publish_tags, record_of, with_trailer
from tests.repos import IDENTITY, opened


@pytest.fixture
def repo(tmp_path: Path) -> git.Repo:
    repo = opened(git.Repo.init(tmp_path / "repo", initial_branch="main"))
    for key, value in IDENTITY.items():
        repo.git.config(key, value)
    return repo


def commit(repo: git.Repo, message: str) -> str:
    repo.git.commit("--allow-empty", "-m", message)
    return repo.head.commit.hexsha


def test_only_calver_tags_on_commits_naming_them_are_publish_tags(repo: git.Repo) -> None:
    october = commit(repo, with_trailer("Publish 2026.10", "2026.10"))
    repo.create_tag("2026.10", ref=october, message="Publish 2026.10")  # annotated
    repo.create_tag("2026.10.1", ref=commit(repo, with_trailer("Fix", "2026.10.1")))  # light
    repo.create_tag("2026.09", ref=commit(repo, "Publish 2026.09 by hand"))  # no trailer
    repo.create_tag("2026.08", ref=commit(repo, with_trailer("Publish", "2026.07")))  # another's
    prose = commit(repo, "Publish 2026.06\n\nSome words\nTop-PyPI-Tag: 2026.06")
    repo.create_tag("2026.06", ref=prose)  # a trailer line inside prose is no trailer
    repo.create_tag("latest", ref=october)  # not CalVer
    repo.create_tag("2026.05", ref=repo.head.commit.tree.hexsha)  # a tag of a tree
    november = commit(repo, with_trailer("Publish 2026.11", "2026.11"))
    repo.create_tag("2026.11", ref=november, message="Publish 2026.11")
    assert publish_tags(repo) == ["2026.10", "2026.10.1", "2026.11"]


def test_publish_tags_read_the_trailers_as_a_commit_record_does(repo: git.Repo) -> None:
    """One git process for every tag, and the same answer as reading each tag's commit."""
    messages = {
        "2026.01": with_trailer("Publish", "2026.01"),
        "2026.02": "Publish\n\nTop-PyPI-Tag : 2026.02\n",  # git takes a space before the colon
        "2026.03": "Publish\n\nTop-PyPI-Tag: 2026.02\nTop-PyPI-Tag: 2026.03\n",  # the last one
        "2026.04": "Publish\n\ntop-pypi-tag: 2026.04\n",  # another key: keys are compared as is
        "2026.05": "Top-PyPI-Tag: 2026.05",  # a subject alone has no trailers
    }
    for tag, message in messages.items():
        repo.create_tag(tag, ref=commit(repo, message), message=tag)
    by_commit = [t.name for t in repo.tags if record_of(t.commit, []).tag == t.name]
    assert publish_tags(repo) == sorted(by_commit) == ["2026.01", "2026.02", "2026.03"]
