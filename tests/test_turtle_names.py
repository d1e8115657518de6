"""Turtle and TriG the service writes are read back by rdflib as the same triples (kg.turtle_names): IRIs that
need escapes, literals with newlines and quotes, language tags, datatypes and blank nodes."""

from __future__ import annotations

import io
from contextlib import nullcontext
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import rdflib
from hypothesis import given, settings, strategies as st

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH
from kg.dump import stream_dump
from kg.namespaces import PREFIXES
from kg.store import open_store
from kg.turtle_names import PlainNamesWriter, plain_names

SK, DBR, SAHEL, XSD = PREFIXES["sk"], PREFIXES["dbr"], PREFIXES["sahel"], PREFIXES["xsd"]
GRAPH = SK + "graph.of.D.C."  # a graph name that ends in a dot too
# Every line a case: IRIs under the project's prefixes ending in '.' (written sk:x\. by pyoxigraph, which rdflib
# does not read) or needing other escapes; literals that hold newlines, quotes, backslashes, text like a name.
DATA = f"""
<{DBR}Washington,_D.C.> <{SAHEL}locatedIn.> <{SK}U.S.> .
<{SK}a.b> <{SAHEL}label> "line one\\nline two \\"quoted\\" '''three''' \\\\ back\\\\. tab\\t cr\\r"@en-GB .
<{SK}Foo_(bar)> <{SAHEL}amount> "12.50"^^<{SK}unit.> .
<{SK}a~b!c> <{SAHEL}count> "7"^^<{XSD}integer> .
<{SK}x> <{SAHEL}note> "dbr:y\\\\. sk:z\\\\. <{SK}w.>"@fr .
<{SK}x> <{SAHEL}note> "plain"^^<{XSD}string> .
<{SK}x> <{SAHEL}note> "\u00e9t\u00e9 \U0001F600"@ar-Latn .
<http://example.org/a%20b/%7Bc%7D> <{SAHEL}p> _:one .
_:one <{SAHEL}p> _:two .
_:two <{SAHEL}p> _:one .
_:one <{SAHEL}p.> "3.5"^^<{XSD}decimal> .
"""


def normal(graph: rdflib.Graph) -> rdflib.Graph:
    """The graph with xsd:string literals written plain, as RDF 1.1 has them the same (rdflib keeps them apart)."""
    out = rdflib.Graph()
    for triple in graph:
        out.add(tuple(rdflib.Literal(str(term)) if isinstance(term, rdflib.Literal)
                      and term.datatype == rdflib.XSD.string else term for term in triple))
    return out


def expected() -> rdflib.Graph:
    return normal(rdflib.Graph().parse(data=DATA, format="nt"))


@pytest.mark.parametrize("accept, syntax", [("text/turtle", "turtle"), ("text/n3", "n3")])
def test_a_graph_store_get_in_turtle_is_read_back_by_rdflib_as_the_same_triples(empty_writer, accept, syntax):
    url = "/store?graph=" + quote(GRAPH, safe="")
    put = empty_writer.put(url, data=DATA.encode(), content_type="application/n-triples", headers=AUTH)
    assert put.status_code == 201, put.get_data(as_text=True)
    response = empty_writer.get(url, headers={"Accept": accept})
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "\\." not in text.replace("\\\\", "")  # no name ends in an escaped dot, nor holds one
    assert normal(rdflib.Graph().parse(data=text, format=syntax)).isomorphic(expected())


@pytest.mark.parametrize("accept, syntax", [("text/turtle", "turtle"), ("application/trig", "trig")])
def test_a_construct_answer_in_turtle_or_trig_is_read_back_by_rdflib(empty_writer, accept, syntax):
    url = "/store?graph=" + quote(GRAPH, safe="")
    assert empty_writer.put(url, data=DATA.encode(), content_type="application/n-triples", headers=AUTH).status_code == 201
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}"
    response = empty_writer.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    read = rdflib.Dataset().parse(data=response.get_data(as_text=True), format=syntax)
    assert normal(rdflib.Graph().parse(data=read.serialize(format="nt"), format="nt")).isomorphic(expected())


@pytest.mark.parametrize("ext, syntax", [("ttl", "turtle"), ("trig", "trig")])
def test_an_entity_document_in_turtle_or_trig_is_read_back_by_rdflib(empty_writer, ext, syntax):
    url = "/store?graph=" + quote(GRAPH, safe="")
    assert empty_writer.put(url, data=DATA.encode(), content_type="application/n-triples", headers=AUTH).status_code == 201
    response = empty_writer.get(f"/id/U.S..{ext}")
    assert response.status_code == 200, response.get_data(as_text=True)
    read = rdflib.Dataset().parse(data=response.get_data(as_text=True), format=syntax)
    assert (rdflib.URIRef(DBR + "Washington,_D.C."), rdflib.URIRef(SAHEL + "locatedIn."),
            rdflib.URIRef(SK + "U.S.")) in {triple[:3] for triple in read.quads()}


def test_a_dump_in_trig_is_read_back_by_rdflib_graph_names_too():
    with open_store("memory:") as store:
        store.extend(ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(GRAPH))
                     for t in ox.parse(DATA.encode(), format=ox.RdfFormat.N_TRIPLES))
        text = b"".join(stream_dump(lambda: nullcontext(store), "trig", gzip=False)).decode()
        single = io.BytesIO()
        store.dump(single, format="turtle", graph=GRAPH)
    dataset = rdflib.Dataset().parse(data=text, format="trig")
    assert [str(graph.identifier) for graph in dataset.graphs() if len(graph)] == [GRAPH]
    assert normal(dataset.graph(rdflib.URIRef(GRAPH))).isomorphic(expected())
    assert normal(rdflib.Graph().parse(data=single.getvalue().decode(), format="turtle")).isomorphic(expected())


LOCAL = st.text(alphabet="ab.-_~!,;()%\\:'\"é", max_size=6)
TEXT = st.text(alphabet="ab. \\\"'\n:sk", max_size=12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(LOCAL, LOCAL, st.one_of(LOCAL.map(lambda local: ("iri", local)),
                                                  TEXT.map(lambda text: ("text", text)))), min_size=1, max_size=4),
       st.integers(1, 7))
def test_rewritten_turtle_holds_the_same_triples_and_a_stream_of_pieces_gives_the_same_bytes(rows, piece):
    def iri(local):
        return ox.NamedNode(SK + quote(local, safe=".-_~!,;()'é:"))

    triples = [ox.Triple(iri(s), iri(p), iri(o[1]) if o[0] == "iri" else ox.Literal(o[1], language="en"))
               for s, p, o in rows]
    prefixes = {"sk": SK, "dbr": DBR}
    written = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    plain = plain_names(written, prefixes)
    assert {quad.triple for quad in ox.parse(plain, format=ox.RdfFormat.TURTLE)} == set(triples)
    read = rdflib.Graph().parse(data=plain.decode(), format="turtle")
    assert {tuple(str(term) for term in triple) for triple in read} == \
        {(t.subject.value, t.predicate.value, t.object.value) for t in triples}
    sink = io.BytesIO()
    writer = PlainNamesWriter(sink, prefixes)
    for start in range(0, len(written), piece):
        writer.write(written[start:start + piece])
    writer.finish()
    assert sink.getvalue() == plain
