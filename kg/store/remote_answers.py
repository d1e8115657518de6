"""An engine's answer to a query read as a result as it arrives (SPARQL JSON rows, a Turtle or N-Triples
graph), a deadline or a broken answer becoming the library's errors. A part of RemoteStore (kg.store.remote)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pyoxigraph

from kg.errors import QueryTimeout, RemoteStoreFailure, StoreError
from kg.store import sparql_json
from kg.store.base import QueryResult, Solutions, Triples
from kg.store.dialects import Dialect
from kg.store.remote_failures import error_for
from kg.store.remote_http import DeadlinePassed

SOLUTIONS = "application/sparql-results+json"
# How kg serve says its row cap cut an answer (another sahel-kg server as a store is an engine like any other):
# a header on a whole answer; at the end of a streamed one, a last JSON member `"truncated": true` or, in
# Turtle and N-Triples, a last line of comment (kg.streaming).
CUT_HEADER = "X-Result-Truncated"
CUT_COMMENT = re.compile(rb"(?:\A|\n)# truncated: [^\n]*\n?\Z")
TAIL_BYTES = 512  # of a graph answer, kept to find that comment


class AnswerReading:
    """_result and the readers behind it, over RemoteStore's own `dialect` and `_timed_out`."""

    def _result(self, answer, dialect: Dialect, seconds: float | None) -> QueryResult:
        """The result `answer` (a successful one) holds: a boolean, Solutions or Triples read as they arrive."""
        if dialect.timeout_header and answer.headers.get(dialect.timeout_header[0]) == dialect.timeout_header[1]:
            answer.close()  # an "anytime" answer: partial, so no answer at all
            raise self._timed_out(seconds)
        cut = bool(dialect.cut_header and answer.headers.get(dialect.cut_header)) \
            or answer.headers.get(CUT_HEADER, "").strip().lower() == "true"
        if answer.media_type in (SOLUTIONS, "application/json"):
            members = {}
            head, rows = self._read(lambda chunks: sparql_json.read(chunks, members=members), answer, seconds)
            if rows is None:
                return head
            if head == ["__ASK_RETVAL"]:  # Virtuoso answers ASK with default-graph-uri as a one-row table
                return any(row[0] is not None and row[0].value not in ("0", "false") for row in rows)
            result = Solutions(head, iter(()), cut=cut)
            result.rows = _told(self._guarded(rows, answer, seconds), result,
                                lambda: members.get("truncated") is True)
            return result
        if answer.media_type in ("text/turtle", "application/turtle", "application/n-triples", "text/plain"):
            fmt = pyoxigraph.RdfFormat.TURTLE if "turtle" in answer.media_type else pyoxigraph.RdfFormat.N_TRIPLES
            stream = ChunkStream(answer.chunks())
            quads = pyoxigraph.parse(stream, fmt)
            triples = (pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads)
            result = Triples(iter(()), cut=cut)
            result.triples = _told(self._guarded(triples, answer, seconds), result,
                                   lambda: CUT_COMMENT.search(stream.tail) is not None)
            return result
        answer.close()
        raise RemoteStoreFailure(f"{answer.url} answered with {answer.media_type!r}, which this client does not read: "
                                 "it asks for SPARQL JSON results, or Turtle or N-Triples for a graph")

    def _read(self, reader, answer, seconds):
        try:
            return reader(answer.chunks())
        except DeadlinePassed:
            raise self._timed_out(seconds) from None
        except sparql_json.MalformedAnswer as error:
            raise self._malformed(error, error.text, answer, seconds) from None

    def _guarded(self, items, answer, seconds) -> Iterator:
        """Rows or triples as they are read; the library's errors for a deadline or a broken answer."""
        try:
            yield from items
        except DeadlinePassed:
            raise self._timed_out(seconds) from None
        except sparql_json.MalformedAnswer as error:
            raise self._malformed(error, error.text, answer, seconds) from None
        except SyntaxError as error:  # pyoxigraph's parser, on a graph answer
            raise self._malformed(error, str(error), answer, seconds) from None
        finally:
            answer.close()

    def _malformed(self, error: Exception, tail: str, answer, seconds: float | None) -> StoreError:
        found = error_for(tail, 200, answer.url, self.dialect, seconds=seconds)
        if isinstance(found, QueryTimeout):  # an engine that says so at the end of a cut answer (oxigraph serve)
            return found
        return RemoteStoreFailure(f"{answer.url} sent a malformed answer: {error}")


def of_form(result: QueryResult, form: str | None, answer) -> QueryResult:
    """`result`, read from `answer`, where it is the kind of answer a query of `form` has; else RemoteStoreFailure,
    the answer closed (an engine that answered a SELECT with a boolean: its reader would fail on it with no word of
    the store)."""
    kind = {"SELECT": Solutions, "ASK": bool, "CONSTRUCT": Triples, "DESCRIBE": Triples}.get(form or "")
    if kind is not None and not isinstance(result, kind):
        answer.close()  # rows never read: their reader's own closing would not run
        url = answer.url
        given = "a boolean" if isinstance(result, bool) else "solutions" if isinstance(result, Solutions) else "a graph"
        article = "an" if form == "ASK" else "a"
        raise RemoteStoreFailure(f"{url} answered {article} {form} query with {given}, which is no answer to it")
    return result


def _told(items: Iterator, result, cut: Callable[[], bool]) -> Iterator:
    """`items`, then `result.cut` set where the answer's end says it was cut (known once all is read)."""
    yield from items
    if cut():
        result.cut = True


class ChunkStream:
    """A binary file over chunks, for pyoxigraph's parser to read a graph answer as it arrives."""

    def __init__(self, chunks: Iterator[bytes]):
        self.chunks, self.pending, self.tail = chunks, b"", b""  # tail: the last bytes read

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self.pending) < size:
            chunk = next(self.chunks, b"")
            if not chunk:
                break
            self.pending += chunk
            self.tail = (self.tail + chunk)[-TAIL_BYTES:]
        data, self.pending = (self.pending, b"") if size < 0 else (self.pending[:size], self.pending[size:])
        return data
