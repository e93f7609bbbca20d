"""The data files of a month's folder on the site, and how its first page lists them: the
tag's files byte for byte, with the `-30-days` names as copies of the main files where the tag
has none (older tags), each with its size and what it is."""

from publisher.base.sizes import format_size
from publisher.dataset.build import COPIES
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


def file_rows(sizes: dict[str, int], folder: str) -> list[tuple[str, str, str]]:
    """(link, size, what it is) for each file (name -> size), the main files first."""
    known = [name for name in FILE_WORDS if name in sizes]
    others = sorted(name for name in sizes if name not in FILE_WORDS)
    return [
        (folder + name, format_size(sizes[name]), _file_words(name)) for name in [*known, *others]
    ]


def _file_words(name: str) -> str:
    for main, old_name in COPIES.items():
        if name == old_name:
            return f"copy of {main}, for scripts that ask for this name"
    return FILE_WORDS.get(name, "")
