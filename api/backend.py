"""What the HTTP layer talks to: a query runner, a store for writes, and the dataset's version."""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path

from api.budget_tables import BUDGETS_FILE
from api.errors import Problem
from api.fairness import Fairness
from api.result_cache import ResultCache, varies_without_writes
from kg import allocator
from kg.answers import (STREAM_AFTER, Answer, LocalRunner, QueryRequest, ServiceOptions, StreamedAnswer,
                        federation_of)
from kg.errors import PolicyError, QueryTimeout, StoreUnavailable
from kg.publish import ensure_installed
from kg.nearby import NearbyRunner
from kg.query import Policy, QueryService
from kg.runner import WorkerPool
from kg.search import SearchIndex, index_path
from kg.settings import store_options
from kg.one_pattern import single_pattern
from kg.store import embedded_path, open_store, stamp
from kg.store.oxigraph import OxigraphStore
from kg.store.store_files import directory_changed_at


@dataclass(frozen=True)
class Version:
    """The dataset's version: a number that grows with every change, and when that change was."""

    number: int
    modified: float


class Backend:
    """Queries go to a runner (worker processes for an on-disk store); writes to one store handle."""

    def __init__(self, settings: dict):
        self.settings = settings
        allowed, self.federation = federation_of(settings)
        self.policy = Policy(service_allowlist=allowed, max_depth=settings["MAX_QUERY_DEPTH"],
                             max_patterns=settings["MAX_QUERY_PATTERNS"],
                             allow_update=settings["UPDATES_ENABLED"])
        options = ServiceOptions(policy=self.policy, timeout=settings["QUERY_TIMEOUT"],
                                 row_limit=settings["ROW_LIMIT"], federation=self.federation,
                                 in_memory=settings["READ_FROM_MEMORY"],
                                 memory_limit=settings["QUERY_MEMORY_LIMIT"] * 2**20 or None,
                                 idle_release=settings["QUERY_WORKER_IDLE_SECONDS"] or None,
                                 malloc=allocator.preload(settings["MALLOC"]))
        spec = settings["STORE"]
        self._lock = threading.Lock()  # one write at a time from this process
        self.path: Path | None = None
        self.writer = None
        self.nearby: NearbyRunner | None = None
        if spec.startswith("oxigraph:"):
            self.path = embedded_path(spec)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._install_on_disk(settings["INSTALL_ARTICLE"], settings["UPDATES_ENABLED"])
            self.runner = WorkerPool(str(self.path), size=settings["QUERY_WORKERS"], options=options,
                                     max_size=settings["MAX_QUERY_WORKERS"])
            # One-pattern queries are answered here: no round trip to a worker, and their work stops
            # between rows (see single_pattern), so the time limit holds.
            self.nearby = NearbyRunner(str(self.path), options)
        else:
            remote = store_options(settings)
            # A remote store's requests, updates included, have the service's time limit, whether or not other
            # options are set (with none, the store kept its own default of 60 s, whatever QUERY_TIMEOUT said).
            if str(spec).startswith(("http://", "https://")):
                remote["timeout"] = settings["QUERY_TIMEOUT"]
            store = open_store(spec, **remote)
            if spec == "memory:" and settings["INSTALL_ARTICLE"]:
                ensure_installed(store)
            self.writer = store
            self.runner = LocalRunner(QueryService(store, policy=self.policy, timeout=options.timeout,
                                                   row_limit=options.row_limit, federation=self.federation))
        self.cache = ResultCache(settings["RESULT_CACHE_BYTES"])
        self.on_cache_hit = None  # called (no arguments) for each answer the cache gives: for metrics
        # The bound on queries in flight counts worker processes (the pool's own bound: MAX_QUERY_WORKERS, or
        # QUERY_WORKERS if that is more); in-process runners are bound by threads.
        capacity = self.runner.max_size if isinstance(self.runner, WorkerPool) else None
        # Budgets in the run directory are one per client for every server process of a kg serve.
        shared = Path(settings["RUN_DIRECTORY"]) / BUDGETS_FILE if settings["RUN_DIRECTORY"] else None
        self.fairness = Fairness(budget=settings["QUERY_BUDGET"], capacity=capacity, queue=settings["QUEUE_SIZE"],
                                 budgets_path=shared, window=settings["BUDGET_WINDOW_SECONDS"])
        self._started = time.time()
        self._writes = 0
        self._remote_key = (-math.inf, -1, 0)  # a remote store's index key: (when made, writes then, number)
        self._search: SearchIndex | None = None  # made at the first search
        self._search_lock = threading.Lock()  # held only while the index is made, or a remote index key read

    def _install_on_disk(self, install: bool, updates: bool) -> None:
        try:
            store = OxigraphStore(self.path)
        except StoreUnavailable:
            if updates:  # writes need the only read-write handle; another process has it
                raise
            return  # another process holds the store (and installs it if need be); we only read
        if install:
            ensure_installed(store)
        if updates:
            self.writer = store
        else:
            store.close()

    def near_terms(self, iri: str) -> list[str]:
        """The known terms an unknown one is likeliest a slip for (QueryService.near_terms), read here."""
        return (self.nearby if self.nearby is not None else self.runner.service).near_terms(iri)

    def query(self, request: QueryRequest, version: Version | None = None, *,
              since: float | None = None) -> Answer | StreamedAnswer:
        """The answer, from the cache when this version of the dataset has given it already; an answer
        of more than STREAM_AFTER rows from a query worker comes as a StreamedAnswer, never cached.

        Without a version (a remote store, whose other writers we cannot see) nothing is cached. The time
        limit counts from `since` (a time.monotonic(), when the request came in): a query that has waited
        past it is refused (Problem 503) without running, and a query worker gets only what is left.
        """
        key = self.cache_key(request, version)
        found = None if key is None else self.cache.get(key)
        if found is not None and self.on_cache_hit is not None:
            self.on_cache_hit()
        if found is None:
            limit = request.timeout if request.timeout is not None else self.settings["QUERY_TIMEOUT"]
            waited = 0.0 if since is None else time.monotonic() - since
            if limit is not None and waited >= limit:  # it never ran: a refusal, not a query stopped
                if self._own_limit(request):
                    # the client's own limit, shorter than the server's: waiting to ask again would not help
                    raise Problem(503, "Query timeout", f"the request's own time limit of {limit:g}s (timeout=) "
                                  f"passed in the {waited:.3f}s before the query could start; ask with a longer one",
                                  rejected="waited")
                raise Problem(503, "Too busy", f"the request waited {waited:.1f}s since it arrived, past its "
                              f"time limit of {limit:g}s, before a request thread took it; try again shortly",
                              headers={"Retry-After": "1"}, rejected="waited")
            ran = time.monotonic()
            try:
                with self.fairness.admitted(limit, lambda: self._own_fault(request)):  # a cached answer costs nothing
                    found = self._run(request, since)
            except BaseException as error:
                if isinstance(found, StreamedAnswer):  # answered, then failed: its worker is let go now
                    found.chunks.close()
                if isinstance(error, QueryTimeout) and error.waited and self._own_limit(request):
                    # waited past the client's own limit, as above: no Retry-After for it (api.errors)
                    raise QueryTimeout(f"{error.message}, the request's own (timeout=); ask with a longer one") \
                        from None
                raise
            if key is not None and isinstance(found, Answer) \
                    and time.monotonic() - ran >= self.settings["RESULT_CACHE_MIN_SECONDS"]:
                # A kept key holds no reading: its tokens would stay beside the answer, uncounted in the cache's bytes.
                self.cache.put((key[0], replace(request, reading=None)), found)
        return found

    def _own_fault(self, request: QueryRequest) -> Exception | None:
        """What the query of `request` is refused for whatever its client's budget (api.fairness), or None."""
        return QueryService(None, policy=self.policy).own_fault(request.sparql, base=request.base,
                                                                reading=request.reading, bindings=request.bindings)

    def _own_limit(self, request: QueryRequest) -> bool:
        """Whether `request`'s time limit is the client's own (timeout=), shorter than the server's."""
        server = self.settings["QUERY_TIMEOUT"]
        return request.timeout is not None and (server is None or request.timeout < server)

    def cache_key(self, request: QueryRequest, version: Version | None):
        """The result cache's key for `request` at `version`, or None: its answer is not kept."""
        cacheable = version is not None and not request.bindings and not varies_without_writes(request.sparql)
        return (version.number, request) if cacheable else None

    def _run(self, request: QueryRequest, since: float | None = None) -> Answer:
        runner = self.nearby if self.in_process(request) else self.runner
        return runner.run(request, started=since)

    def in_process(self, request: QueryRequest) -> bool:
        """Whether `request` is answered in this process, row by row within its time limit and row cap (a
        one-pattern query of the on-disk store), rather than by a worker process or a remote store."""
        limit = request.row_limit if request.row_limit is not None else self.settings["ROW_LIMIT"]
        return self.nearby is not None and request.default_graphs is None and request.named_graphs is None \
            and not request.bindings and limit is not None and limit <= STREAM_AFTER \
            and single_pattern(request.sparql)

    @property
    def keeps_empty_graphs(self) -> bool:
        """Whether a named graph may exist with no triple (not on Virtuoso): how graph existence is told."""
        return self.writer is None or self.writer.keeps_empty_graphs

    def update(self, sparql: str, *, base: str | None = None, precondition=None) -> None:
        """Run a SPARQL Update (policy: updates on, LOAD refused) as one change. `precondition` (no arguments;
        it raises to refuse the change) runs under the write lock, so no other write comes between the two."""
        if self.writer is None or not self.policy.allow_update:
            raise PolicyError("updates are disabled")
        with self._lock:
            if precondition is not None:
                precondition()
            before = self.version()
            try:
                QueryService(self.writer, policy=self.policy, federation=self.federation).update(sparql, base=base)
            finally:
                if before is None or self.version() != before:  # an update that changed nothing keeps the version
                    self.cache.clear()  # its entries are unreachable under the new version: free them now
            self._writes += 1

    @property
    def writes(self) -> int:
        """How many updates this process has sent through this backend."""
        return self._writes

    def version(self) -> Version | None:
        """The current version, or None for a remote store, whose other writers we cannot see, and while
        a staged bulk load swaps the store's directory (it is briefly away)."""
        if self.path is not None:
            found = stamp.read(self.path)  # one small file, where the files' times cost a stat() each
            if found is None:
                try:
                    modified = directory_changed_at(self.path)
                except OSError:
                    return None
                found = (int(modified * 1_000_000), modified)
            if self.nearby is not None:  # nearly every request looks here: a view behind lets go of its files
                self.nearby.let_go_if_stale(found[0])
            return Version(*found)
        if isinstance(self.writer, OxigraphStore):
            return Version(*self.writer.version())
        return None

    def index_key(self) -> str | None:
        """What the search index and the reconciliation catalogue are read from the store again on a change of:
        the dataset version; for a remote store (none), a key that changes with this process's writes and once
        REMOTE_INDEX_SECONDS have passed since it was made (None when that is 0: read for every request)."""
        version = self.version()
        if version is not None:
            return str(version.number)
        period = self.settings["REMOTE_INDEX_SECONDS"]
        if period <= 0:
            return None
        with self._search_lock:
            made, writes, number = self._remote_key
            if writes != self._writes or time.monotonic() - made >= period:
                self._remote_key = (time.monotonic(), self._writes, number + 1)
            return f"remote {self._remote_key[2]}"

    def search_index(self) -> SearchIndex:
        """The full-text index of this process (kg.search), which every search shares without waiting."""
        with self._search_lock:
            if self._search is None:
                self._search = SearchIndex(index_path(self.settings["STORE"]))
            return self._search

    def close(self) -> None:
        if self._search is not None:
            self._search.close()
        self.runner.close()
        if self.nearby is not None:
            self.nearby.close()
        if self.writer is not None:
            self.writer.close()
