"""Reading a built site the way a browser or a crawler would, for the site's tests and
benchmarks: its links, and a static file server on 127.0.0.1."""

import functools
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urldefrag, urlsplit


class Links(HTMLParser):
    """Every URL a page refers to: (tag, attribute, value), plus inline styles and scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []
        self.inline: list[str] = []  # style attributes, event handlers, inline scripts
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src", "action", "srcset", "poster", "data") and value:
                self.found.append((tag, name, value))
            if name == "style" or name.startswith("on"):
                self.inline.append(f"<{tag} {name}>")
        self._in_script = tag == "script"

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("<script> with content")

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False


def page_links(path: Path) -> Links:
    parser = Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# A start or end tag with no attribute, `<td>` or `</tr>`: it names no URL. Its text can be
# nothing else on the site's pages, whose attribute values never hold a `<` (escaped, or
# quoted when not bare: publisher.website.markup). Script's and style's are kept: what follows
# them is text to the parser, not tags.
BARE_TAG = re.compile(r"</?(?!(?:script|style)>)[a-zA-Z][a-zA-Z0-9]*>")


def page_urls(path: Path) -> list[tuple[str, str, str]]:
    """`page_links(path).found`, with the parser spared the tags that hold no URL: a
    ranking's rows and cells are most of a page's tags, and parsing them most of the time
    `broken_links` took over a site's thousands of pages."""
    parser = Links()
    parser.feed(BARE_TAG.sub("", path.read_text(encoding="utf-8")))
    return parser.found


@dataclass(frozen=True)
class SiteFiles:
    """The files and folders of a built site by relative POSIX path ("" is the site itself),
    read once: a link is looked up here, not asked of the disk (tens of thousands of links)."""

    files: frozenset[str]
    folders: frozenset[str]

    @classmethod
    def of(cls, site: Path) -> "SiteFiles":
        files: set[str] = set()
        folders = {""}
        for where, subfolders, names in os.walk(site):
            here = Path(where).relative_to(site).as_posix()
            prefix = "" if here == "." else f"{here}/"
            folders.update(prefix + name for name in subfolders)
            files.update(prefix + name for name in names)
        return cls(frozenset(files), frozenset(folders))


def target(page: str, url: str, folders: frozenset[str] = frozenset()) -> str | None:
    """The file (relative to the site) a relative URL on `page` (relative too) serves, as a
    static server would (a folder in `folders` serves its index.html); None for an absolute
    URL."""
    if urlsplit(url).scheme or url.startswith("//"):
        return None
    path = unquote(urldefrag(url).url)
    if path.startswith("/"):
        raise AssertionError(f"{page}: {url} is root-relative, not relative")
    here = PurePosixPath(page).parent
    resolved = _normalise(here / path).as_posix() if path else page
    resolved = "" if resolved == "." else resolved
    return f"{resolved}/index.html".lstrip("/") if resolved in folders else resolved


def _normalise(path: PurePosixPath) -> PurePosixPath:
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                raise AssertionError(f"{path} leaves the site")
            parts.pop()
        elif part != ".":
            parts.append(part)
    return PurePosixPath(*parts)


def broken_links(site: Path) -> list[str]:
    """Every relative link of every page that leads to no file (none for a good site)."""
    tree = SiteFiles.of(site)
    broken = []
    for page in sorted(site.rglob("*.html")):
        relative = page.relative_to(site).as_posix()
        for tag, attribute, url in page_urls(page):
            if tag == "base":
                continue
            found = target(relative, url, tree.folders)
            if found is not None and found not in tree.files:
                broken.append(f"{page.relative_to(site)}: <{tag} {attribute}={url}>")
    return broken


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """The tests read responses, not the server's log."""


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` on 127.0.0.1 (a free port) while the block runs; yields the base URL."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def site_tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its relative path."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def grid(page: str) -> dict[str, tuple[str, bool]]:
    """A project page's earlier months, a grid of years by months: each month's cell as text
    and whether it is marked a history month (by its cell's class or its row's)."""
    earlier = page.split('<table class="months">', 1)[1].split("</table>", 1)[0]
    cells = {}
    for row in re.split(r"(?=<tr)", earlier.split("</thead>", 1)[1])[1:]:
        year = re.search(r"<th[^>]*>(\d{4})", row)
        assert year is not None, row
        found = re.findall(r"<td( class=h)?>([^<\n]*)", row)
        assert len(found) == 12, row
        for month, (mark, text) in enumerate(found, 1):
            marked = row.startswith("<tr class=h>") or bool(mark)
            cells[f"{year[1]}.{month:02d}"] = (text, marked)
    return cells
