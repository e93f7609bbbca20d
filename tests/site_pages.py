"""Reading a built site the way a browser or a crawler would, for the site's tests and
benchmarks: its links, and a static file server on 127.0.0.1."""

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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


def target(site: Path, page: Path, url: str) -> Path | None:
    """The file a relative URL on `page` serves, as a static server would (a folder serves
    its index.html); None for an absolute URL."""
    if urlsplit(url).scheme or url.startswith("//"):
        return None
    path = unquote(urldefrag(url).url)
    if path.startswith("/"):
        raise AssertionError(f"{page}: {url} is root-relative, not relative")
    here = PurePosixPath(page.relative_to(site).as_posix()).parent
    resolved = Path(site, *_normalise(here / path).parts) if path else page
    return resolved / "index.html" if resolved.is_dir() else resolved


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
    broken = []
    for page in sorted(site.rglob("*.html")):
        for tag, attribute, url in page_links(page).found:
            if tag == "base":
                continue
            found = target(site, page, url)
            if found is not None and not found.is_file():
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
