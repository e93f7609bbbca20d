"""The documentation as the tests read it: the pages of `docs/`, where every option, key and
secret must be named, and the relative links of every Markdown file people read."""

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
DOCS = ROOT / "docs"
README = ROOT / "README.md"
README_MOST_LINES = 150
# What people read in the repository: the README, the data folder's, the changelog, the pages.
READ_BY_PEOPLE = (README, ROOT / "data" / "README.md", ROOT / "CHANGELOG.md")

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
CODE_SPAN = re.compile(r"`[^`\n]*`")
# An inline link or image, `[text](target)` or `[text](target "title")`; reference-style links
# are not used in these files.
LINK = re.compile(r"\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, ...


def pages() -> list[Path]:
    """Every page of `docs/`: a page another change adds counts as soon as it is there."""
    return sorted(DOCS.glob("*.md"))


def docs_text() -> str:
    """The text of every page of `docs/`, where every option, key and secret is documented."""
    return "\n".join(page.read_text(encoding="utf-8") for page in pages())


def markdown_files() -> list[Path]:
    return [path for path in READ_BY_PEOPLE if path.exists()] + pages()


def outside_fences(text: str) -> list[str]:
    """The lines outside fenced code blocks, as written."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def prose_lines(text: str) -> list[str]:
    """The lines Markdown renders as text: outside fenced blocks, code spans blanked."""
    return [
        CODE_SPAN.sub(lambda span: "`" + "x" * (len(span.group()) - 2) + "`", line)
        for line in outside_fences(text)
    ]


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lowercase, punctuation dropped, spaces to dashes."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    return re.sub(r"[^\w\- ]", "", text.lower()).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The anchors of a Markdown file's headings; a repeated heading's gets `-1`, `-2`, ..."""
    found: set[str] = set()
    for line in outside_fences(path.read_text(encoding="utf-8")):
        match = HEADING.match(line)
        if match:
            anchor, n = slug(match.group(1)), 0
            while (anchor if n == 0 else f"{anchor}-{n}") in found:
                n += 1
            found.add(anchor if n == 0 else f"{anchor}-{n}")
    return found


def relative_links(text: str) -> list[str]:
    return [
        target
        for line in prose_lines(text)
        for target in LINK.findall(line)
        if not EXTERNAL.match(target)
    ]


def broken_links(path: Path) -> list[str]:
    """The relative links of `path` that lead to no file, or to no heading of the file."""
    broken = []
    for target in relative_links(path.read_text(encoding="utf-8")):
        name, _, anchor = target.partition("#")
        linked = (path.parent / name).resolve() if name else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no such heading in {linked.name}")
    return broken
