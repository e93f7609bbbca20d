"""The history folder's file names, and which year's file a month belongs to."""

import re

FOLDER = "history"
BASENAME = "top-pypi-packages-history"
INDEX_FILE = f"{BASENAME}.json"
INDEX_SCHEMA_FILE = f"{BASENAME}.schema.json"
DATAPACKAGE_FILE = "datapackage.json"
# The index's own version: the monthly files' schema_version does not move with it.
INDEX_VERSION = 1
YEAR_FILE = re.compile(rf"{BASENAME}-([0-9]{{4}})\.parquet")
MONTH_TAG = re.compile(r"([0-9]{4})\.(0[1-9]|1[0-2])")


def year_file(year: int) -> str:
    """`top-pypi-packages-history-2019.parquet` holds the tags 2019.01 to 2019.12."""
    return f"{BASENAME}-{year:04d}.parquet"


def year_of_file(name: str) -> int | None:
    match = YEAR_FILE.fullmatch(name)
    return int(match.group(1)) if match else None


def is_month_tag(tag: str) -> bool:
    """A month's own tag, `YYYY.MM`: the history holds months, never their corrections' tags."""
    return MONTH_TAG.fullmatch(tag) is not None


def tag_year(tag: str) -> int:
    match = MONTH_TAG.fullmatch(tag)
    if match is None:
        raise ValueError(f"{tag!r} is not a month's tag (YYYY.MM)")
    return int(match.group(1))


# A Zenodo record is one flat folder: the history's files go there under their own names, but
# its data package would meet the month's `datapackage.json`, so it is renamed.
UPLOADED_DATAPACKAGE = f"{BASENAME}.datapackage.json"


def upload_name(name: str) -> str:
    """The name a history file has in a Zenodo record."""
    return UPLOADED_DATAPACKAGE if name == DATAPACKAGE_FILE else name


def is_uploaded_history(name: str) -> bool:
    """Whether a record's file name is one of the history's."""
    return name in (INDEX_FILE, INDEX_SCHEMA_FILE, UPLOADED_DATAPACKAGE) or bool(
        YEAR_FILE.fullmatch(name)
    )
