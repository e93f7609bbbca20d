"""Debian's Chromium driven by Playwright, and the site's npm tools, for the site's browser
tests and benchmarks. `playwright install` cannot download a browser here, so the system's
is launched by path. Without them a test skips, saying how to install them; in CI (CI=true),
where `.ci/run` installs them, it fails instead."""

import os
import shutil
from pathlib import Path

import pytest

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
