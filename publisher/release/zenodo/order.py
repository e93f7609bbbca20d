"""The order of releases: Zenodo's versions follow the months, oldest first.

Zenodo's latest version is the one published last, and the concept DOI ("all versions") lands
on it. So a tag waits for every older tag of the repository that has no DOI yet, and a tag
older than the newest one released (a month published late, a late correction) is sent only
when asked for with `--out-of-order`: until the next release, it is the version the concept
DOI lands on. A month whose correction is tagged is not released on its own any more: the
correction is its release.
"""

from collections.abc import Collection

from publisher.base.errors import UsageError
from publisher.release.calver import month_of, tag_order

OUT_OF_ORDER = "--out-of-order"


def superseded(tags: Collection[str]) -> set[str]:
    """The tags that a later correction of the same month among `tags` replaces."""
    latest: dict[str, str] = {}
    for tag in sorted(tags, key=tag_order):
        latest[month_of(tag)] = tag
    return {tag for tag in tags if latest[month_of(tag)] != tag}


def waiting(tags: Collection[str], released: Collection[str]) -> list[str]:
    """The tags without a DOI that a release of every month in order sends, oldest first."""
    replaced = superseded(tags)
    return sorted(
        (tag for tag in tags if tag not in released and tag not in replaced), key=tag_order
    )


def check_order(
    tags: Collection[str], released: Collection[str], asked: list[str], out_of_order: bool
) -> list[str]:
    """Refuse, in one line, a release that breaks the order; else the warnings of the
    out-of-order ones. `asked` are released in turn, oldest first."""
    done, warnings = set(released), []
    newest = max(released, key=tag_order, default=None)
    replaced = superseded(tags)
    for tag in sorted(asked, key=tag_order):
        if tag in replaced:
            correction = max((t for t in tags if month_of(t) == month_of(tag)), key=tag_order)
            raise UsageError(
                f"{tag} is corrected by {correction}: its data were replaced, so it is never"
                " released on its own.",
                f"Release {correction} instead (`top-pypi release --tag {correction}`).",
            )
        older = [t for t in waiting(tags, done) if tag_order(t) < tag_order(tag)]
        if older:
            raise UsageError(
                f"{tag} cannot be released before {older[0]}, an older month of this"
                " repository without a DOI: Zenodo's versions follow the months.",
                f"Release {older[0]} first, or every month in order with `top-pypi release`"
                " (a month that cannot be released needs `top-pypi publish --correction`).",
            )
        if newest is not None and tag_order(tag) < tag_order(newest):
            late = late_words(tag, newest)
            if not out_of_order:
                raise UsageError(late, f"Run again with {OUT_OF_ORDER} to release it all the same.")
            warnings.append(late)
        done.add(tag)
    return warnings


def late_words(tag: str, newest: str) -> str:
    return (
        f"{tag} is older than {newest}, already released: Zenodo's latest version, where the"
        f" concept DOI lands, becomes {tag} until the next release."
    )
