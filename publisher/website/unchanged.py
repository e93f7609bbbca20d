"""A re-run with nothing new leaves the site as it is.

Beside the site (`.SITE.inputs.json` next to `--out SITE`) the build writes a fingerprint of
what the pages are made of and of the site it wrote; the next build that finds both the same
writes nothing, instead of 15,000 pages byte for byte as they are.

What the pages are made of: the repository's tags (a tag's object id fixes its commit, so its
data), the files read from the branch head (the release record, the citation sources), the
site's address, the remote's address (older months' pages link their tags there), and this
package: its version, its code (a change in a checkout rebuilds too), its templates and static
files. The site itself counts by each file's path, size and time of change: a file added,
removed or edited by hand makes the next build write the site again.
"""

import hashlib
import json
import os
from collections.abc import Iterator
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from publisher import __version__
from publisher.release.repository import git_failure, open_repo
from publisher.release.zenodo.metadata import CITATION_CFF, ZENODO_JSON
from publisher.release.zenodo.record import RELEASES_FILE
from publisher.website.history_files import HISTORY_PATH
from publisher.website.output import MARKER
from publisher.website.render import ASSETS, STATIC
from publisher.website.tags import remote_url

# What `builder.read_site` reads from the branch head, besides the tags (the history folder's
# object id stands for its files).
HEAD_FILES = (RELEASES_FILE, ZENODO_JSON, CITATION_CFF, HISTORY_PATH)
# What the build says about the site it wrote, kept for the re-run that writes nothing.
FACTS: dict[str, type] = {
    "latest": str, "tags": int, "pages": int, "files": int, "bytes": int, "skipped": list,
}  # fmt: skip


def fingerprint_file(out: Path) -> Path:
    return out.parent / f".{out.name}.inputs.json"


def input_digest(repo_path: Path, url: str | None, remote: str = "origin") -> str:
    """The fingerprint of everything the pages are made of."""
    state = _repository_state(repo_path, remote)
    digest = hashlib.sha256(f"{__version__}\n{url}\n{state}\n".encode())
    for name, body in package_files():
        digest.update(f"{name}\0{len(body)}\0".encode())
        digest.update(body)
    return digest.hexdigest()


def kept_build(out: Path, inputs: str) -> dict[str, Any] | None:
    """The facts of the site in `out` when it was built from `inputs` and is as it was written,
    else None (build it)."""
    if not (out / MARKER).is_file():
        return None
    try:
        kept = json.loads(fingerprint_file(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(kept, dict) or kept.get("inputs") != inputs:
        return None
    facts = kept.get("built")
    if not isinstance(facts, dict) or facts.keys() != FACTS.keys():
        return None
    if not all(type(facts[name]) is kind for name, kind in FACTS.items()):
        return None
    return facts if kept.get("site") == _site_digest(out) else None


def forget_build(out: Path) -> None:
    """Before writing a site: a fingerprint must never outlive the site it describes."""
    fingerprint_file(out).unlink(missing_ok=True)


def remember_build(out: Path, inputs: str, built: dict[str, Any]) -> None:
    facts = {name: built[name] for name in FACTS}
    facts["skipped"] = list(facts["skipped"])
    text = json.dumps({"inputs": inputs, "site": _site_digest(out), "built": facts}, indent=1)
    path = fingerprint_file(out)
    temporary = path.with_name(f"{path.name}.tmp")
    try:
        temporary.write_text(text + "\n", encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        # The site is written; without its fingerprint the next build only writes it again.
        temporary.unlink(missing_ok=True)


def _repository_state(repo_path: Path, remote: str) -> str:
    repo = open_repo(repo_path, work_tree=False)
    try:
        with git_failure("Could not read the tags of the publishing repository"):
            tags = repo.git.for_each_ref("--format=%(refname) %(objectname)", "refs/tags")
            head = repo.git.ls_tree("HEAD", "--", *HEAD_FILES) if repo.head.is_valid() else ""
            address = remote_url(repo, remote)
    finally:
        repo.close()
    return f"{tags}\n{head}\n{address}"


def package_files() -> Iterator[tuple[str, bytes]]:
    """The package's code and the site's templates and static files, by name."""
    yield from _tree(files("publisher"), "publisher")
    for folder in ("templates", STATIC):
        yield from _tree(files(ASSETS).joinpath(folder), f"assets/{folder}")


def _tree(folder: Traversable, name: str) -> Iterator[tuple[str, bytes]]:
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            if entry.name != "__pycache__":
                yield from _tree(entry, f"{name}/{entry.name}")
        elif not entry.name.endswith(".pyc"):
            yield f"{name}/{entry.name}", entry.read_bytes()


def _site_digest(out: Path) -> str:
    digest = hashlib.sha256()
    for name, size, changed in _site_files(str(out), ""):
        digest.update(f"{name}\0{size}\0{changed}\n".encode())
    return digest.hexdigest()


def _site_files(folder: str, prefix: str) -> Iterator[tuple[str, int, int]]:
    """(path, size, time of change in ns) of every file under `folder`, in a stable order."""
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            yield from _site_files(entry.path, f"{prefix}{entry.name}/")
        else:
            stat = entry.stat(follow_symlinks=False)
            yield f"{prefix}{entry.name}", stat.st_size, stat.st_mtime_ns
