"""A tag's files come from the tag in git, not from the working tree."""

import hashlib
from pathlib import Path

import pytest

from publisher.base.errors import MetadataError
from publisher.dataset.build import COMPATIBLE_FILES, VERSION_FILES
from publisher.dataset.contents import record_names, stray_names
from publisher.release.tag_files import github_tag_url, month_files, tag_files
from tests.repos import publishing_repo


def test_files_are_read_from_the_tag_not_the_working_tree(tmp_path: Path) -> None:
    work, _ = publishing_repo(tmp_path, 'engine = "duckdb"\n')
    data = Path(str(work.working_tree_dir)) / "data"
    data.mkdir()
    names = [
        "top-pypi-packages.json",
        "top-pypi-packages-30-days.json",
        "releases.json",
        "README.md",
        "notes.txt",
    ]
    for name in names:
        (data / name).write_bytes(b"at the tag: " + name.encode())
    work.git.add("data")
    work.git.commit("-m", "Publish")
    work.git.tag("2026.11")
    (data / "top-pypi-packages.json").write_bytes(b"changed later")
    files = tag_files(work, "2026.11")
    assert [f.name for f in files] == sorted(names)
    sent, stray = month_files(files, 3)
    assert [f.name for f in sent] == [
        "README.md",
        "top-pypi-packages-30-days.json",
        "top-pypi-packages.json",
    ]
    assert stray == ["notes.txt"]
    dataset = sent[2]
    assert dataset.read() == b"at the tag: top-pypi-packages.json"
    assert dataset.size == len(dataset.read())
    assert dataset.md5() == "md5:" + hashlib.md5(dataset.read()).hexdigest()


def test_a_record_holds_the_files_of_the_tags_version() -> None:
    """From schema_version 3, what datapackage.json lists (the -30-days copies included) and
    itself; before, the compatible files; and README.md. releases.json is never sent."""
    every = [*VERSION_FILES[3], "README.md", "releases.json", "notes.txt", ".x.json.1.tmp"]
    assert record_names(3) == {*VERSION_FILES[3], "README.md"}
    assert "top-pypi-packages-30-days.csv" in record_names(3)
    assert stray_names(3, every) == [".x.json.1.tmp", "notes.txt"]
    assert record_names(1) == record_names(2) == {*COMPATIBLE_FILES, "README.md"}
    assert "top-pypi-packages-extended.parquet" in stray_names(2, every)
    assert "releases.json" not in stray_names(1, every)


def test_a_tag_without_data_is_named(tmp_path: Path) -> None:
    work, _ = publishing_repo(tmp_path, 'engine = "duckdb"\n')
    work.git.tag("2026.11")
    with pytest.raises(MetadataError, match="Tag 2026.11 has no data/ folder"):
        tag_files(work, "2026.11")


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("git@github.com:hugovk/top-pypi.git", "https://github.com/hugovk/top-pypi/tree/2026.11"),
        ("https://github.com/o/r", "https://github.com/o/r/tree/2026.11"),
        ("https://github.com/o/r.git/", "https://github.com/o/r/tree/2026.11"),
        ("ssh://git@github.com/o/r.git", "https://github.com/o/r/tree/2026.11"),
        (
            "https://x-access-token:ghs_secret@github.com/o/r.git",
            "https://github.com/o/r/tree/2026.11",
        ),
        ("https://ghp_secret@github.com/o/r", "https://github.com/o/r/tree/2026.11"),
        ("ssh://git:secret@github.com:22/o/r.git", "https://github.com/o/r/tree/2026.11"),
        ("https://github.com.example.org/o/r.git", None),
        ("https://example.org/github.com/o/r.git", None),
        ("https://[broken@github.com/o/r", None),
        ("https://gitlab.com/o/r.git", None),
        ("/srv/git/r.git", None),
        (None, None),
    ],
)
def test_the_tag_url_only_for_github(remote: str | None, expected: str | None) -> None:
    assert github_tag_url(remote, "2026.11") == expected
    assert "secret" not in str(github_tag_url(remote, "2026.11"))
