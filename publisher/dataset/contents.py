"""What a month's `data/` folder holds, by name: so what a Zenodo record of the month holds.

A month's own files are those of its `schema_version`: from version 3 on, exactly the files its
`datapackage.json` lists (the `-30-days` copies included) and `datapackage.json` itself
(`validate` checks that the two agree); before, the compatible files. Beside them the folder
keeps its `README.md`, which describes them and goes into every record, and `releases.json`,
the release's own record, written after the tags and never part of a month, and `history/`, the
history's own data package (checked by `validate`, uploaded under its own names). Anything else
there is stray: never uploaded, and named by `validate` and `release`.
"""

from collections.abc import Iterable

from publisher.dataset.build import VERSION_FILES
from publisher.dataset.history.names import FOLDER as HISTORY_FOLDER

README_FILE = "README.md"
RELEASES_NAME = "releases.json"


def record_names(version: int) -> frozenset[str]:
    """The names of the folder that a record of a month of `version` holds, when present."""
    return frozenset({*VERSION_FILES[version], README_FILE})


def stray_names(version: int, names: Iterable[str]) -> list[str]:
    """The names among `names` that are neither the month's nor the folder's own, sorted."""
    known = record_names(version) | {RELEASES_NAME, HISTORY_FOLDER}
    return sorted(name for name in names if name not in known)


def stray_warning(where: str) -> str:
    """What `validate` and `release` say of a stray file."""
    return (
        f"{where} is not one of the month's files: no Zenodo record holds it"
        " (`top-pypi release` skips it)."
    )
