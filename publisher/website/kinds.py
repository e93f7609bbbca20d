"""Which months keep a full folder on the site, and what an older month's folder keeps.

Ten years of full folders would not fit a static host (GitHub Pages allows 1 GB), yet every
address ever published must keep answering. So the newest FULL_MONTHS months keep full
folders; an older month keeps, at the same addresses, the files scripts fetch (the three
compatible files, their `-30-days` copies, the schema and the data package) and its ranking
pages become small pages: its top SMALL_ROWS and where the whole release is (its Zenodo record,
else the tag's files in the publishing repository).

The extended files, whose size grows with the long tail (ROOT_ONLY: the breakdown of every
ranked project in JSON and CSV, 5.5 MB a month, and the Parquet of every project counted,
7.5 to 12 MB for 800,000 projects), are served at the site's root only, for the latest month:
no month's folder holds them, full or small, and a month's pages link them at its Zenodo
record, else at its tag on the repository host (docs/site.md has the arithmetic). They stay
in the tag and in the release's record; the extended schema (a few KB) stays in every folder.
"""

import dataclasses
from collections.abc import Collection, Mapping
from typing import Literal, TypeVar

from publisher.dataset.build import (
    COMPATIBLE_FILES,
    COPIES,
    EXTENDED_CSV_FILE,
    EXTENDED_JSON_FILE,
    EXTENDED_PARQUET_FILE,
    EXTENDED_SCHEMA_FILE,
)
from publisher.release.calver import tag_order
from publisher.website.tags import Month

FULL_MONTHS = 12  # the newest months (calendar months published) that keep full folders
SMALL_ROWS = 100  # the rows of an older month's small ranking pages
# What an older month's folder keeps of its files: anything else of the tag is left out.
SMALL_FILES = frozenset((*COMPATIBLE_FILES, *COPIES.values(), EXTENDED_SCHEMA_FILE))
# Served at the root only, for the latest month: never in a month's folder.
ROOT_ONLY = frozenset((EXTENDED_JSON_FILE, EXTENDED_CSV_FILE, EXTENDED_PARQUET_FILE))

Kind = Literal["full", "small"]
Body = TypeVar("Body")  # a file's bytes, or its size


def month_of_tag(tag: str) -> tuple[int, int]:
    year, month, _ = tag_order(tag)
    return year, month


def month_kind(tag: str, tags: Collection[str]) -> Kind:
    """The one rule: a tag of one of the newest FULL_MONTHS published months (of `tags`) is
    "full"; any older one is "small"."""
    newest = sorted({month_of_tag(t) for t in tags})[-FULL_MONTHS:]
    return "full" if month_of_tag(tag) in newest else "small"


def kept_files(files: Mapping[str, Body], kind: Kind) -> dict[str, Body]:
    """The files a month's folder holds on the site, for its kind."""
    return {
        n: b
        for n, b in files.items()
        if n not in ROOT_ONLY and (kind == "full" or n in SMALL_FILES)
    }


def folder_files(files: Mapping[str, Body], folder: str, kind: Kind) -> dict[str, Body]:
    """The files a folder of the site holds: the root ("") every file of the latest month, a
    month's folder ("2026.11/") those its kind keeps."""
    return dict(files) if folder == "" else kept_files(files, kind)


def as_kind(month: Month, kind: Kind) -> Month:
    """The month as the site keeps it: a small one without the files its folder leaves out,
    and without its extended rows (its pages show no extended columns; its flags stay)."""
    if kind == "full":
        return month
    extended = month.extended
    return dataclasses.replace(
        month,
        files=kept_files(month.files, kind),
        extended=None if extended is None else {**extended, "rows": []},
    )
