"""A tag's data as the release sends it: read from the tag itself with GitPython (never from the
working tree), streamed from git's blobs, with sizes and MD5s."""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import git

from publisher.base.errors import MetadataError
from publisher.dataset.build import DATA_FOLDER
from publisher.dataset.contents import record_names, stray_names
from publisher.dataset.history.names import is_uploaded_history, upload_name
from publisher.release.history_folder import history_folder

CHUNK = 1 << 20
# A remote on GitHub in scp form (`git@github.com:owner/name.git`), and the path of one.
GITHUB_SCP = re.compile(r"(?:[\w.-]+@)?github\.com:(?P<path>[^/].*)")
GITHUB_PATH = re.compile(r"/?(?P<owner>[\w.-]+)/(?P<name>[\w.-]+?)(?:\.git)?/?")
GITHUB_SCHEMES = ("https", "ssh", "git")


@dataclass(frozen=True)
class TagFile:
    name: str
    size: int
    blob: git.Blob

    def chunks(self) -> Iterator[bytes]:
        stream = self.blob.data_stream
        while chunk := stream.read(CHUNK):
            yield chunk

    def md5(self) -> str:
        digest = hashlib.md5(usedforsecurity=False)
        for chunk in self.chunks():
            digest.update(chunk)
        return f"md5:{digest.hexdigest()}"

    def read(self) -> bytes:
        return b"".join(self.chunks())


class TagFolder:
    """A tag's `data/` as the dataset checks read a folder: each file from its blob. Named
    the way git names them (`2026.11:data/top-pypi-packages.json`)."""

    def __init__(self, repo: git.Repo, tag: str) -> None:
        self.tag = tag
        try:
            self.tree: git.Tree | None = repo.commit(tag).tree / DATA_FOLDER
        except (KeyError, ValueError, git.BadName):
            self.tree = None

    def is_dir(self) -> bool:
        return self.tree is not None

    def __truediv__(self, name: str) -> "TagPath":
        return TagPath(self, name)

    def __str__(self) -> str:
        return f"{self.tag}:{DATA_FOLDER}"


@dataclass(frozen=True)
class TagPath:
    folder: TagFolder
    name: str

    def read_bytes(self) -> bytes:
        try:
            blob = self.folder.tree / self.name if self.folder.tree is not None else None
        except KeyError:
            blob = None
        if not isinstance(blob, git.Blob):
            raise FileNotFoundError(self.name)
        return bytes(blob.data_stream.read())

    def __str__(self) -> str:
        return f"{self.folder}/{self.name}"


def tag_files(repo: git.Repo, tag: str) -> list[TagFile]:
    """Every file of `data/` at `tag`, by name (`month_files` keeps those a record holds)."""
    try:
        tree = repo.commit(tag).tree / DATA_FOLDER
    except (KeyError, ValueError, git.BadName):
        raise MetadataError(
            f"Tag {tag} has no {DATA_FOLDER}/ folder.", "Release a tag made by `top-pypi publish`."
        ) from None
    blobs = [TagFile(b.name, b.size, b) for b in tree if isinstance(b, git.Blob)]
    return sorted([*blobs, *history_files(repo, tag)], key=lambda f: f.name)


def history_files(repo: git.Repo, tag: str) -> list[TagFile]:
    """The history's files at the tag (`data/history/`), under the names a record gives them."""
    folder = history_folder(repo, tag)
    if folder is None:
        return []
    files = folder.files.values()
    return [TagFile(upload_name(f.name), f.size, f.blob) for f in files if f.blob is not None]


def month_files(files: list[TagFile], version: int) -> tuple[list[TagFile], list[str]]:
    """(what a record of the month holds, the stray names that no record holds)."""
    names = [file.name for file in files if not is_uploaded_history(file.name)]
    held = [f for f in files if f.name in record_names(version) or is_uploaded_history(f.name)]
    return held, stray_names(version, names)


def github_tag_url(remote_url: str | None, tag: str) -> str | None:
    """The tag's page on GitHub, when the remote is there; None for any other host. Credentials
    in the remote's URL (`https://user:token@github.com/...`) are left out."""
    repository = github_repository(remote_url or "")
    return f"https://github.com/{repository}/tree/{tag}" if repository else None


def github_repository(remote_url: str) -> str | None:
    """`owner/name` of a remote on GitHub, from its URL in any form git takes."""
    scp = GITHUB_SCP.fullmatch(remote_url)
    if scp is not None:
        path = scp["path"]
    else:
        try:
            parts = urlsplit(remote_url)
            host = parts.hostname
        except ValueError:  # not a URL at all
            return None
        if parts.scheme not in GITHUB_SCHEMES or host != "github.com":
            return None
        path = parts.path
    match = GITHUB_PATH.fullmatch(path)
    return f"{match['owner']}/{match['name']}" if match else None
