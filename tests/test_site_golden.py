"""The rendered site for a fixed input (tests/published.py's example), against a golden tree
checked in under tests/golden/site/, compared file by file with a diff on mismatch.

After an intended change of the pages, write the tree again with
`TOP_PYPI_WRITE_GOLDEN=1 .venv/bin/python -m pytest tests/test_site_golden.py` and read the
diff in git before committing it. The data files and the assets are left out: other tests
check that they are byte-identical to the tags' and the package's own."""

import difflib
import os
import re
import shutil
from pathlib import Path

import pytest

from tests.site_pages import site_tree
from tests.sites import EXAMPLE_URL

GOLDEN = Path(__file__).parent / "golden" / "site"
URL = "https://example.org/top-pypi/"
NOT_RENDERED = re.compile(r"^static/|(^|/)(top-pypi-packages|datapackage)[^/]*$")


def rendered(folder: Path) -> dict[str, bytes]:
    return {path: body for path, body in site_tree(folder).items() if not NOT_RENDERED.search(path)}


def write_golden(got: dict[str, bytes]) -> None:
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for path, body in got.items():
        (GOLDEN / path).parent.mkdir(parents=True, exist_ok=True)
        (GOLDEN / path).write_bytes(body)


def test_the_site_matches_the_golden_tree(example_site_at_url: Path) -> None:
    assert URL == EXAMPLE_URL  # the example's site for URL, built once per session
    got = rendered(example_site_at_url)
    if os.environ.get("TOP_PYPI_WRITE_GOLDEN"):
        write_golden(got)
        pytest.fail("Wrote the golden tree: read the diff with `git diff tests/golden`, re-run.")
    expected = rendered(GOLDEN)
    assert sorted(got) == sorted(expected)
    for path, body in got.items():
        if body != expected[path]:
            diff = difflib.unified_diff(
                expected[path].decode().splitlines(),
                body.decode().splitlines(),
                f"golden/{path}",
                f"built/{path}",
                lineterm="",
            )
            pytest.fail("\n".join(diff))
