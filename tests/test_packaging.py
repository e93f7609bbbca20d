"""A plain (not editable) install must carry everything the package reads at run time."""

import subprocess
import sys
import zipfile
from pathlib import Path

from publisher.dataset.build import SCHEMA_VERSIONS
from publisher.dataset.validate import shipped_schema_name

ROOT = Path(__file__).parents[1]


def test_wheel_ships_every_schema_and_every_module(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation"]
    subprocess.run([*command, "-w", str(tmp_path), "-q"], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("top_pypi-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for version in SCHEMA_VERSIONS:  # every version, so that older tags stay valid
        assert f"publisher/dataset/schemas/{shipped_schema_name(version)}" in names
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "publisher").rglob("*.py")}
    assert modules <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "top-pypi = publisher.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
