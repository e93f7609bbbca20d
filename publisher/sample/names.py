"""Synthetic PEP 503 project names for `publisher.sample`, most downloaded first."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

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
_NAME_RULE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def project_names(count: int, seed: int) -> list[str]:
    """`count` unique, PEP 503-normalised names in popularity order (most downloaded first)."""
    rng = seeded_rng(seed, NAMES_STREAM)
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
