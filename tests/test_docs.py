"""The documentation: a README a newcomer reads in two minutes, and links that lead somewhere."""

from pathlib import Path

import pytest

from tests.documentation import (
    README,
    README_MOST_LINES,
    ROOT,
    anchors,
    broken_links,
    markdown_files,
    pages,
)


def test_the_readme_is_short() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= README_MOST_LINES, f"README.md has {len(lines)} lines: move some to docs/"


def test_the_docs_have_an_index_of_every_page() -> None:
    index = ROOT / "docs" / "README.md"
    text = index.read_text(encoding="utf-8")
    unlisted = [page.name for page in pages() if page != index and f"]({page.name})" not in text]
    assert unlisted == []


@pytest.mark.parametrize("path", markdown_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_its_heading(path: Path) -> None:
    assert broken_links(path) == []


def test_a_link_to_a_missing_file_or_heading_is_found(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## The `--days` option, again\n\n## Again\n")
    (tmp_path / "page.md").write_text(
        "# Page\n\n## Here\n\n"
        "[fine](other.md) [fine](other.md#the---days-option-again) [fine](#here)\n"
        "[gone](missing.md) [gone](other.md#nowhere) [gone](#there)\n"
        "[outside](https://example.org/missing.md) `[code](missing-in-code.md)`\n"
        "```\n[fenced](missing-in-fence.md)\n```\n"
    )
    assert anchors(tmp_path / "other.md") == {"other", "the---days-option-again", "again"}
    assert broken_links(tmp_path / "page.md") == [
        "missing.md: no such file",
        "other.md#nowhere: no such heading in other.md",
        "#there: no such heading in page.md",
    ]


def test_a_repeated_heading_gets_a_numbered_anchor(tmp_path: Path) -> None:
    (tmp_path / "page.md").write_text("# Notes\n\n## Notes\n\n```\n# not a heading\n```\n")
    assert anchors(tmp_path / "page.md") == {"notes", "notes-1"}
