"""The month a release compares itself with: the previous published month of its tag
(`calver.previous_tag`) among the publish tags (`commits.publish_tags`), read from the tag's own
files, never from the working tree.
"""

import git

from publisher.dataset.check import Folder
from publisher.dataset.previous import Previous
from publisher.dataset.previous_files import read_previous
from publisher.release.calver import previous_tag
from publisher.release.commits import publish_tags
from publisher.release.tag_files import TagFolder


def read_previous_month(repo: git.Repo, tag: str) -> Previous | None:
    """The previous published month of the release `tag`; None for the first one."""
    found = previous_tag(publish_tags(repo), tag)
    if found is None:
        return None
    folder: Folder = TagFolder(repo, found)
    tip = f"Publish a correction of {found} (`publish --correction` for its month), then re-run."
    return read_previous(folder, tag=found, tip=tip)
