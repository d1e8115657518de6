"""What a protocol request gives beside its query: a named graph given twice is one graph (SPARQL 1.1 §13.2),
and a body labelled US-ASCII is read when it holds ASCII only, as it then is UTF-8 (RFC 3629)."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403


@pytest.mark.parametrize("given", [{"named-graph-uri": ["{g}", "{g}"]},
                                   {"query_from": "FROM NAMED <{g}> FROM NAMED <{g}>"}])
def test_a_named_graph_given_twice_is_one_graph(shared, given):
    """It was counted twice: each of its triples came back twice in GRAPH ?g (helper-90)."""
    graph = "https://sahel-kg.example.org/graph/entities"
    dataset = given.get("query_from", "").format(g=graph)
    query = f"SELECT ?g (COUNT(*) AS ?n) {dataset} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    params = [("query", query)] + [(name, value.format(g=graph)) for name, values in given.items()
                                   if name != "query_from" for value in values]
    single = f"SELECT ?g (COUNT(*) AS ?n) FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
    once = shared.get("/sparql", query_string={"query": single},
                      headers={"Accept": "application/sparql-results+json"}).get_json()
    twice = shared.get("/sparql", query_string=params, headers={"Accept": "application/sparql-results+json"}).get_json()
    assert twice["results"]["bindings"] == once["results"]["bindings"] and len(once["results"]["bindings"]) == 1


@pytest.mark.parametrize("charset, body, status", [("us-ascii", "ASK {}", 200), ("US-ASCII", "ASK {}", 200),
                                                   ("us-ascii", 'ASK { FILTER("é" = "é") }', 400),
                                                   ("latin-1", "ASK {}", 400)])
def test_a_body_labelled_us_ascii_is_read_when_it_holds_ascii_only(shared, charset, body, status):
    """ASCII is UTF-8 as it is: such a label over an ASCII query was refused as "must be UTF-8" (helper-90)."""
    response = shared.post("/sparql", data=body.encode("utf-8"),
                           headers={"Content-Type": f"application/sparql-query; charset={charset}"})
    assert response.status_code == status


def test_a_default_graph_given_twice_is_one_graph(shared):
    graph = "https://sahel-kg.example.org/graph/entities"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    counts = [shared.get("/sparql", query_string=[("query", query)] + [("default-graph-uri", graph)] * times,
                         headers={"Accept": "application/sparql-results+json"}).get_json()
              ["results"]["bindings"][0]["n"]["value"] for times in (1, 2)]
    assert counts[0] == counts[1]
