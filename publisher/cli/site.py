"""`top-pypi site`: the web site of the published months, built into a folder. The library is
`publisher.website`; this resolves the options and tells the user what was built."""

from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from publisher.base.errors import UsageError
from publisher.base.progress import status
from publisher.base.settings import SETTINGS_FILE, Settings
from publisher.base.sizes import format_size
from publisher.cli import summary
from publisher.cli.options import GivenSettings, SiteOptions
from publisher.cli.resolve import settings_for
from publisher.website.address import check_site_url
from publisher.website.builder import Built, build_site, remote_pages_url


def site_url(given: GivenSettings, settings: Settings, repo: Path) -> str | None:
    """--site-url, else the `site_url` setting, else GitHub Pages' address of the remote."""
    if settings.site_url:
        given_here = "site_url" in given
        return check_site_url(settings.site_url, "--site-url" if given_here else FILE_LABEL)
    return remote_pages_url(repo, settings.remote)


FILE_LABEL = f"{SETTINGS_FILE}: site_url ="


def facts(built: Built) -> list[tuple[str, str]]:
    kept = [("rebuilt", "no: nothing it is made of changed since the last build")]
    return (kept if built.unchanged else []) + [
        ("latest release", built.latest),
        ("releases", f"{built.tags:,}"),
        ("pages", f"{built.pages:,}"),
        ("files", f"{built.files:,} ({format_size(built.bytes)})"),
        ("address", built.url or "none (give --site-url for a sitemap and canonical links)"),
        (
            "404 page",
            "works at any depth (absolute links)"
            if built.url
            else "works at the site's root only (give --site-url)",
        ),
        ("folder", str(built.out)),
    ]


def summary_lines(built: Built) -> list[str]:
    rows = [f"| {label} | {value} |" for label, value in facts(built)]
    return ["### Site", "", "| | |", "| --- | --- |", *rows]


def site_command(options: SiteOptions, out: Console, err: Console) -> int:
    if not options.out:
        raise UsageError("site needs --out DIR.", "Name the folder to write the site into.")
    repo = options.repo
    settings = settings_for(options.given, repo)
    url = site_url(options.given, settings, repo)
    with status(err, "Building the site"):
        built = build_site(repo, options.out, url, remote=settings.remote)
    table = Table(title="top-pypi site", show_header=False)
    table.add_column(style="bold cyan")
    table.add_column()
    for label, value in facts(built):
        table.add_row(label, value)
    out.print(table)
    for warning in built.skipped:
        err.print(Text.assemble(("warning: ", "bold yellow"), warning), soft_wrap=True)
    summary.append(options.summary, summary_lines(built), "The site was built")
    return 0
