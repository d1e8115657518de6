"""Query results and the SPARQL results formats (JSON, XML, CSV, TSV); a graph result is written by kg.graph_text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from itertools import islice
from dataclasses import dataclass, field
from functools import lru_cache

import pyoxigraph as ox

from kg.errors import FormatError
from kg.graph_text import GRAPH_FORMATS, cut_note, graph_bytes
from kg.xml_text import xml_attribute, xml_text

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD = "http://www.w3.org/2001/XMLSchema#"
# Literals SPARQL and Turtle write without quotes (grammar rules INTEGER, DECIMAL, DOUBLE, BooleanLiteral),
# each with the datatype it is read as: 3.5 is an xsd:decimal, not a double.
BARE_LITERALS = [(re.compile(r"[+-]?[0-9]+"), "integer"), (re.compile(r"[+-]?[0-9]*\.[0-9]+"), "decimal"),
                 (re.compile(r"[+-]?([0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"), "double"),
                 (re.compile(r"true|false"), "boolean")]

SOLUTION_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


@dataclass
class Result:
    """A finished query result: solutions, a boolean, or triples; `truncated` when the row cap cut it."""

    kind: str  # "solutions", "boolean" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    boolean: bool | None = None
    triples: list = field(default_factory=list)
    truncated: bool = False
    limit: int | None = None
    elapsed: float = 0.0
    unknown_terms: list[str] = field(default_factory=list)  # see QueryService.unknown_terms
    absent_graphs: list[str] = field(default_factory=list)  # see QueryService.absent_graphs

    def __len__(self) -> int:
        return len(self.rows) if self.kind == "solutions" else len(self.triples) if self.kind == "graph" else 1

    def formats(self) -> dict[str, str]:
        """The format names this result can be written in, with their media types."""
        return formats(self.kind)

    def serialize(self, fmt: str, *, prefixes: dict[str, str] | None = None) -> bytes:
        """The result in format `fmt` (a key of formats())."""
        check_format(self.kind, fmt)
        if self.kind == "graph":
            data = graph_bytes(self.triples, fmt, prefixes) if self.triples else empty_graph(fmt, prefixes)
            return data + cut_note(fmt, self.limit, len(self.triples)) if self.truncated else data
        if self.kind == "boolean":
            return boolean_text(fmt, self.boolean).encode("utf-8")
        return "".join(solution_text(fmt, self.variables, self.rows, self)).encode("utf-8")


def empty_graph(fmt: str, prefixes: dict[str, str] | None) -> bytes:
    """A graph of no triples: in Turtle and TriG its prefix lines, as Fuseki writes it (an empty body read as no
    answer at all: the query editor printed its response object); else what the writer writes."""
    if fmt not in ("turtle", "trig") or not prefixes:
        return graph_bytes([], fmt, prefixes)
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in prefixes.items()).encode("utf-8")


def formats(kind: str) -> dict[str, str]:
    """The format names a result of `kind` can be written in, with their media types."""
    if kind == "graph":
        return {name: media for name, (media, _) in GRAPH_FORMATS.items()}
    return dict(SOLUTION_FORMATS)


def check_format(kind: str, fmt: str) -> None:
    """FormatError unless a result of `kind` can be written in `fmt`."""
    if fmt not in formats(kind):
        raise FormatError(f"a {kind} result cannot be written as {fmt}; use one of: {', '.join(formats(kind))}")


def boolean_text(fmt: str, value: bool) -> str:
    """An ASK answer in a SPARQL results format."""
    word = "true" if value else "false"
    if fmt == "json":
        return f'{{"head":{{}},"boolean":{word}}}'
    if fmt == "xml":
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head></head>\n'
                f"<boolean>{word}</boolean>\n</sparql>\n")
    return f"_askResult\r\n{word}\r\n" if fmt == "csv" else f"?_askResult\n{word}\n"


def solution_text(fmt: str, variables: list[str], rows, ending) -> Iterator[str]:
    """Solutions in a SPARQL results format, a piece at a time as `rows` are read. `ending` tells, once
    they are, whether the row cap cut them (.truncated, .limit): JSON says so in a last member, XML in a
    comment; CSV and TSV have no place for it."""
    return {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv}[fmt](variables, rows, ending)


def term_json(term) -> dict:
    """A term as a SPARQL 1.1 JSON results binding."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(term.subject),
                                            "predicate": term_json(term.predicate),
                                            "object": term_json(term.object)}}
    binding = {"type": "literal", "value": term.value}
    if term.language:
        binding["xml:lang"] = term.language
        if term.direction is not None:  # SPARQL 1.2 results: a directional string keeps its direction
            binding["its:dir"] = str(term.direction)
    elif term.datatype.value != XSD_STRING:
        binding["datatype"] = term.datatype.value
    return binding


def _json(variables, rows, ending) -> Iterator[str]:
    head, keys = _json_head(tuple(variables))
    yield head
    rows, separator, count = iter(rows), "", 0
    while batch := list(islice(rows, JSON_BATCH)):
        count += len(batch)
        text = ",".join(["{" + ",".join([key + _term_text(term) for key, term in zip(keys, row) if term is not None])
                         + "}" for row in batch])
        if "\u2028" in text or "\u2029" in text:  # valid either way; escaped, they keep JavaScript whole
            text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        yield separator + text
        separator = ","
    yield "]}"
    if ending.truncated:  # an extension member, known once the rows are read: clients that do not know it ignore it
        # the limit that cut the answer: the row cap, or the store's own, below it, which the rows given are
        limit = ending.limit if ending.limit is not None and count >= ending.limit else count
        yield f',"truncated":true,"limit":{limit}'
    yield "}"


@lru_cache(maxsize=256)
def _json_head(variables: tuple[str, ...]) -> tuple[str, list[str]]:
    """The start of a JSON results document up to its first row, and each variable's key, kept: the same few
    projections come again and again."""
    head = json.dumps({"head": {"vars": variables}}, separators=(",", ":"))[:-1] + ',"results":{"bindings":['
    return head, [_string(name) + ":" for name in variables]


# The string encoder json.dumps(ensure_ascii=False) calls: a row written here reads exactly as term_json's
# dictionaries dumped, at half the cost (no dictionaries are built).
_string = json.encoder.encode_basestring


def _term_text(term) -> str:
    """term_json(term) as compact JSON text."""
    kind = type(term)
    if kind is ox.NamedNode:
        return '{"type":"uri","value":' + _string(term.value) + "}"
    if kind is ox.Literal:
        text = '{"type":"literal","value":' + _string(term.value)
        if term.language:
            text += ',"xml:lang":' + _string(term.language)
            return text + ("}" if term.direction is None else ',"its:dir":"' + str(term.direction) + '"}')
        datatype = term.datatype.value
        return text + ("}" if datatype == XSD_STRING else ',"datatype":' + _string(datatype) + "}")
    return json.dumps(term_json(term), ensure_ascii=False, separators=(",", ":"))  # blank nodes, triple terms


JSON_BATCH = 256  # rows encoded by one json.dumps call


def _xml(variables, rows, ending) -> Iterator[str]:
    yield '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>'
    yield "".join(f"<variable name={xml_attribute(name)}/>" for name in variables) + "</head>\n<results>\n"
    count = 0
    for count, row in enumerate(rows, 1):
        yield "<result>" + "".join(f"<binding name={xml_attribute(name)}>{_xml_term(term)}</binding>"
                                   for name, term in zip(variables, row) if term is not None) + "</result>\n"
    yield "</results>\n"
    if ending.truncated:  # a comment, which every XML reader skips: the format has no element for it
        cap = f"the row cap of {ending.limit} rows" if count >= (ending.limit or 0) else "the store's own row limit"
        yield f"<!-- truncated: {cap} cut this answer -->\n"
    yield "</sparql>\n"


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{xml_text(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{xml_text(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    if term.language:
        direction = "" if term.direction is None else f' its:dir="{term.direction}" xmlns:its="{ITS}"'
        return f"<literal xml:lang={xml_attribute(term.language)}{direction}>{xml_text(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={xml_attribute(term.datatype.value)}>{xml_text(term.value)}</literal>"
    return f"<literal>{xml_text(term.value)}</literal>"


ITS = "http://www.w3.org/2005/11/its"  # the namespace of its:dir, a directional string's direction


def _csv(variables, rows, ending) -> Iterator[str]:
    yield ",".join(map(csv_field, variables)) + "\r\n"
    for row in rows:
        yield ",".join(csv_field(csv_text(term)) for term in row) + "\r\n"


# Quoted: what RFC 4180 says must be, and every other character some reader takes for the end of a line.
_CSV_QUOTED = re.compile('[",\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]')


def csv_field(text: str) -> str:
    return f'"{text.replace(chr(34), chr(34) * 2)}"' if _CSV_QUOTED.search(text) else text


def csv_text(term) -> str:
    """CSV carries lexical forms; a blank node as _:label and a triple term in its N-Triples form."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Triple):
        return triple_term_text(term)
    return term.value


def triple_term_text(term: ox.Triple) -> str:
    """A triple term as N-Triples writes it: str() wraps the triple terms inside it, not the term itself."""
    return f"<<( {term} )>>"


def _tsv(variables, rows, ending) -> Iterator[str]:
    yield "\t".join(f"?{name}" for name in variables) + "\n"
    for row in rows:
        yield "\t".join("" if term is None else _tsv_term(term) for term in row) + "\n"


def _tsv_term(term) -> str:
    return (triple_term_text(term) if isinstance(term, ox.Triple) else str(term)).translate(_TSV_ESCAPES)


# Terms are written in their N-Triples form, which escapes TAB, LF, CR and other controls; these too are
# escaped (as Turtle allows), since line-splitting readers end a line at them.
_TSV_ESCAPES = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})
