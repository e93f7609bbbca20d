"""Projects and their files for `publisher.sample`: versions, file names, types and URLs.

Every project has a fixed number of releases, each with a wheel and an sdist; a download picks
a project by Zipf-like popularity, then a release and a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from publisher.sample.draws import (
    CATALOGUE_STREAM,
    Alias,
    Codes,
    Flags,
    Ints,
    alias_table,
    draw,
    seeded_rng,
)
from publisher.sample.names import project_name_array

# --- Projects and their files --------------------------------------------------------------

# Zipf-Mandelbrot weights (rank + 10) ** -1.2 put ~2% of downloads on the top project and ~55%
# on the top 1%, close to the shares in the real monthly top lists.
ZIPF_EXPONENT = 1.2
ZIPF_OFFSET = 10.0

VERSIONS_PER_PROJECT = 4
_VERSION_SHARES = (0.6, 0.2, 0.12, 0.08)  # newest first: most installs take the latest release
_FILES_PER_VERSION = 2  # a wheel and an sdist
_CALVER_SHARE = 0.08
_NO_WHEEL_SHARE = 0.08  # projects that only ship an sdist
_SDIST_SHARE = 0.06  # of downloads of projects that do ship wheels
_ZIP_SHARE = 0.03  # old projects whose sdist is a .zip
_WHEEL_TAGS = (
    ("py3-none-any", 60), ("py2.py3-none-any", 8),
    ("cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64", 6),
    ("cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64", 5),
    ("cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64", 3),
    ("cp39-abi3-manylinux_2_17_x86_64.manylinux2014_x86_64", 3),
    ("cp312-cp312-musllinux_1_2_x86_64", 1), ("cp312-cp312-macosx_11_0_arm64", 3),
    ("cp312-cp312-win_amd64", 2), ("cp310-cp310-manylinux_2_28_aarch64", 1),
)  # fmt: skip
_SDIST_EXTENSIONS = (".tar.gz", ".zip")  # after the version, with no dash
_FILE_TYPES = ("bdist_wheel", "sdist")
_URL_PREFIX = b"/packages/"
# The two hex digits of every byte value, as one little-endian uint16 each.
_HEX_PAIRS = np.frombuffer(
    b"".join(f"{octet:02x}".encode() for octet in range(256)), dtype=np.uint16
)


@dataclass(frozen=True)
class Catalogue:
    """Every project and its files; a file is `(project * VERSIONS + version) * 2 + is_sdist`."""

    names: pa.Array  # PEP 503 names, most popular first
    dists: pa.Array  # the same names as wheel and sdist file names spell them
    popularity: Alias
    releases: Codes  # (projects, VERSIONS_PER_PROJECT): index into `versions`, newest first
    versions: pa.Array  # every distinct version string, "1.26.4"
    dashed_versions: pa.Array  # the same, as file names spell them after the name: "-1.26.4"
    suffixes: Codes  # (projects, 2): index into `_suffix_texts()` for the wheel and the sdist
    no_wheels: Flags
    url_salt: np.uint64

    @property
    def files(self) -> int:
        return len(self.names) * VERSIONS_PER_PROJECT * _FILES_PER_VERSION


def build_catalogue(projects: int, seed: int) -> Catalogue:
    names = project_name_array(projects, seed)
    rng = seeded_rng(seed, CATALOGUE_STREAM)
    ranks = np.arange(projects, dtype=np.float64)
    releases, versions = _version_strings(_release_keys(rng, projects))
    return Catalogue(
        names=names,
        dists=pc.replace_substring(names, "-", "_"),
        popularity=alias_table((ranks + 1.0 + ZIPF_OFFSET) ** -ZIPF_EXPONENT),
        releases=releases,
        versions=versions,
        dashed_versions=pc.binary_join_element_wise("", versions, "-"),
        suffixes=_file_suffixes(rng, projects),
        no_wheels=rng.random(projects) < _NO_WHEEL_SHARE,
        url_salt=np.uint64(rng.integers(0, 2**63)),
    )


def _release_keys(rng: np.random.Generator, projects: int) -> Ints:
    """Four distinct releases per project: micro releases of one minor, or successive minors;
    each as one integer, `(major * 1000 + minor) * 1000 + micro` (minor and micro stay below
    1000, so it orders and identifies a version)."""
    calver = rng.random(projects) < _CALVER_SHARE
    major = np.where(calver, rng.integers(2019, 2026, projects), rng.geometric(0.45, projects) - 1)
    minor = np.where(calver, rng.integers(1, 13, projects), rng.integers(0, 30, projects))
    micro = rng.integers(0, 12, projects)
    by_micro = rng.random(projects) < 0.5
    last = VERSIONS_PER_PROJECT - 1
    minor = np.where(by_micro, minor, np.maximum(minor, last))
    micro = np.where(by_micro, np.maximum(micro, last), micro)
    back = np.arange(VERSIONS_PER_PROJECT)
    minors = np.where(by_micro[:, None], minor[:, None], minor[:, None] - back)
    older_micros = rng.integers(0, 10, (projects, VERSIONS_PER_PROJECT))
    older_micros[:, 0] = micro
    micros = np.where(by_micro[:, None], micro[:, None] - back, older_micros)
    return (major[:, None] * 1000 + minors) * 1000 + micros


def _version_strings(keys: Ints) -> tuple[Codes, pa.Array]:
    """Each release's index into the distinct version strings, and those strings."""
    # A few thousand versions among millions of releases: found by hashing, then sorted, they
    # are np.unique's, ten times sooner than sorting every release.
    every = pa.array(keys.ravel())
    distinct = pa.array(np.sort(pc.unique(every).to_numpy()))
    releases = pc.index_in(every, value_set=distinct).to_numpy()
    text = [f"{k // 1_000_000}.{k // 1000 % 1000}.{k % 1000}" for k in distinct.to_pylist()]
    return releases.reshape(keys.shape), pa.array(text, type=pa.string())


def _file_suffixes(rng: np.random.Generator, projects: int) -> Codes:
    """Per project, what follows "name-version" in its wheel and in its sdist file name."""
    tag_weights = np.array([w for _, w in _WHEEL_TAGS], dtype=np.float64)
    wheels = rng.choice(len(_WHEEL_TAGS), projects, p=tag_weights / tag_weights.sum())
    zips = rng.random(projects) < _ZIP_SHARE
    sdists = len(_WHEEL_TAGS) + zips  # `_suffix_texts()` lists the sdist extensions after the tags
    return np.stack([wheels, sdists], axis=1).astype(np.int32)


def _file_ids(catalogue: Catalogue, rng: np.random.Generator, count: int) -> tuple[Codes, Ints]:
    """Each download's project and file."""
    projects = draw(catalogue.popularity, rng, count)
    versions = draw(_VERSION_TABLE, rng, count)
    sdists = catalogue.no_wheels[projects] | (rng.random(count) < _SDIST_SHARE)
    releases = projects.astype(np.int64) * VERSIONS_PER_PROJECT + versions
    return projects, releases * _FILES_PER_VERSION + sdists


_VERSION_TABLE = alias_table(_VERSION_SHARES)


@cache
def _suffix_texts() -> pa.StringArray:
    """Made on first use: pyarrow's first array loads pandas, which `make run` run again does
    not need."""
    return pa.array([f"-{tag}.whl" for tag, _ in _WHEEL_TAGS] + list(_SDIST_EXTENSIONS))


def _file_values(catalogue: Catalogue, files: Ints) -> tuple[pa.Array, Codes, pa.Array]:
    """File name, version (index into `catalogue.versions`) and URL of each of `files`."""
    releases, is_sdist = np.divmod(files, _FILES_PER_VERSION)
    projects, slots = np.divmod(releases, VERSIONS_PER_PROJECT)
    versions = catalogue.releases[projects, slots]
    dashed = catalogue.dashed_versions.take(versions)
    suffixes = _suffix_texts().take(catalogue.suffixes[projects, is_sdist])
    filename = pc.binary_join_element_wise(catalogue.dists.take(projects), dashed, suffixes, "")
    url = pc.binary_join_element_wise(_blob_paths(files, catalogue.url_salt), filename, "")
    return filename, versions, url


def _blob_paths(files: Ints, salt: np.uint64) -> pa.Array:
    """`/packages/ab/cd/<60 hex>/`: the shape of PyPI's blake2b paths, from a hash of the file."""
    counters: npt.NDArray[np.uint64] = np.add.outer(
        files.astype(np.uint64) * np.uint64(4) + salt, np.arange(4, dtype=np.uint64)
    )
    octets = _mix64(counters).view(np.uint8)
    digits = _HEX_PAIRS[octets].view(np.uint8).reshape(len(files), 64)
    width = len(_URL_PREFIX) + 64 + 3
    text = np.empty((len(files), width), dtype=np.uint8)
    text[:, : len(_URL_PREFIX)] = np.frombuffer(_URL_PREFIX, dtype=np.uint8)
    start = len(_URL_PREFIX)
    for lo, hi in ((0, 2), (2, 4), (4, 64)):
        text[:, start : start + hi - lo] = digits[:, lo:hi]
        text[:, start + hi - lo] = ord("/")
        start += hi - lo + 1
    offsets = np.arange(len(files) + 1, dtype=np.int32) * width
    return pa.Array.from_buffers(
        pa.string(), len(files), [None, pa.py_buffer(offsets), pa.py_buffer(text)]
    )


def _mix64(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """SplitMix64's finaliser: wrapping uint64 arithmetic is the point, not an accident."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def file_leaves(catalogue: Catalogue, rng: np.random.Generator, count: int) -> dict[str, pa.Array]:
    projects, files = _file_ids(catalogue, rng, count)
    used_projects, project_codes = _compact(projects, len(catalogue.names))
    used_files, file_codes = _compact(files, catalogue.files)
    filename, file_versions, url = _file_values(catalogue, used_files)
    used_versions, version_codes = _compact(file_versions, len(catalogue.versions))
    project = _encoded(project_codes, catalogue.names.take(used_projects))
    file_types = (files % _FILES_PER_VERSION).astype(np.int32)
    return {
        "url": _encoded(file_codes, url),
        "project": project,
        "file.filename": _encoded(file_codes, filename),
        "file.project": project,
        "file.version": _encoded(version_codes[file_codes], catalogue.versions.take(used_versions)),
        "file.type": _encoded(file_types, pa.array(_FILE_TYPES)),
    }


def _encoded(codes: Codes, values: pa.Array) -> pa.DictionaryArray:
    # The codes index `values` by construction: skip the bounds check of safe=True.
    return pa.DictionaryArray.from_arrays(codes, values, safe=False)


def _compact(ids: npt.NDArray[np.integer], size: int) -> tuple[Ints, Codes]:
    """The distinct `ids` in ascending order, and each id's position among them.

    A row group's dictionary then holds only the values its rows use: Parquet writes the whole
    dictionary of a column into every row group, used or not.
    """
    present = np.zeros(size, dtype=bool)
    present[ids] = True
    positions = np.cumsum(present, dtype=np.int32) - 1
    return np.flatnonzero(present), positions[ids]
