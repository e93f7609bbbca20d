"""The site's absolute address, used only where one is required (the sitemap, canonical
links, the 404 page that is served at any depth): `--site-url`, else the GitHub Pages address
of a GitHub remote, else none."""

import re
from urllib.parse import SplitResult, urlsplit

from publisher.base.errors import UsageError

GITHUB = re.compile(r"github\.com[:/]+([A-Za-z0-9-]+)/([A-Za-z0-9._-]+?)(?:\.git)?/*$")


def check_site_url(url: str, label: str = "--site-url") -> str:
    """An http(s) address, ending with a slash so that page paths can be appended: the scheme
    and host lower-cased (they are case-insensitive); no credentials, query or fragment, which
    every page's links would repeat."""
    fix = "Give the address the site is served at, e.g. https://example.org/top-pypi/."
    parts = split_url(url)
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{label} {url!r} is not an http or https address.", fix)
    if parts.username is not None or parts.password is not None:
        raise UsageError(f"{label} holds a user name or password: every page would show it.", fix)
    if parts.query or url.endswith("?"):
        raise UsageError(f"{label} {url!r} has a query (?{parts.query}): pages have none.", fix)
    if parts.fragment or url.endswith("#"):
        raise UsageError(f"{label} {url!r} has a fragment (#{parts.fragment}).", fix)
    netloc = parts.netloc.lower()
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return f"{parts.scheme.lower()}://{netloc}{path}"


def split_url(url: str) -> SplitResult | None:
    """The address's parts, or None for one with spaces or that cannot be split (`http://[x`)."""
    if re.search(r"\s", url):
        return None
    try:
        return urlsplit(url)
    except ValueError:
        return None


def pages_url(remote_url: str | None) -> str | None:
    """GitHub Pages' address for a repository on GitHub: owner.github.io/name/."""
    match = GITHUB.search(remote_url or "")
    if match is None:
        return None
    owner, name = match.group(1).lower(), match.group(2)
    if name.lower() == f"{owner}.github.io":
        return f"https://{owner}.github.io/"
    return f"https://{owner}.github.io/{name}/"


def repository_url(remote_url: str | None) -> str | None:
    """The web address of a repository on GitHub (where a tag's files can be browsed)."""
    match = GITHUB.search(remote_url or "")
    if match is None:
        return None
    return f"https://github.com/{match.group(1)}/{match.group(2)}"
