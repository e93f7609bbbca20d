"""The publish tags of a repository and their files, read from git objects without checking
anything out: one `git cat-file` process serves every blob, however many pages use them.

Which tags are publish tags is the release's rule (`commits.publish_tags`): a tag made by hand
is ignored.
"""

import json
import sys
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import git

from publisher.base.errors import ValidationError
from publisher.dataset.build import DATA_FOLDER, EXTENDED_JSON_FILE, JSON_FILE
from publisher.release.calver import tag_order
from publisher.release.commits import publish_tags
from publisher.release.repository import git_failure

MAIN_FILE = JSON_FILE
# From schema_version 3 on: the installer groups, CI counts, rank without mirrors and the
# month's anomaly flags. Older tags have none, and their pages show what they always showed.
EXTENDED_FILE = EXTENDED_JSON_FILE
# The files a tag's data folder offers for download: the dataset in every form, its schema and
# its data package; anything else there (README.md, releases.json) is not a month's data.
DOWNLOAD_PREFIXES = ("top-pypi-packages", "datapackage")
MEND_TIP = "Check it with `top-pypi validate`; mend the tag or delete it."


@dataclass(frozen=True)
class Month:
    """One published tag: its dataset, parsed, and every data file it holds, as bytes (or,
    once the build has written them to the site, only their sizes: `sizes`)."""

    tag: str
    dataset: dict[str, Any]
    files: dict[str, bytes]
    extended: dict[str, Any] | None = None  # the extended JSON, parsed, when the tag has it
    sizes: dict[str, int] | None = None  # name -> bytes of the files already written, if so

    @property
    def rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.dataset["rows"]
        return rows

    @property
    def month(self) -> tuple[int, int]:
        year, month, _ = tag_order(self.tag)
        return year, month


def read_publish_tags(repo: git.Repo) -> list[str]:
    """Every publish tag (`commits.publish_tags` says what one is), in release order."""
    with git_failure("Could not read the tags of the publishing repository"):
        return publish_tags(repo)


def read_month(repo: git.Repo, tag: str) -> Month:
    """The tag's data files and its dataset, from the tag's tree."""
    with git_failure(f"Could not read the files of tag {tag}"):
        folder = _entry(repo.tags[tag].commit.tree, DATA_FOLDER)
        blobs = folder.blobs if isinstance(folder, git.Tree) else []
        files = {
            blob.name: blob.data_stream.read()
            for blob in blobs
            if blob.name.startswith(DOWNLOAD_PREFIXES)
        }
    if MAIN_FILE not in files:
        raise ValidationError(
            f"Publish tag {tag} has no {DATA_FOLDER}/{MAIN_FILE}.",
            "Its commit names it as a release but holds no dataset; delete or mend the tag.",
        )
    extended = files.get(EXTENDED_FILE)
    parsed = parse_extended(tag, extended) if extended is not None else None
    dataset = parse_dataset(tag, files[MAIN_FILE])
    for rows in (dataset["rows"], parsed["rows"] if parsed is not None else []):
        shared_names(rows)
    return Month(tag, dataset, files, parsed)


def shared_names(rows: list[dict[str, Any]]) -> None:
    """Each project name held once however many months rank it (sys.intern): the build
    keeps every month's rows to the end, and ten years of months name the same projects
    1.8 million times."""
    for row in rows:
        row["project"] = sys.intern(row["project"])


def parse_dataset(tag: str, body: bytes) -> dict[str, Any]:
    """The dataset, with the keys every page relies on checked; the rest is optional."""
    bad = ValidationError(
        f"{DATA_FOLDER}/{MAIN_FILE} of tag {tag} is not a dataset (rows, period, engine).",
        MEND_TIP,
    )
    keys: dict[str, type] = {"rows": list, "period": dict, "engine": dict}
    return parse_object(
        body, keys, bad, [("rows", "project", str), ("rows", "download_count", int)]
    )


def parse_object(
    body: bytes,
    keys: dict[str, type],
    bad: ValidationError,
    items: list[tuple[str, str, type]] | None = None,
) -> dict[str, Any]:
    """A JSON object with each of `keys` of its type, and for each (list, key, kind) of `items`
    every entry of that list an object whose `key` is a `kind`; else `bad` is raised."""
    try:
        parsed = json.loads(body)
    except ValueError:
        raise bad from None
    if not isinstance(parsed, dict) or not all(
        isinstance(parsed.get(key), kind) for key, kind in keys.items()
    ):
        raise bad
    if not all(only_type(parsed[name], key, kind) for name, key, kind in items or []):
        raise bad
    return parsed


def parse_extended(tag: str, body: bytes) -> dict[str, Any]:
    """The extended dataset, with the keys the pages read checked: its rows (each a project)
    and its breakdown and anomalies blocks."""
    bad = ValidationError(
        f"{DATA_FOLDER}/{EXTENDED_FILE} of tag {tag} is not an extended dataset"
        " (rows, breakdown, anomalies).",
        MEND_TIP,
    )
    keys: dict[str, type] = {"rows": list, "breakdown": dict, "anomalies": list}
    return parse_object(body, keys, bad, [("rows", "project", str), ("anomalies", "kind", str)])


def only_type(items: list[Any], key: str, kind: type) -> bool:
    """Each item is an object whose `key` holds exactly a `kind` (a bool is no int). Mostly in
    C (map, itemgetter, set): every row of every month is checked at each build."""
    if not all(isinstance(item, dict) for item in items):
        return False
    try:
        return all(found is kind for found in set(map(type, map(itemgetter(key), items))))
    except KeyError:
        return False


def head_file(repo: git.Repo, path: str) -> str | None:
    """A text file on the checked-out branch's last commit, or None when absent."""
    if not repo.head.is_valid():
        return None
    with git_failure(f"Could not read {path} from the branch head"):
        blob = _entry(repo.head.commit.tree, path)
        data: bytes | None = blob.data_stream.read() if isinstance(blob, git.Blob) else None
    return None if data is None else data.decode("utf-8")


def remote_url(repo: git.Repo, remote: str) -> str | None:
    names = {r.name: r for r in repo.remotes}
    if remote not in names:
        return None
    urls = list(names[remote].urls)
    return urls[0] if urls else None


def _entry(tree: git.Tree, path: str) -> git.Tree | git.Blob | None:
    try:
        entry: git.Tree | git.Blob = tree / path
    except KeyError:
        return None
    return entry
