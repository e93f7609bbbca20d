"""What the Zenodo stand-in holds: depositions, their files, and the folder they live in.

State is one JSON file (`state.json`) written atomically after every change, so a stand-in
killed at any moment starts again where it was; file contents are blobs named by their MD5
under `blobs/`, never held in memory, shared by the versions that copy them and never
deleted. Tokens are never stored: whoever starts the stand-in names them again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

STATE_FILE = "state.json"
BLOBS = "blobs"
SCHEMA_VERSION = 1
# Record ids start high enough to look like Zenodo's and to differ from list indexes.
FIRST_RECID = 1001
CHUNK = 64 * 1024


@dataclass
class StoredFile:
    id: str  # Zenodo's file id, a UUID; a copy in a new version gets a new one
    key: str  # the file name
    size: int
    md5: str  # hex digest; also the blob's name

    def copy(self) -> StoredFile:
        return StoredFile(str(uuid.uuid4()), self.key, self.size, self.md5)


@dataclass
class Deposition:
    """A deposition: a draft until `published` is set. Its id is also its record id."""

    id: int
    concept: int  # conceptrecid, shared by every version
    owner: int
    bucket: str  # UUID of its file bucket
    created: str
    modified: str
    metadata: dict[str, Any] = field(default_factory=dict)
    files: list[StoredFile] = field(default_factory=list)
    published: str | None = None

    @property
    def is_draft(self) -> bool:
        return self.published is None

    def file(self, key: str) -> StoredFile | None:
        return next((f for f in self.files if f.key == key), None)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deposition:
        files = [StoredFile(**f) for f in data.pop("files")]
        return cls(**data, files=files)


class Store:
    """Depositions by id, the next free record id, and the blobs folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.blobs = folder / BLOBS
        self.blobs.mkdir(parents=True, exist_ok=True)
        self.depositions: dict[int, Deposition] = {}
        self.next_id = FIRST_RECID
        if (folder / STATE_FILE).exists():
            self._load()
        else:
            self.save()

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def by_bucket(self, bucket: str) -> Deposition | None:
        return next((d for d in self.depositions.values() if d.bucket == bucket), None)

    def concept_versions(self, concept: int) -> list[Deposition]:
        """The concept's depositions, oldest first: drafts included."""
        return sorted((d for d in self.depositions.values() if d.concept == concept), key=_id)

    def save(self) -> None:
        state = {
            "schema_version": SCHEMA_VERSION,
            "next_id": self.next_id,
            "depositions": [d.to_json() for d in sorted(self.depositions.values(), key=_id)],
        }
        _write_atomically(self.folder / STATE_FILE, json.dumps(state, indent=1, sort_keys=True))

    def _load(self) -> None:
        state = json.loads((self.folder / STATE_FILE).read_text())
        if state.get("schema_version") != SCHEMA_VERSION:
            raise ValueError(f"{self.folder / STATE_FILE}: unknown schema_version")
        self.next_id = int(state["next_id"])
        for data in state["depositions"]:
            deposition = Deposition.from_json(data)
            self.depositions[deposition.id] = deposition

    # -- blobs -----------------------------------------------------------------------------

    def write_blob(self, chunks: Iterable[bytes]) -> tuple[str, int]:
        """Stream `chunks` to a blob; (md5 hex, size). Nothing is kept if the stream fails."""
        digest, size = hashlib.md5(), 0
        handle, name = tempfile.mkstemp(dir=self.blobs, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
            os.replace(name, self.blobs / digest.hexdigest())
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name)
            raise
        return digest.hexdigest(), size

    def read_blob(self, md5: str) -> Iterator[bytes]:
        with (self.blobs / md5).open("rb") as blob:
            while chunk := blob.read(CHUNK):
                yield chunk


def _id(deposition: Deposition) -> int:
    return deposition.id


def _write_atomically(path: Path, text: str) -> None:
    handle, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    with os.fdopen(handle, "w") as out:
        out.write(text)
    os.replace(name, path)
