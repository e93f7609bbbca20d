"""A local Zenodo for the tests and the demo: the deposit API and the records API on
127.0.0.1, files on disk, state that survives a restart.

The unmodified zenodo-client talks to it once its instance is pointed here (`point_at`), and
so does plain `requests`, with the token as `?access_token=` or `Authorization: Bearer`.

    with ZenodoStandIn(tmp_path / "zenodo") as zenodo:
        client = zenodo.client()                    # zenodo_client.Zenodo, pointed here
        zenodo.lose_answer("publish")               # the next publish happens, its answer is lost
        held = zenodo.hold("upload")                # the next upload happens, its answer waits
        held.reached.wait(); ...; held.release()    # (kill the client in between)
        zenodo.settle()                             # "some seconds later": the list is current
        ...
        assert [d["metadata"]["version"] for d in zenodo.published()] == ["2026.10"]

Routes (ids are numbers; `{bucket}` is a UUID):
  POST   /api/deposit/depositions                      create, with a reserved DOI   201
  GET    /api/deposit/depositions                      the owner's depositions (zenodo_search),
                                                       from an index that lags (zenodo_index)
  GET|PUT|DELETE /api/deposit/depositions/{id}         read; replace the metadata; drop a draft
  GET    /api/deposit/depositions/{id}/files           a deposition's files
  DELETE /api/deposit/depositions/{id}/files/{file_id} remove a draft's file              204
  POST   /api/deposit/depositions/{id}/actions/publish                                    202
  POST   /api/deposit/depositions/{id}/actions/newversion  400 while the draft has files
                                                       (edit, discard: 400, not modelled)
  PUT|GET /api/files/{bucket}/{name}                   upload (streamed, any length) / read
  GET    /api/records/{id}                             a published record (public)
  GET    /api/records/{id}/versions                    its concept's versions, newest first
                                                       (404 before one is published)
  GET    /api/records/{id}/versions/latest             302 to the newest version
  GET    /api/records/{id}/files/{name}/content        a published file's bytes
A concept id in place of a record id on /api/records redirects to the latest version.

Tokens map to owners: a token of another owner gets 403 on a deposition, an unknown one 401,
none at all 403 (reads of published records need none). Run it as a process for `make run`:
    python -m tests.fakes.zenodo --state DIR [--port N] [--token T ...] [--sandbox] [--log FILE]
                                 [--index-lag N]
prints its URL on one line when ready, logs one line per request (never a token) on stderr or
appended to FILE, and stops on SIGTERM or SIGINT.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TextIO

if TYPE_CHECKING:  # imported where a client is made: `make run`'s stand-in needs none
    from zenodo_client import Zenodo

from tests.fakes.serving import Served
from tests.fakes.zenodo_faults import ANY_ROUTE, Fault, FaultKind, Hold
from tests.fakes.zenodo_http import ROUTES, Handler, Server
from tests.fakes.zenodo_service import ApiError, RecordedRequest, ZenodoService
from tests.fakes.zenodo_store import STATE_FILE

__all__ = [
    "ANY_ROUTE",
    "DEFAULT_TOKEN",
    "ROUTE_NAMES",
    "ApiError",
    "RecordedRequest",
    "ZenodoStandIn",
    "point_at",
]

DEFAULT_TOKEN = "stand-in-token"
DEFAULT_OWNER = 1
# Requests after a change before the depositions list shows it (zenodo_index): Zenodo's takes
# some seconds, which a client re-run at once, or polling, meets.
DEFAULT_INDEX_LAG = 5
ROUTE_NAMES = tuple(route.name for route in ROUTES)


def point_at(zenodo: Zenodo, url: str) -> Zenodo:
    """Point a zenodo-client instance at another Zenodo: its three URL attributes."""
    zenodo.base = url.rstrip("/")
    zenodo.api_base = f"{zenodo.base}/api"
    zenodo.depositions_base = f"{zenodo.api_base}/deposit/depositions"
    return zenodo


class ZenodoStandIn(ZenodoService):
    """The stand-in server; a context manager listening from __enter__ to __exit__.

    `state_dir` keeps the state (a temporary folder if None); `tokens` maps each token to its
    owner (default: DEFAULT_TOKEN for owner 1); `sandbox` gives DOIs the prefix 10.5072;
    `index_lag` is how many requests a change takes to show in the depositions list."""

    def __init__(
        self,
        state_dir: Path | None = None,
        *,
        tokens: Mapping[str, int] | None = None,
        sandbox: bool = False,
        clock: Callable[[], datetime] | None = None,
        port: int = 0,
        log: TextIO | None = None,
        index_lag: int = DEFAULT_INDEX_LAG,
    ) -> None:
        self._temp = None
        if state_dir is None:
            self._temp = tempfile.TemporaryDirectory(prefix="zenodo-")
            state_dir = Path(self._temp.name)
        self._server = Server(("127.0.0.1", port), Handler)
        url = f"http://127.0.0.1:{self._server.server_address[1]}"
        super().__init__(
            state_dir,
            url,
            tokens=dict(tokens or {DEFAULT_TOKEN: DEFAULT_OWNER}),
            sandbox=sandbox,
            clock=clock,
            log=log,
            index_lag=index_lag,
        )
        self._server.service = self
        self._served = Served(self._server)

    # -- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> Self:
        self._served.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop_pauses()
        self.faults.release_holds()
        self._served.stop()
        if self._temp is not None:
            self._temp.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.url}/api"

    def client(self, token: str | None = DEFAULT_TOKEN, *, sandbox: bool = False) -> Zenodo:
        """A zenodo-client instance for `token`, pointed here."""
        from zenodo_client import Zenodo

        return point_at(Zenodo(access_token=token, sandbox=sandbox), self.url)

    # -- faults ----------------------------------------------------------------------------

    def fail(
        self,
        route: str,
        kind: FaultKind,
        times: int = 1,
        *,
        after: bool = False,
        retry_after: int = 1,
        seconds: float = 0.0,
        read_bytes: int | None = None,
    ) -> None:
        """Make the next `times` calls of `route` (a name in ROUTE_NAMES, or "*") fail with
        `kind` (zenodo_faults); with after=True they take effect and only the answer fails."""
        if route not in (*ROUTE_NAMES, ANY_ROUTE):
            raise ValueError(f"unknown route {route!r}; one of {', '.join(ROUTE_NAMES)} or *")
        self.faults.add(route, Fault(kind, after, retry_after, seconds, read_bytes), times)

    def rate_limit(self, route: str, times: int = 1, retry_after: int = 1) -> None:
        """429 with `Retry-After: retry_after` on the next `times` calls of `route`."""
        self.fail(route, "429", times, retry_after=retry_after)

    def lose_answer(self, route: str = "publish", kind: FaultKind = "reset") -> None:
        """The next call of `route` takes effect, then its answer is lost: a reset, a 5xx, or
        (kind "slow") an answer late enough for the client to time out."""
        self.fail(route, kind, after=True, seconds=30.0 if kind == "slow" else 0.0)

    def reset_upload(self, read_bytes: int | None = None) -> None:
        """The next upload's connection is reset after `read_bytes` (default half) arrived."""
        self.fail("upload", "reset", read_bytes=read_bytes)

    def slow(self, route: str, seconds: float, times: int = 1) -> None:
        self.fail(route, "slow", times, seconds=seconds)

    def hold(self, route: str, after: tuple[str, ...] = ()) -> Hold:
        """The next call of `route` (once calls of the routes `after` have come, in that order)
        takes effect, then its answer waits until `release()`: a test waits for `reached`,
        then kills its client there."""
        if route not in ROUTE_NAMES or not set(after) <= set(ROUTE_NAMES):
            raise ValueError(f"unknown route in {route!r}, {after!r}; one of {ROUTE_NAMES}")
        hold = Hold(route, after)
        self.faults.hold(hold)
        return hold

    def settle(self) -> None:
        """Some seconds pass: the depositions list shows every change made so far."""
        with self._lock:
            self.index.settle(self._views())

    # -- what tests read -------------------------------------------------------------------

    def depositions(self) -> list[dict[str, Any]]:
        """Every deposition of every owner as the API shows it, oldest first."""
        with self._lock:
            return [self.view(d) for d in self.store.depositions.values()]

    def drafts(self) -> list[dict[str, Any]]:
        return [d for d in self.depositions() if not d["submitted"]]

    def published(self, concept: int | str | None = None) -> list[dict[str, Any]]:
        return [
            d
            for d in self.depositions()
            if d["submitted"] and concept in (None, d["conceptrecid"], int(d["conceptrecid"]))
        ]

    def file_bytes(self, dep_id: int, key: str) -> bytes:
        with self._lock:
            stored = self.store.depositions[dep_id].file(key)
            if stored is None:
                raise KeyError(f"deposition {dep_id} has no file {key!r}")
            return b"".join(self.store.read_blob(stored.md5))

    def snapshot(self) -> dict[str, Any]:
        """The saved state, to compare before and after a run that should change nothing."""
        with self._lock:
            return dict(json.loads((self.store.folder / STATE_FILE).read_text()))

    def changes(self) -> list[RecordedRequest]:
        """The requests that could change something (all but GET)."""
        return [r for r in self.requests if r.method != "GET"]


# -- as a process ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    tokens = {token: owner for owner, token in enumerate(args.token or [DEFAULT_TOKEN], 1)}
    args.state.mkdir(parents=True, exist_ok=True)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(args.log.open("a")) if args.log else sys.stderr
        stand_in = ZenodoStandIn(
            args.state,
            tokens=tokens,
            sandbox=args.sandbox,
            port=args.port,
            log=log,
            index_lag=args.index_lag,
        )
        with stand_in:
            print(stand_in.url, flush=True)
            while not stop.wait(0.1):
                pass
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tests.fakes.zenodo", description="A local Zenodo on 127.0.0.1."
    )
    parser.add_argument("--state", type=Path, required=True, help="folder of its state")
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    parser.add_argument(
        "--token",
        action="append",
        help=f"a token it accepts, owner 1, 2... in order (default: {DEFAULT_TOKEN})",
    )
    parser.add_argument("--sandbox", action="store_true", help="DOIs with prefix 10.5072")
    parser.add_argument("--log", type=Path, help="append the request log here (default: stderr)")
    parser.add_argument(
        "--index-lag",
        type=int,
        default=DEFAULT_INDEX_LAG,
        help="requests a change takes to show in the depositions list"
        f" (default: {DEFAULT_INDEX_LAG})",
    )
    return parser


if __name__ == "__main__":
    sys.exit(main())
