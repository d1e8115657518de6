"""RDF/XML answers are well-formed XML, or refused: a predicate RDF/XML cannot write as an element name
(`http://ex/1`, `http://ex/`: pyoxigraph would write `<oxprefix:>`) is a 406 problem over HTTP, on every
route that writes RDF/XML, and an error with exit status 1 in the console; what is accepted parses."""

from __future__ import annotations

import io
from urllib.parse import urlencode
from xml.parsers import expat

import pyoxigraph as ox
import pytest
import rdflib

from api_fixtures import make_app, article_store, problem  # noqa: F401
from kg.namespaces import PREFIXES
from kg.results import FormatError, graph_bytes
from kg.xml_check import rdfxml_can_write
from test_cli import on_terminal
from test_loading import installed, spec  # noqa: F401  (fixtures)

REFUSED = ["http://ex/1", "http://ex/", "urn:1", "http://ex/\u0300", "http://ex/\U00010000",
           "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/xmlns/foo"]
ACCEPTED = ["http://ex/p", "http://ex/1a2b", "http://ex/a?b=c", "http://ex/a-b.c", "urn:x", "http://ex/é",
            "http://ex/\u00b7a", "http://ex/#x", "http://www.w3.org/1999/02/22-rdf-syntax-ns#_1",
            "http://www.w3.org/XML/1998/namespace#lang"]
SUBJECT = ox.NamedNode("http://ex/s")
ENTITY = PREFIXES["sk"] + "odd-predicates"


def well_formed(data: bytes) -> rdflib.Graph:
    """The RDF/XML document read by expat (namespaces checked) and then by rdflib."""
    expat.ParserCreate(namespace_separator=" ").Parse(data, True)
    return rdflib.Graph().parse(io.BytesIO(data), format="xml")


@pytest.mark.parametrize("iri", REFUSED)
def test_a_predicate_rdfxml_cannot_write_is_refused_before_writing(iri):
    assert not rdfxml_can_write(iri)
    with pytest.raises(FormatError, match="RDF/XML cannot write the predicate"):
        graph_bytes([ox.Triple(SUBJECT, ox.NamedNode(iri), ox.Literal("1"))], "rdfxml", None)
    graph_bytes([ox.Triple(SUBJECT, ox.NamedNode(iri), ox.Literal("1"))], "turtle", None)  # other syntaxes: fine


@pytest.mark.parametrize("iri", ACCEPTED)
def test_every_accepted_predicate_gives_well_formed_rdfxml(iri):
    assert rdfxml_can_write(iri)
    graph = well_formed(graph_bytes([ox.Triple(SUBJECT, ox.NamedNode(iri), ox.Literal("1"))], "rdfxml", None))
    assert {str(p) for p in graph.predicates()} == {iri}


def test_the_check_is_linear_in_an_iris_length():
    assert not rdfxml_can_write("http://ex/" + "a" * 200_000 + "/")  # no quadratic regex search


@pytest.fixture
def odd(make_app):  # noqa: F811
    """An app whose store has, in a named graph, an entity of the article's namespace with one
    triple of each refused predicate, a graph of one refused triple, and one of an accepted one."""
    triples = "".join(f"<{ENTITY}> <{iri}> 1 .\n" for iri in REFUSED)
    seed = f"<http://ex/odd> {{\n{triples}}}\n<http://ex/one> {{ <http://ex/s> <http://ex/1> 1 . }}\n" \
        "<http://ex/fine> { <http://ex/s> <http://ex/1a> 1 . }\n"
    return make_app(seed=seed).test_client()


CONSTRUCT = "CONSTRUCT { <http://ex/s> <http://ex/1> 1 } WHERE {}"


@pytest.mark.parametrize("how", ["format", "accept", "form", "direct"])
def test_sparql_refuses_rdfxml_it_cannot_write(odd, how):
    if how == "format":
        response = odd.get("/sparql?" + urlencode({"query": CONSTRUCT, "format": "rdfxml"}))
    elif how == "accept":
        response = odd.get("/sparql?" + urlencode({"query": CONSTRUCT}), headers={"Accept": "application/rdf+xml"})
    elif how == "form":
        response = odd.post("/sparql", data={"query": CONSTRUCT, "format": "rdfxml"})
    else:
        response = odd.post("/sparql", data=CONSTRUCT.encode(), content_type="application/sparql-query",
                            headers={"Accept": "application/rdf+xml"})
    assert "http://ex/1" in problem(response, 406)["detail"]
    assert odd.get("/sparql?" + urlencode({"query": CONSTRUCT, "format": "turtle"})).status_code == 200


def test_graph_store_and_documents_refuse_rdfxml_they_cannot_write(odd):
    rdfxml = {"Accept": "application/rdf+xml"}
    problem(odd.get("/store?graph=http://ex/one", headers=rdfxml), 406)
    problem(odd.get("/store?graph=http://ex/odd&format=rdfxml"), 406)
    assert odd.get("/store?graph=http://ex/one", headers={"Accept": "text/turtle"}).status_code == 200
    path = "/" + ENTITY.removeprefix(PREFIXES["sk"].removesuffix("id/"))
    problem(odd.get(path + ".rdf"), 406)
    assert odd.get(path + ".ttl").status_code == 200


def test_what_is_served_as_rdfxml_is_well_formed(odd):
    fine = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } "
    fine += " FILTER (?g NOT IN (<http://ex/odd>, <http://ex/one>)) }"
    response = odd.get("/sparql?" + urlencode({"query": fine, "format": "rdfxml"}))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(well_formed(response.get_data())) > 1000
    response = odd.get("/" + (PREFIXES["sk"] + "mali").removeprefix(PREFIXES["sk"].removesuffix("id/")) + ".rdf")
    assert response.status_code == 200 and len(well_formed(response.get_data())) > 0
    response = odd.get("/store?graph=http://ex/fine", headers={"Accept": "application/rdf+xml"})
    assert response.status_code == 200 and len(well_formed(response.get_data())) == 1


def test_kg_query_refuses_rdfxml_it_cannot_write(spec, tmp_path):  # noqa: F811
    status, out, err = on_terminal(["query", "--store", spec, "--format", "rdfxml", "-q", CONSTRUCT], stdin_tty=False)
    assert status == 1 and "RDF/XML cannot write the predicate <http://ex/1>" in err and "oxprefix" not in out
    written = tmp_path / "out.rdf"
    status, _, err = on_terminal(["query", "--store", spec, "--format", "rdfxml", "-o", written, "-q", CONSTRUCT],
                                 stdin_tty=False)
    assert status == 1 and "RDF/XML cannot write" in err and not (written.exists() and written.read_bytes())
    status, out, err = on_terminal(["query", "--store", spec, "--format", "rdfxml", "-o", written, "-q",
                                    "CONSTRUCT { <http://ex/s> <http://ex/1a> 1 } WHERE {}"], stdin_tty=False)
    assert status == 0, err
    assert len(well_formed(written.read_bytes())) == 1


def test_a_graph_xml_cannot_carry_is_refused_naming_formats_a_graph_comes_in():
    """It said "ask for JSON", the advice for SPARQL results: a graph (CONSTRUCT, DESCRIBE, an entity's .rdf)
    has no JSON results; Turtle, N-Triples and JSON-LD carry a control character."""
    triple = ox.Triple(ox.NamedNode("http://ex/s"), ox.NamedNode("http://ex/p"), ox.Literal("a\x01b"))
    with pytest.raises(FormatError) as caught:
        graph_bytes([triple], "rdfxml", None)
    assert str(caught.value) == ("the result holds control characters that XML cannot carry; ask for Turtle, "
                                 "N-Triples or JSON-LD")
    assert b"a\\u0001b" in graph_bytes([triple], "jsonld", None)


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("how", ["get", "form", "direct"])
def test_an_accept_that_allows_another_format_gets_it_not_a_406(odd, how):
    """A browser's Accept ranks application/xml (RDF/XML) first and */* next: a graph RDF/XML cannot write came
    as a 406 where Turtle was acceptable (RFC 9110 §12.5.1; helper-194)."""
    headers = {"Accept": BROWSER}
    if how == "get":
        response = odd.get("/sparql?" + urlencode({"query": CONSTRUCT}), headers=headers)
    elif how == "form":
        response = odd.post("/sparql", data={"query": CONSTRUCT}, headers=headers)
    else:
        response = odd.post("/sparql", data=CONSTRUCT.encode(), content_type="application/sparql-query", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    assert len(rdflib.Graph().parse(data=response.get_data(), format="turtle")) == 1
    again = odd.get("/sparql?" + urlencode({"query": CONSTRUCT}), headers={**headers, "If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304  # it was 200 in full: the tag was checked against RDF/XML's (helper-197)
    stored = odd.get("/store?graph=http://ex/one", headers=headers)
    assert stored.status_code == 200 and stored.mimetype == "text/turtle" and "Accept" in stored.headers["Vary"]
    unchanged = odd.get("/store?graph=http://ex/one", headers={**headers, "If-None-Match": stored.headers["ETag"]})
    assert unchanged.status_code == 304


@pytest.mark.parametrize("accept, media", [
    (BROWSER, "application/sparql-results+json"),
    ("application/sparql-results+xml, application/sparql-results+json;q=0.5", "application/sparql-results+json"),
    ("application/sparql-results+xml, text/csv;q=0.1", "text/csv")])
def test_solutions_xml_cannot_carry_come_in_the_next_format_accepted(odd, accept, media):
    query = 'SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }'
    response = odd.get("/sparql?" + urlencode({"query": query}), headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == media


@pytest.mark.parametrize("asked", [{"headers": {"Accept": "application/sparql-results+xml"}},
                                   {"query_string": "format=xml", "headers": {"Accept": BROWSER}}])
def test_no_other_acceptable_format_or_one_named_by_format_is_still_406(odd, asked):
    query = 'SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }'
    query_string = "&".join(filter(None, [urlencode({"query": query}), asked.get("query_string")]))
    assert odd.get("/sparql?" + query_string, headers=asked["headers"]).status_code == 406  # a browser's: a page
    assert odd.get("/store?graph=http://ex/one&format=rdfxml", headers={"Accept": BROWSER}).status_code == 406
