"""The published files a site serves, checked from the bytes read out of git for the pages:
the latest tag's files are what scripts fetch from the site's root, so they are checked as
`top-pypi validate` checks a folder, and a broken latest tag stops the build. An older tag,
validated when it was published, is checked for what can break since, cheaply enough for a
build of ten years of months: each file its data package lists, with the size and SHA-256 it
was published with. A broken one is left out of the site with a warning."""

from collections.abc import Mapping
from dataclasses import dataclass

from publisher.base.errors import ValidationError
from publisher.dataset.build import DATA_FOLDER, DATAPACKAGE_FILE
from publisher.dataset.check import check_folder, check_package, read_json
from publisher.dataset.validate import known_version
from publisher.website.tags import Month


@dataclass(frozen=True)
class MemoryPath:
    folder: "MemoryFolder"
    name: str

    def read_bytes(self) -> bytes:
        try:
            return self.folder.files[self.name]
        except KeyError:
            raise FileNotFoundError(str(self)) from None

    def __str__(self) -> str:
        return f"{self.folder}/{self.name}"


@dataclass(frozen=True)
class MemoryFolder:
    """A tag's `data/` as the dataset checks read a folder, from bytes already read; named
    the way git names it (`2026.11:data`)."""

    tag: str
    files: Mapping[str, bytes]

    def is_dir(self) -> bool:
        return True

    def __truediv__(self, name: str) -> MemoryPath:
        return MemoryPath(self, name)

    def __str__(self) -> str:
        return f"{self.tag}:{DATA_FOLDER}"


def broken_reason(month: Month, whole: bool) -> ValidationError | None:
    """Why the tag's files fail `validate` (`whole`), or their data package; None if they pass."""
    folder = MemoryFolder(month.tag, month.files)
    try:
        if whole:
            check_folder(folder)
        else:
            package = read_json(folder, DATAPACKAGE_FILE)
            check_package(folder, package, known_version(month.dataset))
    except ValidationError as exc:
        return exc
    return None
