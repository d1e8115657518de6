"""Every character XML 1.0 allows survives every format the project writes, read back by a parser that is
not the writer: ElementTree, the json and csv modules, rdflib.

The characters go as literals of a memory store, in chunks (one row, or one triple, per chunk), through
SPARQL results (JSON, XML, CSV, TSV), every graph syntax of a CONSTRUCT, the store's dump, and the build's
serialisations. CR, TAB, LF, U+0085 and U+2028 head the first chunk: the ones readers most often turn
into something else (an XML parser reads a raw CR as LF; str.splitlines() cuts at U+0085 and U+2028).
"""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib

from kg import results, streaming
from kg.build import serialize as serialize_build
from kg.results import GRAPH_FORMATS, SOLUTION_FORMATS, FormatError
from kg.query import QueryService
from kg.store.oxigraph import OxigraphStore

EX = "http://example.org/chars/"
HARD = "\r\t\n\x85\u2028\u2029\r\n"
CHUNK = 4096
SRX = "{http://www.w3.org/2005/sparql-results#}"


def xml_characters():
    """Every character of XML 1.0's Char production, in order."""
    yield from "\t\n\r"
    for low, high in ((0x20, 0xD7FF), (0xE000, 0xFFFD), (0x10000, 0x10FFFF)):
        yield from map(chr, range(low, high + 1))


def chunks() -> dict[str, str]:
    """Subject IRI -> a literal's text; together they hold every XML character, the hard ones first."""
    text = HARD + "".join(xml_characters())
    return {f"{EX}s{number:04d}": text[start:start + CHUNK]
            for number, start in enumerate(range(0, len(text), CHUNK))}


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return chunks()


@pytest.fixture(scope="module")
def service(texts):
    store = OxigraphStore()
    store.extend(ox.Quad(ox.NamedNode(s), ox.NamedNode(EX + "p"), ox.Literal(text), ox.NamedNode(EX + "g"))
                 for s, text in texts.items())
    yield QueryService(store)
    store.close()


SELECT = f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}"
CONSTRUCT = f"CONSTRUCT WHERE {{ ?s <{EX}p> ?o }}"


def read_solutions(fmt: str, data: bytes) -> dict[str, str]:
    """Subject -> literal text, from SPARQL results in `fmt`, by the standard library (and rdflib for the
    Turtle-syntax terms of TSV)."""
    if fmt == "json":
        rows = json.loads(data.decode("utf-8"))["results"]["bindings"]
        return {row["s"]["value"]: row["o"]["value"] for row in rows}
    if fmt == "xml":
        found = {}
        for result in ET.fromstring(data).iter(SRX + "result"):
            cells = {binding.get("name"): binding[0] for binding in result.iter(SRX + "binding")}
            found[cells["s"].text] = cells["o"].text or ""
        return found
    text = data.decode("utf-8")
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0] == ["s", "o"]
        return {s: o for s, o in rows[1:]}
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert rows[0] == ["?s", "?o"]
    found = {}
    for subject, obj in rows[1:]:
        graph = rdflib.Graph().parse(data=f"{subject} <{EX}p> {obj} .\n", format="nt")
        (s, _, o), = graph
        found[str(s)] = str(o)
    return found


RDFLIB = {"turtle": "turtle", "ntriples": "nt", "jsonld": "json-ld", "rdfxml": "xml", "trig": "trig",
          "nquads": "nquads"}


def read_graph(fmt: str, data: bytes) -> dict[str, str]:
    """Subject -> literal text, from a graph or dataset syntax, by rdflib."""
    target = rdflib.Dataset() if fmt in ("trig", "nquads") else rdflib.Graph()
    target.parse(data=data, format=RDFLIB[fmt])
    triples = target.quads() if fmt in ("trig", "nquads") else ((s, p, o, None) for s, p, o in target)
    return {str(s): str(o) for s, p, o, _ in triples if str(p) == EX + "p"}


@pytest.mark.parametrize("fmt", list(SOLUTION_FORMATS))
def test_every_character_survives_every_result_format(service, texts, fmt):
    data = service.query(SELECT).serialize(fmt)
    assert read_solutions(fmt, data) == texts


@pytest.mark.parametrize("fmt", list(GRAPH_FORMATS))
def test_every_character_survives_every_graph_syntax(service, texts, fmt):
    data = service.query(CONSTRUCT).serialize(fmt, prefixes={"ex": EX})
    assert read_graph(fmt, data) == texts


@pytest.mark.parametrize("kind, fmt", [("solutions", fmt) for fmt in SOLUTION_FORMATS] +
                         [("graph", fmt) for fmt in streaming.STREAMABLE_GRAPHS])
def test_every_character_survives_a_streamed_answer(service, texts, kind, fmt, monkeypatch):
    monkeypatch.setattr(streaming, "BATCH_ROWS", 7)  # many batches, as a big answer is written
    monkeypatch.setattr(streaming, "BATCH_CHARACTERS", 5000)
    monkeypatch.setattr(results, "JSON_BATCH", 7)  # rows a JSON encoder call takes
    result = service.query(SELECT if kind == "solutions" else CONSTRUCT)
    rows = result.rows if kind == "solutions" else result.triples
    pieces = list(streaming.chunks(kind, ["s", "o"], rows, fmt, limit=None, prefixes={"ex": EX}))
    assert len(pieces) > 3
    read = read_solutions if kind == "solutions" else read_graph
    assert read(fmt, b"".join(pieces)) == texts


@pytest.mark.parametrize("fmt", ["trig", "nquads", "turtle", "ntriples"])
def test_every_character_survives_a_dump(service, texts, fmt):
    out = io.BytesIO()
    service.store.dump(out, format=fmt, **({"graph": EX + "g"} if fmt in ("turtle", "ntriples") else {}))
    assert read_graph(fmt, out.getvalue()) == texts


@pytest.mark.parametrize("fmt", ["nquads", "trig", "jsonld"])
def test_every_character_survives_the_builds_serialisations(texts, fmt):
    dataset = rdflib.Dataset()
    graph = dataset.graph(rdflib.URIRef(EX + "g"))
    for s, text in texts.items():
        graph.add((rdflib.URIRef(s), rdflib.URIRef(EX + "p"), rdflib.Literal(text)))
    data = serialize_build(dataset, fmt)
    quads = ox.parse(data, format={"nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
                                   "jsonld": ox.RdfFormat.JSON_LD}[fmt])
    assert {q.subject.value: q.object.value for q in quads} == texts  # rdflib wrote it: pyoxigraph reads


@pytest.mark.parametrize("fmt", ["xml", "rdfxml"])
def test_what_xml_cannot_carry_is_refused_not_written(fmt):
    store = OxigraphStore()
    store.update(f'INSERT DATA {{ <{EX}s> <{EX}p> "bell\\u0007" }}')
    result = QueryService(store).query(CONSTRUCT if fmt == "rdfxml" else SELECT)
    with pytest.raises(FormatError, match="XML"):
        result.serialize(fmt)


def test_json_results_write_each_term_as_its_sparql_json_binding_dumped():
    # The JSON writer builds its text without the binding dictionaries (kg.results._term_text): it must read
    # exactly as those dictionaries dumped, escapes and all.
    literal, iri = "a\"\\\n\x00\x1f\u2028\u2029é\U0001F600", "http://e.example/é\u2028x"
    terms = [ox.NamedNode(iri), ox.Literal(literal), ox.Literal(literal, language="en-GB"),
             ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
             ox.BlankNode("b0"), ox.Triple(ox.NamedNode(iri), ox.NamedNode(iri), ox.Literal(literal, language="fr")),
             None]
    rows = [(first, second) for first in terms for second in terms]
    text = "".join(results.solution_text("json", ["a", "b\u00e9"], rows, results.Result(kind="solutions")))
    expected = [{name: results.term_json(term) for name, term in zip(["a", "b\u00e9"], row) if term is not None}
                for row in rows]
    assert json.loads(text)["results"]["bindings"] == expected
    assert "\u2028" not in text and "\u2029" not in text
    written = json.dumps(expected, ensure_ascii=False, separators=(",", ":"))[1:-1]
    assert written.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") in text
