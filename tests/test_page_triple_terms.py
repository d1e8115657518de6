"""An entity page lists a statement whose value is a triple term (RDF 1.2), in a few graphs or in more than the
page lists: the term was bound in a VALUES block as three bare terms (a 400 "Expected UNDEF"), and read back as a
dict no page could key on (a 500)."""

from __future__ import annotations

import pyoxigraph as ox

from api_fixtures import *  # noqa: F401,F403
from api.entity_statements import MOST_SOURCES
from kg.bindings import bind

BASE = "https://sahel-kg.example.org/"
FEW = f'<{BASE}id/zz-few> <http://example.org/says> <<( <{BASE}id/mali> <http://example.org/q> "x"@en )>> .'
MANY = f"<{BASE}id/zz-many> <http://example.org/says> <<( <{BASE}id/mali> <http://example.org/q> <http://example.org/r> )>> ."
SEED = "".join(f"<http://example.org/g{i}> {{ {FEW} }}\n" for i in range(2)) + \
    "".join(f"<http://example.org/g{i}> {{ {MANY} }}\n" for i in range(MOST_SOURCES + 5))


def test_a_triple_term_binds_as_a_triple_term():
    term = ox.Triple(ox.NamedNode("http://a"), ox.NamedNode("http://q"), ox.Literal("x", language="en"))
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), term))
    rows = list(store.query(bind("SELECT ?s WHERE { ?s ?p ?o }", {"o": term})))
    assert [row[0] for row in rows] == [ox.NamedNode("http://s")]


def test_an_entity_page_lists_triple_term_values(make_app):
    client = make_app(seed=SEED, article=False).test_client()
    for name, graphs in (("zz-few", 2), ("zz-many", MOST_SOURCES + 5)):
        response = client.get(f"/id/{name}.html")
        assert response.status_code == 200, response.get_data(as_text=True)[:300]
        page = response.get_data(as_text=True)
        assert "example.org/q" in page
        assert page.count("http://example.org/g") >= min(graphs, MOST_SOURCES)


BLANK_INSIDE = f"<{BASE}id/zz-blank> <http://example.org/says> <<( _:b <http://example.org/q> <http://example.org/r> )>> ."


def test_a_triple_term_holding_a_blank_node_in_many_graphs_is_listed(make_app):
    """No query can bind such a term (a 400 "not a valid IRI"): its property is listed whole instead."""
    seed = "".join(f"<http://example.org/g{i}> {{ {BLANK_INSIDE} }}\n" for i in range(MOST_SOURCES + 5))
    response = make_app(seed=seed, article=False).test_client().get("/id/zz-blank.html")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "example.org/q" in response.get_data(as_text=True)


def test_more_values_than_a_page_lists_of_triple_terms_holding_blank_nodes(make_app):
    """resource-values.rq leaves plain blank nodes out; one inside a triple term reached the VALUES block (400)."""
    seed = "<http://example.org/g> {\n" + "".join(
        f"<{BASE}id/zz-values> <http://example.org/says> <<( _:b{i} <http://example.org/q> <http://example.org/r> )>> .\n"
        for i in range(60)) + "}\n"
    response = make_app(seed=seed, article=False).test_client().get("/id/zz-values.html")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
