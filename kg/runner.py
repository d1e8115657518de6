"""Run a server's queries: in-process, or in worker processes that are killed when time runs out.

pyoxigraph cannot interrupt an aggregate or a sort once started (see kg/store/deadline.py), so for an
embedded on-disk store each query runs in a worker process holding a read-only view of the store. A
worker still busy at the time limit is killed and replaced; another worker takes the next query. A worker
whose streamed answer's client went away is told to stop instead, and kept.
"""

from __future__ import annotations

import queue
import threading
import time
from contextvars import ContextVar
from dataclasses import replace

from kg.answers import Answer, QueryRequest, ServiceOptions, StreamedAnswer, StreamEnd, primed
from kg.errors import ClientGone, QueryTimeout
from kg.worker_processes import START_SECONDS, WORKER_COMMAND, WorkerProcesses

__all__ = ["WORKER_COMMAND", "WorkerPool"]  # WORKER_COMMAND stays importable from here, as before

# Seconds a worker whose client left a streamed answer has to reach its next chunk and stop: a chunk takes
# milliseconds to make, unless the rows behind it come slowly (a filter that rejects millions): then a
# restart (about 0.2 s) serves other clients sooner than waiting out the query's limit.
RECLAIM_GRACE = 5.0
# Set by a server (api.rsgi), in the context of the request being answered, to an Event set once its client has
# gone: a run then kills its worker rather than finish an answer nobody will read. Looked at every GONE_CHECK s.
CLIENT_GONE: ContextVar[threading.Event | None] = ContextVar("sahel_kg_client_gone", default=None)
GONE_CHECK = 0.25


class WorkerPool(WorkerProcesses):
    """`size` worker processes, each with a read-only view of the embedded store at `path`, growing up to
    `max_size` as queries find every worker busy (a new client's query waits for a worker to start, about
    0.2 s, not for a slow query to end). Workers beyond `size` stay, up to `max_size`: the bound is on the number."""

    def __init__(self, path: str, *, size: int = 1, options: ServiceOptions | None = None,
                 max_size: int | None = None, start_seconds: float = START_SECONDS):
        self.path, self.options = path, options or ServiceOptions()
        self.start_seconds = start_seconds  # for each worker to open the store; ten times this to copy it to memory
        self.size, self.max_size = max(1, size), max(max(1, size), max_size or size)
        self._pending = 0  # workers being started in the background, not yet idle
        # Last in, first out: the worker that answered last has the warmest caches (a cold one costs heavy
        # queries 20-90% more), and one that waits long keeps its memory small.
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._processes: set = set()  # every worker process started and not yet waited for
        self._busy: set = set()  # workers running a query now
        self.failed_starts = 0  # successors that could not start (and were tried again)
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self.on_replace = None  # called (no arguments) each time a worker is killed and replaced: for metrics
        try:
            for worker in [self._start() for _ in range(max(1, size))]:
                self._idle.put(self._ready(worker))
        except BaseException:  # a worker that failed to start, or Ctrl-C in a console: none is left behind
            self.close()
            raise

    def run(self, request: QueryRequest, *, started: float | None = None) -> Answer:
        """Answer in a free worker; at the time limit kill it, start another, and raise QueryTimeout.

        The limit covers the whole run from `started` (a time.monotonic(); default now), waiting for a free
        worker included. Killing is what makes it hold for aggregates and sorts, which pyoxigraph cannot interrupt.
        """
        limit = request.timeout if request.timeout is not None else self.options.timeout
        started = time.monotonic() if started is None else started
        gone = CLIENT_GONE.get()
        worker = self._sent(replace(request, timeout=None), limit, started, gone)  # the limit is kept by killing
        process, connection = worker
        with self._lock:
            self._busy.add(process)
        try:
            # A worker with its own copy of the dataset is left to finish: its successor would copy it again.
            gone = None if self.options.in_memory else gone
            kind, value = connection.recv() if _replied(connection, limit, started, gone) else ("timeout", None)
        except (EOFError, OSError):
            death = self._death(process)
            self._replace(worker)
            raise death from None
        except BaseException:  # Ctrl-C in the console, a client gone (ClientGone): the work stops with the worker
            self._replace(worker)
            raise
        finally:
            with self._lock:
                self._busy.discard(process)
        if kind == "timeout":
            self._replace(worker)
            raise QueryTimeout.stopped(limit)
        if kind == "stream":  # the worker is the stream's until it ends
            kind, unknown, cap, absent = value
            streamed = StreamedAnswer(kind=kind, chunks=None, unknown_terms=unknown, absent_graphs=absent, limit=cap)
            # the relay holds only streamed.end, so an answer dropped unread is freed (and its worker let go) at once
            streamed.chunks = primed(self._relay(worker, started, limit, streamed.end))
            return streamed
        self._idle.put(worker)
        if kind == "error":
            raise value
        return value

    def _sent(self, request: QueryRequest, limit: float | None, started: float, gone: threading.Event | None = None):
        """A live worker that has been sent `request`. One found dead as it is sent (killed while idle, after
        it was looked at) never had the query: it is replaced and another takes it. A client gone by then
        (`gone` set) has its query sent to none: a worker that took it would be killed for nobody."""
        while True:
            worker = self._live_worker(limit, started)
            if limit is not None and time.monotonic() - started >= limit:  # no time left: it goes back unused
                self._idle.put(worker)
                raise QueryTimeout(f"no query worker was free within the time limit of {limit:g}s", waited=True)
            if gone is not None and gone.is_set():
                self._idle.put(worker)
                raise ClientGone("the client went away before its query started")
            try:
                worker[1].send(request)
                return worker
            except OSError:
                self._replace(worker)

    def busy(self) -> int:
        """How many workers are running a query now."""
        with self._lock:
            return len(self._busy)

    def idle(self) -> int:
        """How many workers wait for a query now (one that died while waiting is replaced first)."""
        self._replace_dead_idle()
        return self._idle.qsize()

    def idle_count(self) -> int:
        """How many workers wait for a query now, as last seen (one that died idle is counted until idle())."""
        return self._idle.qsize()

    def _live_worker(self, limit: float | None, started: float):
        """An idle worker whose process is alive, waited for within the time limit. A worker that died
        while idle (killed from outside) is replaced, so that the request does not fail for it."""
        self._replace_dead_idle()
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                # Grown only once none is idle: queries arriving together each saw an idle worker before any
                # took one, and the last of them then waited for a long query to end.
                self._grow()
                left = None if limit is None else max(0.0, limit - (time.monotonic() - started))
                try:
                    worker = self._idle.get(timeout=left)
                except queue.Empty:
                    raise QueryTimeout(f"no query worker was free within the time limit of {limit:g}s",
                                       waited=True) from None
            if worker[0].poll() is None:
                return worker
            self._replace(worker)

    def _replace_dead_idle(self) -> None:
        """Replace the idle workers that died (killed from outside): last in, first out, one at the bottom of
        the stack might otherwise wait there unnoticed, a zombie counted as idle, until every other is busy."""
        with self._idle.mutex:  # the queue's own lock: its list is looked at and edited as one step
            dead = [worker for worker in self._idle.queue if worker[0].poll() is not None]
            for worker in dead:
                self._idle.queue.remove(worker)
        for worker in dead:
            self._replace(worker)

    def _relay(self, worker, started: float, limit: float | None, end: StreamEnd):
        """A streamed answer's chunks as the worker sends them, within the query's time limit; at the end, its
        count and cut in `end`. A stream left early (the client went away) has its worker stopped and taken back
        (_reclaim); one past its limit, or without a limit, kills the worker, which stops its work."""
        process, connection = worker
        finished = left = False
        with self._lock:
            self._busy.add(process)
        try:
            yield b""  # for primed(): from here on, closing the stream gives its worker back or stops it
            while True:
                # Checked before each chunk: while the worker keeps chunks waiting, poll() alone never times out.
                wait = None if limit is None else limit - (time.monotonic() - started)
                try:  # only the connection: QueryTimeout, and errors the worker sends, are OSErrors too
                    message = connection.recv() if _arrived(connection, wait) else None
                except (EOFError, OSError):
                    raise self._death(process) from None
                if message is None:
                    raise QueryTimeout.stopped(limit)
                kind, value = message
                if kind == "chunk":
                    yield value
                    continue
                finished = True
                if kind == "error":
                    raise value
                end.count, end.truncated = value
                return
        except GeneratorExit:  # the client went away, or sent HEAD
            left = True
            raise
        finally:
            with self._lock:
                self._busy.discard(process)
            if finished:
                self._idle.put(worker)
            elif left and limit is not None:
                self._reclaim(worker, min(started + limit, time.monotonic() + RECLAIM_GRACE))
            else:
                self._replace(worker)

    def _reclaim(self, worker, deadline: float) -> None:
        """A worker whose stream was left: told to stop at its next chunk and read to its end in the background,
        then idle again with its warm caches; killed and replaced if it has not stopped by `deadline` (a
        time.monotonic(): RECLAIM_GRACE from now, or the query's own deadline if sooner), so that a worker slow
        to reach its next chunk is not lost to other clients for the rest of the query's limit. Restarting
        costs a new process and, for a pool reading from memory, a copy of the whole store."""
        process, connection = worker

        def drain():
            try:
                connection.send("stop")
                while True:
                    wait = deadline - time.monotonic()
                    if wait <= 0 or not connection.poll(wait):
                        break
                    kind, _ = connection.recv()
                    if kind != "chunk":  # stopped, or ended (or failed) by itself before it saw the stop
                        self._idle.put(worker)
                        return
            except (EOFError, OSError):
                pass
            if not self._closed.is_set():  # else close() has killed it
                self._replace(worker)

        threading.Thread(target=drain, name="kg-worker-reclaim", daemon=True).start()


def _replied(connection, limit: float | None, started: float, gone: threading.Event | None) -> bool:
    """Whether the worker on `connection` replied before the time limit; raises ClientGone once `gone` is set.
    It waits GONE_CHECK at a time even with no client to watch: Python runs a Ctrl-C's handler in the main thread
    alone, and one the kernel hands another thread (the console's) would not end a wait there until it ended."""
    while True:
        remaining = None if limit is None else max(0.0, limit - (time.monotonic() - started))
        if connection.poll(GONE_CHECK if remaining is None else min(remaining, GONE_CHECK)):
            return True
        if gone is not None and gone.is_set():
            raise ClientGone("the client went away before its answer")
        if remaining is not None and remaining <= GONE_CHECK:
            return False


def _arrived(connection, wait: float | None) -> bool:
    """Whether a message is on `connection` within `wait` seconds (None: however long), waiting GONE_CHECK at a
    time, for a Ctrl-C (see _replied)."""
    ends = None if wait is None else time.monotonic() + wait
    while True:
        left = GONE_CHECK if ends is None else min(GONE_CHECK, ends - time.monotonic())
        if left <= 0:
            return False
        if connection.poll(left):
            return True
