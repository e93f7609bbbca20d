"""Zenodo's JSON: depositions, their files, bucket objects, records and errors, shaped as the
legacy deposit API and the records API answer them (ids, `links`, `doi`, `conceptdoi`...).

Every function here is pure: a stored deposition (and its concept's other versions) in,
the JSON a client reads out.
"""

from __future__ import annotations

import copy
import mimetypes
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from tests.fakes.zenodo_store import Deposition, StoredFile

PRODUCTION_PREFIX = "10.5281"
SANDBOX_PREFIX = "10.5072"

# Werkzeug's texts, which Zenodo answers its HTTP errors with.
UNAUTHORIZED = (
    "The server could not verify that you are authorized to access the URL requested. You "
    "either supplied the wrong credentials (e.g. a bad password), or your browser doesn't "
    "understand how to supply the credentials required."
)
FORBIDDEN = (
    "You don't have the permission to access the requested resource. It is either "
    "read-protected or not readable by the server."
)
NOT_FOUND = (
    "The requested URL was not found on the server. If you entered the URL manually please "
    "check your spelling and try again."
)
INTERNAL_ERROR = (
    "The server encountered an internal error and was unable to complete your request. "
    "Either the server is overloaded or there is an error in the application."
)
# What the load balancer in front of Zenodo sends when the application does not answer.
GATEWAY_PAGES = {
    502: ("502 Bad Gateway", "The server returned an invalid or incomplete response."),
    503: ("503 Service Unavailable", "No server is available to handle this request."),
    504: ("504 Gateway Time-out", "The server didn't respond in time."),
}


def error(status: int, message: str, errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"status": status, "message": message}
    if errors:
        body["errors"] = errors
    return body


def gateway_page(status: int) -> bytes:
    title, text = GATEWAY_PAGES.get(status, (f"{status} Error", "The server failed."))
    return f"<html><body><h1>{title}</h1>\n{text}\n</body></html>\n".encode()


def doi(prefix: str, recid: int) -> str:
    return f"{prefix}/zenodo.{recid}"


class Wire:
    """The JSON of one stand-in, whose URLs start at `base` (`{base}/api/...`)."""

    def __init__(self, base: str, prefix: str) -> None:
        self.base, self.api, self.prefix = base, f"{base}/api", prefix

    def bucket_url(self, deposition: Deposition) -> str:
        return f"{self.api}/files/{deposition.bucket}"

    # -- the deposit API -------------------------------------------------------------------

    def deposition(self, dep: Deposition, versions: Sequence[Deposition]) -> dict[str, Any]:
        view: dict[str, Any] = {
            "conceptrecid": str(dep.concept),
            "created": dep.created,
            "modified": dep.modified,
            "id": dep.id,
            "record_id": dep.id,
            "owner": dep.owner,
            "files": [self.deposit_file(dep, f) for f in dep.files],
            "links": self._deposition_links(dep, versions),
            "metadata": copy.deepcopy(dep.metadata),
            "state": "unsubmitted" if dep.is_draft else "done",
            "submitted": not dep.is_draft,
            "title": dep.metadata.get("title", ""),
        }
        if any(not v.is_draft for v in versions):
            view["conceptdoi"] = doi(self.prefix, dep.concept)
        if not dep.is_draft:
            view["doi"] = doi(self.prefix, dep.id)
            view["doi_url"] = f"https://doi.org/{view['doi']}"
        return view

    def _deposition_links(self, dep: Deposition, versions: Sequence[Deposition]) -> dict[str, str]:
        own = f"{self.api}/deposit/depositions/{dep.id}"
        newest = versions[-1]
        links = {
            "self": own,
            "html": f"{self.base}/deposit/{dep.id}",
            "files": f"{own}/files",
            "bucket": self.bucket_url(dep),
            "publish": f"{own}/actions/publish",
            "edit": f"{own}/actions/edit",
            "discard": f"{own}/actions/discard",
            "latest_draft": f"{self.api}/deposit/depositions/{newest.id}",
            "latest_draft_html": f"{self.base}/deposit/{newest.id}",
        }
        published = [v for v in versions if not v.is_draft]
        if published:
            links |= {
                "latest": f"{self.api}/records/{published[-1].id}",
                "latest_html": f"{self.base}/records/{published[-1].id}",
                "conceptdoi": f"https://doi.org/{doi(self.prefix, dep.concept)}",
            }
        if not dep.is_draft:
            links |= self._published_links(dep, own)
        return links

    def _published_links(self, dep: Deposition, own: str) -> dict[str, str]:
        version_doi = doi(self.prefix, dep.id)
        return {
            "newversion": f"{own}/actions/newversion",
            "record": f"{self.api}/records/{dep.id}",
            "record_html": f"{self.base}/records/{dep.id}",
            "doi": f"https://doi.org/{version_doi}",
            "badge": f"{self.base}/badge/doi/{version_doi}.svg",
        }

    def deposit_file(self, dep: Deposition, stored: StoredFile) -> dict[str, Any]:
        return {
            "id": stored.id,
            "filename": stored.key,
            "filesize": stored.size,
            "checksum": stored.md5,
            "links": {
                "self": f"{self.api}/deposit/depositions/{dep.id}/files/{stored.id}",
                "download": f"{self.bucket_url(dep)}/{quote(stored.key)}",
            },
        }

    def bucket_object(self, dep: Deposition, stored: StoredFile) -> dict[str, Any]:
        url = f"{self.bucket_url(dep)}/{quote(stored.key)}"
        return {
            "key": stored.key,
            "mimetype": mimetypes.guess_type(stored.key)[0] or "application/octet-stream",
            "checksum": f"md5:{stored.md5}",
            "version_id": stored.id,
            "size": stored.size,
            "created": dep.modified,
            "updated": dep.modified,
            "links": {
                "self": url,
                "version": f"{url}?versionId={stored.id}",
                "uploads": f"{url}?uploads",
            },
            "is_head": True,
            "delete_marker": False,
        }

    # -- the records API -------------------------------------------------------------------

    def record(self, dep: Deposition, published: Sequence[Deposition]) -> dict[str, Any]:
        """A published version as /api/records shows it; `published` is its concept's
        published versions, oldest first."""
        version_doi, concept_doi = doi(self.prefix, dep.id), doi(self.prefix, dep.concept)
        metadata = copy.deepcopy(dep.metadata)
        metadata["relations"] = {"version": [self._relation(dep, published)]}
        return {
            "id": dep.id,
            "recid": str(dep.id),
            "conceptrecid": str(dep.concept),
            "doi": version_doi,
            "conceptdoi": concept_doi,
            "doi_url": f"https://doi.org/{version_doi}",
            "title": dep.metadata.get("title", ""),
            "metadata": metadata,
            "created": dep.published,
            "updated": dep.modified,
            "owners": [{"id": dep.owner}],
            "revision": 1,
            "status": "published",
            "state": "done",
            "submitted": True,
            "files": [self._record_file(dep, f) for f in dep.files],
            "links": self._record_links(dep.id, version_doi, concept_doi),
        }

    def _relation(self, dep: Deposition, published: Sequence[Deposition]) -> dict[str, Any]:
        return {
            "index": [v.id for v in published].index(dep.id),
            "is_last": published[-1].id == dep.id,
            "parent": {"pid_type": "recid", "pid_value": str(dep.concept)},
        }

    def _record_links(self, recid: int, version_doi: str, concept_doi: str) -> dict[str, str]:
        own = f"{self.api}/records/{recid}"
        return {
            "self": own,
            "html": f"{self.base}/records/{recid}",
            "doi": f"https://doi.org/{version_doi}",
            "parent_doi": f"https://doi.org/{concept_doi}",
            "badge": f"{self.base}/badge/doi/{version_doi}.svg",
            # The records API's own form: zenodo-client's get_latest_record() reads the id
            # third from the end of this URL, which is this record's id, not the latest's.
            "latest": f"{own}/versions/latest",
            "latest_html": f"{self.base}/records/{recid}/latest",
            "versions": f"{own}/versions",
        }

    def _record_file(self, dep: Deposition, stored: StoredFile) -> dict[str, Any]:
        return {
            "id": stored.id,
            "key": stored.key,
            "size": stored.size,
            "checksum": f"md5:{stored.md5}",
            "links": {"self": f"{self.api}/records/{dep.id}/files/{quote(stored.key)}/content"},
        }

    def versions(
        self, hits: list[dict[str, Any]], total: int, recid: int, params: dict[str, str]
    ) -> dict[str, Any]:
        page = int(params.get("page", "1"))
        own = f"{self.api}/records/{recid}/versions"
        links = {"self": f"{own}?page={page}"}
        if page * int(params.get("size", "10")) < total:
            links["next"] = f"{own}?page={page + 1}&size={params.get('size', '10')}"
        return {"hits": {"hits": hits, "total": total}, "links": links, "sortBy": "version"}
