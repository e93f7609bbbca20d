"""The Zenodo stand-in's service: the deposit API's actions and the records API's reads with
Zenodo's rules (KNOWLEDGE §5), without the HTTP around them (zenodo_http).

Each action takes the token's owner and returns a Reply, or raises ApiError where Zenodo
answers with an HTTP error. Every change is saved at once (zenodo_store).
"""

from __future__ import annotations

import copy
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from tests.fakes import zenodo_metadata as metadata_rules
from tests.fakes import zenodo_search as search
from tests.fakes.zenodo_faults import Faults
from tests.fakes.zenodo_index import SearchIndex
from tests.fakes.zenodo_store import Deposition, Store, StoredFile
from tests.fakes.zenodo_wire import FORBIDDEN, UNAUTHORIZED, Wire, doi, error

VALIDATION_FAILED = "A validation error occurred."
NO_PID = "PID does not exist."
NO_FILES = (
    "Missing uploaded files. To disable files for this record please mark it as metadata-only."
)
# A new version starts from the previous one's metadata without these: the version string and
# the date belong to the version, the DOI is its own (reserved anew).
NOT_INHERITED = ("doi", "version", "publication_date", "prereserve_doi")


class ApiError(Exception):
    """A request Zenodo answers with an HTTP error: `{"status", "message"[, "errors"]}`."""

    def __init__(
        self, status: int, message: str, errors: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.errors = status, message, errors

    def body(self) -> dict[str, Any]:
        return error(self.status, self.message, self.errors)


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None  # JSON, or None for an empty answer
    headers: dict[str, str] = field(default_factory=dict)
    blob: str | None = None  # the MD5 of a stored file to send instead of JSON


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the stand-in saw it. The token is never kept, only how it came."""

    method: str
    route: str | None
    path: str
    params: dict[str, str]  # without access_token
    token_via: str | None  # "query", "header" or None
    status: int | None  # None: the connection was dropped without an answer

    def line(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        status = "dropped" if self.status is None else str(self.status)
        return f"{self.method} {self.path}{'?' + query if query else ''} {status}"


class ZenodoService:
    """What the stand-in knows and does: one lock, one store, one set of faults."""

    def __init__(
        self,
        folder: Path,
        base_url: str,
        *,
        tokens: dict[str, int],
        sandbox: bool = False,
        clock: Callable[[], datetime] | None = None,
        log: TextIO | None = None,
        index_lag: int = 0,
    ) -> None:
        self.url = base_url
        self.clock = clock or (lambda: datetime.now(UTC))
        self.store = Store(folder)
        self.wire = Wire(base_url, "10.5072" if sandbox else "10.5281")
        self.faults = Faults()
        self.index = SearchIndex(index_lag, self._views())
        self.log = log
        self._tokens = dict(tokens)
        # By arrival: a request's answer thread may log it after a later request's thread
        # (a busy machine pauses one between its answer and its log line).
        self._requests: list[tuple[int, RecordedRequest]] = []
        self._arrivals = 0
        self.internal_errors: list[str] = []
        self._lock = threading.RLock()
        self._closing = threading.Event()
        # Requests being answered: each is logged just after its answer is sent, so a client
        # can hold an answer a moment before the log has it. Readers of the log wait for them.
        self._answering = 0
        self._answered = threading.Condition(self._lock)

    def pause(self, seconds: float) -> None:
        """Hold an answer back; cut short when the stand-in stops."""
        self._closing.wait(seconds)

    def stop_pauses(self) -> None:
        self._closing.set()

    # -- who is asking ---------------------------------------------------------------------

    def add_token(self, token: str, owner: int) -> None:
        with self._lock:
            self._tokens[token] = owner

    def authenticate(self, token: str | None, public: bool) -> int | None:
        """The token's owner; None for an anonymous read of a public resource."""
        if not token:
            if public:
                return None
            raise ApiError(403, FORBIDDEN)
        with self._lock:
            owner = self._tokens.get(token)
        if owner is None:
            raise ApiError(401, UNAUTHORIZED)
        return owner

    def start_answer(self) -> int:
        """Count a request in; its number in the order of arrival."""
        with self._lock:
            self._answering += 1
            self._arrivals += 1
            self.index.request(self._views())
            return self._arrivals

    def end_answer(self) -> None:
        with self._lock:
            self._answering -= 1
            self._answered.notify_all()

    def log_request(self, request: RecordedRequest, arrival: int) -> None:
        with self._lock:
            self._requests.append((arrival, request))
        if self.log is not None:
            print(request.line(), file=self.log, flush=True)

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request answered so far, in the order they arrived; those being answered now
        are waited for (a held answer, a slow fault, at most two seconds)."""
        with self._lock:
            self._answered.wait_for(lambda: self._answering == 0, timeout=2.0)
            return [request for _, request in sorted(self._requests, key=lambda a: a[0])]

    # -- the deposit API -------------------------------------------------------------------

    def create(self, owner: int, body: Any) -> Reply:
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        with self._lock:
            concept, recid = self.store.new_id(), self.store.new_id()
            metadata = body.get("metadata") or {}
            if metadata:
                self._check(metadata, recid)
            now = self._now()
            dep = Deposition(recid, concept, owner, str(uuid.uuid4()), now, now)
            dep.metadata = self._kept(metadata, dep)
            self.store.depositions[recid] = dep
            return self._saved(201, dep)

    def get(self, owner: int, dep_id: str) -> Reply:
        with self._lock:
            return Reply(200, self.view(self._owned(owner, dep_id)))

    def update(self, owner: int, dep_id: str, body: Any) -> Reply:
        with self._lock:
            dep = self._draft(owner, dep_id, "its metadata cannot change")
            metadata = body.get("metadata") if isinstance(body, dict) else None
            if metadata is None:
                missing = [{"field": "metadata", "messages": [metadata_rules.MISSING]}]
                raise ApiError(400, VALIDATION_FAILED, missing)
            self._check(metadata, dep.id)
            dep.metadata = self._kept(metadata, dep)
            return self._saved(200, dep)

    def delete(self, owner: int, dep_id: str) -> Reply:
        with self._lock:
            dep = self._owned(owner, dep_id)
            if not dep.is_draft:
                raise ApiError(403, FORBIDDEN)
            del self.store.depositions[dep.id]
            self.store.save()
            return Reply(204)

    def files(self, owner: int, dep_id: str) -> Reply:
        with self._lock:
            dep = self._owned(owner, dep_id)
            return Reply(200, [self.wire.deposit_file(dep, f) for f in dep.files])

    def delete_file(self, owner: int, dep_id: str, file_id: str) -> Reply:
        with self._lock:
            dep = self._owned(owner, dep_id)
            if not dep.is_draft:
                raise ApiError(403, FORBIDDEN)
            kept = [f for f in dep.files if f.id != file_id]
            if len(kept) == len(dep.files):
                raise ApiError(404, "File does not exist.")
            dep.files = kept
            self._touch(dep)
            self.store.save()
            return Reply(204)

    def upload_target(self, owner: int, bucket: str, key: str) -> Deposition:
        """The draft an upload to `{bucket}/{key}` goes to, checked before its body is read."""
        with self._lock:
            dep = self.store.by_bucket(bucket)
            if dep is None:
                raise ApiError(404, "Bucket does not exist.")
            self._check_owner(owner, dep)
            if not dep.is_draft:
                raise ApiError(403, "Bucket is locked for modifications.")
            if not key or key.endswith("/"):
                raise ApiError(400, "Invalid file name.")
            return dep

    def commit_upload(self, dep: Deposition, key: str, md5: str, size: int) -> Reply:
        """Replace (or add) the draft's file `key` once its bytes are stored."""
        with self._lock:
            if dep.id not in self.store.depositions or not dep.is_draft:
                raise ApiError(403, "Bucket is locked for modifications.")
            stored = StoredFile(str(uuid.uuid4()), key, size, md5)
            dep.files = [f for f in dep.files if f.key != key] + [stored]
            self._touch(dep)
            self.store.save()
            return Reply(201, self.wire.bucket_object(dep, stored))

    def download(self, owner: int, bucket: str, key: str) -> Reply:
        with self._lock:
            dep = self.store.by_bucket(bucket)
            if dep is None:
                raise ApiError(404, "Bucket does not exist.")
            self._check_owner(owner, dep)
            return _blob_reply(dep, key)

    def publish(self, owner: int, dep_id: str) -> Reply:
        with self._lock:
            dep = self._draft(owner, dep_id, "it cannot be published again")
            if not dep.files:
                raise ApiError(400, VALIDATION_FAILED, [{"field": "files", "messages": [NO_FILES]}])
            self._check(dep.metadata, dep.id)
            dep.metadata["doi"] = doi(self.wire.prefix, dep.id)
            dep.metadata.setdefault("publication_date", self.clock().date().isoformat())
            dep.published = self._now()
            return self._saved(202, dep)

    def new_version(self, owner: int, dep_id: str) -> Reply:
        """Open the concept's next draft from a published version, or point at the open one."""
        with self._lock:
            dep = self._owned(owner, dep_id)
            versions = self.store.concept_versions(dep.concept)
            published = [v for v in versions if not v.is_draft]
            if dep.is_draft or published[-1].id != dep.id:
                raise ApiError(400, "A new version is made from the latest published version.")
            draft = versions[-1] if versions[-1].is_draft else None
            if draft is not None and draft.files:
                raise ApiError(400, "Please remove all files first.")
            if draft is None:
                self._open_draft(dep)
                self.store.save()
            return Reply(201, self.view(dep))

    def _open_draft(self, previous: Deposition) -> Deposition:
        now = self._now()
        draft = Deposition(
            self.store.new_id(), previous.concept, previous.owner, str(uuid.uuid4()), now, now
        )
        inherited = {k: v for k, v in previous.metadata.items() if k not in NOT_INHERITED}
        draft.metadata = self._kept(copy.deepcopy(inherited), draft)
        draft.files = [f.copy() for f in previous.files]
        self.store.depositions[draft.id] = draft
        return draft

    def list_depositions(self, owner: int, params: dict[str, str]) -> Reply:
        with self._lock:
            views = [v for v in self.index.listed() if v["owner"] == owner]
        try:
            return Reply(200, search.list_depositions(views, params))
        except search.SearchError as failure:
            raise ApiError(400, str(failure)) from None

    # -- the records API -------------------------------------------------------------------

    def record(self, recid: str) -> Reply:
        with self._lock:
            dep, redirect = self._published(recid)
            if redirect is not None:
                return redirect
            return Reply(200, self._record_view(dep))

    def versions(self, recid: str, params: dict[str, str]) -> Reply:
        with self._lock:
            dep = self._concept_member(recid)
            records = [self._record_view(v) for v in self._published_versions(dep.concept)]
        try:
            terms = search.parse(params.get("q", ""))
            hits = [r for r in reversed(records) if search.matches(terms, r)]
            page = search.page_of(hits, params)
        except search.SearchError as failure:
            raise ApiError(400, str(failure)) from None
        return Reply(200, self.wire.versions(page, len(hits), dep.id, params))

    def latest(self, recid: str) -> Reply:
        with self._lock:
            dep = self._concept_member(recid)
            newest = self._published_versions(dep.concept)[-1]
            return _redirect(f"{self.wire.api}/records/{newest.id}")

    def content(self, recid: str, key: str) -> Reply:
        with self._lock:
            dep, redirect = self._published(recid)
            if redirect is not None:
                return redirect
            return _blob_reply(dep, key)

    # -- views and checks ------------------------------------------------------------------

    def view(self, dep: Deposition) -> dict[str, Any]:
        return self.wire.deposition(dep, self.store.concept_versions(dep.concept))

    def _views(self) -> dict[int, dict[str, Any]]:
        return {dep_id: self.view(dep) for dep_id, dep in self.store.depositions.items()}

    def _record_view(self, dep: Deposition) -> dict[str, Any]:
        return self.wire.record(dep, self._published_versions(dep.concept))

    def _published_versions(self, concept: int) -> list[Deposition]:
        return [d for d in self.store.concept_versions(concept) if not d.is_draft]

    def _published(self, recid: str) -> tuple[Deposition, Reply | None]:
        """A published record by id; a concept id answers with a redirect to its latest."""
        dep = self._concept_member(recid)
        if str(dep.concept) == recid:
            newest = self._published_versions(dep.concept)[-1]
            return dep, _redirect(f"{self.wire.api}/records/{newest.id}")
        return dep, None

    def _concept_member(self, recid: str) -> Deposition:
        """The published record `recid`, or the latest of the concept `recid`."""
        number = int(recid)
        for dep in self.store.depositions.values():
            if not dep.is_draft and number in (dep.id, dep.concept):
                return dep
        raise ApiError(404, NO_PID)

    def _owned(self, owner: int, dep_id: str) -> Deposition:
        dep = self.store.depositions.get(int(dep_id))
        if dep is None:
            raise ApiError(404, NO_PID)
        self._check_owner(owner, dep)
        return dep

    def _check_owner(self, owner: int, dep: Deposition) -> None:
        if dep.owner != owner:
            raise ApiError(403, FORBIDDEN)

    def _draft(self, owner: int, dep_id: str, refusal: str) -> Deposition:
        dep = self._owned(owner, dep_id)
        if not dep.is_draft:
            raise ApiError(400, f"The deposition is published: {refusal}.")
        return dep

    def _check(self, metadata: Any, recid: int) -> None:
        found = metadata_rules.errors(metadata, doi(self.wire.prefix, recid))
        if found:
            raise ApiError(400, VALIDATION_FAILED, found)

    def _kept(self, metadata: dict[str, Any], dep: Deposition) -> dict[str, Any]:
        reserved = {"doi": doi(self.wire.prefix, dep.id), "recid": dep.id}
        return metadata_rules.clean(metadata) | {"prereserve_doi": reserved}

    def _saved(self, status: int, dep: Deposition) -> Reply:
        self._touch(dep)
        self.store.save()
        return Reply(status, self.view(dep))

    def _touch(self, dep: Deposition) -> None:
        dep.modified = self._now()

    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat()


def _blob_reply(dep: Deposition, key: str) -> Reply:
    stored = dep.file(key)
    if stored is None:
        raise ApiError(404, "Object does not exist.")
    return Reply(200, blob=stored.md5, headers={"Content-Length": str(stored.size)})


def _redirect(location: str) -> Reply:
    return Reply(302, {"status": 302, "location": location}, {"Location": location})
