"""The branch's `data/` holds the newest month: scripts read it from the branch (KNOWLEDGE §9),
not from a tag, so a month published late (an older month, or a late correction of one) is
committed and tagged as any other, then the newest month's files are committed back on top in
the same run. The late month's files stay in its tag, where the release and the site read them.

Which month is newest is the order of the publish tags (`2026.10 < 2026.10.1 < 2026.11`), a
hand-made tag never counts; the files put back are the newest tag's own, from git.
"""

from collections.abc import Sequence
from pathlib import Path

import git

from publisher.release.calver import tag_order
from publisher.release.commits import publish_tags
from publisher.release.git import commit_paths
from publisher.release.zenodo.order import OUT_OF_ORDER


def newest_publish_tag(repo: git.Repo) -> str | None:
    published = publish_tags(repo)
    return published[-1] if published else None


def blobs(commit: git.Commit, paths: Sequence[str]) -> dict[str, str | None]:
    """Each path's blob id in the commit's tree, None where it has no such file."""
    found: dict[str, str | None] = {}
    for path in paths:
        try:
            found[path] = commit.tree.join(path).hexsha
        except KeyError:
            found[path] = None
    return found


def newer_published(repo: git.Repo, tag: str) -> str | None:
    """The newest published month, when it is newer than `tag`."""
    newest = newest_publish_tag(repo)
    return newest if newest is not None and tag_order(newest) > tag_order(tag) else None


def newer_month(repo: git.Repo, tag: str, data_paths: Sequence[str]) -> str | None:
    """The newest month, when it is newer than `tag` and the branch holds `tag`'s files."""
    newest = newer_published(repo, tag)
    if newest is None:
        return None
    held = blobs(repo.head.commit, data_paths) == blobs(repo.commit(tag), data_paths)
    return newest if held else None


def restore_message(newest: str, tag: str) -> str:
    return (
        f"Restore data/ to {newest}, the newest month\n\n"
        f"{tag} was published after {newest}: its files are in its tag, and data/ on the"
        " branch holds the newest month again for the scripts that read it there."
    )


def restore_newest(repo: git.Repo, tag: str, data_paths: Sequence[str]) -> str | None:
    """After `tag` is committed and tagged: when a newer month is published, commit its files
    back into `data/` and return its tag; None when `tag` is the newest (nothing done). Run
    again after a stop, it finds the branch holding `tag`'s files and does it then."""
    newest = newer_month(repo, tag, data_paths)
    if newest is None:
        return None
    kept = blobs(repo.commit(newest), data_paths)
    present = [path for path, blob in kept.items() if blob is not None]
    repo.git.checkout(newest, "--", *present)
    root = Path(str(repo.working_tree_dir))
    gone = [p for p, blob in kept.items() if blob is None and (root / p).exists()]
    for path in gone:  # a file of the late month's version that the newest month has not
        (root / path).unlink()
    commit_paths(repo, [*present, *gone], restore_message(newest, tag))
    return newest


def restored_facts(newest: str, tag: str) -> list[tuple[str, str]]:
    """What a publish that put the newest month back says of it."""
    return [
        ("data/", f"{newest} again, the newest month ({tag}'s files are in its tag)"),
        (
            "release",
            f"months in order with `top-pypi release`; once {newest} is released,"
            f" {tag} needs `top-pypi release {OUT_OF_ORDER}`",
        ),
    ]
