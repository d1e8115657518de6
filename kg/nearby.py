"""One-pattern queries and DESCRIBE of IRIs answered in this process, on a read-only view of the on-disk store:
no round trip to a query worker, and the time limit checked between rows (each row is one index step;
kg.one_pattern.single_pattern).

A caller that must not wait (the server's event loop: api.rsgi) sets NO_WAITING; a run then raises WouldWait,
having answered nothing, where it would reopen the store after a write (a reopen replays the engine's write log:
seconds after a big write) or read more than LOOP_ROWS rows or LOOP_CHARACTERS characters of terms. The caller
then hands the request to a thread.
"""

from __future__ import annotations

import contextlib
import threading
import time
from contextvars import ContextVar
from itertools import islice

from kg.answers import Answer, QueryRequest, ServiceOptions, answer_within
from kg.errors import QueryTimeout
from kg.lookup_text import Lookup
from kg.query import QueryService
from kg.results import Result
from kg.star_order import reordered
from kg.store.base import Solutions

NO_WAITING: ContextVar[bool] = ContextVar("sahel_kg_no_waiting", default=False)
LOOP_ROWS = 256  # rows a run under NO_WAITING reads before it gives way
LOOP_CHARACTERS = 1 << 20  # characters of terms it reads before it gives way (a few big literals)


class WouldWait(Exception):
    """A run under NO_WAITING that would reopen the store or read many rows; it answered nothing."""


class NearbyRunner:
    """One-pattern queries (kg.one_pattern.single_pattern) on a read-only view of the store at `path`."""

    def __init__(self, path: str, options: ServiceOptions):
        from kg.store.oxigraph import OxigraphStore

        self.store = OxigraphStore(path, read_only=True)
        self._reopening = threading.Lock()
        # the runs reading the view now, and the newest version told (see let_go_if_stale)
        self._counting, self._runs, self._newest = threading.Lock(), 0, 0
        self.service = QueryService(_RowDeadline(self.store), policy=options.policy, timeout=options.timeout,
                                    row_limit=options.row_limit)

    def run(self, request: QueryRequest, *, started: float | None = None) -> Answer:
        """The answer; QueryTimeout past the time limit, counted from `started` (see kg.answers.answer_within);
        WouldWait under NO_WAITING (see the module)."""
        with self._reading():
            return self._run(request, started)

    def _run(self, request: QueryRequest, started: float | None) -> Answer:
        if NO_WAITING.get():
            # a write after this check is seen by the next request, not this one; a view let go of would reopen
            if self.store.stale() or not self.store.holds_view():
                raise WouldWait("the store changed since this view opened")
        else:
            with self._reopening:  # one thread reopens; the others then find the view fresh
                self.store.reopen_if_changed()
        return answer_within(self.service, request, started)

    def lookup(self, found: Lookup, text: str, fmt: str, *, row_limit: int | None,
               version: int | None = None) -> Answer:
        """The answer to `text`, a lookup (`found`: kg.lookup_text), in results format `fmt`, as run() gives
        it, run at once on the caller's thread: WouldWait, having answered nothing, where the view is stale or
        the rows pass LOOP_ROWS or LOOP_CHARACTERS. Raises the store's errors (a syntax error, a bad IRI).
        `version`: the dataset's version number the caller has just read (its answer's ETag), which the view
        must be at; None: read it here."""
        with self._reading():
            return self._lookup(found, text, fmt, row_limit=row_limit, version=version)

    def _lookup(self, found: Lookup, text: str, fmt: str, *, row_limit: int | None, version: int | None) -> Answer:
        # The caller's own read spares a second read of the stamp (an fstat); the view then answers for
        # exactly the version the answer is labelled with.
        # A view let go of since `version` was read (another request's look) would reopen here, at a newer version.
        if (self.store.stale() if version is None else version != self.store.view_version()) \
                or not self.store.holds_view():
            raise WouldWait("the store changed since this view opened")
        started = time.perf_counter()
        prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in found.undeclared.items())
        result = reordered(self.store.query(prologue + text), found.star)
        # Read lazily: the row cap, and the loop's own bound, stop the engine where a LIMIT would.
        bounds = [bound for bound in (found.limit, None if row_limit is None else row_limit + 1) if bound is not None]
        rows, characters = [], 0
        for row in islice(result.rows, min([*bounds, LOOP_ROWS + 1])):  # characters counted as read, as run's are
            characters += sum(len(getattr(term, "value", "")) for term in row if term is not None)
            if characters > LOOP_CHARACTERS:
                break
            rows.append(row)
        result.rows.close()
        truncated = row_limit is not None and len(rows) > row_limit
        if truncated:
            del rows[row_limit:]
        if len(rows) > LOOP_ROWS or characters > LOOP_CHARACTERS:
            raise WouldWait(f"more than {LOOP_ROWS} rows or {LOOP_CHARACTERS} characters")
        # A row matched every IRI of the pattern, so the store has them all: only an empty answer needs a look.
        unknown = () if rows else tuple(self.service.unknown_among(found.iris))
        solutions = Result(kind="solutions", variables=result.variables, rows=rows, truncated=truncated,
                           limit=row_limit)
        body = solutions.serialize(fmt)
        return Answer(body=body, kind="solutions", count=len(rows), truncated=truncated, limit=row_limit,
                      elapsed=time.perf_counter() - started, unknown_terms=unknown)

    def near_terms(self, iri: str) -> list[str]:
        """QueryService.near_terms read through this view, counted as a run: let_go_if_stale waits for its end."""
        with self._reading():
            return self.service.near_terms(iri)

    def let_go_if_stale(self, version: int | None = None) -> None:
        """Let go of the view once the store is at a newer `version` (None: read it here), unless a run reads it (the
        last run to end then does): held, its table files stay on disk. Told by every look at the dataset's version."""
        version = self.store.version()[0] if version is None else version
        with self._counting:
            self._newest = max(self._newest, version)
            if self._runs == 0:
                self.store.let_go_unread(self._newest)

    @contextlib.contextmanager
    def _reading(self):
        with self._counting:
            self._runs += 1
        try:
            yield
        finally:
            with self._counting:
                self._runs -= 1
                if self._runs == 0:  # the newest version told, not read: a run costs no more reads
                    self.store.let_go_unread(self._newest)

    def close(self) -> None:
        self.store.close()


class _RowDeadline:
    """A store whose query rows stop with QueryTimeout once the time limit has passed (checked per row),
    and, under NO_WAITING, with WouldWait past LOOP_ROWS rows or LOOP_CHARACTERS characters."""

    def __init__(self, store):
        self.store = store

    def view_version(self):
        return self.store.view_version()

    def query(self, sparql, *, default_graphs=None, named_graphs=None, timeout=None, limit=None):
        started = time.monotonic()
        budget = LOOP_ROWS if NO_WAITING.get() else None
        result = self.store.query(sparql, default_graphs=default_graphs, named_graphs=named_graphs)
        if timeout is None and budget is None or isinstance(result, bool):
            return result

        def rows(inner):
            characters = 0
            for count, row in enumerate(inner, 1):
                if budget is not None:
                    characters += sum(len(getattr(term, "value", "")) for term in row if term is not None)
                    if count > budget or characters > LOOP_CHARACTERS:
                        raise WouldWait(f"more than {budget} rows or {LOOP_CHARACTERS} characters")
                if timeout is not None and count % 64 == 0 and time.monotonic() - started > timeout:
                    raise QueryTimeout.stopped(timeout)
                yield row

        # the same result, its rows wrapped: a remote engine's own cut (.cut) may be known only at their end
        if isinstance(result, Solutions):
            result.rows = rows(result.rows)
        else:
            result.triples = rows(result.triples)
        return result
