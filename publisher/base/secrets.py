"""Secrets kept out of everything people see: one redaction for messages, logs and files.

A secret handed to a client can come back inside text in another form than the one given: with
the whitespace a paste left around it, URL-encoded in a query string (zenodo-client sends its
token as `?access_token=…`, and `requests` quotes the URL in its errors), inside an HTTP Basic
header (base64 of `user:secret`), or escaped by `repr` in an exception. A `Redactor` built from
every secret in play removes each of these forms; `secret_from` reads a secret from the
environment and refuses one that cannot be a token, without showing it.
"""

from __future__ import annotations

import base64
import copy
import re
from collections.abc import Iterable, Iterator, Mapping
from urllib.parse import quote, quote_plus

from publisher.base.errors import PublisherError, UsageError

HIDDEN = "***"
# Credentials in text whatever their value: a token in a query string, an Authorization header.
ECHOED = (
    re.compile(r"(?i)(access_token=)[^&\s'\"]+"),
    re.compile(r"(?i)(\bbearer\s+)[^\s'\",]+"),
    re.compile(r"(\bBasic\s+)[A-Za-z0-9+/_-]{8,}=*"),
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
        given = [secret for secret in secrets if secret and secret.strip()]
        encoded = [_base64_pattern(core) for secret in given for core in _base64_cores(secret)]
        literals = sorted({form for secret in given for form in _text_forms(secret)}, key=len)
        self.patterns = [
            *encoded,
            *(_literal_pattern(form) for form in reversed(literals)),  # the longest first
        ]

    def __call__(self, text: str) -> str:
        for pattern in self.patterns:
            text = pattern.sub(HIDDEN, text)
        for echoed in ECHOED:
            text = echoed.sub(rf"\g<1>{HIDDEN}", text)
        return text

    def error(self, error: PublisherError) -> PublisherError:
        """The same error, its message and tip redacted."""
        redacted = copy.copy(error)
        redacted.message, redacted.tip = self(error.message), self(error.tip)
        redacted.args = (self(str(error)),)
        return redacted


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
