"""Zenodo's deposit API as the release uses it.

zenodo-client does the deposition actions it has (create, new version, publish), pointed at any
Zenodo by its instance attributes; `requests` does what it lacks (reading, listing, metadata
PUT, file delete, streaming uploads), with the token in an `Authorization` header. Every call is
bounded (a timeout, a few tries with growing pauses, `Retry-After` honoured on 429), and no
message ever holds the token: zenodo-client sends it in the URL, which `requests` quotes in
every HTTP error.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import requests
from requests.exceptions import ChunkedEncodingError
from zenodo_client import Zenodo

from publisher.base.errors import PublisherError, ZenodoError
from publisher.base.retry import GaveUp, Retry, Transient, retrying
from publisher.base.secrets import Redactor

ZENODO_URL = "https://zenodo.org"
SANDBOX_URL = "https://sandbox.zenodo.org"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MESSAGE_CHARS = 240
CHUNK = 1 << 20
CREATE = "create a deposition"


@dataclass(frozen=True)
class Patience(Retry):
    """How long one call may take, and how often a transient failure is tried again."""

    timeout: float = 60.0  # seconds for one request
    attempts: int = 4
    backoff: float = 2.0


class ZenodoApi:
    def __init__(self, url: str, token: str, patience: Patience = Patience()) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self.redactor = Redactor(token)
        self.patience = patience
        self.client = Zenodo(access_token=token)
        self.client.base = self.url
        self.client.api_base = f"{self.url}/api"
        self.client.depositions_base = f"{self.url}/api/deposit/depositions"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    # -- reading --------------------------------------------------------------------------------

    def deposition(self, deposition_id: int) -> dict[str, Any]:
        path = f"/deposit/depositions/{deposition_id}"
        return _object(self.call("GET", path, "read a deposition"))

    def depositions(self, status: str, query: str = "") -> list[dict[str, Any]]:
        """The token owner's depositions, drafts included, every page."""
        found: list[dict[str, Any]] = []
        for page in range(1, 101):
            params = {"status": status, "page": page, "size": 100, "all_versions": 1}
            batch = self.json(
                "GET", "/deposit/depositions", "list depositions", params={**params, "q": query}
            )
            found += batch
            if len(batch) < 100:
                break
        return found

    def read_depositions(self) -> None:
        """One read-only call that needs the token: its depositions' first entry. It shows that
        Zenodo answers and takes the token; no read shows the scopes that publishing needs."""
        self.json("GET", "/deposit/depositions", "list depositions", params={"size": 1})

    def versions(self, recid: int) -> list[dict[str, Any]]:
        """A published record's versions, newest first; none while nothing of the concept is
        published (Zenodo answers 404, as for an id it never gave)."""
        try:
            answer = self.json(
                "GET", f"/records/{recid}/versions", "list versions", params={"size": 100}
            )
        except ZenodoError as refused:
            if "(HTTP 404)" not in refused.message:
                raise
            return []
        hits = answer.get("hits", {}).get("hits", []) if isinstance(answer, dict) else []
        return [hit for hit in hits if isinstance(hit, dict)]

    # -- changing -------------------------------------------------------------------------------

    def create(self, metadata: dict[str, Any]) -> dict[str, Any]:
        """A first record's draft: zenodo-client's create, uploading nothing, not publishing.
        Tried once: a failure raises Transient, as the draft may exist all the same. The
        client makes the draft (POST), then reads it back (GET): when only the read failed,
        the draft is read again, never made again."""
        made: list[int] = []

        def send() -> requests.Response:
            try:
                return self.client.create({"metadata": metadata}, [], publish=False)
            except requests.RequestException as exc:
                if exc.request is not None and exc.request.method == "GET" and exc.request.url:
                    made.append(int(urlsplit(str(exc.request.url)).path.rsplit("/", 1)[-1]))
                raise

        try:
            return _object(self.checked(CREATE, send))
        except Transient:
            if not made:
                raise
        return self.deposition(made[0])

    def new_version(self, deposition_id: int) -> dict[str, Any]:
        """A new version's draft (holding copies of the previous files), read back whole."""
        response = self.attempt(
            "open a new version",
            lambda: self.client.new_version(str(deposition_id), sleep=False),
        )
        draft_url = _object(response).get("links", {}).get("latest_draft", "")
        return self.deposition(int(str(draft_url).rstrip("/").rsplit("/", 1)[-1]))

    def publish(self, deposition_id: int) -> dict[str, Any]:
        """Publish a draft exactly once. Zenodo may publish and then time out or answer 5xx, and a
        second publish is refused: after any failure the draft is read again, and a draft that
        is `submitted` is published, whatever the answer said."""
        patience, reason, attempt = self.patience, "no answer", 0
        started = patience.clock()
        for attempt in range(1, patience.attempts + 1):
            try:
                return _object(self.checked("publish", lambda: self._publish(deposition_id)))
            except Transient as failure:
                reason, wait = failure.reason, failure.wait
            except ZenodoError:  # "cannot be published again" after a lost answer, or a refusal
                state = self.deposition(deposition_id)
                if state.get("submitted"):
                    return state
                raise
            state = self.deposition(deposition_id)
            if state.get("submitted"):
                return state
            pause = patience.delay(attempt, wait)
            if patience.gives_up(attempt, pause, started):
                reason = patience.why_given_up(reason, pause)
                break
            patience.sleep(pause)
        raise ZenodoError(
            f"Zenodo at {self.url} did not publish draft {deposition_id}"
            f" ({self.redact(reason)}) after {attempt} {'try' if attempt == 1 else 'tries'}.",
            f"Run `top-pypi release` again: it finds draft {deposition_id} and publishes it.",
        )

    def _publish(self, deposition_id: int) -> requests.Response:
        return self.client.publish(str(deposition_id), sleep=False)

    def set_metadata(self, deposition_id: int, metadata: dict[str, Any]) -> dict[str, Any]:
        path = f"/deposit/depositions/{deposition_id}"
        return _object(self.call("PUT", path, "set the metadata", json={"metadata": metadata}))

    def delete_file(self, deposition_id: int, file_id: str) -> None:
        """A draft's file removed. Not there (404) is removed: a delete whose answer was lost
        has taken effect, and Zenodo answers the next try so."""
        path = f"/deposit/depositions/{deposition_id}/files/{file_id}"
        try:
            self.call("DELETE", path, "delete a file")
        except ZenodoError as refused:
            if "(HTTP 404)" not in refused.message:
                raise

    def upload(
        self, bucket: str, name: str, size: int, chunks: Callable[[], Iterator[bytes]]
    ) -> str:
        """Stream `chunks()` (`size` bytes) into the draft's bucket, from the start again on a
        retry, and check the MD5 Zenodo computed against ours: `md5:<hex>`."""
        digests: list[str] = []

        def body() -> Streamed:
            return Streamed(chunks(), size, digests)

        answer = self.json("PUT", f"{bucket}/{name}", f"upload {name}", body=body)
        theirs = str(answer.get("checksum", "")).removeprefix("md5:")
        if not digests or theirs != digests[-1]:
            raise ZenodoError(
                f"Zenodo stored {name} with MD5 {theirs or 'unknown'}, which is not the file's.",
                "Run the release again: the draft's files are replaced.",
            )
        return f"md5:{theirs}"

    # -- the edge -------------------------------------------------------------------------------

    def json(self, method: str, path: str, what: str, **kwargs: Any) -> Any:
        return _json(self.call(method, path, what, **kwargs))

    def call(
        self,
        method: str,
        path: str,
        what: str,
        body: Callable[[], Streamed] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        url = path if path.startswith("http") else f"{self.url}/api{path}"

        def send() -> requests.Response:
            data = body() if body is not None else None
            headers = {"Content-Type": "application/octet-stream"} if body else None
            return self.session.request(
                method, url, data=data, headers=headers, timeout=self.patience.timeout, **kwargs
            )

        return self.attempt(what, send)

    def attempt(self, what: str, send: Callable[[], requests.Response]) -> requests.Response:
        """`send()`, tried again after transient failures; any other failure is one line."""
        try:
            return retrying(lambda: self.checked(what, send), self.patience)
        except GaveUp as gave_up:
            raise self.gave_up(what, gave_up.reason, gave_up.attempts) from None

    def checked(self, what: str, send: Callable[[], requests.Response]) -> requests.Response:
        try:
            response = send()
            response.raise_for_status()
        except requests.HTTPError as exc:
            if exc.response is None:
                raise Transient("no answer") from None
            response = exc.response
        except (requests.exceptions.InvalidHeader, UnicodeEncodeError):  # nothing was sent
            raise ZenodoError(
                f"The request to {what} was not sent to Zenodo at {self.url}: the token holds"
                " characters an HTTP header cannot carry.",
                TOKEN_TIP,
            ) from None
        except (requests.ConnectionError, requests.Timeout, ChunkedEncodingError) as exc:
            # ChunkedEncodingError: the answer stopped halfway; the request may have taken effect
            raise Transient(_transport_reason(exc)) from None
        except requests.RequestException as exc:  # anything else requests refuses: one line
            raise ZenodoError(
                f"The request to {what} failed at Zenodo at {self.url}: {self.redact(str(exc))}.",
                "Check the Zenodo URL (--zenodo-url), then run the release again.",
            ) from None
        except ValueError as exc:  # zenodo-client's create raises ValueError(text) on a 400
            raise self.refused(what, 400, str(exc)) from None
        if response.status_code < 400:
            return response
        if response.status_code in RETRY_STATUSES:
            raise Transient(f"HTTP {response.status_code}", _retry_after(response))
        raise self.refused(what, response.status_code, response.text)

    def refused(self, what: str, status: int, text: str) -> PublisherError:
        where = f"Zenodo at {self.url}"
        if status == 401:
            return ZenodoError(f"{where} refused the token (HTTP 401).", TOKEN_TIP)
        if status == 403:
            return ZenodoError(
                f"{where} did not allow this token to {what} (HTTP 403).",
                "Give a token of the record's owner with the deposit:write and"
                " deposit:actions scopes.",
            )
        return ZenodoError(
            f"{where} refused to {what} (HTTP {status}): {self.redact(field_messages(text))}.",
            "Mend what it names (in .zenodo.json or CITATION.cff), then run the release again.",
        )

    def gave_up(self, what: str, reason: str, attempts: int) -> ZenodoError:
        return ZenodoError(
            f"Zenodo at {self.url} did not {what} ({self.redact(reason)})"
            f" after {attempts} {'try' if attempts == 1 else 'tries'}.",
            "Check the network or Zenodo's status, then run the release again: it resumes.",
        )

    def redact(self, text: str) -> str:
        """One line of at most MESSAGE_CHARS characters, without the token in any form."""
        return self.redactor.line(text, MESSAGE_CHARS)


TOKEN_TIP = (
    "Set ZENODO_API_TOKEN (ZENODO_SANDBOX_API_TOKEN with --sandbox) to a personal access token"
    " with the deposit:write and deposit:actions scopes."
)


def field_messages(text: str) -> str:
    """Zenodo's 400 names each field and what is wrong with it; say exactly that."""
    try:
        import json

        answer = json.loads(text)
    except ValueError:
        return re.sub(r"<[^>]+>", " ", text)
    if not isinstance(answer, dict):
        return str(answer)
    errors = answer.get("errors") or []
    parts = [
        f"{e.get('field', '?')}: {' '.join(map(str, e.get('messages', [e.get('message', '')])))}"
        for e in errors
        if isinstance(e, dict)
    ]
    return "; ".join(parts) or str(answer.get("message", text))


def _object(response: requests.Response) -> dict[str, Any]:
    answer = _json(response)
    if not isinstance(answer, dict):
        raise ZenodoError(
            f"Zenodo answered {response.url.split('?')[0]} with something unexpected.",
            "Check the Zenodo URL (--zenodo-url), then run the release again.",
        )
    return answer


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise ZenodoError(
            f"Zenodo answered {response.request.method} {response.url.split('?')[0]} with"
            " something that is not JSON.",
            "Check the Zenodo URL (--zenodo-url), then run the release again.",
        ) from None


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if re.fullmatch(r"\d+(\.\d+)?", value.strip()) else None


def _transport_reason(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    text = str(exc).lower()
    if "name or service not known" in text or "nodename nor servname" in text:
        return "host not found"
    if "refused" in text:
        return "connection refused"
    return "connection lost"


class Streamed:
    """An upload body read once, chunk by chunk, whose length is known: `requests` sends it
    with a Content-Length (not chunked), and its MD5 is noted once it has all been sent."""

    def __init__(self, chunks: Iterator[bytes], size: int, digests: list[str]) -> None:
        self.chunks, self.size, self.digests = chunks, size, digests

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[bytes]:
        md5 = hashlib.md5(usedforsecurity=False)
        for chunk in self.chunks:
            md5.update(chunk)
            yield chunk
        self.digests.append(md5.hexdigest())


def read_stream(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk
