"""Our publish commits and what they record: the tag in a trailer (`Top-PyPI-Tag: 2026.11`) and the
window asked for in another (`Top-PyPI-Window: 2026-10-02..2026-10-31`), read back to tell a
month "already published" for the same request from one published for another window, and a
release of ours from a tag someone made by hand; and so what a publish tag is (`publish_tags`),
for the release, Zenodo and the site alike.

The request is recorded, not the dataset's `period`: BigQuery's `shrink` counts fewer days
than were asked for, and a re-run asking the same must still find the month done.

Publish commits made before the window trailer existed state only the counted period, in
their subject ("downloads 2026-10-02 to 2026-10-31"); for them the last day is compared, since
a shrunk period starts later than asked but ends on the same day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from publisher.base.errors import GitError, UsageError
from publisher.count.window import Window
from publisher.dataset.build import COMPATIBLE_FILES
from publisher.release.calver import is_release_tag, tag_order

if TYPE_CHECKING:  # the decision (decision.py) reads these records without GitPython loaded
    import git

TAG_TRAILER = "Top-PyPI-Tag"
WINDOW_TRAILER = "Top-PyPI-Window"
SUBJECT_PERIOD = re.compile(r"downloads (\d{4}-\d{2}-\d{2}) to (\d{4}-\d{2}-\d{2})")


def window_text(window: Window) -> str:
    return f"{window.start.isoformat()}..{window.end.isoformat()}"


def with_trailer(message: str, tag: str, window: Window | None = None) -> str:
    """The commit message with the trailers that let a re-run find an untagged publish commit
    (the tag) and tell which window it was asked for."""
    lines = [f"{TAG_TRAILER}: {tag}"]
    if window is not None:
        lines.append(f"{WINDOW_TRAILER}: {window_text(window)}")
    return f"{message.rstrip()}\n\n" + "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Record:
    """What one commit records, read from its message and its tree."""

    sha: str
    subject: str
    tag: str | None  # its Top-PyPI-Tag trailer
    window: str | None  # its Top-PyPI-Window trailer; None on a commit from before it
    has_data: bool  # its tree holds every file of the dataset

    def made_for(self) -> str | None:
        """The window this commit was made for, as far as it says."""
        if self.window is not None:
            return self.window
        period = SUBJECT_PERIOD.search(self.subject)
        return f"{period.group(1)}..{period.group(2)}" if period else None

    def asked_for(self, asked: str) -> bool:
        """Whether this commit was made for the window `asked` ("start..end")."""
        if self.window is not None:
            return self.window == asked
        made = self.made_for()  # the counted period: compare its last day only
        return made is not None and made.split("..")[1] == asked.split("..")[1]


@dataclass(frozen=True)
class Tagged:
    """A tag of the month and what it points at; `record` is None when that is no commit."""

    tag: str
    kind: str  # what git calls the tag's object: "tag" (annotated) or "commit" (lightweight)
    record: Record | None

    @property
    def ours(self) -> bool:
        """A release of ours: its commit names this very tag and holds the month's data."""
        return self.record is not None and self.record.tag == self.tag and self.record.has_data


def check_ours(tagged: Tagged, local: bool, on_remote: bool, remote: str | None) -> None:
    """Refuse a hand-made tag of the month, here (`local`) or on the remote: never pushed as
    the release, never taken as "already published"."""
    if tagged.ours:
        return
    kind = {"tag": "an annotated tag", "commit": "a lightweight tag"}.get(tagged.kind, "a tag")
    removals = []
    if local:
        removals.append(f"`git tag -d {tagged.tag}`")
    if on_remote and remote is not None:
        removals.append(f"`git push {remote} :refs/tags/{tagged.tag}`")
    raise GitError(
        f"Tag {tagged.tag} is {kind} {_what_it_names(tagged)}, not a release made by top-pypi.",
        f"If it is not needed, remove it with {' and '.join(removals)}, then re-run.",
    )


def _what_it_names(tagged: Tagged) -> str:
    record = tagged.record
    if record is None:
        return "that names no commit"
    on = f"on {record.sha[:12]}"
    if record.tag is None:
        return f"{on}, which has no {TAG_TRAILER} trailer"
    if record.tag != tagged.tag:
        return f"{on}, the publish commit of {record.tag}"
    return f"{on}, which lacks the month's data files"


def check_same_window(what: str, record: Record, asked: str, tip: str) -> None:
    """Refuse to take a commit made for another window as this run's: one line naming both."""
    if record.asked_for(asked):
        return
    made = record.made_for() or "a window it does not record"
    raise UsageError(f"{what} for {made}, not for the {asked} asked for.", tip)


# --- reading a commit ---------------------------------------------------------------------------


def head_record(repo: git.Repo, data_paths: Sequence[str]) -> Record | None:
    """What HEAD's commit records (its `Top-PyPI-Tag`, its window); None on an empty repository."""
    return record_of(repo.head.commit, data_paths) if repo.head.is_valid() else None


def record_of(commit: git.Commit, data_paths: Sequence[str]) -> Record:
    trailers = commit.trailers_dict
    tags, windows = trailers.get(TAG_TRAILER, []), trailers.get(WINDOW_TRAILER, [])
    return Record(
        sha=commit.hexsha,
        subject=subject(commit),
        tag=tags[-1] if tags else None,
        window=windows[-1] if windows else None,
        has_data=all(_holds(commit.tree, path) for path in data_paths if _in_every_version(path)),
    )


def _in_every_version(path: str) -> bool:
    """A file every schema_version's release holds: a month published before the extended
    files existed is still ours, and a re-run still finds it done."""
    return PurePosixPath(path).name in COMPATIBLE_FILES


def _holds(tree: git.Tree, path: str) -> bool:
    try:
        tree.join(path)
    except KeyError:
        return False
    return True


def subject(commit: git.Commit) -> str:
    """The first line of the message ("" for a hand-made commit without one)."""
    message = commit.message if isinstance(commit.message, str) else commit.message.decode()
    return (message.strip().splitlines() or [""])[0]


# --- publish tags ---------------------------------------------------------------------------

# Every tag in one `git for-each-ref`: its name, the kind of object it names and that object's
# trailers, then the same through an annotated tag (`*`), read by git's own trailer parser as
# `record_of` reads them, without a process per tag.
_OBJECT = "%(objecttype)%00%(trailers:only,unfold,separator=%x01)"
TAGS_FORMAT = f"%(refname:strip=2)%00{_OBJECT}%00{_OBJECT.replace('%(', '%(*')}"


def publish_tags(repo: git.Repo) -> list[str]:
    """Every publish tag, in release order (2026.10 < 2026.10.1 < 2026.11): a CalVer tag whose
    commit names it in its `Top-PyPI-Tag` trailer, as `top-pypi publish` makes it. A tag made
    by hand is none, nor one of a tree or a blob."""
    output = str(repo.git.for_each_ref(f"--format={TAGS_FORMAT}", "refs/tags"))
    named = [fields[0] for line in output.splitlines() if _names_itself(fields := line.split("\0"))]
    return sorted(named, key=tag_order)


def _names_itself(fields: list[str]) -> bool:
    name, kind, trailers, peeled_kind, peeled_trailers = fields
    if kind != "commit":  # an annotated tag: what it names
        kind, trailers = peeled_kind, peeled_trailers
    return kind == "commit" and is_release_tag(name) and trailer_value(trailers) == name


def trailer_value(trailers: str, key: str = TAG_TRAILER) -> str | None:
    """The last value of `key` among git's "key: value" trailers, separated by \\x01."""
    pairs = (line.partition(":") for line in trailers.split("\x01"))
    values = [value.strip() for found, _, value in pairs if found.strip() == key]
    return values[-1] if values else None
