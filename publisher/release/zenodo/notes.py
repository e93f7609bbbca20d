"""What a release run knows of its Zenodo depositions before their DOIs are recorded, kept in
the git directory (not the work tree: never committed, shared by the worktrees).

Zenodo's depositions list is a search index that shows a new draft only seconds after it was
made, so a run killed or interrupted soon after making one could not find it there again.
Before it asks for a draft, a run notes that it is opening one; once it has the answer, the
draft's id. The next run takes the noted deposition up: a draft is reused, a published one
recorded. A tag's note goes once its DOI is recorded, and the file with the last note.

    {"schema_version": 1, "zenodo": {"<url>": {"<tag>": {"deposition": <id> | null}}}}

`null`: a draft was asked for and the answer never read; it may exist, unlisted for a while.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from publisher.dataset.write import write_files

NOTES_FILE = "top-pypi-zenodo.json"
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Noted:
    deposition: int | None  # None: asked for, its answer never read


@dataclass(frozen=True)
class ZenodoNotes:
    """The notes of one Zenodo (`url`) in the file `path`."""

    path: Path
    url: str

    def noted(self, tag: str) -> Noted | None:
        entry = self._read().get(self.url, {}).get(tag)
        if not isinstance(entry, dict):
            return None
        deposition = entry.get("deposition")
        return Noted(deposition if isinstance(deposition, int) else None)

    def opening(self, tag: str) -> None:
        self._write(tag, {"deposition": None})

    def opened(self, tag: str, deposition_id: int) -> None:
        self._write(tag, {"deposition": deposition_id})

    def forget(self, tags: list[str]) -> None:
        notes = self._read()
        kept = {t: e for t, e in notes.get(self.url, {}).items() if t not in tags}
        if kept != notes.get(self.url, {}):
            self._save({**notes, self.url: kept})

    def _write(self, tag: str, entry: dict[str, Any]) -> None:
        notes = self._read()
        self._save({**notes, self.url: {**notes.get(self.url, {}), tag: entry}})

    def _read(self) -> dict[str, dict[str, Any]]:
        """The notes by Zenodo URL; a missing or unreadable file holds none (the depositions
        list is still searched)."""
        if not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except ValueError:
            return {}
        if not isinstance(data, dict) or data.get("schema_version") != SCHEMA_VERSION:
            return {}
        zenodo = data.get("zenodo")
        if not isinstance(zenodo, dict):
            return {}
        return {url: tags for url, tags in zenodo.items() if isinstance(tags, dict)}

    def _save(self, notes: dict[str, dict[str, Any]]) -> None:
        kept = {url: tags for url, tags in notes.items() if tags}
        if not kept:
            self.path.unlink(missing_ok=True)
            return
        text = json.dumps({"schema_version": SCHEMA_VERSION, "zenodo": kept}, indent=2) + "\n"
        write_files(self.path.parent, {self.path.name: text.encode()})
