"""Debian's Chromium driven by Playwright, and the site's npm tools, for the site's browser
tests and benchmarks. `playwright install` cannot download a browser here, so the system's
is launched by path. Without them a test skips, saying how to install them; in CI (CI=true),
where `.ci/run` installs them, it fails instead.

The `browser` fixture (registered in tests/conftest.py) is one Chromium for a whole session
of a worker, shared by every module: each test opens its own context (`Watched`), which
shares nothing with another's, and closes it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

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
    """One Chromium per worker session; each test makes its own context in it."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    """A browser context that refuses and records any request off 127.0.0.1, and records
    console errors and uncaught exceptions of every page it opens."""

    def __init__(self, browser: Browser, **options: Any) -> None:
        self.context = browser.new_context(**options)
        self.outside: list[str] = []
        self.errors: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def page(self, url: str) -> Page:
        page = self.context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", lambda d: self.errors.append(f"dialog: {d.message}"))
        page.goto(url)
        return page


@pytest.fixture
def watched(browser: Browser) -> Iterator[Watched]:
    context = Watched(browser)
    yield context
    context.context.close()
    assert context.outside == []
    assert context.errors == []
