"""The small interface every store implements, and the result objects its queries return.

Every backend hands out pyoxigraph terms (NamedNode, BlankNode, Literal, Triple), so whatever
serialises results downstream sees one term model whichever store answered.
"""

from __future__ import annotations

import abc
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from os import PathLike
from typing import BinaryIO, Union

import pyoxigraph

from kg.errors import InputLimitError, ParseError, QuerySyntaxError, quoted
from kg.parse_messages import sentence
from kg.untrusted import (character_column, explained, guard, jsonld_dropped, refuse_deep, skip_bom,
                          undecodable, without_bom)

Term = Union[pyoxigraph.NamedNode, pyoxigraph.BlankNode, pyoxigraph.Literal, pyoxigraph.Triple]
Source = Union[str, PathLike, BinaryIO]

# The formats `load` reads and `dump` writes, by the names the CLI and the API use.
RDF_FORMATS = {
    "turtle": pyoxigraph.RdfFormat.TURTLE,
    "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
    "nquads": pyoxigraph.RdfFormat.N_QUADS,
    "trig": pyoxigraph.RdfFormat.TRIG,
    "jsonld": pyoxigraph.RdfFormat.JSON_LD,
    "rdfxml": pyoxigraph.RdfFormat.RDF_XML,
}
DUMP_FORMATS = ("trig", "nquads", "turtle", "ntriples")


@dataclass
class Solutions:
    """A SELECT result: the variable names, then rows (tuples of terms, None where unbound), read once.

    `cut` says the store itself cut the rows at a limit of its own (a remote engine's row limit).
    """

    variables: list[str]
    rows: Iterator[tuple]
    cut: bool = False

    def __iter__(self) -> Iterator[tuple]:
        return iter(self.rows)


@dataclass
class Triples:
    """A CONSTRUCT or DESCRIBE result: pyoxigraph.Triple objects, read once; `cut` as Solutions'."""

    triples: Iterator[pyoxigraph.Triple]
    cut: bool = False

    def __iter__(self) -> Iterator[pyoxigraph.Triple]:
        return iter(self.triples)


QueryResult = Union[Solutions, bool, Triples]


class Store(abc.ABC):
    """A quad store answering SPARQL 1.1: query, update, load, dump, graphs, count."""

    @abc.abstractmethod
    def query(self, sparql: str, *, default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None, timeout: float | None = None,
              limit: int | None = None) -> QueryResult:
        """Run a query: Solutions for SELECT, bool for ASK, Triples for CONSTRUCT/DESCRIBE.

        `default_graphs`/`named_graphs` are graph IRIs as in the protocol's default-graph-uri/named-graph-uri.
        `limit` says the caller reads at most that many rows, so a store may stop its work there.
        """

    @abc.abstractmethod
    def update(self, sparql: str) -> None:
        """Run a SPARQL 1.1 Update; a failing update changes nothing (see each backend for limits).

        Its WHERE reads the merge of the named graphs as its default graph; what it writes to the default
        graph goes to the declared graph kg.store.merge.DEFAULT_GRAPH.
        """

    @abc.abstractmethod
    def extend(self, quads: Iterable[pyoxigraph.Quad], *, large: bool = False) -> int:
        """Add quads as one change where the backend allows it; an error raised while iterating adds nothing.

        `large` says many quads are coming, so a backend may choose a bulk path (still all or nothing).
        """

    def replace_graphs(self, added: dict[str, list[pyoxigraph.Triple]], *, dropped: Iterable[str] = (),
                       large: bool = False) -> None:
        """Drop the graphs `dropped`, then add each graph's triples, as one update; `large` as for extend."""
        texts = {iri: " ".join(f"{t} ." for t in triples) for iri, triples in added.items()}
        self.update("".join(f"DROP SILENT GRAPH <{iri}> ;\n" for iri in dropped) + "INSERT DATA { "
                    + " ".join(f"GRAPH <{iri}> {{ {text} }}" for iri, text in texts.items() if text) + " }")

    def load(self, source: Source, *, format: str, graph: str | None = None,
             base_iri: str | None = None) -> int:
        """Add the RDF in `source` (a path or binary file), into `graph` if given; return the quads read.

        A source that does not parse loads nothing and raises ParseError.
        """
        return self.extend(read_quads(source, format=format, graph=graph, base_iri=base_iri))

    @abc.abstractmethod
    def dump(self, output: str | PathLike | BinaryIO, *, format: str, graph: str | None = None) -> None:
        """Write the dataset, its named graphs (trig, nquads), or one graph (any format; "" for the
        declared default graph). A path's file is replaced only once the dump is whole."""

    @abc.abstractmethod
    def graphs(self) -> list[str]:
        """The IRIs of the named graphs that hold quads (the declared default graph among them)."""

    @abc.abstractmethod
    def count(self, graph: str | None = None) -> int:
        """How many quads the named graphs hold, or triples `graph` holds ("" for the declared default graph)."""

    keeps_empty_graphs = True  # a named graph may exist with no triple (CREATE GRAPH); else it exists while it holds one

    def noted_empty(self, iri: str) -> bool:
        """Whether graph `iri` exists holding no triple by the store's note of it, where the engine keeps no empty graph."""
        return False

    def missing_graphs(self, iris: list[str]) -> list[str]:
        """Those of the named graphs `iris` the store does not have (one kept empty it has); [] where it cannot tell."""
        return []

    def changed_at(self) -> float | None:
        """When the data last changed (a Unix time), or None where the store cannot tell (remote)."""
        return None

    def close(self) -> None:
        """Release the store (files, connections); it is not usable afterwards."""

    def __len__(self) -> int:
        return self.count()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def rdf_format(name: str, allowed: Iterable[str] = RDF_FORMATS) -> pyoxigraph.RdfFormat:
    """The pyoxigraph format for a format name, or ValueError naming the ones allowed."""
    if name not in allowed:
        raise ValueError(f"unknown RDF format {quoted(name)}; use one of: {', '.join(allowed)}")
    return RDF_FORMATS[name]


# pyoxigraph's three ways of placing an error: at line 1 column 5; at line 1 between columns 5 and 9;
# between line 1 column 5 and line 3 column 1.
_PARSER_POSITION = re.compile(r"^Parser error (?:at line \d+ (?:column \d+|between columns \d+ and \d+)"
                              r"|between line \d+ column \d+ and line \d+ column \d+): ")
# pyoxigraph says "error at 5:2: ..."; Virtuoso says "SPARQL compiler, line 5: ...".
_POSITION = re.compile(r"(?:error at (\d+):(\d+)|line (\d+))")


def syntax_error(message: str) -> QuerySyntaxError:
    """A QuerySyntaxError carrying the line and column found in an engine's message, if any."""
    found = _POSITION.search(message)
    if not found:
        return QuerySyntaxError(sentence(message))
    line = found.group(1) or found.group(3)
    column = found.group(2)
    if found.start() == 0:  # "error at 5:2: ..." : the position goes into line/column, not the text
        message = message[found.end():].lstrip(": ")
    return QuerySyntaxError(sentence(message), line=int(line), column=int(column) if column else None)


# Put after an update or a query so that even a valid one cannot run: no SPARQL token holds a backtick (the
# newline ends a trailing comment first). The engine parses a whole text before it runs any of it.
_NEVER_VALID = "\n`"


def check_update_syntax(text: str) -> None:
    """Raise QuerySyntaxError (line and column in `text`) where Oxigraph's parser rejects the update; run nothing.

    Its errors at the end of the text count too (a variable in INSERT DATA is reported there); one only
    past it (a text cut short) passes, for kg.store.update_check once the rewrite has placed what it can.
    Nest brackets no deeper than kg.store.merge.MAX_NESTING first: the parser recurses, and a deep enough
    text overflows its stack.
    """
    faults_within(pyoxigraph.Store().update, text)


def faults_within(parse, text: str) -> None:
    """Raise the QuerySyntaxError that `parse` (a pyoxigraph Store's update or query) meets within `text`, made
    never valid first so that nothing runs; pass where it meets none before the text's end."""
    try:
        parse(text + _NEVER_VALID)
    except SyntaxError as error:
        found = syntax_error(str(error))
        if found.line is not None and found.line <= text.count("\n") + 1:
            raise found from None


def read_quads(source: Source, *, format: str, graph: str | None = None, base_iri: str | None = None,
               max_bytes: int | None = None, seconds: float | None = None) -> Iterator[pyoxigraph.Quad]:
    """Parse `source` lazily into quads, put into `graph` if given; a syntax error raises ParseError.

    Blank nodes get fresh labels, so two files that both say `_:b1` do not merge. A leading byte-order mark
    is skipped, and RDF/XML with a DTD refused; reading past `max_bytes` or `seconds` raises InputLimitError
    (see kg.untrusted).
    """
    options = {"format": rdf_format(format), "base_iri": base_iri, "rename_blank_nodes": True,
               "without_named_graphs": graph is not None}
    path = os.fspath(source) if isinstance(source, (str, PathLike)) else None
    guarded = format == "rdfxml" or max_bytes is not None or seconds is not None
    opened = open(path, "rb") if path is not None else None
    reader = skip_bom(opened or source)
    if guarded:
        options["input"] = guard(reader, format=format, max_bytes=max_bytes, seconds=seconds, name=path)
    elif opened is not None and opened.seekable() and opened.tell() == 0:  # no mark to skip: pyoxigraph reads it faster
        opened.close()
        opened, options["path"] = None, path
    else:
        options["input"] = reader
    target = None if graph is None else pyoxigraph.NamedNode(graph)
    try:
        for quad in pyoxigraph.parse(**options):
            yield quad if target is None else pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, target)
    except SyntaxError as error:
        # Made by a call: held in a local here, the error would keep this frame (and, through its traceback, the
        # store a bulk load writes) alive until the cycle collector ran, and a store reopened at once was locked.
        raise _parse_error(error, path, byte_columns=format == "jsonld") from None
    except MemoryError as error:
        raise term_too_long(error, path) from None
    finally:
        if opened is not None:
            opened.close()


def _parse_error(error: SyntaxError, path: str | None, *, lines: bytes | None = None,
                 byte_columns: bool = False) -> ParseError:
    """The parser's error as ours; for bytes that are no UTF-8, naming the byte, from `lines` (the input) or
    else the file at `path` read anew; with `byte_columns` (the parser counted bytes), its column in characters."""
    found = explained(ParseError(parser_message(error), path=path, line=error.lineno, column=error.offset))
    if lines is None and path is None:
        return found
    found = undecodable(found, io.BytesIO(lines)) if lines is not None else undecodable(found, path=path)
    if byte_columns and not found.message.startswith("not UTF-8"):
        found = character_column(found, io.BytesIO(lines)) if lines is not None else character_column(found, path=path)
    return found


def parse_triples(data: bytes, *, format: str, base_iri: str | None = None, seconds: float | None = None,
                  name: str | None = None) -> list[pyoxigraph.Triple]:
    """The triples of one graph's serialisation (`format`: a kg format name, a leading byte-order mark
    skipped), blank nodes renamed apart.

    Raises ParseError (with line and column; also for JSON-LD that gives none though it holds data), or
    InputLimitError past `seconds` of parsing or for Turtle or JSON-LD nested deeper than kg.untrusted.MAX_NESTING.
    """
    quads = parse_quads(data, format=format, base_iri=base_iri, seconds=seconds, name=name, graphs=False)
    return [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads]


def parse_quads(data: bytes, *, format: str, base_iri: str | None = None, seconds: float | None = None,
                name: str | None = None, graphs: bool = True) -> list[pyoxigraph.Quad]:
    """The quads of a dataset's serialisation (N-Quads, TriG; a graph syntax gives the default graph's), as
    parse_triples reads them; with `graphs` False a named graph is a ParseError."""
    data = without_bom(data)
    refuse_deep(data, format=format, name=name)
    reader = guard(io.BytesIO(data), format=format, seconds=seconds, name=name, buffer=4096)
    try:
        quads = list(pyoxigraph.parse(reader, format=rdf_format(format), base_iri=base_iri,
                                      without_named_graphs=not graphs, rename_blank_nodes=True))
    except SyntaxError as error:
        raise _parse_error(error, name, lines=data, byte_columns=format == "jsonld") from None
    except MemoryError as error:
        raise term_too_long(error, name) from None
    if not quads and format == "jsonld" and (dropped := jsonld_dropped(data)):  # else a PUT would empty the graph
        raise ParseError(dropped, path=name)
    return quads


def term_too_long(error: MemoryError, path: str | None) -> InputLimitError:
    """pyoxigraph's parsers hold one term at most 16 MiB long, and raise MemoryError past it: our refusal.
    Any other MemoryError is raised again, as it is."""
    if "buffer maximal size" not in str(error):
        raise error
    return InputLimitError("a single term (a literal or an IRI) is longer than the RDF parser's limit of 16 MiB",
                           path=path)


def parser_message(error: SyntaxError) -> str:
    """pyoxigraph's parse message without its position, which goes into line and column instead."""
    return _PARSER_POSITION.sub("", error.msg)
