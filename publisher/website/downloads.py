"""The data files of a month's folder on the site, and how its first page lists them: the
tag's files byte for byte, with the `-30-days` names as copies of the main files where the tag
has none (older tags), each with its size and what it is. A file the page's folder does not
hold (publisher.website.kinds) is linked where the whole release is: its Zenodo record, else
its tag on the repository host."""

from collections.abc import Collection
from dataclasses import dataclass
from urllib.parse import quote

from publisher.base.sizes import format_size
from publisher.dataset.build import COPIES, DATA_FOLDER
from publisher.release.zenodo.record import Released
from publisher.website.tags import Month

FILE_WORDS = {
    "top-pypi-packages.json": "the dataset, JSON",
    "top-pypi-packages.min.json": "the same, minified JSON",
    "top-pypi-packages.csv": "download_count and project, CSV",
    "top-pypi-packages.schema.json": "JSON Schema of the dataset",
    "top-pypi-packages-extended.json": "the top rows with every column: installer groups,"
    " CI counts, rank without mirrors, previous rank; the month's flags, JSON",
    "top-pypi-packages-extended.csv": "the same rows and columns, CSV",
    "top-pypi-packages-extended.parquet": "every project counted, the whole long tail, Parquet",
    "top-pypi-packages-extended.schema.json": "JSON Schema of the extended JSON; the columns"
    " of its CSV and Parquet",
    "datapackage.json": "Frictionless data package: sizes and hashes",
}


def month_files(month: Month) -> dict[str, bytes]:
    """The tag's files, and the `-30-days` names as copies of the main files where missing."""
    files = dict(month.files)
    for main, old_name in COPIES.items():
        if old_name not in files and main in files:
            files[old_name] = files[main]
    return files


def month_sizes(month: Month) -> dict[str, int]:
    """The size of each file of `month_files`, also once they are written and let go."""
    if month.sizes is not None:
        return month.sizes
    return {name: len(body) for name, body in month_files(month).items()}


@dataclass(frozen=True)
class FileRow:
    """A row of a month's file table: the file's name, its link (None: no address known),
    its size and what it is."""

    name: str
    href: str | None
    size: str
    words: str


@dataclass(frozen=True)
class Elsewhere:
    """Where the whole release of a month is, for the files its folder does not hold."""

    tag: str
    released: Released | None  # its Zenodo record, when released
    source: str | None  # the publishing repository's web address, when on GitHub

    def link(self, name: str) -> tuple[str | None, str]:
        """The file's address outside the site, and where that is, in words."""
        if self.released is not None and name in self.released.files:
            return f"{self.released.url}/files/{quote(name)}?download=1", "at its Zenodo record"
        if self.source is not None:
            raw = f"{self.source}/raw/{self.tag}/{DATA_FOLDER}/{quote(name)}"
            return raw, "in its tag on GitHub"
        return None, f"in the tag {self.tag} of the publishing repository"


def file_rows(
    sizes: dict[str, int], held: Collection[str], root: str, folder: str, elsewhere: Elsewhere
) -> list[FileRow]:
    """A row for each file (name -> size), the main files first, linked from a page of
    `folder` (`root` leads back to the site's top): in the folder when it is one the folder
    `held` (publisher.website.kinds.folder_files), else `elsewhere`."""
    known = [name for name in FILE_WORDS if name in sizes]
    others = sorted(name for name in sizes if name not in FILE_WORDS)
    rows = []
    for name in [*known, *others]:
        size, words = format_size(sizes[name]), _file_words(name)
        if name in held:
            rows.append(FileRow(name, f"{root}{folder}{name}", size, words))
        else:
            href, where = elsewhere.link(name)
            rows.append(FileRow(name, href, size, f"{words} (not on this site: {where})"))
    return rows


def _file_words(name: str) -> str:
    for main, old_name in COPIES.items():
        if name == old_name:
            return f"copy of {main}, for scripts that ask for this name"
    return FILE_WORDS.get(name, "")
