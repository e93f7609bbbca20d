"""Locked installs: uv.lock resolves pyproject.toml; requirements.lock (tests and tools) and
requirements-publish.lock (the workflows) are its exports, with a hash for every file; every
install (make install, the workflows) goes through them, and Dependabot proposes the updates."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from ruamel.yaml import YAML

ROOT = Path(__file__).parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
FULL = ROOT / "requirements.lock"
PUBLISH = ROOT / "requirements-publish.lock"
CFFCONVERT = ROOT / "requirements-cffconvert.lock"  # its own: it pins old libraries
MAKEFILE = (ROOT / "Makefile").read_text(encoding="utf-8")
# A pinned requirement of an export: `name==version`, maybe `; markers`, then its hashes.
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;]+)(?:\s*;\s*([^\\]+?))?\s*\\?$")
HASH = re.compile(r"^\s+--hash=sha256:[0-9a-f]{64}\s*\\?$")
# Whatever a tool might try to reach ends at a closed port on this machine.
NOWHERE = "http://127.0.0.1:9"
OFFLINE = os.environ | {"HTTPS_PROXY": NOWHERE, "HTTP_PROXY": NOWHERE, "ALL_PROXY": NOWHERE}
INSTALL_LOCK = "python -m pip install --require-hashes -r requirements-publish.lock"
INSTALL_PROJECT = "python -m pip install --no-deps --no-build-isolation ."


def pins(path: Path) -> dict[str, tuple[str, int]]:
    """{normalised name: (version, number of hashes)} of an export; ValueError on a line that
    is neither a pin, a hash, a comment nor blank."""
    found: dict[str, tuple[str, int]] = {}
    name = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pin, digest = PIN.match(line), HASH.match(line)
        if pin:
            name = canonicalize_name(pin.group(1))
            found[name] = (pin.group(2), 0)
        elif digest and name:
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
        else:
            raise ValueError(f"{path.name}: unexpected line {line!r}")
    return found


def required(extras: bool) -> list[Requirement]:
    """pyproject's dependencies, the build group, and the test extras when asked."""
    project = PYPROJECT["project"]
    texts = [*project["dependencies"], *PYPROJECT["dependency-groups"]["build"]]
    if extras:
        texts += project["optional-dependencies"]["test"]
    return [Requirement(text) for text in texts]


def unmet(path: Path, extras: bool) -> list[str]:
    locked = pins(path)
    problems = []
    for requirement in required(extras):
        version = locked.get(canonicalize_name(requirement.name), (None, 0))[0]
        if version is None or not requirement.specifier.contains(version, prereleases=True):
            problems.append(f"{requirement} (locked: {version})")
    problems += [f"{name} has no hash" for name, (_, hashes) in locked.items() if not hashes]
    return problems


@pytest.mark.parametrize(("path", "extras"), [(FULL, True), (PUBLISH, False)])
def test_each_lock_satisfies_pyproject_with_a_hash_for_every_pin(path: Path, extras: bool) -> None:
    assert unmet(path, extras) == []
    assert "setuptools" in pins(path)  # the build, without isolation, uses the locked one


def test_the_publish_lock_holds_no_test_tool() -> None:
    tools = {canonicalize_name(r.name) for r in required(extras=True)} - {
        canonicalize_name(r.name) for r in required(extras=False)
    }
    assert tools >= {"pytest", "zizmor", "check-jsonschema"}
    assert not tools & set(pins(PUBLISH))
    assert set(pins(PUBLISH)) < set(pins(FULL))


def test_a_lock_that_misses_a_dependency_or_a_hash_or_a_range_is_caught(tmp_path: Path) -> None:
    text = PUBLISH.read_text(encoding="utf-8")
    jinja = re.search(r"^jinja2==\S+ \\\n(\s+--hash=\S+( \\)?\n)+", text, re.MULTILINE)
    sqlglot = re.search(r"^sqlglot==(\S+) ", text, re.MULTILINE)
    assert jinja
    assert sqlglot
    broken = tmp_path / "broken.lock"
    broken.write_text(text.replace(jinja.group(0), ""), encoding="utf-8")
    assert [p.split(" ")[0] for p in unmet(broken, extras=False)] == ["jinja2>=3.1"]
    broken.write_text(text.replace(sqlglot.group(0), "sqlglot==29.0.0 "), encoding="utf-8")
    assert unmet(broken, extras=False) == ["sqlglot<31,>=30 (locked: 29.0.0)"]
    unhashed = re.sub(r"^(jinja2==\S+) \\\n(\s+--hash=\S+( \\)?\n)+", r"\1\n", text, flags=re.M)
    broken.write_text(unhashed, encoding="utf-8")
    assert unmet(broken, extras=False) == ["jinja2 has no hash"]


def exported(path: Path) -> str:
    """What uv writes from uv.lock, offline, with the command in the export's own header."""
    header = path.read_text(encoding="utf-8").splitlines()[1]
    argv = header.removeprefix("#    uv ").split()
    assert argv[:2] == ["export", "--frozen"], header  # --frozen: uv.lock as it is, no network
    assert argv[-2:] == ["-o", path.name], header
    uv = [sys.executable, "-m", "uv", *argv[:-2], "--offline", "--no-header"]
    result = subprocess.run(uv, cwd=ROOT, env=OFFLINE, capture_output=True, text=True, check=True)
    return result.stdout


@pytest.mark.parametrize("path", [FULL, PUBLISH])
def test_each_lock_is_the_export_of_uv_lock(path: Path) -> None:
    body = "\n".join(path.read_text(encoding="utf-8").splitlines()[2:]) + "\n"
    assert exported(path) == body, f"{path.name} is out of date: run `make lock`"


def normal(requirement: Requirement) -> tuple[str, str, str]:
    return canonicalize_name(requirement.name), str(requirement.specifier), str(requirement.marker)


def recorded(entries: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """The requirements uv.lock records for a package, as (name, specifier, marker)."""
    texts = [
        e["name"] + e.get("specifier", "") + (f"; {e['marker']}" if "marker" in e else "")
        for e in entries
    ]
    return {normal(Requirement(text)) for text in texts}


def test_uv_lock_was_resolved_from_this_pyproject() -> None:
    """uv records the requirements it resolved; any change to pyproject's makes them differ."""
    lock = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
    (own,) = [p for p in lock["package"] if p["name"] == PYPROJECT["project"]["name"]]
    project = PYPROJECT["project"]
    wanted = {normal(Requirement(text)) for text in project["dependencies"]}
    tests = project["optional-dependencies"]["test"]
    wanted |= {normal(Requirement(f"{text}; extra == 'test'")) for text in tests}
    assert recorded(own["metadata"]["requires-dist"]) == wanted
    groups = own["metadata"]["requires-dev"]
    assert set(groups) == set(PYPROJECT["dependency-groups"])
    for name, texts in PYPROJECT["dependency-groups"].items():
        assert recorded(groups[name]) == {normal(Requirement(text)) for text in texts}


# Every install goes through a lock.


def test_make_install_installs_from_the_lock_then_the_project_without_its_dependencies() -> None:
    makefile = MAKEFILE
    target = r"^\$\(VENV\)/\.installed: .*requirements\.lock.*\n\t(.+)$"
    (recipe,) = re.findall(target, makefile, re.MULTILINE)
    assert "pip install -q --require-hashes -r requirements.lock && " in recipe
    assert recipe.count("pip install") == 2
    assert "pip install -q --no-deps --no-build-isolation -e . && " in recipe
    ci_run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install" not in ci_run
    assert "make test" in ci_run


def workflow_steps() -> list[tuple[str, list[dict[str, Any]]]]:
    found = []
    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        workflow = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
        found += [(path.name, job.get("steps", [])) for job in workflow["jobs"].values()]
    return found


def test_every_workflow_installing_top_pypi_installs_the_publish_lock_first() -> None:
    installing = 0
    for name, steps in workflow_steps():
        runs = [step.get("run", "") for step in steps]
        installs = [run for run in runs if "pip install" in run]
        if not installs:
            assert not any(run.startswith("top-pypi ") for run in runs), name
            continue
        assert installs == [f"{INSTALL_LOCK}\n{INSTALL_PROJECT}\n"], name
        installing += 1
    assert installing == 3  # monthly's publish, release's release, pages' build


def test_dependabot_proposes_updates_to_the_actions_the_python_lock_and_the_site_tools() -> None:
    path = ROOT / ".github" / "dependabot.yml"
    config = YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))
    places = {(u["package-ecosystem"], u["directory"]) for u in config["updates"]}
    assert places == {("github-actions", "/"), ("uv", "/"), ("npm", "/site")}
    assert (ROOT / "uv.lock").is_file()
    assert (ROOT / "site" / "package-lock.json").is_file()
    schema = ("--builtin-schema", "vendor.dependabot")
    check = Path(sys.executable).parent / "check-jsonschema"
    argv = [str(check), *schema, str(path)]
    result = subprocess.run(argv, env=OFFLINE, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_pip_install_of_the_makefile_takes_a_lock_or_no_dependencies() -> None:
    installs = re.findall(r"pip install -q (--\S+)", MAKEFILE)
    assert len(installs) == 3
    assert set(installs) == {"--require-hashes", "--no-deps"}


def test_cffconvert_has_a_lock_of_its_own_at_the_makefiles_version() -> None:
    version = re.search(r"^CFFCONVERT_VERSION := (\S+)$", MAKEFILE, re.MULTILINE)
    assert version
    locked = pins(CFFCONVERT)
    assert locked["cffconvert"][0] == version.group(1)
    assert all(hashes for _, hashes in locked.values())
    assert "pip install -q --require-hashes -r requirements-cffconvert.lock" in MAKEFILE
