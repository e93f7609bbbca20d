"""Service-account credentials for the BigQuery stand-in.

With BIGQUERY_EMULATOR_HOST set, google-cloud-bigquery still insists on credentials. The stand-in
makes a real service-account key whose `token_uri` is its own `/token`: google-auth signs a JWT
assertion with the key, trades it there for an access token (the OAuth 2 JWT-bearer grant, as
with Google's token endpoint), and sends that token as `Authorization: Bearer ...`.
"""

from __future__ import annotations

import base64
import functools
import json
import secrets
import threading
import time
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# google-auth always addresses the assertion to Google's token endpoint, whatever token_uri says,
# and Google's endpoint insists on that audience.
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
TOKEN_LIFETIME_SECONDS = 3600


class TokenError(Exception):
    """A token request Google's endpoint would refuse (OAuth error `invalid_grant`)."""


class ServiceAccount:
    """One generated key, and the access tokens issued against it."""

    def __init__(self, project: str, token_uri: str, *, fresh_key: bool = False) -> None:
        self.project = project
        self.token_uri = token_uri
        self.email = f"top-pypi-tests@{project}.iam.gserviceaccount.com"
        self.key_id = secrets.token_hex(20)
        self._key = _new_key() if fresh_key else _shared_key()
        self._tokens: set[str] = set()
        self._lock = threading.Lock()

    def key_info(self) -> dict[str, str]:
        """The service-account JSON, as the Cloud console would download it."""
        pem = self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return {
            "type": "service_account",
            "project_id": self.project,
            "private_key_id": self.key_id,
            "private_key": pem.decode(),
            "client_email": self.email,
            "client_id": "100000000000000000001",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": self.token_uri,
            "universe_domain": "googleapis.com",
        }

    def write_key(self, path: Path) -> Path:
        path.write_text(json.dumps(self.key_info(), indent=2) + "\n", encoding="utf-8")
        return path

    def exchange(self, form: dict[str, str]) -> dict[str, Any]:
        """The token endpoint: a signed JWT assertion in, an access token out."""
        if form.get("grant_type") != JWT_BEARER_GRANT:
            raise TokenError(f"unsupported grant_type {form.get('grant_type')!r}")
        self._check_assertion(form.get("assertion", ""))
        token = "ya29.standin-" + secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
        return {"access_token": token, "expires_in": TOKEN_LIFETIME_SECONDS, "token_type": "Bearer"}

    def issued(self, token: str) -> bool:
        with self._lock:
            return token in self._tokens

    def _check_assertion(self, assertion: str) -> None:
        try:
            header_b64, claims_b64, signature_b64 = assertion.split(".")
            header, claims = _b64_json(header_b64), _b64_json(claims_b64)
            signature = _b64_decode(signature_b64)
        except ValueError as error:
            raise TokenError("malformed JWT assertion") from error
        if header.get("alg") != "RS256" or header.get("kid") != self.key_id:
            raise TokenError("assertion not signed with this service account's key")
        self._verify(f"{header_b64}.{claims_b64}".encode(), signature)
        _check_claims(claims, self.email)

    def _verify(self, signed: bytes, signature: bytes) -> None:
        try:
            public = self._key.public_key()
            public.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature as error:
            raise TokenError("invalid JWT signature") from error


# IAM makes service-account keys of 2048 bits by default and of 1024 bits when asked
# (keys.create with keyAlgorithm KEY_ALG_RSA_1024), and google-auth signs with either. The tests'
# keys are 1024 bits: google-auth parses the key again for every command, and OpenSSL's check of
# a 2048-bit private key takes about 0.04 CPU seconds, of a 1024-bit one a seventh of that.
KEY_BITS = 1024


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


@functools.cache
def _shared_key() -> rsa.RSAPrivateKey:
    # An RSA key takes a noticeable fraction of a second to make; one per test process will do,
    # as each stand-in still names it with its own key id and honours only its own tokens.
    return _new_key()


def _check_claims(claims: dict[str, Any], email: str) -> None:
    if claims.get("iss") != email:
        raise TokenError("assertion issuer is not the service account")
    if claims.get("aud") != GOOGLE_TOKEN_AUDIENCE:
        raise TokenError(f"assertion audience is not {GOOGLE_TOKEN_AUDIENCE}")
    if int(claims.get("exp", 0)) < time.time():
        raise TokenError("assertion expired")


def _b64_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError) as error:
        raise ValueError("bad base64") from error


def _b64_json(text: str) -> dict[str, Any]:
    value = json.loads(_b64_decode(text))
    if not isinstance(value, dict):
        raise ValueError("JWT part is not an object")
    return value
