"""Synthetic PEP 503 project names for `publisher.sample`, most downloaded first."""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from publisher.sample.draws import NAMES_STREAM, seeded_rng

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
# Every part is already lowercase letters and digits joined by single dashes, so a joined name
# always passes; the check stays in case a part is added that would not.
_NAME_RULE = r"^[a-z0-9]+(-[a-z0-9]+)*$"


@cache
def _part_arrays() -> tuple[pa.StringArray, ...]:
    """Each part's spellings, the empty string first (no part): made on first use, as
    pyarrow's first array loads pandas (a quarter of a second that `make run` run again does
    not need)."""
    return (
        pa.array(["", *(o for o, _ in _NAME_PREFIXES)]),
        pa.array(_NAME_WORDS),
        pa.array(["", *("-" + w for w in _NAME_WORDS)]),
        pa.array(["", *(o for o, _ in _NAME_SUFFIXES)]),
    )


# A candidate is drawn as numbers, one per part (0: no part), packed into one integer: the
# same candidate drawn again is found among integers, and only new ones are spelt out.
_SIZES = (len(_NAME_PREFIXES) + 1, len(_NAME_WORDS), len(_NAME_WORDS) + 1, len(_NAME_SUFFIXES) + 1)
_NUMBERS = 100_000  # "foo-bar-1234": 0 to 99,999; packed as 1 + number, 0 for none


def project_names(count: int, seed: int) -> list[str]:
    """`count` unique, PEP 503-normalised names in popularity order (most downloaded first)."""
    return project_name_array(count, seed).to_pylist()  # type: ignore[no-any-return]


def project_name_array(count: int, seed: int) -> pa.StringArray:
    """`project_names` as an Arrow array: built in Arrow's kernels, a few seconds for millions.

    Names are kept in the order they were first drawn. A candidate drawn before (the same
    parts) adds nothing, so only the first draw of each is spelt and compared as text; two
    different candidates may still spell the same name ("pytest-" "mock", "py" "test" "-mock")."""
    rng = seeded_rng(seed, NAMES_STREAM)
    drawn = _Drawn()
    names: list[str] = []
    spelt: set[str] = set()
    attempt = 0
    while len(names) < count:
        missing = count - len(names)
        # Once the plain combinations run low, a number widens the space: "foo-bar-1234".
        numbered = attempt >= 4
        candidates = _candidate_codes(rng, max(2 * missing, 64), numbered)
        # Each name is hashed once, as it is spelt; Arrow's `unique` over all the names so far
        # hashed the first ones again at every attempt.
        for name in _spelt(drawn.first(candidates, numbered)).to_pylist():
            if name not in spelt:
                spelt.add(name)
                names.append(name)
        attempt += 1
    chosen = pa.array(names[:count], pa.string())
    lengths = pc.utf8_length(chosen).to_numpy(zero_copy_only=False).astype(np.float64)
    order = np.argsort(lengths + rng.normal(0.0, _RANK_LENGTH_NOISE, count), kind="stable")
    return chosen.take(order)


class _Drawn:
    """The candidates drawn so far. The plain ones (no number: every attempt before the first
    numbered one) are marked in a table of every combination of parts, a few tens of
    megabytes touched only where drawn; the numbered ones, which never equal a plain one,
    are kept as Arrow's unique values."""

    def __init__(self) -> None:
        self.plain = np.zeros(math.prod(_SIZES), dtype=np.bool_)
        self.numbered = pa.array([], type=pa.int64())

    def first(self, candidates: np.ndarray, numbered: bool) -> np.ndarray:
        """The candidates never drawn before, each once, in the order of their first draw
        (Arrow's hash kernels number values by first appearance)."""
        batch: np.ndarray = pc.unique(pa.array(candidates)).to_numpy()
        if numbered:
            seen = len(self.numbered)
            self.numbered = pc.unique(pa.chunked_array([self.numbered, pa.array(batch)]))
            return self.numbered[seen:].to_numpy()  # type: ignore[no-any-return]
        parts = batch // (_NUMBERS + 1)
        new: np.ndarray = batch[~self.plain[parts]]
        self.plain[new // (_NUMBERS + 1)] = True
        return new


def _candidate_codes(rng: np.random.Generator, count: int, numbered: bool) -> np.ndarray:
    # The draws come in a fixed order, which the seed's names depend on: prefixes, first words,
    # second words, which names have a second word, suffixes, numbers.
    parts = (
        _weighted_choice(rng, _NAME_PREFIXES, count, _PREFIX_SHARE),
        rng.choice(len(_NAME_WORDS), count),
        _kept(rng.choice(len(_NAME_WORDS), count) + 1, rng, _SECOND_WORD_SHARE),
        _weighted_choice(rng, _NAME_SUFFIXES, count, _SUFFIX_SHARE),
    )
    code = np.zeros(count, dtype=np.int64)
    for part, size in zip(parts, _SIZES, strict=True):
        code = code * size + part
    number = rng.integers(0, _NUMBERS, count) + 1 if numbered else 0
    return code * (_NUMBERS + 1) + number


def _spelt(codes: np.ndarray) -> pa.StringArray:
    """The names of packed candidates, those that break the name rule left out."""
    codes, number = np.divmod(codes, _NUMBERS + 1)
    indexes = []
    for size in reversed(_SIZES):
        codes, index = np.divmod(codes, size)
        indexes.append(index)
    parts = [
        part.take(index) for part, index in zip(_part_arrays(), reversed(indexes), strict=True)
    ]
    if number.any():
        numbers = pc.cast(pa.array(number - 1), pa.string())
        parts.append(pc.binary_join_element_wise("-", numbers, ""))
    names = pc.binary_join_element_wise(*parts, "")
    return names.filter(pc.match_substring_regex(names, _NAME_RULE))


def _weighted_choice(
    rng: np.random.Generator, options: Sequence[tuple[str, float]], count: int, share: float
) -> np.ndarray:
    """For `share` of the `count` picks, an option by weight (1 for the first); 0 for the rest."""
    weights = np.array([w for _, w in options], dtype=np.float64)
    picked = rng.choice(len(options), count, p=weights / weights.sum())
    return _kept(picked + 1, rng, share)


def _kept(picked: np.ndarray, rng: np.random.Generator, share: float) -> np.ndarray:
    """`share` of the picks, drawn by coin; 0 (no part) in place of the others."""
    return np.where(rng.random(len(picked)) < share, picked, 0)
