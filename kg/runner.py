"""Run a server's queries: in-process, or in worker processes that are killed when time runs out.

pyoxigraph cannot interrupt an aggregate or a sort once started (see kg/store/deadline.py), so for an
embedded on-disk store each query runs in a worker process holding a read-only view of the store. A
worker still busy at the time limit is killed and replaced; another worker takes the next query.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection

from kg import memory_cap
from kg.errors import QueryMemoryExceeded, QueryTimeout, StoreUnavailable
from kg.federation import Federation
from kg.query import Policy, QueryService
from kg.store.base import Solutions, Triples

START_SECONDS = 60.0
STALE_RETRIES = 6  # fresh read-only views a worker opens for one query when the writer moved files away
STALE_PAUSE = 0.01  # seconds before the first retry, doubled each time: a compaction may still be running
RESTART_PAUSE = 0.1  # seconds before a failed worker restart is tried again, doubled each time...
RESTART_PAUSE_MAX = 5.0  # ...up to this: the store may be moved away for a while (a staged bulk load)
DEATH_WAIT = 5.0  # seconds to wait for the exit status of a worker that hung up (it is exiting)
PARENT_CHECK = 0.5  # seconds between a worker's checks that its server process is still there


@dataclass(frozen=True)
class QueryRequest:
    """One query as a server receives it; `format` is a result format name (see kg.results).

    `default_graphs` and `named_graphs` give the dataset (an empty tuple: an empty default graph, or no
    named graphs); None leaves it to the store (the union default graph, every named graph).
    """

    sparql: str
    format: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    timeout: float | None = None
    row_limit: int | None = None
    bindings: dict | None = None
    stream: bool = False  # an answer of more than STREAM_AFTER rows may come as a StreamedAnswer
    base: str | None = None  # the IRI relative IRIs resolve against (the endpoint's URL)


@dataclass
class Answer:
    """A serialised result and what a response says about it."""

    body: bytes
    kind: str
    count: int
    truncated: bool
    limit: int | None
    elapsed: float = 0.0
    unknown_terms: tuple[str, ...] = ()  # terms of the project's namespaces the store does not have


STREAM_AFTER = 10_000  # rows: a bigger answer is sent a batch at a time, never held whole


@dataclass
class StreamedAnswer:
    """An answer too big to hold: its bytes, a batch at a time. Closing `chunks` early stops the work."""

    kind: str
    chunks: object  # an iterator of bytes
    unknown_terms: tuple[str, ...] = ()


@dataclass
class ServiceOptions:
    """What every worker's QueryService is built with."""

    policy: Policy = field(default_factory=Policy)
    timeout: float | None = None
    row_limit: int | None = None
    federation: Federation = field(default_factory=Federation)
    in_memory: bool = False  # answer from a copy of the store in memory, made again after each write
    memory_limit: int | None = None  # bytes a worker may take beyond its open store (see kg.memory_cap)


def answer(service: QueryService, request: QueryRequest) -> Answer:
    """Run a request through a query service and serialise the result."""
    result = service.query(request.sparql, bindings=request.bindings,
                           default_graphs=None if request.default_graphs is None else list(request.default_graphs),
                           named_graphs=None if request.named_graphs is None else list(request.named_graphs),
                           timeout=request.timeout, row_limit=request.row_limit, base=request.base)
    body = result.serialize(request.format, prefixes=service.prefixes)
    return Answer(body=body, kind=result.kind, count=len(result), truncated=result.truncated,
                  limit=result.limit, elapsed=result.elapsed, unknown_terms=tuple(result.unknown_terms))


class LocalRunner:
    """Queries run in this process (memory and remote stores); the time limit is the store's own."""

    def __init__(self, service: QueryService):
        self.service = service

    def run(self, request: QueryRequest) -> Answer:
        return answer(self.service, request)

    def close(self) -> None:
        """Nothing to stop."""


class WorkerPool:
    """`size` worker processes, each with a read-only view of the embedded store at `path`, growing up to
    `max_size` so that one stays idle while others run long queries (a new client's query need not wait
    for a slow one to end). Workers beyond `size` stay, up to `max_size`: the bound is on the number."""

    def __init__(self, path: str, *, size: int = 2, options: ServiceOptions | None = None,
                 max_size: int | None = None):
        self.path, self.options = path, options or ServiceOptions()
        self.size, self.max_size = max(1, size), max(max(1, size), max_size or size)
        self._pending = 0  # workers being started in the background, not yet idle
        self._idle: queue.Queue = queue.Queue()
        self._processes: set = set()  # every worker process started and not yet waited for
        self._busy: set = set()  # workers running a query now
        self.failed_starts = 0  # successors that could not start (and were tried again)
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.on_replace = None  # called (no arguments) each time a worker is killed and replaced: for metrics
        for worker in [self._start() for _ in range(max(1, size))]:
            self._idle.put(self._ready(worker))

    def run(self, request: QueryRequest) -> Answer:
        """Answer in a free worker; at the time limit kill it, start another, and raise QueryTimeout.

        The limit covers the whole run, waiting for a free worker included. Killing is what makes it
        hold for aggregates and sorts, which pyoxigraph cannot interrupt.
        """
        limit = request.timeout if request.timeout is not None else self.options.timeout
        started = time.monotonic()
        worker = self._live_worker(limit, started)
        self._keep_one_idle()
        process, connection = worker
        with self._lock:
            self._busy.add(process)
        try:
            connection.send(replace(request, timeout=None))  # the limit is kept here, by killing
            replied = connection.poll(None if limit is None else max(0.0, limit - (time.monotonic() - started)))
            kind, value = connection.recv() if replied else ("timeout", None)
        except (EOFError, OSError):
            death = self._death(process)
            self._replace(worker)
            raise death from None
        finally:
            with self._lock:
                self._busy.discard(process)
        if kind == "timeout":
            self._replace(worker)
            raise QueryTimeout(f"query stopped after its time limit of {limit:g}s")
        if kind == "stream":  # the worker is the stream's until it ends
            kind, unknown = value
            return StreamedAnswer(kind=kind, chunks=self._relay(worker, started, limit), unknown_terms=unknown)
        self._idle.put(worker)
        if kind == "error":
            raise value
        return value

    def busy(self) -> int:
        """How many workers are running a query now."""
        with self._lock:
            return len(self._busy)

    def idle(self) -> int:
        """How many workers wait for a query now."""
        return self._idle.qsize()

    def _death(self, process) -> Exception:
        """What to raise for a worker that hung up mid-query: out of memory (it aborted), or just died."""
        try:
            code = process.wait(timeout=DEATH_WAIT)
        except subprocess.TimeoutExpired:
            code = None
        if self.options.memory_limit and code in memory_cap.OUT_OF_MEMORY:
            return QueryMemoryExceeded(f"the query needed more than the {self.options.memory_limit >> 20} MiB "
                                       "a query worker may take, and was stopped")
        return StoreUnavailable("a query worker died; it is being replaced")

    def _keep_one_idle(self) -> None:
        """Start one more worker in the background when none is idle and the pool is below max_size."""
        with self._lock:
            if self._idle.qsize() > 0 or len(self._processes) + self._pending >= self.max_size:
                return
            self._pending += 1  # counted here, under the lock, so that two requests do not both add one
        self._add_in_background()

    def _live_worker(self, limit: float | None, started: float):
        """An idle worker whose process is alive, waited for within the time limit. A worker that died
        while idle (killed from outside) is replaced, so that the request does not fail for it."""
        while True:
            left = None if limit is None else max(0.0, limit - (time.monotonic() - started))
            try:
                worker = self._idle.get(timeout=left)
            except queue.Empty:
                raise QueryTimeout(f"no query worker was free within the time limit of {limit:g}s") from None
            if worker[0].poll() is None:
                return worker
            self._replace(worker)

    def _relay(self, worker, started: float, limit: float | None):
        """A streamed answer's chunks as the worker sends them, within the query's time limit. A stream
        left early (the client went away) or past its limit kills the worker, which stops its work."""
        process, connection = worker
        finished = False
        with self._lock:
            self._busy.add(process)
        try:
            while True:
                wait = None if limit is None else max(0.0, limit - (time.monotonic() - started))
                if not connection.poll(wait):
                    raise QueryTimeout(f"query stopped after its time limit of {limit:g}s")
                kind, value = connection.recv()
                if kind == "chunk":
                    yield value
                    continue
                finished = True
                if kind == "error":
                    raise value
                return
        except (EOFError, OSError):
            raise self._death(process) from None
        finally:
            with self._lock:
                self._busy.discard(process)
            if finished:
                self._idle.put(worker)
            else:
                self._replace(worker)

    def close(self) -> None:
        """Stop every worker, idle, busy or starting; a restart under way puts none back."""
        with self._lock:
            self._closed.set()
            processes = list(self._processes)
        while True:
            try:
                self._idle.get_nowait()[1].close()
            except queue.Empty:
                break
        for process in processes:
            process.kill()
            self._wait(process)

    def _start(self):
        """A fresh interpreter running this module, talking over a socket pair (no fork of this process)."""
        ours, theirs = socket.socketpair()
        process = subprocess.Popen([sys.executable, "-c", _WORKER_COMMAND, str(theirs.fileno())],
                                   pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL)
        theirs.close()
        worker = process, Connection(ours.detach())
        with self._lock:
            self._processes.add(process)
        if self._closed.is_set():  # closed while it started: close() may not have seen it
            self._end(worker)
            raise StoreUnavailable("the query workers are closed")
        worker[1].send((self.path, self.options))
        return worker

    def _ready(self, worker):
        """The worker once it has opened the store; else it is ended and the reason raised."""
        process, connection = worker
        try:
            # a worker reading from memory first copies the whole store: allow for a large one
            seconds = START_SECONDS * (10 if self.options.in_memory else 1)
            kind, value = connection.recv() if connection.poll(seconds) else \
                ("error", StoreUnavailable("a query worker did not start in time"))
        except (EOFError, OSError):
            kind, value = "error", StoreUnavailable("a query worker died as it started")
        if kind == "error":
            self._end(worker)
            raise value
        return worker

    def _replace(self, worker) -> None:
        """Kill a worker now; start its successor in the background so this request can answer at once.

        The successor is tried again, after a growing pause, until it starts or the pool is closed: the
        store may be away for a while (a staged bulk load swaps its directory), and the pool must not shrink.
        """
        process, connection = worker
        process.kill()
        connection.close()
        if self.on_replace is not None:
            self.on_replace()
        with self._lock:
            self._pending += 1
        self._add_in_background(process)

    def _add_in_background(self, predecessor=None) -> None:
        """Start a worker in a thread (once `predecessor` is waited for) and make it idle; tried again after
        a growing pause until it starts or the pool is closed. The caller has counted it in _pending."""

        def start():
            try:
                if predecessor is not None:
                    self._wait(predecessor)
                pause = RESTART_PAUSE
                while not self._closed.is_set():
                    try:
                        successor = self._ready(self._start())
                    except Exception:  # the store cannot be opened now: try again later
                        with self._lock:
                            self.failed_starts += 1
                        self._closed.wait(pause)
                        pause = min(pause * 2, RESTART_PAUSE_MAX)
                        continue
                    with self._lock:
                        if not self._closed.is_set():
                            self._idle.put(successor)
                            return
                    self._end(successor)  # closed while it started
                    return
            finally:
                with self._lock:
                    self._pending -= 1

        threading.Thread(target=start, name="kg-worker-start", daemon=True).start()

    def _end(self, worker) -> None:
        """Kill a worker and wait for it, so no zombie is left."""
        process, connection = worker
        connection.close()
        process.kill()
        self._wait(process)

    def _wait(self, process) -> None:
        process.wait()
        with self._lock:
            self._processes.discard(process)


def _worker(connection: Connection) -> None:
    """A worker's loop, until its parent hangs up (then it leaves quietly) or dies."""
    threading.Thread(target=_leave_with, args=(os.getppid(),), name="kg-parent-watch", daemon=True).start()
    try:
        _answer_requests(connection)
    except (EOFError, OSError, KeyboardInterrupt):
        pass


def _leave_with(parent: int) -> None:
    """End this worker when its server process is gone (killed, say): a query it is running could
    otherwise go on for hours with nobody to answer. The engine lets go of the GIL while it works."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(0)


def _answer_requests(connection: Connection) -> None:
    """Open the store read-only, then answer requests until the connection closes."""
    from kg.store.oxigraph import OxigraphStore, disk_version

    path, options = connection.recv()

    def opened():
        return OxigraphStore.memory_copy(path) if options.in_memory else OxigraphStore(path, read_only=True)

    try:
        store = opened()
    except Exception as error:  # reported to the parent, which raises it
        connection.send(("error", error))
        return
    service = QueryService(store, policy=options.policy, row_limit=options.row_limit,
                           federation=options.federation)
    if options.memory_limit:
        memory_cap.cap(options.memory_limit)
    connection.send(("ready", None))
    while True:
        request = connection.recv()
        started = time.perf_counter()
        for attempt in range(STALE_RETRIES + 1):
            try:
                if attempt:  # the writer's compaction removed files this view still listed: open afresh
                    time.sleep(STALE_PAUSE * 2 ** (attempt - 1))
                    service.store = opened()
                if options.in_memory:
                    if disk_version(path)[0] != service.store.copied_version:
                        service.store = None  # let the old copy go before the new one is made
                        service.store = opened()
                else:
                    service.store.reopen_if_changed()
                if request.stream:
                    reply = _streamed(service, request, connection)
                    if reply is None:  # it was sent, a batch at a time
                        break
                else:
                    reply = ("ok", answer(service, request))
            except MemoryError:  # Python's own allocations past the cap (the engine's abort the worker)
                reply = ("error", QueryMemoryExceeded("the query needed more memory than a query worker may "
                                                      "take, and was stopped"))
            except Exception as error:  # sent back and raised in the parent
                reply = ("error", error)
                if attempt < STALE_RETRIES and _stale_view(error):
                    continue
            break
        if reply is None:  # streamed: already sent
            continue
        if reply[0] == "ok":
            reply[1].elapsed = time.perf_counter() - started
        connection.send(reply)


def _streamed(service: QueryService, request: QueryRequest, connection: Connection):
    """("ok", Answer) for an answer of up to STREAM_AFTER rows; a bigger one is sent from here as
    ("stream", kind), ("chunk", bytes)..., then ("end", None) or ("error", exception); then None."""
    from itertools import chain, islice

    from kg.query import _collect
    from kg.streaming import Cut, can_stream, chunks

    raw, limit = service.rows(request.sparql, bindings=request.bindings,
                              default_graphs=None if request.default_graphs is None else list(request.default_graphs),
                              named_graphs=None if request.named_graphs is None else list(request.named_graphs),
                              timeout=request.timeout, row_limit=request.row_limit, base=request.base)
    kind = "boolean" if isinstance(raw, bool) else "solutions" if isinstance(raw, Solutions) else "graph"
    rows = iter(()) if kind == "boolean" else iter(raw)
    first = [] if kind == "boolean" else list(islice(rows, STREAM_AFTER + 1))
    if len(first) <= STREAM_AFTER or (limit is not None and limit <= STREAM_AFTER) \
            or not can_stream(kind, request.format):
        whole = raw if kind == "boolean" else type(raw)(raw.variables, chain(first, rows)) \
            if kind == "solutions" else Triples(chain(first, rows))
        result = _collect(whole, limit)
        return "ok", Answer(body=result.serialize(request.format, prefixes=service.prefixes), kind=result.kind,
                            count=len(result), truncated=result.truncated, limit=result.limit,
                            unknown_terms=tuple(service.unknown_terms(request.sparql)))
    connection.send(("stream", (kind, tuple(service.unknown_terms(request.sparql)))))
    variables = raw.variables if kind == "solutions" else []
    try:
        for chunk in chunks(kind, variables, chain(first, rows), request.format, limit=limit,
                            prefixes=service.prefixes, cut=Cut()):
            connection.send(("chunk", chunk))
    except Exception as error:  # reported in the stream, which the parent ends with it
        connection.send(("error", error))
        return None
    connection.send(("end", None))
    return None


def _stale_view(error: Exception) -> bool:
    """Whether a read-only view failed because the writer removed files it listed (RocksDB says so)."""
    return isinstance(error, (RuntimeError, OSError)) and any(
        sign in str(error) for sign in ("No such file", "Corruption", "IO error"))


# Imported by name, not run as __main__, so that pickled classes resolve to kg.runner in both processes.
_WORKER_COMMAND = "import sys; from multiprocessing.connection import Connection; " \
                  "from kg.runner import _worker; _worker(Connection(int(sys.argv[1])))"
