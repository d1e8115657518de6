"""Whole-dataset counts made off the request path: per app, one background thread runs each count asked for,
once per dataset version, within a time limit of its own (COUNT_TIMEOUT); requests read the outcome so far.

At a million statements the counts of the home page, the service description and VoID took 5-20 s between
them, more than a request's time limit: made in a request, they failed it (503), and kept failing it for the
version. Here a page shows what is ready and says what is not, and a description waits for them at most its
own time limit.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from flask import Flask, current_app

from api.errors import Problem
from api.ops import request_deadline
from kg.answers import Answer, QueryRequest
from kg.errors import QueryMemoryExceeded, QueryTimeout

COUNTING, DONE, FAILED = "counting", "done", "failed"
# What stopped a FAILED count, for callers to decide on (its reason is words for people, and may change).
TIMED_OUT, NO_WORKER, OUT_OF_MEMORY, BROKE = "timed out", "no worker", "out of memory", "broke"
# Most rows a count may give: a count per named graph is a row a graph (24,873 at 1M statements), and the
# service's ROW_LIMIT, which cuts answers sent to clients, must not cut a description's list of the graphs.
MOST_COUNT_ROWS = 10**7
UNLIMITED_WAIT = 86400.0  # seconds a request without a time limit waits for counts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """Where a count of one dataset version stands: COUNTING, DONE with its value, or FAILED with its kind and
    the reason."""

    version: Any  # the dataset version's number (or a remote store's index key) it counts
    state: str
    value: Any = None
    reason: str | None = None
    kind: str | None = None  # a failure's: TIMED_OUT, NO_WORKER, OUT_OF_MEMORY or BROKE
    retry: bool = False  # a failure that says nothing of the count (no worker was free, a worker died): asked again
    error: Exception | None = field(default=None, compare=False)  # an unforeseen failure's own, for the descriptions
    ticket: int = field(default=0, compare=False)  # the order it was asked for in: a later one is of a later version


Compute = Callable[[Callable[[str], Answer]], Any]  # given a runner of count queries, the count's value


class Counts:
    """The counts of one app: the newest outcome of each name, and the one thread that makes them in turn."""

    def __init__(self, app: Flask):
        self.app = app
        self._changed = threading.Condition()
        self._outcomes: dict[str, Outcome] = {}
        # The names waiting to be counted, in the order first asked: the newest version asked for, and how to count it
        self._asked: dict[str, tuple[Any, Compute, int]] = {}
        self._done: dict[str, Outcome] = {}  # the last count of each name that ended, whichever version it was of
        self._tickets = 0
        self._working = False

    def outcome(self, name: str, compute: Compute, *, until: float | None = None) -> Outcome:
        """The outcome of `name` for the dataset's version now, its count started if need be; waiting for it
        until the time.monotonic() `until` at most (None: not at all)."""
        version = _version_key()
        with self._changed:
            found = self._outcomes.get(name)
            if isinstance(version, EveryRequest):  # joins a count under way: a new one for each request never ended
                joins = found and found.state == COUNTING and found.version == version
                version = found.version if joins else _Fresh(version.writes)
            if found is None or found.version != version or (found.state == FAILED and found.retry):
                self._tickets += 1
                found = self._outcomes[name] = Outcome(version, COUNTING, ticket=self._tickets)
                self._asked[name] = (version, compute, self._tickets)  # a name waiting already keeps its place
                if not self._working:
                    self._working = True
                    threading.Thread(target=self._work, name="sahel-kg-counts", daemon=True).start()
            if found.state != COUNTING:
                return found

            def ended() -> Outcome | None:  # this count, or one asked for later (of a later version), once ended
                done = self._done.get(name)
                return done if done is not None and done.ticket >= found.ticket else None

            if until is not None:
                self._changed.wait_for(ended, timeout=max(0.0, until - time.monotonic()))
            return ended() or found

    def earlier(self, name: str) -> Outcome | None:
        """The last count of `name` that ended done, of whichever version (a page shows it, labelled, while the
        version now is counted); None if the last to end failed or none has ended."""
        with self._changed:
            done = self._done.get(name)
            return done if done is not None and done.state == DONE else None

    def settled(self, timeout: float) -> bool:
        """Wait until no count is being made or waits to be (at most `timeout` seconds); whether none is."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._working, timeout=timeout)

    def _work(self) -> None:
        """Count each name asked for, one at a time, until none is left; then end (a later ask starts another)."""
        while True:
            with self._changed:
                if not self._asked:
                    self._working = False
                    self._changed.notify_all()
                    return
                name = next(iter(self._asked))
                version, compute, ticket = self._asked.pop(name)
            made = self._count(compute)
            with self._changed:
                # kept for the requests that wait for it even where a newer version was asked for meanwhile
                self._done[name] = Outcome(version, ticket=ticket, **made)
                if self._outcomes[name].ticket == ticket:
                    self._outcomes[name] = self._done[name]
                self._changed.notify_all()

    def _count(self, compute: Compute) -> dict[str, Any]:
        """The Outcome's fields of one count (state, value; a failure's reason, kind, retry and error), all of its
        queries within one COUNT_TIMEOUT."""
        limit = self.app.config["COUNT_TIMEOUT"]
        started = time.monotonic()
        backend = self.app.extensions["sahel-kg"]

        def query(sparql: str) -> Answer:
            return backend.query(QueryRequest(sparql=sparql, format="json", timeout=limit, row_limit=MOST_COUNT_ROWS),
                                 since=started)

        try:
            with self.app.app_context():
                return {"state": DONE, "value": compute(query)}
        except QueryTimeout as error:
            if error.waited:  # no query worker was free for it: nothing is known of the count itself
                return {"state": FAILED, "reason": str(error), "kind": NO_WORKER, "retry": True}
            return {"state": FAILED, "kind": TIMED_OUT,
                    "reason": f"they did not finish within their time limit of {limit:g}s (COUNT_TIMEOUT)"}
        except QueryMemoryExceeded as error:
            return {"state": FAILED, "reason": f"they needed more memory than a query may take ({error})",
                    "kind": OUT_OF_MEMORY}
        except Exception as error:  # a worker that died, a store away: tried again at the next visit
            log.warning("counts failed: %s", error)
            # its words stay in the log: a page shows no internal state (a path, a store's address)
            return {"state": FAILED, "reason": "they failed (the server's log says why)", "kind": BROKE,
                    "retry": True, "error": error}


def values(answer: Answer, *names: str) -> list[tuple[str | None, ...]]:
    """The rows of a count query's JSON answer: each the values of `names` (where none are named, of every variable
    of the answer, in its order), None where unbound."""
    document = json.loads(answer.body)
    names = names or document["head"]["vars"]
    return [tuple(binding.get(name, {}).get("value") for name in names) for binding in document["results"]["bindings"]]


def request_until() -> float:
    """Until when a request waits for what is being made: the end of its time limit, or, where it has none, until
    that is made (a day at most: COUNT_TIMEOUT bounds the making)."""
    deadline = request_deadline()
    return time.monotonic() + UNLIMITED_WAIT if deadline is None else deadline


def awaited(outcome: Outcome, what: str = "the counts") -> Outcome:
    """`outcome` where it is final for its version; 503 (asking again helps) where `what` is still being made or
    may be made on asking again; an unforeseen failure raised again, for the app's handlers to answer as its own."""
    if outcome.state == FAILED and outcome.error is not None:
        raise outcome.error
    if outcome.state == COUNTING or (outcome.state == FAILED and outcome.retry):
        limit = current_app.config["QUERY_TIMEOUT"]
        waited = "a day" if limit is None else f"this request's time limit of {limit:g}s"
        raise Problem(503, "Too busy", f"{what} for this version of the dataset: still being made at the end of "
                      f"{waited}, and going on: ask again shortly",
                      headers={"Retry-After": "1"})
    return outcome


def not_counted(outcome: Outcome) -> str:
    """Why `outcome` has no counts, as a clause."""
    if outcome.state == COUNTING:
        return "they are still being made for this version of the dataset"
    return f"for this version of the dataset, {outcome.reason}"


def counts() -> Counts:
    """The current app's counts."""
    extensions = current_app.extensions
    with _MADE:
        if "sahel-kg-counts" not in extensions:
            extensions["sahel-kg-counts"] = Counts(current_app._get_current_object())
        return extensions["sahel-kg-counts"]


_MADE = threading.Lock()


@dataclass(frozen=True)
class EveryRequest:
    """A remote store's counts read for every request (REMOTE_INDEX_SECONDS 0), after `writes` through this server."""

    writes: int


class _Fresh(EveryRequest):
    """The key of one such count: equal only to itself, and to an EveryRequest after as many writes (which joins it)."""

    def __eq__(self, other) -> bool:
        return other is self or type(other) is EveryRequest and other.writes == self.writes

    __hash__ = object.__hash__


def _version_key() -> Any:
    """What a count is of: the dataset's version number; for a remote store (no version) the key its search index
    is read again on (its own writes, REMOTE_INDEX_SECONDS), or EveryRequest where that is read for every request."""
    backend = current_app.extensions["sahel-kg"]
    version = backend.version()
    if version is not None:
        return version.number
    key = backend.index_key()
    return key if key is not None else EveryRequest(backend.writes)
