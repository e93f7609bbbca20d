"""The history's folder (`data/history/`) in a tree, one reader for every tree: the work tree,
the branch's HEAD or a tag. At a revision each file comes from its git blob, and the folder
has git's tree id, which names its bytes whole: the same id, the same files."""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import git

from publisher.dataset.build import DATA_FOLDER
from publisher.dataset.history.check import fail
from publisher.dataset.history.names import FOLDER

HISTORY = f"{DATA_FOLDER}/{FOLDER}"
WORK_TREE = None  # `at` for the files as they are in the work tree
CHUNK = 1 << 20
REGULAR_BLOBS = (0o100644, 0o100755)  # a link is a blob too, of mode 0o120000


@dataclass(frozen=True)
class HistoryFile:
    """One file of the folder: a git blob at a revision, a file in the work tree."""

    name: str
    size: int
    blob: git.Blob | None  # None in the work tree
    path: Path | None  # None at a revision

    def chunks(self) -> Iterator[bytes]:
        if self.blob is not None:
            stream = self.blob.data_stream
            while chunk := stream.read(CHUNK):
                yield chunk
        elif self.path is not None:
            yield self.path.read_bytes()

    def read(self) -> bytes:
        return b"".join(self.chunks())


@dataclass(frozen=True)
class HistoryFolder:
    files: dict[str, HistoryFile]  # by name: the regular files only
    strays: tuple[str, ...]  # sub-folders and links: no history file is one
    tree_id: str | None  # git's id of the folder at a revision; None in the work tree

    def read(self) -> dict[str, bytes]:
        """Every file's bytes, refusing a folder that holds anything but files."""
        if self.strays:
            fail(self.strays[0], "is not a history file (a folder or a link).")
        return {name: file.read() for name, file in self.files.items()}


def history_folder(repo: git.Repo, at: str | None = WORK_TREE) -> HistoryFolder | None:
    """The folder at the revision `at` ("HEAD", a tag) or in the work tree; None where there is
    none. A `data/history` that is no folder is refused."""
    if at is WORK_TREE:
        return work_tree_folder(Path(str(repo.working_tree_dir)) / HISTORY)
    try:
        tree = repo.commit(at).tree / HISTORY
    except (KeyError, ValueError, git.BadName):
        return None
    if not isinstance(tree, git.Tree):
        fail("", "is not a folder: the history's files go in a folder of that name.")
    files, strays = {}, []
    for item in tree:
        if isinstance(item, git.Blob) and item.mode in REGULAR_BLOBS:
            files[item.name] = HistoryFile(item.name, item.size, item, None)
        else:
            strays.append(item.name)
    return HistoryFolder(files, tuple(sorted(strays)), tree.hexsha)


def work_tree_folder(folder: Path) -> HistoryFolder | None:
    if not folder.exists() and not folder.is_symlink():
        return None
    if folder.is_symlink() or not folder.is_dir():
        fail("", "is not a folder: the history's files go in a folder of that name.")
    files, strays = {}, []
    for path in sorted(folder.iterdir()):
        if path.is_symlink() or not path.is_file():
            strays.append(path.name)
        else:
            files[path.name] = HistoryFile(path.name, path.stat().st_size, None, path)
    return HistoryFolder(files, tuple(strays), None)
