"""A plain (not editable) install must carry everything the package reads at run time."""

import os
import subprocess
import sys
import tomllib
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest

from publisher.dataset.build import SCHEMA_VERSIONS
from publisher.dataset.validate import shipped_extended_schema_name, shipped_schema_name

ROOT = Path(__file__).parents[1]
SITE_ASSETS = ["templates/ranking.html", "templates/base.html", "static/site.css", "static/site.js"]


# The build backend's PEP 517 hook, called in a child from the checkout as pip calls it
# without build isolation (`pip wheel --no-build-isolation`), minus pip's own second of start.
BUILD_WHEEL = "import sys; from {backend} import build_wheel; build_wheel(sys.argv[1])"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    backend = tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["build-backend"]
    command = [sys.executable, "-c", BUILD_WHEEL.format(backend=backend), str(folder)]
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    (built,) = folder.glob("top_pypi-*.whl")
    return built


def test_wheel_ships_every_schema_and_every_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for version in SCHEMA_VERSIONS:  # every version, so that older tags stay valid
        assert f"publisher/dataset/schemas/{shipped_schema_name(version)}" in names
    for version in (v for v in SCHEMA_VERSIONS if v >= 3):  # the extended files' too
        assert f"publisher/dataset/schemas/{shipped_extended_schema_name(version)}" in names
    modules = {str(p.relative_to(ROOT)) for p in (ROOT / "publisher").rglob("*.py")}
    assert modules <= names
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "top-pypi = publisher.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()


def test_wheel_ships_the_site_folder_as_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        f"publisher/website/assets/{p.relative_to(ROOT / 'site').as_posix()}"
        for folder in ("templates", "static")
        for p in (ROOT / "site" / folder).iterdir()
    }
    assert shipped <= names
    assert not any("node_modules" in name or name.endswith("package.json") for name in names)


def test_a_plain_install_builds_the_site_from_itself(
    wheel: Path, example_repo: Path, tmp_path: Path
) -> None:
    target = tmp_path / "installed"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "--target", str(target)]
    subprocess.run([*install, str(wheel), "-q"], check=True, capture_output=True)
    # The wheel's package comes first on the path, before this checkout's editable install.
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = "from importlib.resources import files; print(files('publisher.website.assets'))"
    found = subprocess.run(
        [sys.executable, "-c", where], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert Path(found.stdout.strip()) == target / "publisher" / "website" / "assets"
    site = [sys.executable, "-m", "publisher", "site", "--repo", str(example_repo)]
    built = subprocess.run(
        [*site, "--out", str(tmp_path / "site")], cwd=tmp_path, env=env, capture_output=True
    )
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "site" / "index.html").is_file()
    assert (tmp_path / "site" / "static" / "site.css").read_bytes() == (
        ROOT / "site" / "static" / "site.css"
    ).read_bytes()


def test_the_editable_install_reads_the_site_folder_itself() -> None:
    folder = files("publisher.website.assets")
    for asset in SITE_ASSETS:
        assert folder.joinpath(asset).read_bytes() == (ROOT / "site" / asset).read_bytes()
    assert Path(str(folder)) == ROOT / "site"
