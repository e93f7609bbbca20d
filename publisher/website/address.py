"""The site's absolute address, used only where one is required (the sitemap, canonical
links, the 404 page that is served at any depth): `--site-url`, else the GitHub Pages address
of a GitHub remote, else none."""

import re

from publisher.base.errors import UsageError

GITHUB = re.compile(r"github\.com[:/]+([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/*$")


def check_site_url(url: str, label: str = "--site-url") -> str:
    """An http(s) address, ending with a slash so that page paths can be appended."""
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", url):
        raise UsageError(
            f"{label} {url!r} is not an http or https address.",
            "Give the address the site is served at, e.g. https://example.org/top-pypi/.",
        )
    return url if url.endswith("/") else url + "/"


def pages_url(remote_url: str | None) -> str | None:
    """GitHub Pages' address for a repository on GitHub: owner.github.io/name/."""
    match = GITHUB.search(remote_url or "")
    if match is None:
        return None
    owner, name = match.group(1).lower(), match.group(2)
    if name.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{name}/"
