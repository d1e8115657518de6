"""Answers too big to hold: serialised a batch of rows at a time, so memory stays flat whatever their size.

Each format is written as head, rows, tail, with the rows' own serialisations from kg.results, so a
streamed answer reads exactly as a whole one would. A cut by the row cap is told in the tail where the
format can carry it (JSON's `"truncated": true`); headers are sent before it is known.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from xml.sax.saxutils import quoteattr

import pyoxigraph as ox

from kg.results import GRAPH_FORMATS, FormatError, _csv_text, _xml_term, term_json

BATCH_ROWS = 1000
# Graph syntaxes that stay valid when batches are written one after the other (Turtle and TriG repeat
# their prefix lines, which the syntax allows); JSON-LD and RDF/XML are one document and are not streamed.
STREAMABLE_GRAPHS = ("ntriples", "nquads", "turtle", "trig")


class Cut:
    """How a stream ended: rows written and whether the row cap stopped it."""

    def __init__(self):
        self.count, self.truncated = 0, False


def can_stream(kind: str, fmt: str) -> bool:
    return kind == "solutions" or kind == "graph" and fmt in STREAMABLE_GRAPHS


def chunks(kind: str, variables: list[str], rows: Iterable, fmt: str, *, limit: int | None,
           prefixes: dict[str, str] | None = None, cut: Cut | None = None) -> Iterator[bytes]:
    """The answer's bytes, a batch at a time; `cut` (if given) says at the end how it went."""
    cut = cut if cut is not None else Cut()
    batches = _batches(rows, limit, cut)
    if kind == "graph":
        yield from _graph(batches, fmt, prefixes)
        return
    writer = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}.get(fmt)
    if writer is None:
        raise FormatError(f"a solutions result cannot be written as {fmt}")
    yield from writer(variables, batches, cut, limit)


def _batches(rows: Iterable, limit: int | None, cut: Cut) -> Iterator[list]:
    iterator = iter(rows)
    while True:
        room = BATCH_ROWS if limit is None else min(BATCH_ROWS, limit - cut.count)
        batch = list(islice(iterator, room)) if room > 0 else []
        if not batch:
            if limit is not None and cut.count >= limit and next(iterator, None) is not None:
                cut.truncated = True
            close = getattr(iterator, "close", None)
            if close is not None:
                close()  # stops the engine's work on rows nobody will read
            return
        cut.count += len(batch)
        yield batch


def _json(variables, batches, cut: Cut, limit) -> Iterator[bytes]:
    yield json.dumps({"head": {"vars": variables}}, ensure_ascii=False, separators=(",", ":"))[:-1].encode() \
        + b',"results":{"bindings":['
    first = True
    for batch in batches:
        text = ",".join(json.dumps({name: term_json(term) for name, term in zip(variables, row) if term is not None},
                                   ensure_ascii=False, separators=(",", ":")) for row in batch)
        yield (text if first else "," + text).encode("utf-8")
        first = False
    tail = "]}"
    if cut.truncated:
        tail += f',"truncated":true,"limit":{limit}'
    yield (tail + "}").encode()


def _xml(variables, batches, cut: Cut, limit) -> Iterator[bytes]:
    head = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    head += [f"<variable name={quoteattr(name)}/>" for name in variables]
    yield ("".join(head) + "</head>\n<results>\n").encode()
    for batch in batches:
        out = []
        for row in batch:
            out.append("<result>")
            out += [f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
                    for name, term in zip(variables, row) if term is not None]
            out.append("</result>\n")
        yield "".join(out).encode("utf-8")
    yield b"</results>\n</sparql>\n"


def _csv(variables, batches, cut: Cut, limit) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(variables)
    yield buffer.getvalue().encode("utf-8")
    for batch in batches:
        buffer.seek(0)
        buffer.truncate()
        for row in batch:
            writer.writerow([_csv_text(term) for term in row])
        yield buffer.getvalue().encode("utf-8")


def _tsv(variables, batches, cut: Cut, limit) -> Iterator[bytes]:
    yield ("\t".join(f"?{name}" for name in variables) + "\n").encode()
    for batch in batches:
        yield "".join("\t".join("" if term is None else str(term) for term in row) + "\n"
                      for row in batch).encode("utf-8")


def _graph(batches, fmt: str, prefixes) -> Iterator[bytes]:
    _, rdf_format = GRAPH_FORMATS[fmt]
    options = {"prefixes": prefixes} if prefixes and rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) \
        else {}
    for batch in batches:
        if rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
            batch = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in batch]
        try:
            yield ox.serialize(batch, format=rdf_format, **options)
        except (OSError, ValueError) as error:
            raise FormatError(f"{fmt} cannot carry this result ({error})") from None
