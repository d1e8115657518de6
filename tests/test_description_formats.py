"""The service description (GET /sparql without a query) takes format= and output= as VoID does: the format they
name wins over Accept, and one it does not come in is 406."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import rdflib

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, WRITABLE, problem, settled
from kg.namespaces import PREFIXES

GRAPH = PREFIXES["void"] + "graph."  # a name under a prefix the description declares, ending in a dot


@pytest.mark.parametrize("name, media", [("rdfxml", "application/rdf+xml"), ("ntriples", "application/n-triples"),
                                         ("jsonld", "application/ld+json"), ("turtle", "text/turtle"),
                                         ("application/n-triples", "application/n-triples")])
def test_format_names_the_syntax_of_the_description(shared, name, media):
    """It was ignored: the description came as Accept had it (Turtle by default), whatever format= said."""
    for parameter in ("format", "output"):
        described = shared.get("/sparql", query_string={parameter: name}, headers={"Accept": "text/turtle"})
        assert described.status_code == 200 and described.mimetype == media
        assert shared.get("/.well-known/void", query_string={parameter: name}).mimetype == media


def test_a_format_the_description_does_not_come_in_is_406(shared):
    problem(shared.get("/sparql", query_string={"format": "csv"}), 406)
    problem(shared.get("/sparql", query_string={"format": "trig"}), 406)


def test_without_format_accept_still_chooses_and_a_browser_gets_the_page(shared):
    assert shared.get("/sparql", headers={"Accept": "application/rdf+xml"}).mimetype == "application/rdf+xml"
    assert shared.get("/sparql", headers={"Accept": "text/html"}).mimetype == "text/html"


@pytest.mark.parametrize("name, syntax", [("turtle", "turtle"), ("ntriples", "nt"), ("jsonld", "json-ld"),
                                          ("rdfxml", "xml")])
def test_the_description_names_a_graph_ending_in_a_dot_as_rdflib_reads_it(make_app, name, syntax):
    """In Turtle it was written as pyoxigraph has it, `void:graph\\.` (which rdflib refuses), not through
    kg.turtle_names as every other Turtle answer is."""
    app = make_app(WRITABLE, article=False)
    client = app.test_client()
    url = "/store?graph=" + quote(GRAPH, safe="")
    data = f"<{EX}s> <{EX}p> <{EX}o> .\n".encode()
    assert client.put(url, data=data, content_type="application/n-triples", headers=AUTH).status_code == 201
    settled(app)
    described = client.get("/sparql", query_string={"format": name})
    assert described.status_code == 200, described.get_data(as_text=True)
    graph = rdflib.Graph().parse(data=described.get_data(as_text=True), format=syntax)
    assert rdflib.URIRef(GRAPH) in set(graph.objects(None, rdflib.URIRef(PREFIXES["sd"] + "name")))
