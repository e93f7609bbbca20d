"""A second publish commit of a month, left by two runs at once before the repository lock:
both counted, the first committed and tagged, the second committed the same files on top and
failed to tag. A re-run drops it, and only it: our own publish commit, untagged and unpushed,
directly on the commit its tag names, with the same files. Anything else is left alone.
"""

import git
from git.exc import GitCommandError

from publisher.release.commits import record_of
from publisher.release.decision import correction_number
from publisher.release.git_state import has_object, remote_refs


def duplicate_publish(
    repo: git.Repo, base_tag: str, branch: str, remote: str | None
) -> git.Commit | None:
    """HEAD, when it is such a duplicate of the month's release; None otherwise."""
    if not repo.head.is_valid():
        return None
    head = repo.head.commit
    tag = record_of(head, []).tag
    if tag is None or correction_number(tag, base_tag) is None or tag not in repo.tags:
        return None
    released = repo.tags[tag].commit
    if head.parents != (released,) or head.tree != released.tree:
        return None
    return None if pushed(repo, head, branch, remote) else head


def pushed(repo: git.Repo, commit: git.Commit, branch: str, remote: str | None) -> bool:
    """Whether a remote-tracking branch, or the remote's branch itself, may hold `commit`."""
    if str(repo.git.branch("-r", "--contains", commit.hexsha)).strip():
        return True
    remote_head = None if remote is None else remote_refs(repo, remote).get(f"refs/heads/{branch}")
    if remote_head is None:
        return False
    if not has_object(repo, remote_head):
        return True  # others pushed after it, and we cannot tell what: keep it
    try:
        repo.git.merge_base("--is-ancestor", commit.hexsha, remote_head)
    except GitCommandError:
        return False
    return True


def drop_duplicate(repo: git.Repo, branch: str, duplicate: git.Commit) -> None:
    """Move the branch back to the release; its files are the same, so the work tree and the
    index need no change. The old value is checked, so nothing moved meanwhile is lost."""
    parent = duplicate.parents[0].hexsha
    message = "top-pypi: drop a second publish commit of the same files"
    repo.git.update_ref("-m", message, f"refs/heads/{branch}", parent, duplicate.hexsha)
