"""Secrets kept out of everything people see: one redaction for messages, logs and files.

A secret handed to a client can come back inside text in another form than the one given: with
the whitespace a paste left around it, URL-encoded in a query string (zenodo-client sends its
token as `?access_token=…`, and `requests` quotes the URL in its errors), inside an HTTP Basic
header (base64 of `user:secret`), or escaped by `repr` in an exception. A `Redactor` built from
every secret in play removes each of these forms; `secret_from` reads a secret from the
environment and refuses one that cannot be a token, without showing it.

This is the only redaction. While a command runs (`secrets_kept_out`, held by the command
line) every line it prints, every line of its `--summary` and its error pass one `Redactor`;
a secret met on the way (a password in top-pypi.toml, a BigQuery key, an access token) joins
it by `keep_out`. A stage that shortens a message redacts it first (`Redactor.line`,
`without_secrets`), so that the cut cannot leave part of a secret behind.
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from urllib.parse import quote, quote_plus

from publisher.base.errors import PublisherError, UsageError

HIDDEN = "***"
# Credentials in text whatever their value, each pattern keeping its first group: a header
# as a proxy or debug page echoes it (`Authorization: Basic …`, ClickHouse's
# `X-ClickHouse-Key`), a password or token in a query string, a bearer token, HTTP Basic
# credentials, the password of a URL (`https://user:token@host`, as git remotes hold it),
# and Google's: a private key's PEM block, an OAuth access token, a signed JWT.
ECHOED = (
    re.compile(
        r"(?i)(\b(?:(?:proxy-)?authorization|x-clickhouse-key)\s*[=:]\s*)"
        r"(?:(?:basic|bearer)\s+)?[^\s,;&]+"
    ),
    re.compile(r"(?i)(\bpassword=)[^\s,;&]+"),
    re.compile(r"(?i)(access_token=)[^&\s'\"]+"),
    re.compile(r"(?i)(\bbearer\s+)[^\s'\",]+"),
    re.compile(r"(\bBasic\s+)[A-Za-z0-9+/_-]{8,}=*"),
    re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^/\s@]+(?=@)"),
    re.compile(r"()-----BEGIN[^-]*-----.*?(?:-----END[^-]*-----|$)", re.DOTALL),
    re.compile(r"()\bya29\.[\w.-]+"),
    re.compile(r"()\beyJ[\w-]+\.[\w-]+\.[\w-]*"),
)
# The characters of base64 in both alphabets, padding apart.
_BASE64_CHAR = "[A-Za-z0-9+/_-]"
# A base64 form shorter than this could match ordinary text: such a secret is removed as text only.
_SHORTEST_BASE64 = 8


class Redactor:
    """Removes every given secret, in every form it may take in text, and any credential in a
    query string or header, from text: `redact(text)`. Built once from all the secrets of a
    command (`Redactor(token, password)`; None and empty ones are ignored)."""

    def __init__(self, *secrets: str | None) -> None:
        self.secrets: list[str] = []
        self.patterns: list[re.Pattern[str]] = []
        self.add(*secrets)

    def add(self, *secrets: str | None) -> None:
        """Remove these secrets too, from now on (a secret met while a command runs)."""
        self.secrets += [secret for secret in secrets if secret and secret.strip()]
        encoded = [
            _base64_pattern(core) for secret in self.secrets for core in _base64_cores(secret)
        ]
        forms = {form for secret in self.secrets for form in _text_forms(secret)}
        self.patterns = [
            *encoded,
            *(_literal_pattern(form) for form in sorted(forms, key=len, reverse=True)),
        ]

    def __call__(self, text: str) -> str:
        for pattern in self.patterns:
            text = pattern.sub(HIDDEN, text)
        for echoed in ECHOED:
            text = echoed.sub(rf"\g<1>{HIDDEN}", text)
        return text

    def line(self, text: str, chars: int) -> str:
        """`text` redacted, on one line, at most `chars` characters: cut after the secrets are
        removed, so that the cut cannot leave part of one behind."""
        text = " ".join(self(text).split())
        return text if len(text) <= chars else text[: chars - 3] + "..."

    def error(self, error: PublisherError) -> PublisherError:
        """The same error, its message and tip redacted."""
        redacted = copy.copy(error)
        redacted.message, redacted.tip = self(error.message), self(error.tip)
        redacted.args = (self(str(error)),)
        return redacted


# The redactor of the command that runs, which every message and every line of its summary
# passes (see `secrets_kept_out`). A plain list, not a context variable: a secret met in a
# worker thread (an access token) must reach the command's redactor.
_RUNNING: list[Redactor] = []
_NO_SECRET = Redactor()


@contextmanager
def secrets_kept_out(*secrets: str | None) -> Iterator[Redactor]:
    """While a command runs: one redactor of `secrets` and of every one `keep_out` adds."""
    redactor = Redactor(*secrets)
    _RUNNING.append(redactor)
    try:
        yield redactor
    finally:
        _RUNNING.remove(redactor)


def keep_out(*secrets: str | None) -> None:
    """A secret met while the command runs (a password read from a file, a private key, an
    access token): never shown by the command from now on."""
    if _RUNNING:
        _RUNNING[-1].add(*secrets)


def running() -> Redactor:
    """The running command's redactor; outside a command, one of no secret (it still removes
    every credential `ECHOED` finds)."""
    return _RUNNING[-1] if _RUNNING else _NO_SECRET


def without_secrets(text: str) -> str:
    """`text` without the running command's secrets, nor any credential it shows."""
    return running()(text)


def secret_from(environ: Mapping[str, str], name: str) -> str | None:
    """The secret in the environment variable `name`, without the whitespace a paste leaves
    around it; None when unset or empty (CI passes an undefined secret as empty). One with a
    space or a control character inside is refused, in a line that does not show it."""
    value = environ.get(name, "").strip()
    if not value:
        return None
    inside = next((i for i, c in enumerate(value) if c.isspace() or not c.isprintable()), None)
    if inside is not None:
        raise UsageError(
            f"{name} has a space or a control character inside it (character {inside + 1} of"
            f" {len(value)}; the value is not shown).",
            f"Set {name} to the secret alone, copied again from where it was made.",
        )
    return value


def _text_forms(secret: str) -> Iterator[str]:
    """The secret as given and stripped, each also URL-encoded and escaped as `repr` does."""
    for clear in {secret, secret.strip()}:
        yield clear
        yield clear.encode("unicode_escape").decode("ascii")
        for safe in ("/", ""):  # quote's default, and what a query string's value needs
            yield quote(clear, safe=safe)
            yield quote_plus(clear, safe=safe)


def _literal_pattern(form: str) -> re.Pattern[str]:
    """`form` as it stands, its %XX escapes in either case (encoders differ)."""
    parts = re.split(r"(%[0-9A-F]{2})", form)
    return re.compile(
        "".join(
            f"%[{p[1].lower()}{p[1]}][{p[2].lower()}{p[2]}]" if i % 2 else re.escape(p)
            for i, p in enumerate(parts)
        )
    )


def _base64_cores(secret: str) -> Iterable[str]:
    """What base64 of any `…secret…` (say `user:secret`) must contain, in either alphabet: the
    secret's bytes fall at one of three offsets in the groups of three, and the groups that
    also hold bytes of what surrounds it are left out, so this holds whatever the user is."""
    cores = set()
    for clear in {secret, secret.strip()}:
        data = clear.encode()
        for offset in range(3):
            whole_groups = (offset + len(data)) // 3
            for encode in (base64.b64encode, base64.urlsafe_b64encode):
                encoded = encode(b"\0" * offset + data).decode("ascii")
                core = encoded[4 if offset else 0 : 4 * whole_groups]
                if len(core) >= _SHORTEST_BASE64:
                    cores.add(core)
    return sorted(cores, key=len, reverse=True)


def _base64_pattern(core: str) -> re.Pattern[str]:
    """The whole base64 word around `core`: the user's part and the padding go with it. A
    match starts only where a word does, so a long word is scanned once, not from each of its
    characters."""
    return re.compile(f"(?<!{_BASE64_CHAR}){_BASE64_CHAR}*{re.escape(core)}{_BASE64_CHAR}*=*")
