"""Debian's Chromium driven by Playwright, and the site's npm tools, for the site's browser
tests and benchmarks. `playwright install` cannot download a browser here, so the system's
is launched by path. Without them a test skips, saying how to install them; in CI (CI=true),
where `.ci/run` installs them, it fails instead.

The `browser` fixture (registered in tests/conftest.py) is one Chromium for a whole session
of a worker, shared by every module. Its contexts are shared too, one per set of options a
page cannot change (`Kind`), each with one page that tests navigate: a new page costs about
half a CPU second (its renderer process), a page navigated again less than half of that. A
test borrows them through `watched` or `contexts`, which take them back as a new context
would be (`Watched.reset`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ProxySettings, Request, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SITE_TOOLS = Path(__file__).parents[1] / "site" / "node_modules"
VNU_JAR = SITE_TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
# The checker runs for seconds, not hours: Java's optimising compiler (C2) cost more than half
# of its CPU time, compiling code it ran only a few times; C1 alone gives the same messages.
# C1's frames are larger, so its schema evaluation needs a larger stack than the default.
VNU_JAVA = ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss8m", "-jar", str(VNU_JAR)]
LIGHTHOUSE = SITE_TOOLS / ".bin" / "lighthouse"
AXE = SITE_TOOLS / "axe-core" / "axe.min.js"  # Lighthouse's, pinned by the lock file
# Every rule runs on every node either way; `resultTypes` only keeps one node of each passed
# rule instead of describing them all (a CSS selector each), which was half of axe's time.
AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return [r.violations, r.passes];
}"""


def require(what: str, found: bool, how: str) -> None:
    """Go on if `found`; else skip with `how` to install it, or fail in CI."""
    if found:
        return
    message = f"{what} is not installed: {how}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def require_chromium() -> None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        require("Playwright", False, "run `make install` (it is in the test extras)")
    require("Chromium", CHROMIUM.exists(), "`apt-get install chromium`, as .ci/run does")


def require_vnu() -> None:
    require("Java", shutil.which("java") is not None, "`apt-get install default-jre-headless`")
    require("The Nu HTML checker", VNU_JAR.exists(), "run `make site-tools` (npm ci in site/)")


def require_axe() -> None:
    require("axe-core", AXE.exists(), "run `make site-tools` (npm ci in site/)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium per worker session; its contexts are lent to tests by `contexts`."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


Scheme = Literal["light", "dark"]
# What a new context shows unless told otherwise (Playwright's defaults).
VIEWPORT: ViewportSize = {"width": 1280, "height": 720}
# Every request off 127.0.0.1 goes to a proxy on a closed port: the browser refuses it by
# itself. Routing every request through Playwright to refuse it there cost about a tenth of
# a second a navigation (each request paused until Python answered).
REFUSED: ProxySettings = {"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"}


class Watched:
    """A browser context that refuses and records any request off 127.0.0.1, and records
    console errors and uncaught exceptions of its page. Its page uses no cache, as a
    routed page did: every test sees every request its page makes."""

    def __init__(self, browser: Browser, **options: Any) -> None:
        self.context = browser.new_context(proxy=REFUSED, **options)
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", self._record)
        self._page: Page | None = None
        self._shown: tuple[ViewportSize, Scheme] | None = None

    def _record(self, request: Request) -> None:
        if urlsplit(request.url).hostname not in (None, "", "127.0.0.1"):
            self.outside.append(request.url)

    def page(self, url: str) -> Page:
        """The context's page, navigated to `url`: opened once, then navigated again."""
        if self._page is None or self._page.is_closed():
            page = self.context.new_page()
            page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: self.errors.append(str(e)))
            page.on("dialog", lambda d: self.errors.append(f"dialog: {d.message}"))
            self.context.new_cdp_session(page).send(
                "Network.setCacheDisabled", {"cacheDisabled": True}
            )
            self._page = page
            self._show_on(page)
        self._page.goto(url)
        return self._page

    def show(
        self, viewport: ViewportSize = VIEWPORT, color_scheme: Scheme = "light", *grants: str
    ) -> None:
        """Give the page what a test would make a new context with: a screen, a colour
        scheme, permissions."""
        self.context.clear_permissions()
        if grants:
            self.context.grant_permissions(list(grants))
        self._shown = (viewport, color_scheme)
        if self._page is not None and not self._page.is_closed():
            self._show_on(self._page)

    def _show_on(self, page: Page) -> None:
        if self._shown is not None:
            viewport, color_scheme = self._shown
            page.set_viewport_size(viewport)
            page.emulate_media(color_scheme=color_scheme)

    def reset(self) -> None:
        """Leave the context as a new one would be for the next test: its page on a blank
        document (nothing of the last one runs on), the defaults shown, no route of the
        test's own, no permission. The site stores nothing: if it ever sets a cookie or
        keeps an item in the last page's storage, this says so rather than let one test
        see what another left. (`storage_state()` would visit every origin, about a third
        of a CPU second.)"""
        page = self._page
        if page is not None and not page.is_closed():
            if page.url.startswith("http"):
                left = page.evaluate("localStorage.length + sessionStorage.length")
                assert left == 0, f"{page.url} left {left} items in its storage"
            page.goto("about:blank")
        cookies = self.context.cookies()
        assert cookies == [], f"a test left cookies: {cookies}"
        self.context.unroute_all()
        self.show()
        self.outside.clear()
        self.errors.clear()


@dataclass(frozen=True)
class Kind:
    """What a context is made with and its page cannot change."""

    java_script_enabled: bool = True
    bypass_csp: bool = False
    is_mobile: bool = False


class Contexts:
    """A session's contexts, one per `Kind`, made when first asked for; `open` lends one to
    the running test and `take_back` resets every one it lent."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.made: dict[Kind, Watched] = {}
        self.lent: list[Watched] = []

    def open(
        self,
        viewport: ViewportSize = VIEWPORT,
        color_scheme: Scheme = "light",
        permissions: tuple[str, ...] = (),
        **kind: bool,
    ) -> Watched:
        key = Kind(**kind)
        if key not in self.made:
            self.made[key] = Watched(self.browser, **asdict(key))
        context = self.made[key]
        context.show(viewport, color_scheme, *permissions)
        if context not in self.lent:
            self.lent.append(context)
        return context

    def take_back(self) -> None:
        lent, self.lent = self.lent, []
        for context in lent:
            context.reset()

    def close(self) -> None:
        for context in self.made.values():
            context.context.close()


@pytest.fixture(scope="session")
def shared_contexts(browser: Browser) -> Iterator[Contexts]:
    made = Contexts(browser)
    yield made
    made.close()


@pytest.fixture
def contexts(shared_contexts: Contexts) -> Iterator[Contexts]:
    """The session's contexts, lent to this test and reset after it."""
    yield shared_contexts
    shared_contexts.take_back()


@pytest.fixture
def watched(contexts: Contexts) -> Iterator[Watched]:
    """The plain context, checked after the test: no request left 127.0.0.1, no page
    logged an error."""
    context = contexts.open()
    yield context
    assert context.outside == []
    assert context.errors == []


@contextmanager
def requests_of(context: Watched) -> Iterator[list[str]]:
    """The address of every request the context makes while the block runs."""
    asked: list[str] = []

    def record(request: Request) -> None:
        asked.append(request.url)

    context.context.on("request", record)
    try:
        yield asked
    finally:
        context.context.remove_listener("request", record)


def axe_findings(page: Page) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """axe-core's violations and passed rules on the page as it is now (it is injected: the
    page's context bypasses its Content Security Policy)."""
    page.add_script_tag(path=str(AXE))
    found, passed = page.evaluate(AXE_RUN)
    return found, passed
