"""Synthetic `file_downloads` events, so the whole pipeline can be rehearsed without BigQuery.

The events look like the real table where it matters to the counting code: the exact schema,
PEP 503 project names with Zipf-like popularity, a weekly rhythm, a realistic installer mix
(mirrors and a missing installer included) and files whose names match their type.

Speed comes from never touching a row in Python: every column is an index array drawn with
numpy into a small pool of values, handed to Parquet as a dictionary array. The Parquet writer
encodes those indices directly, so no string is ever built per row.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial
from itertools import accumulate
from math import ceil, pi
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from publisher.errors import UsageError
from publisher.events_schema import FILE_DOWNLOADS
from publisher.window import check_days

Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float64]
Flags = npt.NDArray[np.bool_]
Value = str | bool | None

MAX_PROJECTS = 2_000_000
DAY_US = 86_400_000_000
# Rows per row group: each covers its own slice of the day, so DuckDB skips groups by timestamp.
ROW_GROUP_ROWS = 1 << 19
COMPRESSION = "zstd"
COMPRESSION_LEVEL = 1
WEEKEND_FACTOR = 0.6
# Zipf-Mandelbrot weights (rank + 10) ** -1.2 put ~2% of downloads on the top project and ~55%
# on the top 1%, close to the shares in the real monthly top lists.
ZIPF_EXPONENT = 1.2
ZIPF_OFFSET = 10.0
# Downloads peak in the US morning / European afternoon.
DIURNAL_AMPLITUDE = 0.3
DIURNAL_PEAK_HOUR = 14.0

# Each worker holds one row group at a time, ~100 MB at most.
_MAX_WORKERS = 4

_NAMES_STREAM = 1
_CATALOGUE_STREAM = 2
_POOLS_STREAM = 3
_DAY_STREAM = 4


@dataclass(frozen=True, kw_only=True)
class SampleSpec:
    """What to generate: `events` in total over the `days` UTC days that end on `end`."""

    events: int = 1_000_000
    projects: int = 20_000
    days: int = 35
    end: date
    seed: int = 0


def check_spec(spec: SampleSpec) -> SampleSpec:
    if spec.events < 1:
        raise UsageError(f"--events {spec.events} is below 1.", "Give at least 1 event.")
    if not 1 <= spec.projects <= MAX_PROJECTS:
        raise UsageError(
            f"--projects {spec.projects} is out of range.",
            f"Give a whole number of projects from 1 to {MAX_PROJECTS:,}.",
        )
    if spec.seed < 0:
        raise UsageError(f"--seed {spec.seed} is negative.", "Give a seed of 0 or more.")
    check_days(spec.days)
    return spec


def day_file(out_dir: Path, day: date) -> Path:
    return out_dir / f"{day.isoformat()}.parquet"


def sample_days(spec: SampleSpec) -> list[date]:
    return [spec.end - timedelta(days=back) for back in range(spec.days - 1, -1, -1)]


def daily_counts(total: int, days: Sequence[date]) -> list[int]:
    """Split `total` over `days` by the weekly rhythm, summing exactly to `total`."""
    weights = np.array([WEEKEND_FACTOR if d.weekday() >= 5 else 1.0 for d in days])
    quotas = total * weights / weights.sum()
    counts = np.floor(quotas).astype(np.int64)
    # Largest remainders get the leftover events; the stable sort makes ties go to earlier days.
    leftovers = np.argsort(counts - quotas, kind="stable")[: total - int(counts.sum())]
    counts[leftovers] += 1
    return [int(c) for c in counts]


def write_sample(
    out_dir: Path, spec: SampleSpec, progress: Callable[[int], None] | None = None
) -> list[Path]:
    """Write one Parquet file of `FILE_DOWNLOADS` events per day; return the files, oldest first."""
    check_spec(spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    universe = _universe(spec)
    days = sample_days(spec)
    counts = daily_counts(spec.events, days)
    # Days are independent (each has its own random stream), so they are written in parallel
    # and the files do not depend on the number of threads. numpy and Arrow release the GIL.
    executor = ThreadPoolExecutor(max_workers=_workers(len(days)))
    try:
        written = 0
        for rows in executor.map(partial(_write_day, universe, spec.seed, out_dir), days, counts):
            written += rows
            if progress is not None:
                progress(written)
    finally:
        executor.shutdown(cancel_futures=True)
    return [day_file(out_dir, day) for day in days]


def _workers(days: int) -> int:
    return max(1, min(days, os.cpu_count() or 1, _MAX_WORKERS))


def _write_day(universe: _Universe, seed: int, out_dir: Path, day: date, count: int) -> int:
    batches = _day_batches(universe, day, count, _rng(seed, _DAY_STREAM, day.toordinal()))
    return _write_atomically(day_file(out_dir, day), batches)


def _rng(seed: int, *stream: int) -> np.random.Generator:
    # Each stream (names, each day, ...) gets its own generator, so changing one part of the
    # sample, e.g. the number of days, leaves the others as they were.
    return np.random.default_rng([seed, *stream])


# --- Project names -------------------------------------------------------------------------

_NAME_PREFIXES = (
    ("py", 6), ("py-", 2), ("python-", 2), ("django-", 4), ("flask-", 2), ("pytest-", 4),
    ("types-", 3), ("google-cloud-", 2), ("azure-", 2), ("azure-mgmt-", 2), ("aws-", 1),
    ("mypy-boto3-", 2), ("sphinxcontrib-", 1), ("sphinx-", 1), ("jupyter-", 1), ("mkdocs-", 1),
    ("opentelemetry-instrumentation-", 1), ("apache-airflow-providers-", 1), ("flake8-", 1),
    ("dbt-", 1), ("langchain-", 1), ("llama-index-", 1), ("backports-", 1), ("zope-", 1),
    ("odoo-addon-", 1), ("fast", 1), ("open", 1), ("lib", 1), ("easy", 1), ("async", 1),
)  # fmt: skip
_NAME_WORDS = (
    "requests", "yaml", "json", "boto", "core", "utils", "client", "api", "data", "http", "cache",
    "config", "crypto", "auth", "log", "test", "mock", "schema", "parse", "attrs", "six", "idna",
    "certifi", "charset", "numpy", "pandas", "arrow", "grpc", "proto", "toml", "click", "rich",
    "jinja", "markup", "safe", "wheel", "setup", "tools", "packaging", "typing", "dateutil", "tz",
    "zone", "socket", "net", "web", "server", "flow", "task", "queue", "redis", "mongo", "sql",
    "alchemy", "orm", "db", "storage", "blob", "bucket", "cloud", "lambda", "stream", "kafka",
    "spark", "torch", "tensor", "vision", "audio", "image", "pillow", "plot", "chart", "graph",
    "network", "route", "url", "lib", "uri", "file", "path", "glob", "watch", "event", "signal",
    "retry", "timeout", "pool", "thread", "process", "worker", "job", "cron", "sched", "time",
    "date", "locale", "i18n", "text", "string", "regex", "token", "lexer", "ast", "code", "format",
    "lint", "style", "color", "term", "shell", "cli", "prompt", "tqdm", "progress", "bar", "table",
    "frame", "matrix", "vector", "math", "stats", "model", "learn", "train", "embed", "llm",
    "agent", "chat", "openai", "search", "index", "query", "filter", "sort", "hash", "crc",
    "zip", "compress", "snappy", "zstd", "msgpack", "pickle", "serial", "codec", "base", "mime",
    "email", "smtp", "ftp", "ssh", "ssl", "tls", "jwt", "oauth", "ldap", "kerberos", "docker",
    "kube", "helm", "terraform", "ansible", "sentry", "metrics", "trace", "profile", "bench",
    "hypo", "fixture", "faker", "factory", "pydantic", "marshmallow", "dataclass", "enum",
    "inspect", "wrapt", "decorator", "lazy", "plugin", "hook", "pluggy", "entry", "platform",
    "dirs", "env", "dotenv", "secret", "vault", "keyring", "geo", "shapely", "proj", "raster",
    "xml", "html", "soup", "css", "markdown", "docs", "sphinx", "notebook", "kernel", "widget",
)  # fmt: skip
_NAME_SUFFIXES = (
    ("3", 4), ("2", 2), ("5", 1), ("64", 1), ("x", 1), ("py", 1), ("io", 1), ("-cli", 2),
    ("-sdk", 2), ("-core", 3), ("-utils", 3), ("-tools", 2), ("-extensions", 1), ("-stubs", 1),
    ("-plugin", 2), ("-lite", 1), ("-client", 2), ("-server", 1), ("-api", 1), ("-async", 1),
    ("-py", 1), ("-ng", 1), ("-compat", 1), ("-binary", 1), ("-v2", 1), ("-hq", 1),
)  # fmt: skip
_PREFIX_SHARE = 0.3
_SECOND_WORD_SHARE = 0.45
_SUFFIX_SHARE = 0.3
# Noise on name length when ranking: short names rank higher on PyPI, but only on average.
_RANK_LENGTH_NOISE = 9.0
_NAME_RULE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def project_names(count: int, seed: int) -> list[str]:
    """`count` unique, PEP 503-normalised names in popularity order (most downloaded first)."""
    rng = _rng(seed, _NAMES_STREAM)
    names: dict[str, None] = {}
    attempt = 0
    while len(names) < count:
        missing = count - len(names)
        # Once the plain combinations run low, a number widens the space: "foo-bar-1234".
        numbered = attempt >= 4
        names.update(dict.fromkeys(_name_candidates(rng, max(2 * missing, 64), numbered)))
        attempt += 1
    chosen = list(names)[:count]
    lengths = np.array([len(n) for n in chosen], dtype=np.float64)
    order = np.argsort(lengths + rng.normal(0.0, _RANK_LENGTH_NOISE, count), kind="stable")
    return [chosen[i] for i in order]


def _name_candidates(rng: np.random.Generator, count: int, numbered: bool) -> list[str]:
    prefixes = _weighted_choice(rng, _NAME_PREFIXES, count, _PREFIX_SHARE)
    firsts = rng.choice(_NAME_WORDS, count).tolist()
    seconds = ["-" + w for w in rng.choice(_NAME_WORDS, count).tolist()]
    seconds = [
        w if keep else ""
        for w, keep in zip(seconds, _coins(rng, count, _SECOND_WORD_SHARE), strict=True)
    ]
    suffixes = _weighted_choice(rng, _NAME_SUFFIXES, count, _SUFFIX_SHARE)
    numbers = (
        [f"-{n}" for n in rng.integers(0, 100_000, count).tolist()] if numbered else [""] * count
    )
    parts = zip(prefixes, firsts, seconds, suffixes, numbers, strict=True)
    return [name for name in ("".join(p) for p in parts) if _NAME_RULE.fullmatch(name)]


def _weighted_choice(
    rng: np.random.Generator, options: Sequence[tuple[str, float]], count: int, share: float
) -> list[str]:
    """An option for `share` of the `count` picks (by weight), the empty string for the rest."""
    weights = np.array([w for _, w in options], dtype=np.float64)
    picked = rng.choice([o for o, _ in options], count, p=weights / weights.sum()).tolist()
    return [p if keep else "" for p, keep in zip(picked, _coins(rng, count, share), strict=True)]


def _coins(rng: np.random.Generator, count: int, share: float) -> list[bool]:
    return (rng.random(count) < share).tolist()  # type: ignore[no-any-return]


# --- Weighted draws ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Alias:
    """Walker's alias table: an exact weighted draw costs one random number and two lookups."""

    keep: Floats  # the chance of keeping a slot once picked
    alias: Codes  # what to take instead


def _alias_table(weights: Sequence[float] | Floats) -> _Alias:
    scaled = (np.asarray(weights, dtype=np.float64) * len(weights) / np.sum(weights)).tolist()
    keep = [1.0] * len(scaled)
    alias = list(range(len(scaled)))
    small = [i for i, s in enumerate(scaled) if s < 1.0]
    large = [i for i, s in enumerate(scaled) if s >= 1.0]
    while small and large:
        lo, hi = small.pop(), large[-1]
        keep[lo], alias[lo] = scaled[lo], hi
        scaled[hi] -= 1.0 - scaled[lo]
        if scaled[hi] < 1.0:
            small.append(large.pop())
    return _Alias(np.array(keep), np.array(alias, dtype=np.int32))


def _draw(table: _Alias, rng: np.random.Generator, count: int) -> Codes:
    # One uniform number serves twice: its integer part (scaled) picks the slot, its fraction
    # decides between slot and alias. With 53 bits, even 2M slots leave 32 bits for the
    # fraction, and it is a third faster than drawing two numbers.
    scaled = rng.random(count) * len(table.keep)
    picks = scaled.astype(np.int32)
    scaled -= picks
    return np.where(scaled < table.keep[picks], picks, table.alias[picks])


@dataclass(frozen=True)
class _Leaf:
    """One column of a pool: its distinct values, and each pool row's index into them (-1: null)."""

    values: pa.Array
    codes: Codes
    has_nulls: bool


def _leaf(column: Sequence[Value], value_type: pa.DataType) -> _Leaf:
    distinct = list(dict.fromkeys(v for v in column if v is not None))
    position = {v: i for i, v in enumerate(distinct)}
    codes = np.array([-1 if v is None else position[v] for v in column], dtype=np.int32)
    return _Leaf(pa.array(distinct, type=value_type), codes, bool((codes < 0).any()))


def _leaf_column(leaf: _Leaf, rows: Codes) -> pa.Array:
    codes = leaf.codes[rows]
    valid = _validity(codes >= 0) if leaf.has_nulls else None
    indices = pa.Array.from_buffers(pa.int32(), len(codes), [valid, pa.py_buffer(codes)])
    if pa.types.is_boolean(leaf.values.type):
        return leaf.values.take(indices)
    # The codes come from the pool itself, so the bounds check of safe=True is wasted time.
    return pa.DictionaryArray.from_arrays(indices, leaf.values, safe=False)


def _validity(valid: Flags) -> pa.Buffer:
    """An Arrow validity bitmap; packing it here is faster than letting pa.array do it."""
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


@dataclass(frozen=True)
class _Pool:
    """Weighted rows of correlated values, e.g. one client: installer, Python, OS, CI flag."""

    table: _Alias
    leaves: Mapping[str, _Leaf]
    masks: Mapping[str, Flags]  # struct path -> pool rows where the whole struct is null


def _pool(rows: Sequence[Mapping[str, Value]], weights: Sequence[float], prefix: str = "") -> _Pool:
    """A pool whose leaves are keyed by their full column path, e.g. `details.installer.name`."""
    paths = {prefix + k: k for k in dict.fromkeys(k for row in rows for k in row)}
    leaves = {p: _leaf([row.get(k) for row in rows], _leaf_type(p)) for p, k in paths.items()}
    return _Pool(_alias_table(weights), leaves, {})


def _leaf_type(path: str) -> pa.DataType:
    """The type of a leaf column of `FILE_DOWNLOADS`, given its dotted path."""
    head, *rest = path.split(".")
    value_type = FILE_DOWNLOADS.field(head).type
    for name in rest:
        value_type = value_type.field(name).type
    return value_type


# --- Clients: installer, Python, OS --------------------------------------------------------

_UNKNOWN = "(unknown)"  # a user agent linehaul cannot parse: the whole `details` is null
_INSTALLER_SHARES = (
    ("pip", 0.7395), ("uv", 0.14), ("poetry", 0.03), ("pdm", 0.005), ("Browser", 0.005),
    (_UNKNOWN, 0.05), ("bandersnatch", 0.015), ("Artifactory", 0.008), ("Nexus", 0.004),
    ("devpi", 0.002), ("z3c.pypimirror", 0.001), ("pep381client", 0.0005),
)  # fmt: skip
_INSTALLER_VERSIONS: Mapping[str, Sequence[tuple[str | None, float]]] = {
    "pip": (
        ("25.1.1", 20), ("25.0.1", 18), ("24.3.1", 14), ("24.2", 8), ("24.0", 12),
        ("23.3.1", 5), ("23.0.1", 6), ("22.0.2", 6), ("21.2.4", 3), ("20.0.2", 2),
    ),
    "uv": (("0.7.3", 25), ("0.6.17", 25), ("0.6.6", 15), ("0.5.31", 15), ("0.4.30", 8)),
    "poetry": (("2.1.2", 40), ("1.8.5", 35), ("1.7.1", 15)),
    "pdm": (("2.24.1", 3), ("2.22.4", 1)),
    "Browser": ((None, 1),),
    "bandersnatch": (("6.6.0", 2), ("6.5.0", 1)),
    "Artifactory": (("7.104.15", 2), ("7.98.17", 1)),
    "Nexus": (("3.78.2-04", 2), ("3.70.4-02", 1)),
    "devpi": (("6.14.0", 1),),
    "z3c.pypimirror": (("1.0.16", 1),),
    "pep381client": (("1.5", 1),),
}  # fmt: skip
# How many distinct client set-ups each installer gets; each is weighted at random.
_PROFILES_PER_INSTALLER = {"pip": 400, "uv": 200, "poetry": 60, "pdm": 20}
_CI_SHARE = 0.35
_CI_INSTALLERS = ("pip", "uv")  # only they set details.ci, and only to true
_FULL_DETAILS = ("pip", "uv", "poetry", "pdm")
_PYTHONS = (
    ("3.8.10", 2), ("3.8.20", 1), ("3.9.21", 3), ("3.9.6", 2), ("3.10.12", 5), ("3.10.16", 4),
    ("3.11.11", 6), ("3.11.2", 2), ("3.12.3", 5), ("3.12.10", 7), ("3.13.2", 5),
    ("3.13.3", 3), ("3.14.0", 1),
)  # fmt: skip
_PYPY_SHARE = 0.02
_PYPYS = (("3.10.14", "7.3.17"), ("3.11.11", "7.3.19"))
_ENVIRONMENTS = (
    # distro name, version, id, libc lib, libc version, system, release, cpu, openssl, weight
    ("Ubuntu", "22.04", "jammy", "glibc", "2.35", "Linux", "6.8.0-1021-azure", "x86_64",
     "OpenSSL 3.0.2 15 Mar 2022", 14),
    ("Ubuntu", "24.04", "noble", "glibc", "2.39", "Linux", "6.8.0-1024-aws", "x86_64",
     "OpenSSL 3.0.13 30 Jan 2024", 16),
    ("Ubuntu", "20.04", "focal", "glibc", "2.31", "Linux", "5.15.0-1075-azure", "x86_64",
     "OpenSSL 1.1.1f  31 Mar 2020", 4),
    ("Debian GNU/Linux", "12", "bookworm", "glibc", "2.36", "Linux", "6.1.0-31-cloud-amd64",
     "x86_64", "OpenSSL 3.0.15 3 Sep 2024", 18),
    ("Debian GNU/Linux", "12", "bookworm", "glibc", "2.36", "Linux", "6.10.14-linuxkit",
     "aarch64", "OpenSSL 3.0.15 3 Sep 2024", 3),
    ("Debian GNU/Linux", "11", "bullseye", "glibc", "2.31", "Linux", "5.10.0-33-cloud-amd64",
     "x86_64", "OpenSSL 1.1.1w  11 Sep 2023", 3),
    ("Amazon Linux", "2023", None, "glibc", "2.34", "Linux", "6.1.131-143.221.amzn2023.x86_64",
     "x86_64", "OpenSSL 3.0.8 7 Feb 2023", 7),
    ("Amazon Linux", "2", None, "glibc", "2.26", "Linux", "4.14.355-275.570.amzn2.x86_64",
     "x86_64", "OpenSSL 1.0.2k-fips  26 Jan 2017", 3),
    ("Alpine Linux", "3.21.3", None, "musl", "1.2.5", "Linux", "6.6.72+", "x86_64",
     "OpenSSL 3.3.3 11 Feb 2025", 3),
    ("Red Hat Enterprise Linux", "9.5", "Plow", "glibc", "2.34", "Linux",
     "5.14.0-503.26.1.el9_5.x86_64", "x86_64", "OpenSSL 3.2.2 4 Jun 2024", 3),
    ("Fedora Linux", "41", None, "glibc", "2.40", "Linux", "6.13.5-200.fc41.x86_64", "x86_64",
     "OpenSSL 3.2.4 11 Feb 2025", 1),
    ("macOS", "15.4.1", None, None, None, "Darwin", "24.4.0", "arm64",
     "OpenSSL 3.0.16 11 Feb 2025", 6),
    ("macOS", "14.7.5", None, None, None, "Darwin", "23.6.0", "arm64",
     "OpenSSL 3.0.16 11 Feb 2025", 3),
    ("macOS", "13.7.5", None, None, None, "Darwin", "22.6.0", "x86_64", "LibreSSL 2.8.3", 1),
    (None, None, None, None, None, "Windows", "10", "AMD64", "OpenSSL 3.0.15 3 Sep 2024", 5),
    (None, None, None, None, None, "Windows", "11", "AMD64", "OpenSSL 3.0.16 11 Feb 2025", 2),
)  # fmt: skip
_ENVIRONMENT_KEYS = (
    "distro.name", "distro.version", "distro.id", "distro.libc.lib", "distro.libc.version",
    "system.name", "system.release", "cpu", "openssl_version",
)  # fmt: skip
_SETUPTOOLS = (
    ("80.3.1", 10), ("75.8.0", 8), ("70.0.0", 4), ("69.5.1", 5), ("68.2.2", 3), ("65.5.0", 5),
    ("59.6.0", 3), (None, 20),
)  # fmt: skip
_RUSTCS = ((None, 85), ("1.86.0", 5), ("1.85.1", 4), ("1.75.0", 3))
_PROFILE_WEIGHT_SPREAD = 1.0  # sigma of the log-normal weights: a few set-ups dominate, as in CI


def _pick(rng: np.random.Generator, options: Sequence[tuple[object, float]]) -> int:
    # Plain Python: rng.choice(p=...) validates its input at ~50 µs a call, 3000 calls a run.
    cumulative = list(accumulate(w for _, w in options))
    return min(bisect_right(cumulative, rng.random() * cumulative[-1]), len(options) - 1)


def _version_of(rng: np.random.Generator, options: Sequence[tuple[str | None, float]]) -> Value:
    return options[_pick(rng, options)][0]


def _full_profile(rng: np.random.Generator, installer: str) -> dict[str, Value]:
    """A client that reports everything: its installer, Python, OS, and maybe the CI flag."""
    python: Value = _PYTHONS[_pick(rng, _PYTHONS)][0]
    implementation: tuple[Value, Value] = ("CPython", python)
    if rng.random() < _PYPY_SHARE:
        python, pypy = _PYPYS[int(rng.integers(len(_PYPYS)))]
        implementation = ("PyPy", pypy)
    environment = _ENVIRONMENTS[_pick(rng, [(e, e[-1]) for e in _ENVIRONMENTS])]
    ci = installer in _CI_INSTALLERS and bool(rng.random() < _CI_SHARE)
    return {
        "installer.name": installer,
        "installer.version": _version_of(rng, _INSTALLER_VERSIONS[installer]),
        "python": python,
        "implementation.name": implementation[0],
        "implementation.version": implementation[1],
        **dict(zip(_ENVIRONMENT_KEYS, environment[:-1], strict=True)),
        "setuptools_version": _version_of(rng, _SETUPTOOLS) if installer == "pip" else None,
        "rustc_version": _version_of(rng, _RUSTCS),
        "ci": True if ci else None,
    }


def _short_profile(installer: str, version: str | None) -> dict[str, Value]:
    """Mirrors and browsers send a short user agent: bandersnatch and devpi also name Python."""
    profile: dict[str, Value] = {"installer.name": installer, "installer.version": version}
    if installer in ("bandersnatch", "devpi"):
        profile["python"] = "3.11.11"
        profile["implementation.name"] = "CPython"
        profile["implementation.version"] = "3.11.11"
        profile["system.name"] = "Linux"
    return profile


def _installer_profiles(
    rng: np.random.Generator, installer: str, share: float
) -> tuple[list[dict[str, Value]], list[float]]:
    if installer == _UNKNOWN:
        return [{"installer.name": None}], [share]
    if installer not in _FULL_DETAILS:
        versions = _INSTALLER_VERSIONS[installer]
        total = sum(w for _, w in versions)
        return [_short_profile(installer, v) for v, _ in versions], [
            share * w / total for _, w in versions
        ]
    profiles = [_full_profile(rng, installer) for _ in range(_PROFILES_PER_INSTALLER[installer])]
    weights = rng.lognormal(0.0, _PROFILE_WEIGHT_SPREAD, len(profiles))
    return profiles, (share * weights / weights.sum()).tolist()


def _client_pool(rng: np.random.Generator) -> _Pool:
    profiles: list[dict[str, Value]] = []
    weights: list[float] = []
    for installer, share in _INSTALLER_SHARES:
        more, more_weights = _installer_profiles(rng, installer, share)
        profiles += more
        weights += more_weights
    pool = _pool(profiles, weights, prefix="details.")
    unparsed = np.array([p.get("installer.name") is None for p in profiles])
    return _Pool(pool.table, pool.leaves, {"details": unparsed})


# --- Countries and TLS ---------------------------------------------------------------------

_COUNTRIES = (
    ("US", 38), ("CN", 6), ("DE", 6), ("IE", 5), ("GB", 4), ("IN", 4), ("FR", 3), ("JP", 3),
    ("NL", 3), ("SG", 3), ("CA", 2), ("KR", 2), ("BR", 2), ("AU", 2), ("SE", 1), ("FI", 1),
    ("RU", 1), ("HK", 1), ("PL", 1), ("CH", 1), ("ES", 1), ("IT", 1), ("TW", 1), ("BE", 1),
    ("IL", 0.5), ("VN", 0.5), ("ZA", 0.3), ("MX", 0.3), ("AR", 0.2), ("NG", 0.1), (None, 0.3),
)  # fmt: skip
_TLS = (
    ("TLSv1.3", "TLS_AES_128_GCM_SHA256", 55), ("TLSv1.3", "TLS_AES_256_GCM_SHA384", 25),
    ("TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256", 3), ("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", 15),
    ("TLSv1.2", "ECDHE-RSA-AES256-GCM-SHA384", 2),
)  # fmt: skip


def _country_pool() -> _Pool:
    return _pool([{"country_code": c} for c, _ in _COUNTRIES], [w for _, w in _COUNTRIES])


def _tls_pool() -> _Pool:
    rows = [{"tls_protocol": p, "tls_cipher": c} for p, c, _ in _TLS]
    return _pool(rows, [w for _, _, w in _TLS])


# --- Projects and their files --------------------------------------------------------------

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
class _Catalogue:
    """Every project and its files; a file is `(project * VERSIONS + version) * 2 + is_sdist`."""

    names: pa.Array  # PEP 503 names, most popular first
    dists: pa.Array  # the same names as wheel and sdist file names spell them
    popularity: _Alias
    releases: Codes  # (projects, VERSIONS_PER_PROJECT): index into `versions`, newest first
    versions: pa.Array  # every distinct version string, "1.26.4"
    dashed_versions: pa.Array  # the same, as file names spell them after the name: "-1.26.4"
    suffixes: Codes  # (projects, 2): index into `_FILE_SUFFIXES` for the wheel and the sdist
    no_wheels: Flags
    url_salt: np.uint64

    @property
    def files(self) -> int:
        return len(self.names) * VERSIONS_PER_PROJECT * _FILES_PER_VERSION


def _catalogue(spec: SampleSpec) -> _Catalogue:
    names = pa.array(project_names(spec.projects, spec.seed), type=pa.string())
    rng = _rng(spec.seed, _CATALOGUE_STREAM)
    ranks = np.arange(spec.projects, dtype=np.float64)
    releases, versions = _version_strings(_release_versions(rng, spec.projects))
    return _Catalogue(
        names=names,
        dists=pc.replace_substring(names, "-", "_"),
        popularity=_alias_table((ranks + 1.0 + ZIPF_OFFSET) ** -ZIPF_EXPONENT),
        releases=releases,
        versions=versions,
        dashed_versions=pc.binary_join_element_wise("", versions, "-"),
        suffixes=_file_suffixes(rng, spec.projects),
        no_wheels=rng.random(spec.projects) < _NO_WHEEL_SHARE,
        url_salt=np.uint64(rng.integers(0, 2**63)),
    )


def _release_versions(rng: np.random.Generator, projects: int) -> Codes:
    """Four distinct releases per project: micro releases of one minor, or successive minors."""
    calver = rng.random(projects) < _CALVER_SHARE
    major = np.where(calver, rng.integers(2019, 2026, projects), rng.geometric(0.45, projects) - 1)
    minor = np.where(calver, rng.integers(1, 13, projects), rng.integers(0, 30, projects))
    micro = rng.integers(0, 12, projects)
    by_micro = rng.random(projects) < 0.5
    last = VERSIONS_PER_PROJECT - 1
    minor = np.where(by_micro, minor, np.maximum(minor, last))
    micro = np.where(by_micro, np.maximum(micro, last), micro)
    back = np.arange(VERSIONS_PER_PROJECT)
    versions = np.empty((projects, VERSIONS_PER_PROJECT, 3), dtype=np.int32)
    versions[:, :, 0] = major[:, None]
    versions[:, :, 1] = np.where(by_micro[:, None], minor[:, None], minor[:, None] - back)
    older_micros = rng.integers(0, 10, (projects, VERSIONS_PER_PROJECT))
    older_micros[:, 0] = micro
    versions[:, :, 2] = np.where(by_micro[:, None], micro[:, None] - back, older_micros)
    return versions


def _version_strings(triples: Codes) -> tuple[Codes, pa.Array]:
    """Each release's index into the distinct version strings, and those strings."""
    # Minor and micro stay below 1000, so one integer orders and identifies a version.
    keys = (triples[..., 0].astype(np.int64) * 1000 + triples[..., 1]) * 1000 + triples[..., 2]
    distinct, releases = np.unique(keys, return_inverse=True)
    text = [f"{k // 1_000_000}.{k // 1000 % 1000}.{k % 1000}" for k in distinct.tolist()]
    return releases.reshape(keys.shape).astype(np.int32), pa.array(text, type=pa.string())


def _file_suffixes(rng: np.random.Generator, projects: int) -> Codes:
    """Per project, what follows "name-version" in its wheel and in its sdist file name."""
    tag_weights = np.array([w for _, w in _WHEEL_TAGS], dtype=np.float64)
    wheels = rng.choice(len(_WHEEL_TAGS), projects, p=tag_weights / tag_weights.sum())
    zips = rng.random(projects) < _ZIP_SHARE
    sdists = len(_WHEEL_TAGS) + zips  # `_FILE_SUFFIXES` lists the sdist extensions after the tags
    return np.stack([wheels, sdists], axis=1).astype(np.int32)


def _file_ids(catalogue: _Catalogue, rng: np.random.Generator, count: int) -> tuple[Codes, Ints]:
    """Each download's project and file."""
    projects = _draw(catalogue.popularity, rng, count)
    versions = _draw(_VERSION_TABLE, rng, count)
    sdists = catalogue.no_wheels[projects] | (rng.random(count) < _SDIST_SHARE)
    releases = projects.astype(np.int64) * VERSIONS_PER_PROJECT + versions
    return projects, releases * _FILES_PER_VERSION + sdists


_VERSION_TABLE = _alias_table(_VERSION_SHARES)
_FILE_SUFFIXES = pa.array([f"-{tag}.whl" for tag, _ in _WHEEL_TAGS] + list(_SDIST_EXTENSIONS))


def _file_values(catalogue: _Catalogue, files: Ints) -> tuple[pa.Array, Codes, pa.Array]:
    """File name, version (index into `catalogue.versions`) and URL of each of `files`."""
    releases, is_sdist = np.divmod(files, _FILES_PER_VERSION)
    projects, slots = np.divmod(releases, VERSIONS_PER_PROJECT)
    versions = catalogue.releases[projects, slots]
    dashed = catalogue.dashed_versions.take(versions)
    suffixes = _FILE_SUFFIXES.take(catalogue.suffixes[projects, is_sdist])
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


# --- One day of events ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Universe:
    catalogue: _Catalogue
    pools: Sequence[_Pool]


def _universe(spec: SampleSpec) -> _Universe:
    pools = (_client_pool(_rng(spec.seed, _POOLS_STREAM)), _country_pool(), _tls_pool())
    return _Universe(_catalogue(spec), pools)


def _day_batches(
    universe: _Universe, day: date, count: int, rng: np.random.Generator
) -> Iterator[pa.RecordBatch]:
    """The day's events in row groups, each covering the next slice of the day, time-sorted."""
    slices = max(1, ceil(count / ROW_GROUP_ROWS))
    start = (day - date(1970, 1, 1)).days * DAY_US
    for index, rows in enumerate(rng.multinomial(count, [1.0 / slices] * slices).tolist()):
        if rows:
            offsets = _times_of_day(rng, rows, index / slices, (index + 1) / slices)
            yield _batch(universe, rng, offsets + start)


def _times_of_day(rng: np.random.Generator, count: int, low: float, high: float) -> Ints:
    """`count` sorted microsecond offsets into the day, between quantiles `low` and `high`."""
    # Cumulated exponential gaps are uniform order statistics: sorted times with no sort.
    gaps = np.cumsum(rng.standard_exponential(count + 1))
    quantiles = low + (high - low) * (gaps[:-1] / gaps[-1])
    offsets: Ints = np.interp(quantiles, _DIURNAL_CDF, _DIURNAL_TIMES).astype(np.int64)
    return np.minimum(offsets, DAY_US - 1)


def _diurnal_cdf(points: int = 1441) -> tuple[Floats, Floats]:
    """The share of a day's downloads before each minute, for density 1 + A cos(2π(t - peak))."""
    share = np.linspace(0.0, 1.0, points)
    phase = DIURNAL_PEAK_HOUR / 24.0
    wave = np.sin(2 * pi * (share - phase)) + np.sin(2 * pi * phase)
    return share + DIURNAL_AMPLITUDE / (2 * pi) * wave, share * DAY_US


_DIURNAL_CDF, _DIURNAL_TIMES = _diurnal_cdf()


def _batch(universe: _Universe, rng: np.random.Generator, timestamps: Ints) -> pa.RecordBatch:
    count = len(timestamps)
    leaves = {"timestamp": pa.array(timestamps, type=FILE_DOWNLOADS.field("timestamp").type)}
    leaves |= _file_leaves(universe.catalogue, rng, count)
    masks: dict[str, pa.Array] = {}
    for pool in universe.pools:
        rows = _draw(pool.table, rng, count)
        leaves |= {path: _leaf_column(leaf, rows) for path, leaf in pool.leaves.items()}
        masks |= {path: pa.array(nulls[rows]) for path, nulls in pool.masks.items()}
    return pa.RecordBatch.from_arrays(_assemble(FILE_DOWNLOADS, leaves, masks), schema=WRITE_SCHEMA)


def _file_leaves(
    catalogue: _Catalogue, rng: np.random.Generator, count: int
) -> dict[str, pa.Array]:
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


def _assemble(
    fields: pa.Schema | pa.StructType,
    leaves: Mapping[str, pa.Array],
    masks: Mapping[str, pa.Array],
    prefix: str = "",
) -> list[pa.Array]:
    """The columns of `fields` built from leaf columns, so the schema alone decides the nesting."""
    columns = []
    for field in fields:
        path = prefix + field.name
        if pa.types.is_struct(field.type):
            children = _assemble(field.type, leaves, masks, path + ".")
            names = [child.name for child in field.type]
            columns.append(pa.StructArray.from_arrays(children, names=names, mask=masks.get(path)))
        else:
            columns.append(leaves[path])
    return columns


def _dictionary_encoded(value_type: pa.DataType) -> pa.DataType:
    if pa.types.is_struct(value_type):
        return pa.struct([f.with_type(_dictionary_encoded(f.type)) for f in value_type])
    if pa.types.is_string(value_type):
        return pa.dictionary(pa.int32(), value_type)
    return value_type


# What the generator hands to Parquet: FILE_DOWNLOADS with every string dictionary-encoded.
# Files are written without the Arrow schema, so readers see plain strings: FILE_DOWNLOADS.
WRITE_SCHEMA = pa.schema([f.with_type(_dictionary_encoded(f.type)) for f in FILE_DOWNLOADS])


# --- Parquet -------------------------------------------------------------------------------


def _string_paths(fields: pa.Schema | pa.StructType, prefix: str = "") -> list[str]:
    paths = []
    for field in fields:
        if pa.types.is_struct(field.type):
            paths += _string_paths(field.type, prefix + field.name + ".")
        elif pa.types.is_string(field.type):
            paths.append(prefix + field.name)
    return paths


_STATISTICS_COLUMNS = ("timestamp",)
_WRITE_BATCH_ROWS = 1 << 16  # the default, 1024, costs ~20% more time in the writer


def _parquet_writer(path: Path) -> pq.ParquetWriter:
    return pq.ParquetWriter(
        path,
        WRITE_SCHEMA,
        compression=COMPRESSION,
        compression_level=COMPRESSION_LEVEL,
        use_dictionary=_string_paths(FILE_DOWNLOADS),
        column_encoding={"timestamp": "DELTA_BINARY_PACKED"},
        # Statistics of a dictionary column cost as much as writing it, and only time prunes:
        # every row group holds every popular project, so min/max names span the alphabet.
        write_statistics=list(_STATISTICS_COLUMNS),
        write_batch_size=_WRITE_BATCH_ROWS,
        store_schema=False,
        version="2.6",
    )


def _write_atomically(path: Path, batches: Iterator[pa.RecordBatch]) -> int:
    """Write `batches` to `path`, all or nothing, and return the number of rows."""
    unfinished = path.with_name(f".{path.name}.{os.getpid()}.partial")
    rows = 0
    try:
        with _parquet_writer(unfinished) as writer:
            for batch in batches:
                writer.write_batch(batch, row_group_size=len(batch))
                rows += len(batch)
        os.replace(unfinished, path)
    finally:
        unfinished.unlink(missing_ok=True)
    return rows
