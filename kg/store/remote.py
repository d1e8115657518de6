"""A remote SPARQL 1.1 endpoint (oxigraph serve, Virtuoso, or another engine) as a store.

The dataset model is the embedded store's (kg.store.merge): updates are rewritten to keep the merge,
which lives in the engine's default graph or, on an engine without one (Virtuoso), in MERGE_GRAPH,
given as default-graph-uri. What differs by engine is declared in kg.store.dialects, picked from the
engine's Server header. Answers are read as streams (SPARQL JSON for SELECT and ASK, Turtle (N-Triples from Virtuoso) for
graphs), a SELECT carries the row cap as a LIMIT, and a query's time limit goes to the engine where it
takes one. An update past its time limit raises UpdateOutcomeUnknown: the engine may still apply it.
What the engine commits is its affair: Virtuoso commits each operation of a request on its own.
"""

from __future__ import annotations

import threading
import time

from pyoxigraph import NamedNode

from kg.errors import (EvaluationError, QuerySyntaxError, QueryTimeout, RemoteStoreFailure, StoreError,
                       StoreUnavailable, UpdateOutcomeUnknown)
from kg.sparql_text import scan
from kg.store.base import QueryResult, Solutions, Store
from kg.store.inclusive_bounds import strict_bounds
from kg.store.dialects import DIALECTS, Dialect, dialect_for
from kg.store.graph_presence import GraphPresence
from kg.store.insert_data import insert_data_requests, refusal, unreadable
from kg.store.remote_answers import SOLUTIONS, AnswerReading, of_form
from kg.store.remote_checks import EngineChecks
from kg.store.remote_fields import protocol_fields
from kg.store.merge import Target, rewrite
from kg.store.remote_graphs import DatasetGraphsHad
from kg.store.remote_whole import WholeReads
from kg.store.remote_failures import failure, update_failure
from kg.store.remote_http import REPLY_BYTES, DeadlinePassed, post
from kg.store.query_check import check_query_syntax
from kg.store.shown_urls import shown_url
from kg.store.replicas import PROBE_TIMEOUT, Replicas


class RemoteStore(AnswerReading, EngineChecks, WholeReads, DatasetGraphsHad, Store):
    """A SPARQL endpoint at `query_url`; updates go to `update_url` (default: the same URL). With `replicas`
    (more query URLs of read replicas), queries go to the healthy ones in turn (kg.store.replicas).

    `timeout` bounds every request made without a limit of its own, updates included. `dialect` names
    the engine's (a key of kg.store.dialects.DIALECTS); by default it is learnt from the engine.
    """

    def __init__(self, query_url: str, *, update_url: str | None = None, user: str | None = None,
                 password: str | None = None, timeout: float | None = 60, dialect: str | None = None,
                 replicas: tuple[str, ...] = ()):
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.credentials = (user, password or "") if user else None
        self.timeout = timeout
        self.replicas = Replicas([query_url, *replicas], self._answers) if replicas else None
        self._dialect: Dialect | None = DIALECTS[dialect] if dialect else None
        self._hidden: tuple[str, ...] = self._dialect.hidden if self._dialect else ()
        self._lock = threading.Lock()
        self._described = False  # whether the engine's self-description graphs were looked for

    # --- the engine -----------------------------------------------------------------------------

    @property
    def dialect(self) -> Dialect:
        """The engine's dialect, learnt from its first answer (and its own graphs, to hide them)."""
        return self._learned(None)

    def _learned(self, timeout: float | None) -> Dialect:
        """The dialect, learnt within `timeout` (the first query's own limit; None: the store's)."""
        # A query finding another learning it waits no longer than its own limit: an engine that never answered
        # held every query behind the first for the whole of the first one's limit, then each in turn for its own.
        deadline = self._deadline(timeout)
        if not self._lock.acquire(timeout=-1 if deadline is None else max(0.0, deadline - time.monotonic())):
            raise self._timed_out(timeout or self.timeout, answered=False)
        try:
            if self._dialect is None:
                try:
                    answer = self._on_a_replica(lambda url: self._send(url, [("query", "ASK {}")], accept=SOLUTIONS,
                                                                       deadline=deadline))
                    answer.read(REPLY_BYTES)  # a hostile engine's endless body must not fill memory
                except DeadlinePassed:  # an engine that takes the connection and never answers
                    raise self._timed_out(timeout or self.timeout, answered=False) from None
                found = dialect_for(answer.headers.get("Server"))
                self._hidden = found.hidden
                self._dialect = found
        finally:
            self._lock.release()
        if self._dialect.self_description_graphs and not self._described:
            self._described = True
            rows = self._select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?g a <http://www.w3.org/ns/sparql-service-"
                                "description#Service> } }", hide=False)
            self._hidden += tuple(g.value for (g,) in rows if g.value not in self._hidden)
        return self._dialect

    @property
    def keeps_empty_graphs(self) -> bool:
        return self.dialect.empty_graphs

    def hidden_graphs(self) -> tuple[str, ...]:
        """The graphs never served: the engine's own, and the merge where it is a named graph."""
        self.dialect  # noqa: B018  (learns them)
        return self._hidden

    # --- Store ----------------------------------------------------------------------------------

    def query(self, sparql, *, default_graphs=None, named_graphs=None, timeout=None, limit=None) -> QueryResult:
        """As Store.query. The dataset goes as default-graph-uri and named-graph-uri; without one, the
        default graph is the merge and the named graphs the project's (the engine's own are hidden)."""
        if self.replicas is not None:
            return self.replicas.run(lambda url: self._query(sparql, default_graphs, named_graphs, timeout, limit,
                                                             hide=True, url=url))
        return self._query(sparql, default_graphs, named_graphs, timeout, limit, hide=True)

    def _answers(self, url: str) -> bool:
        """Whether the endpoint at `url` answers a trivial query within PROBE_TIMEOUT (replica probing)."""
        return self._query("ASK {}", None, None, PROBE_TIMEOUT, None, hide=False, url=url) is True

    def close(self) -> None:
        if self.replicas is not None:
            self.replicas.close()

    def update(self, sparql: str) -> None:
        """As Store.update, within the store's time limit; past it, UpdateOutcomeUnknown. Where the engine judges
        graphs' existence its own way, the store judges each operation's (kg.store.graph_presence), sending the
        operations before one it cannot judge first."""
        dialect = self.dialect
        presence = GraphPresence(self._holds, noted=self.noted_empty) if dialect.graphs_by_create else None
        target = Target(merge=dialect.merge_graph, created=dialect.created_graph,
                        blank_nodes_in_data=dialect.blank_nodes_in_data,
                        graphs=None if dialect.drop_all else self.graphs, presence=presence, hidden=self._hidden,
                        bind_in_where=dialect.bind_in_where, spell_out_graphs=not dialect.enumerates_graphs,
                        clear_each=self.graphs if dialect.clear_all_drops else None)
        text = sparql
        while text is not None:
            rewritten = rewrite(text, target)
            self._send_update(rewritten, dialect)
            text = rewritten.rest
            if text is not None:
                presence.settled()

    def _send_update(self, rewritten, dialect: Dialect) -> None:
        deadline = self._deadline(None)
        try:
            text = rewritten.text if dialect.inclusive_bounds else strict_bounds(rewritten.text)  # lines stay
            answer = self._send(self.update_url, [("update", text)], accept="*/*", deadline=deadline)
            if answer.status >= 300:
                raise _within(update_failure(answer, dialect, at_query_url=self.update_url == self.query_url,
                                             seconds=self.timeout), rewritten.text)
            answer.read(REPLY_BYTES)  # a hostile engine's endless body must not fill memory
        except DeadlinePassed:
            raise UpdateOutcomeUnknown(
                f"{shown_url(self.update_url)} did not answer the update within its time limit of "
                f"{self.timeout:g}s; it may still apply it: read the data before sending it again") from None
        except QuerySyntaxError as error:
            line, column = rewritten.position(error.line, error.column)
            raise QuerySyntaxError(error.message, line=line, column=column) from None

    def extend(self, quads, *, large: bool = False) -> int:
        """As Store.extend, as INSERT DATA requests in chunks: only a source that does not parse is
        guaranteed to add nothing (it is read whole first)."""
        quads, written = list(quads), 0
        for request in insert_data_requests(quads):
            try:
                self.update(request.text)
            except (EvaluationError, RemoteStoreFailure, QuerySyntaxError) as error:  # a syntax error: the data's
                refused = unreadable(error) if isinstance(error, QuerySyntaxError) else error
                raise type(refused)(refusal(refused, request, written, len(quads))) from None
            except (StoreUnavailable, QueryTimeout, StoreError) as error:  # gone, or timed out: what went in stays
                if written:  # and the request the store did not answer in time may have gone in too
                    least = "at least " if isinstance(error, UpdateOutcomeUnknown) else ""
                    raise type(error)(f"{error}; {least}{written} of the {len(quads)} quads were written before it "
                                      "stopped, and stay: each request to a remote store is its own") from None
                raise
            written += request.quads
        return len(quads)

    # --- helpers --------------------------------------------------------------------------------

    def _query(self, sparql, default_graphs, named_graphs, timeout, limit, *, hide: bool,
               url: str | None = None) -> QueryResult:
        dialect = self._learned(timeout) if hide else (self._dialect or dialect_for(None))
        form = scan(sparql).form
        if hide:  # the user's text: refused as the embedded store refuses it, before the engine rewrites it
            check_query_syntax(sparql)
        rows = limit + 1 if limit is not None and form == "SELECT" else None  # one more: to know the cap cut it
        fields = protocol_fields(sparql, rows, dialect, default_graphs, named_graphs, timeout or self.timeout,
                                 hidden=self._hidden if hide else None)
        accept = dialect.graph_media_type if form in ("CONSTRUCT", "DESCRIBE") else SOLUTIONS
        seconds = timeout or self.timeout
        answer = self._answer(url, fields, accept, timeout)
        if answer.status >= 300:
            error = failure(answer, dialect, seconds=seconds)
            # Virtuoso sorts at most MaxSortedTopRows (10000 by default): a sorted SELECT asks for the cap (a full
            # answer taken as cut), else (a cap past that too) for no LIMIT of the store's, read up to the cap.
            for fewer in ((limit, None) if rows is not None else ()):
                if not any(sign in str(error) for sign in dialect.sort_cap_signs):
                    break
                fields = protocol_fields(sparql, fewer, dialect, default_graphs, named_graphs, timeout or self.timeout,
                                         hidden=self._hidden if hide else None)
                answer = self._answer(url, fields, accept, timeout)
                if answer.status < 300:
                    result = of_form(self._result(answer, dialect, seconds), form, answer)
                    return result if fewer is None else _full_is_cut(result, limit)
                error = failure(answer, dialect, seconds=seconds)
            raise _within(error, sparql)
        return of_form(self._result(answer, dialect, seconds), form, answer)

    def _answer(self, url, fields, accept, timeout):
        try:
            return self._send(url or self.query_url, fields, accept=accept, deadline=self._deadline(timeout))
        except DeadlinePassed:  # the engine ran the query to the limit it was given too: who stops first is chance
            raise self._timed_out(timeout or self.timeout) from None

    def _select(self, sparql: str, *, hide: bool) -> list[tuple]:
        return self._on_a_replica(lambda url: list(self._query(sparql, None, None, None, None, hide=hide, url=url)))

    def _on_a_replica(self, call):
        """`call(url)` on the query URL, or on the first healthy replica (learning the engine must not
        fail because the first one is down)."""
        return call(self.query_url) if self.replicas is None else self.replicas.run(call)

    def _holds(self, iri: str) -> bool:
        """Whether graph `iri` holds a triple."""
        return self._query(f"ASK {{ GRAPH {NamedNode(iri)} {{ ?s ?p ?o }} }}", None, None, None, None, hide=True)

    def noted_empty(self, iri: str) -> bool:
        """As Store.noted_empty: noted in Dialect.created_graph, by the update that left graph `iri` empty."""
        if not self.dialect.created_graph:
            return False
        return self._query(f"ASK {{ GRAPH <{self.dialect.created_graph}> {{ {NamedNode(iri)} ?p ?o }} }}", None, None,
                           None, None, hide=False)

    def _send(self, url: str, fields: list[tuple[str, str]], *, accept: str, deadline: float | None):
        """Every request to the engine goes through here (the place for replicas and retries to come)."""
        return post(url, fields, accept=accept, deadline=deadline, credentials=self.credentials)

    def _deadline(self, timeout: float | None) -> float | None:
        seconds = timeout or self.timeout
        return None if seconds is None else time.monotonic() + seconds

    def _timed_out(self, seconds: float | None, *, answered: bool = True) -> QueryTimeout:
        """The time limit passed: on a query (the engine's or ours, in the embedded store's words) or before the
        engine ever answered (a store that hangs)."""
        if not answered:
            return QueryTimeout(f"{shown_url(self.query_url)} did not answer"
                                + (f" within {seconds:g}s" if seconds else ""))
        return QueryTimeout.stopped(seconds)


def _full_is_cut(result, limit: int):
    """`result` (Solutions), taken as cut once it has given `limit` rows (see _query)."""
    def rows(inner):
        for count, row in enumerate(inner, 1):
            if count >= limit:
                result.cut = True
            yield row

    if isinstance(result, Solutions):
        result.rows = rows(result.rows)
    return result


def _within(error: Exception, text: str) -> Exception:
    """A syntax error placed within `text`: at most on its last line (Virtuoso puts the end one line further),
    and at most one column past that line's end (the engine read a LIMIT the text does not have)."""
    if not isinstance(error, QuerySyntaxError) or error.line is None:
        return error
    lines = text.split("\n")
    if error.line > len(lines):
        return QuerySyntaxError(error.message, line=len(lines), column=None)
    if error.column is not None and error.column > len(lines[error.line - 1]) + 1:
        return QuerySyntaxError(error.message, line=error.line, column=None)
    return error
