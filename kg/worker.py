"""A query worker: a process of its own with a read-only view of the embedded store, answering the queries
a server's WorkerPool (kg.runner) sends it, one at a time, until the server hangs up or dies.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from multiprocessing.connection import Connection

from kg import allocator, memory_cap, worker_trace
from kg.answers import STREAM_AFTER, Answer, QueryRequest, answer
from kg.errors import QueryMemoryExceeded
from kg.query import QueryService
from kg.store.base import Solutions
from kg.store.engine_faults import STALE_PAUSE, STALE_RETRIES, STORAGE_SIGNS

PARENT_CHECK = 0.5  # seconds between a worker's checks that its server process is still there
IDLE_REFRESH = 1.0  # seconds between an idle worker's looks for a write to reopen its view on


def serve(connection: Connection, trace: int | None = None) -> None:
    """A worker's loop, until its parent hangs up (then it leaves quietly) or dies. `trace`: the descriptor of the
    file its stacks go to if it is slow to start (kg.worker_trace), let go once the store is open."""
    if hasattr(signal, "pthread_sigmask"):  # a server process starts it with these held (kg.serve): a kill ends it
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    threading.Thread(target=_leave_with, args=(os.getppid(),), name="kg-parent-watch", daemon=True).start()
    try:
        _answer_requests(connection, trace)
    except (EOFError, OSError, KeyboardInterrupt):
        pass


def _leave_with(parent: int) -> None:
    """End this worker when its server process is gone (killed, say): a query it is running could
    otherwise go on for hours with nobody to answer. The engine lets go of the GIL while it works."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK)
    os._exit(0)


def _answer_requests(connection: Connection, trace: int | None = None) -> None:
    """Open the store read-only, then answer requests until the connection closes."""
    from kg.store.oxigraph import OxigraphStore
    from kg.store.store_files import disk_version

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
    worker_trace.disarm(trace)
    connection.send(("ready", None))
    while True:
        _wait_for_request(connection, service, options)
        request = connection.recv()
        if request == "stop":  # for a stream that had ended by itself when its client left
            continue
        started = time.perf_counter()
        for attempt in range(STALE_RETRIES + 1):
            try:
                if attempt:  # the writer's compaction removed files this view still listed: open afresh
                    time.sleep(STALE_PAUSE * 2 ** (attempt - 1))
                    service.store = opened()
                elif service.store is None:  # let go while idle (or its reopening failed): opened afresh
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
            _let_go_replaced(service)
            continue
        if reply[0] == "ok":
            reply[1].elapsed = time.perf_counter() - started
        connection.send(reply)
        _let_go_replaced(service)


def _wait_for_request(connection: Connection, service: QueryService, options) -> None:
    """Wait for the next request; meanwhile keep an idle view fresh, and close it once idle for
    options.idle_release seconds (a copy in memory is the data itself: it is kept)."""
    idle_since = time.monotonic()
    while not connection.poll(IDLE_REFRESH):
        if options.in_memory or service.store is None:
            continue
        if options.idle_release is not None and time.monotonic() - idle_since >= options.idle_release:
            _release(service)
        else:
            _refresh(service)


def _release(service: QueryService) -> None:
    """Close the view and give the memory its engine held (block caches, table indexes) back to the system."""
    import gc

    service.store.close()
    service.store = None
    gc.collect()  # rows or results of the last query may still refer to the engine's store
    allocator.give_back()


def _refresh(service: QueryService) -> None:
    """Reopen an idle worker's view after a write: the old view holds files the writer has since removed (all
    of the old store after a staged bulk load), and the pool may leave a worker idle for long."""
    try:
        service.store.reopen_if_changed()
    except Exception:  # the store is away (a bulk load swapping it in): the next query opens it afresh
        pass
    _let_go_replaced(service)


def _let_go_replaced(service: QueryService) -> None:
    """Let go of the view a reopen replaced: a worker reads one at a time, so none reads it, and held it kept its
    table files on disk until the next reopen."""
    store = service.store
    if store is not None and hasattr(store, "let_go_unread"):
        store.let_go_unread(store.view_version())  # the version it reads: no look at the stamp, no view dropped


def _streamed(service: QueryService, request: QueryRequest, connection: Connection):
    """("ok", Answer) for an answer of up to STREAM_AFTER rows; a bigger one is sent from here as
    ("stream", (kind, unknown terms, row cap, absent graphs)), ("chunk", bytes)..., then ("end", (rows, cut by the
    cap)) or ("error", exception); then None."""
    from itertools import chain, islice

    from kg.capped_rows import collect
    from kg.streaming import Cut, can_stream, chunks
    from kg.text_reading import reading_of

    reading = reading_of(request.sparql, request.base, request.reading)
    default_graphs = None if request.default_graphs is None else list(request.default_graphs)
    named_graphs = None if request.named_graphs is None else list(request.named_graphs)
    raw, limit = service.rows(request.sparql, bindings=request.bindings,
                              default_graphs=default_graphs, named_graphs=named_graphs,
                              timeout=request.timeout, row_limit=request.row_limit, base=request.base, reading=reading)
    kind = "boolean" if isinstance(raw, bool) else "solutions" if isinstance(raw, Solutions) else "graph"
    unknown = tuple(service.unknown_terms(reading.written, reading.shape, reading.base, request.bindings))
    absent = tuple(service.absent_graphs(reading, default_graphs, named_graphs))
    rows = iter(()) if kind == "boolean" else iter(raw)
    first = [] if kind == "boolean" else list(islice(rows, STREAM_AFTER + 1))
    if len(first) <= STREAM_AFTER or (limit is not None and limit <= STREAM_AFTER) \
            or not can_stream(kind, request.format):
        # the same result, its rows put back: a remote engine's own cut (.cut) may be known only at their end
        if kind == "solutions":
            raw.rows = chain(first, rows)
        elif kind == "graph":
            raw.triples = chain(first, rows)
        result = collect(raw, limit)
        return "ok", Answer(body=result.serialize(request.format, prefixes=service.prefixes), kind=result.kind,
                            count=len(result), truncated=result.truncated, limit=result.limit, unknown_terms=unknown,
                            absent_graphs=absent)
    connection.send(("stream", (kind, unknown, limit, absent)))
    variables, cut = raw.variables if kind == "solutions" else [], Cut(source=raw)
    try:
        for chunk in chunks(kind, variables, chain(first, rows), request.format, limit=limit,
                            prefixes=service.prefixes, cut=cut):
            if connection.poll():  # only "stop" comes during a stream: its client went away
                connection.recv()
                connection.send(("stopped", None))
                return None
            connection.send(("chunk", chunk))
    except Exception as error:  # reported in the stream, which the parent ends with it
        connection.send(("error", error))
        return None
    connection.send(("end", (cut.count, cut.truncated)))
    return None


def _stale_view(error: Exception) -> bool:
    """Whether a read-only view failed because the writer removed files it listed (RocksDB says so)."""
    return isinstance(error, (RuntimeError, OSError)) and any(sign in str(error) for sign in STORAGE_SIGNS)
