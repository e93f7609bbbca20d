"""Who downloaded: the installer groups every engine counts, kept in this one place.

A raw count mixes people installing a package with mirrors copying all of PyPI. Each download
falls in exactly one group, so the groups of a project sum to its download count:

- `pip` and `uv`: the two installers that report whether they run in CI (`details.ci`, true or
  null), so they are also the denominator of the CI share;
- `mirrors`: installers that re-host packages rather than install them. The list is the one
  pypistats.org drops from its "without mirrors" counts (bandersnatch, z3c.pypimirror,
  Artifactory, devpi) plus Nexus and pep381client, which mirror too;
- `unknown`: no installer name at all (a user agent the log pipeline could not parse);
- `other`: every other named installer (poetry, pdm, browsers, scripts...).
"""

MIRROR_INSTALLERS = (
    "bandersnatch",
    "z3c.pypimirror",
    "Artifactory",
    "devpi",
    "Nexus",
    "pep381client",
)
# Only these set `details.ci`; the CI share's denominator is their downloads.
CI_INSTALLERS = ("pip", "uv")
INSTALLER_GROUPS = ("pip", "uv", "mirrors", "other", "unknown")
# The rule, as one table that both ways of counting are built from: the SQL's COUNT(IF ...) of
# each group (publisher.count.query) and the DuckDB engine's count of each row group's
# installer dictionary (publisher.count.engines.duckdb.tally). Each listed group holds exactly
# these names (case-sensitive, as logged); `unknown` is no name at all (NULL, or NO_NAME: a
# user agent not parsed); `other` every name listed nowhere here.
NAMED_GROUPS: dict[str, tuple[str, ...]] = {
    "pip": (CI_INSTALLERS[0],),
    "uv": (CI_INSTALLERS[1],),
    "mirrors": MIRROR_INSTALLERS,
}
NO_NAME = ""


def installer_group(name: str | None) -> str:
    """The group of one installer name."""
    if name is None or name == NO_NAME:
        return "unknown"
    return next((group for group, names in NAMED_GROUPS.items() if name in names), "other")
