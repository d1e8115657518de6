"""The shell's queries on an embedded store on disk, answered by a query worker process (kg.runner.WorkerPool).

A Ctrl-C kills the worker, so an aggregate or a sort that the engine cannot interrupt stops at once with it
(in a helper thread it ran on until it ended, using a core). The answer comes back as SPARQL JSON or
N-Triples and is read into terms as it arrives, so the shell shows it as it does any other.
"""

from __future__ import annotations

import time

import pyoxigraph

from kg.answers import QueryRequest, StreamedAnswer
from kg.console import Started, service_options
from kg.runner import WorkerPool
from kg.sparql_text import scan
from kg.store import sparql_json
from kg.store.remote_answers import ChunkStream


class WorkerQueries:
    """Queries of the store at `path`, each in the one worker process (started at the first query)."""

    def __init__(self, path: str):
        self.path, self._pool = path, None

    def start(self, sparql: str, *, row_limit: int | None) -> Started:
        """The query under way, as kg.console.start_query gives it; KeyboardInterrupt while it runs stops the
        worker (a new one starts for the next query). The library's errors are raised as the store raises them."""
        started = time.perf_counter()
        if self._pool is None:
            self._pool = WorkerPool(self.path, size=1, options=service_options())
        graph = scan(sparql).form in ("CONSTRUCT", "DESCRIBE")
        answer = self._pool.run(QueryRequest(sparql, format="ntriples" if graph else "json", row_limit=row_limit,
                                             stream=True))
        streamed = isinstance(answer, StreamedAnswer)
        chunks = answer.chunks if streamed else iter([answer.body])
        cut = _Cut(answer.end if streamed else None, False if streamed else answer.truncated)
        unknown, absent = list(answer.unknown_terms), list(answer.absent_graphs)
        if graph:
            rows = (pyoxigraph.Triple(quad.subject, quad.predicate, quad.object)
                    for quad in pyoxigraph.parse(ChunkStream(chunks), pyoxigraph.RdfFormat.N_TRIPLES))
            return Started("graph", [], None, row_limit, _closing(rows, chunks), started, unknown, absent, source=cut)
        head, rows = sparql_json.read(chunks)
        if rows is None:
            return Started("boolean", [], head, None, iter(()), started, unknown, absent)
        return Started("solutions", head, None, row_limit, _closing(rows, chunks), started, unknown, absent, source=cut)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()


class _Cut:
    """Whether the row cap cut the answer (kg.streaming.Cut reads `cut` once the rows are read)."""

    def __init__(self, end, truncated: bool):
        self.end, self.truncated = end, truncated

    @property
    def cut(self) -> bool:
        return self.truncated or bool(self.end is not None and self.end.truncated)


def _closing(rows, chunks):
    """`rows`; closed early (a Ctrl-C, the shell's own row cap), the stream is closed, which stops its worker."""
    try:
        yield from rows
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
