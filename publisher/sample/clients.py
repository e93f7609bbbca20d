"""Who downloads, for `publisher.sample`: installer, Python and OS, country, TLS.

Each is a pool of weighted rows of correlated values, drawn once per event.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from itertools import accumulate

import numpy as np

from publisher.base.installers import CI_INSTALLERS
from publisher.sample.draws import Pool, Value, weighted_pool

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
    ci = installer in CI_INSTALLERS and bool(rng.random() < _CI_SHARE)
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


def client_pool(rng: np.random.Generator) -> Pool:
    profiles: list[dict[str, Value]] = []
    weights: list[float] = []
    for installer, share in _INSTALLER_SHARES:
        more, more_weights = _installer_profiles(rng, installer, share)
        profiles += more
        weights += more_weights
    pool = weighted_pool(profiles, weights, prefix="details.")
    unparsed = np.array([p.get("installer.name") is None for p in profiles])
    return Pool(pool.table, pool.leaves, {"details": unparsed})


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


def country_pool() -> Pool:
    return weighted_pool([{"country_code": c} for c, _ in _COUNTRIES], [w for _, w in _COUNTRIES])


def tls_pool() -> Pool:
    rows = [{"tls_protocol": p, "tls_cipher": c} for p, c, _ in _TLS]
    return weighted_pool(rows, [w for _, _, w in _TLS])
