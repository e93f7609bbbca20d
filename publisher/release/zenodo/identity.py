"""Whether something found on Zenodo is this repository's: by its bytes, never by its name.

A token's account may hold other datasets with versions of the same names (a test repository
and the real one, a fork reset as docs/github.md says). A version found there is this tag's only
if every data file it holds has the MD5 of the file the tag would upload; its own CITATION.cff
is exempt, since it names the version's own DOI and the authors of its day. A DOI is
permanent: a version taken on its name alone would cite another dataset for good.
"""

from typing import Any

from publisher.release.tag_files import TagFile
from publisher.release.zenodo.metadata import CITATION_CFF

SHOWN_NAMES = 3


def upload_md5s(files: list[TagFile]) -> dict[str, str]:
    """What a tag would upload: name -> `md5:<hex>`."""
    return {file.name: file.md5() for file in files}


def file_md5(entry: dict[str, Any]) -> tuple[str, str]:
    """A file of the deposit API (`filename`, hex) or of the records API (`key`, `md5:`)."""
    name = str(entry.get("filename") or entry.get("key"))
    checksum = str(entry.get("checksum", ""))
    return name, checksum if checksum.startswith("md5:") else f"md5:{checksum}"


def held_files(deposition: dict[str, Any]) -> dict[str, str]:
    """The files a deposition or record holds: name -> `md5:<hex>`. The deposit API and the
    records API list them; the records API of InvenioRDM, which Zenodo runs, may instead give
    `{"entries": {name: file}}`."""
    files = deposition.get("files") or []
    if isinstance(files, dict):
        files = list((files.get("entries") or {}).values())
    return dict(file_md5(entry) for entry in files if isinstance(entry, dict))


def other_files(held: dict[str, str], expected: dict[str, str]) -> list[str]:
    """The data files held that the tag would not upload byte for byte, by name."""
    return sorted(
        name for name, md5 in held.items() if name != CITATION_CFF and expected.get(name) != md5
    )


def is_this_tags(version: dict[str, Any], expected: dict[str, str]) -> bool:
    """A published version is the tag's when it holds data files, each the tag's own."""
    held = held_files(version)
    return any(name != CITATION_CFF for name in held) and not other_files(held, expected)


def named(names: list[str]) -> str:
    """Names for a one-line message: a few, then how many more."""
    shown = ", ".join(names[:SHOWN_NAMES])
    more = len(names) - SHOWN_NAMES
    return f"{shown} and {more} more" if more > 0 else shown
