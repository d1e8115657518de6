"""Answers too big to hold: serialised a batch of rows at a time, so memory stays flat whatever their size.

The formats are kg.results' own, written as the rows are read, so a streamed answer reads exactly as a
whole one would. Headers are sent before a cut by the row cap is known, so it is told in the tail where
the format can carry it: JSON's `"truncated": true`, a comment in XML, Turtle, TriG, N-Triples and N-Quads.
CSV and TSV have no such place: there, as everywhere, X-Result-Limit gives the cap and a client counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from kg.graph_text import cut_note
from kg.results import check_format, empty_graph, graph_bytes, solution_text

BATCH_ROWS = 1000
BATCH_CHARACTERS = 1 << 16  # text of solutions is handed on in pieces of about this size
# Graph syntaxes that stay valid when batches are written one after the other (Turtle and TriG with their
# prefix lines written once, at the top); JSON-LD and RDF/XML are one document and are not streamed.
STREAMABLE_GRAPHS = ("ntriples", "nquads", "turtle", "trig")


class Cut:
    """How a stream ended: rows written, whether the row cap (or the store, `source.cut`) cut it, and that cap."""

    def __init__(self, limit: int | None = None, *, source=None):
        self.count, self.truncated, self.limit, self.source = 0, False, limit, source


def can_stream(kind: str, fmt: str) -> bool:
    return kind == "solutions" or kind == "graph" and fmt in STREAMABLE_GRAPHS


def capped(rows: Iterable, limit: int | None, cut: Cut) -> Iterator:
    """`rows` up to `limit`, counted in `cut`, which notes whether more were left; the rest are not read
    (closing the source stops the engine's work on them)."""
    cut.limit = limit
    iterator = iter(rows)
    try:
        for row in iterator:
            if limit is not None and cut.count >= limit:
                cut.truncated = True
                return
            cut.count += 1
            yield row
        if getattr(cut.source, "cut", False):  # a remote engine cut it at a row limit of its own
            cut.truncated = True
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def chunks(kind: str, variables: list[str], rows: Iterable, fmt: str, *, limit: int | None,
           prefixes: dict[str, str] | None = None, cut: Cut | None = None) -> Iterator[bytes]:
    """The answer's bytes, a batch at a time; `cut` (if given) says at the end how it went."""
    check_format(kind, fmt)
    cut = cut if cut is not None else Cut()
    rows = capped(rows, limit, cut)
    if kind == "graph":
        yield from _graph(rows, fmt, prefixes)
        if cut.truncated:
            yield cut_note(fmt, cut.limit, cut.count)
        return
    batch, size = [], 0
    for piece in solution_text(fmt, variables, rows, cut):
        batch.append(piece)
        size += len(piece)
        if size >= BATCH_CHARACTERS:
            yield "".join(batch).encode("utf-8")
            batch, size = [], 0
    yield "".join(batch).encode("utf-8")


def _graph(triples: Iterator, fmt: str, prefixes) -> Iterator[bytes]:
    if fmt not in STREAMABLE_GRAPHS:
        yield graph_bytes(list(triples), fmt, prefixes)
        return
    header = None
    for batch in iter(lambda: list(islice(triples, BATCH_ROWS)), []):
        data = graph_bytes(batch, fmt, prefixes)
        if header is None:
            header = _prefix_lines(data)
            yield data
        else:  # every batch is written with the same prefixes, so its @prefix lines are the first batch's
            yield data.removeprefix(header)
    if header is None:  # no triple: Turtle's and TriG's prefix lines all the same, as a whole answer has them
        yield empty_graph(fmt, prefixes)


def _prefix_lines(data: bytes) -> bytes:
    """The @prefix lines pyoxigraph writes at the top of a Turtle or TriG document (no triple line starts so)."""
    end = 0
    while data.startswith(b"@prefix ", end):
        end = data.index(b"\n", end) + 1
    return data[:end]
