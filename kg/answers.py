"""What a server asks of its queries and what it gets back: a QueryRequest, an Answer (or a StreamedAnswer
too big to hold), and the LocalRunner that answers in this process; kg.runner's WorkerPool answers in workers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from kg.errors import QueryTimeout
from kg.federation import Federation, default_state_path, split_allowlist
from kg.query import Policy, QueryService
from kg.text_reading import Reading

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
    # The text's reading where the request arrived (kg.text_reading), so that a query worker need not lex it again;
    # no part of what is asked (the result cache's key leaves it out).
    reading: Reading | None = field(default=None, compare=False, repr=False)


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
    absent_graphs: tuple[str, ...] = ()  # graphs of the query's dataset the store does not have


STREAM_AFTER = 10_000  # rows: a bigger answer is sent a batch at a time, never held whole


@dataclass
class StreamEnd:
    """How a stream ended: rows (or triples) sent, and whether the row cap cut them; None before its end."""

    count: int | None = None
    truncated: bool = False


@dataclass
class StreamedAnswer:
    """An answer too big to hold: its bytes, a batch at a time. Closing `chunks` early stops the work."""

    kind: str
    chunks: object  # an iterator of bytes
    unknown_terms: tuple[str, ...] = ()
    absent_graphs: tuple[str, ...] = ()
    limit: int | None = None  # the row cap in force; whether it cut is known only at the end (see kg.streaming)
    end: StreamEnd = field(default_factory=lambda: StreamEnd())  # set by `chunks` when they end


def primed(chunks):
    """A generator of chunks run up to its first `yield`, which must yield nothing (b""): a generator closed
    before its first step runs no `finally`, and a HEAD request's body is closed without being read."""
    next(chunks)
    return chunks


@dataclass
class ServiceOptions:
    """What every worker's QueryService is built with."""

    policy: Policy = field(default_factory=Policy)
    timeout: float | None = None
    row_limit: int | None = None
    federation: Federation = field(default_factory=Federation)
    in_memory: bool = False  # answer from a copy of the store in memory, made again after each write
    memory_limit: int | None = None  # bytes a worker may take beyond its open store (see kg.memory_cap)
    # Seconds an idle worker on disk keeps its view open: then it closes it, giving back the engine's caches
    # (about 60 MB at 1M triples), and opens it again for its next query (20-40 ms, caches cold). None: never.
    idle_release: float | None = 5.0
    malloc: str | None = None  # the malloc library a worker preloads (kg.allocator); None: the C library's


def federation_of(settings: dict) -> tuple[tuple[str, ...], Federation]:
    """The SERVICE endpoints `settings` allow, and how they are called (mirrors, time limit, cache, contact,
    row cap): the server and the console read them alike."""
    allowed, mirrors = split_allowlist(settings["SERVICE_ALLOWLIST"])
    return allowed, Federation(timeout=settings["SERVICE_TIMEOUT"], cache_ttl=settings["SERVICE_CACHE_TTL"],
                               contact=settings["SERVICE_CONTACT"], row_limit=settings["SERVICE_ROW_LIMIT"],
                               endpoints=mirrors, state_path=default_state_path())


def answer(service: QueryService, request: QueryRequest) -> Answer:
    """Run a request through a query service and serialise the result."""
    result = service.query(request.sparql, bindings=request.bindings,
                           default_graphs=None if request.default_graphs is None else list(request.default_graphs),
                           named_graphs=None if request.named_graphs is None else list(request.named_graphs),
                           timeout=request.timeout, row_limit=request.row_limit, base=request.base,
                           reading=request.reading)
    body = result.serialize(request.format, prefixes=service.prefixes)
    return Answer(body=body, kind=result.kind, count=len(result), truncated=result.truncated,
                  limit=result.limit, elapsed=result.elapsed, unknown_terms=tuple(result.unknown_terms),
                  absent_graphs=tuple(result.absent_graphs))


def answer_within(service: QueryService, request: QueryRequest, started: float | None) -> Answer:
    """answer(), with QueryTimeout once the time limit has passed, counted from `started` (a time.monotonic(),
    when the request came in; None: now), so that time spent waiting for a thread counts too."""
    limit = min((s for s in (request.timeout, service.timeout) if s is not None), default=None)
    if started is None or limit is None:
        return answer(service, request)
    left = limit - (time.monotonic() - started)
    if left <= 0:
        raise QueryTimeout(f"the query waited past its time limit of {limit:g}s before it could start", waited=True)
    try:
        return answer(service, replace(request, timeout=left))
    except QueryTimeout as error:  # the store's words, said of the whole limit rather than of what was left
        raise QueryTimeout(str(error).replace(f"{left:g}s", f"{limit:g}s"), waited=error.waited) from None


class LocalRunner:
    """Queries run in this process (memory and remote stores), within the time limit the store keeps."""

    def __init__(self, service: QueryService):
        self.service = service

    def run(self, request: QueryRequest, *, started: float | None = None) -> Answer:
        """The answer, within the time limit counted from `started` (see answer_within)."""
        return answer_within(self.service, request, started)

    def close(self) -> None:
        """Nothing to stop."""
