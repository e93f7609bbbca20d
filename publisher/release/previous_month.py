"""The month a release compares itself with: the latest correction of the nearest earlier
published month (`2026.10.2` for `2026.11`, or for its correction `2026.11.1`), read from the
tag's own files, never from the working tree.

Only releases of ours count: a CalVer tag whose commit names it in its `Top-PyPI-Tag` trailer;
a tag made by hand is no published month.
"""

import git

from publisher.dataset.check import Folder
from publisher.dataset.previous import Previous
from publisher.dataset.previous_files import read_previous
from publisher.release.calver import is_release_tag, tag_order
from publisher.release.commits import record_of
from publisher.release.tag_files import TagFolder


def is_publish_tag(tag: git.TagReference) -> bool:
    try:
        commit = tag.commit
    except ValueError:  # a tag of a tree or a blob
        return False
    return record_of(commit, []).tag == tag.name


def previous_tag(tags: list[str], tag: str) -> str | None:
    """The latest of `tags` from a month before `tag`'s: 2026.10 < 2026.10.1 < 2026.11."""
    month = tag_order(tag)[:2]
    earlier = [t for t in tags if is_release_tag(t) and tag_order(t)[:2] < month]
    return max(earlier, key=tag_order) if earlier else None


def read_previous_month(repo: git.Repo, tag: str) -> Previous | None:
    """The previous published month of the release `tag`; None for the first one."""
    published = [t.name for t in repo.tags if is_release_tag(t.name) and is_publish_tag(t)]
    found = previous_tag(published, tag)
    if found is None:
        return None
    folder: Folder = TagFolder(repo, found)
    tip = f"Publish a correction of {found} (`publish --correction` for its month), then re-run."
    return read_previous(folder, tag=found, tip=tip)
