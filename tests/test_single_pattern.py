"""One-pattern queries: which ones are recognised, and that the API answers them without a query worker."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, WRITABLE
from kg.one_pattern import few_rows, single_pattern

ONE_PATTERN = [
    "SELECT ?p ?o WHERE { <http://x/a> ?p ?o }",
    "BASE <http://h/sparql>\nPREFIX x: <http://x/>\nSELECT ?p ?o WHERE { x:a ?p ?o . } LIMIT 10\n# a comment",
    "SELECT * { ?s a x:C }",
    'ASK { ?s ?p "x" }',
]
MORE = [
    "SELECT ?s WHERE { ?s ?p ?o . ?o ?q ?r }",
    "SELECT ?s WHERE { ?s ?p ?o FILTER(?o) }",
    "SELECT ?s WHERE { ?s x:p/x:q ?o }",
    "SELECT ?s FROM <http://g> WHERE { ?s ?p ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s",
    "SELECT ?s WHERE { ?s ?p ?o } OFFSET 100000000",
    "SELECT DISTINCT ?s WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { ?s ?p ?s }",
    "CONSTRUCT WHERE { ?s ?p ?o }",
    "SELECT ?s WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT ?s WHERE { ?s ?p ?o } VALUES ?s { <a> }",
    'SELECT ?s WHERE { ?s ?p "}" . ?s ?q ?r }',
]


@pytest.mark.parametrize("query", ONE_PATTERN)
def test_one_pattern_is_recognised(query):
    assert single_pattern(query)


@pytest.mark.parametrize("query", MORE)
def test_anything_more_is_not(query):
    assert not single_pattern(query)


@pytest.mark.parametrize("query, few", [
    ("SELECT ?p ?o WHERE { <http://x/a> ?p ?o }", True),  # one subject's statements
    ('ASK { ?s ?p "x" }', True),
    ("SELECT * { ?s a x:C } LIMIT 1000", True),
    ("SELECT * { ?s a x:C } LIMIT 1001", False),
    ("SELECT * { ?s a x:C }", False),  # a class's members may be the whole store, up to the row cap
    ("SELECT ?s WHERE { ?s ?p ?o . ?o ?q ?r } LIMIT 1", False),  # not one pattern
])
def test_few_rows_are_a_subject_ask_or_a_small_limit(query, few):
    assert few_rows(query, 1000) is few


def test_one_pattern_queries_are_answered_without_a_worker_and_see_writes(make_app):
    app = make_app(WRITABLE, article=False, seed=f"<{EX}g> {{ <{EX}a> <{EX}p> 1 }}")
    backend = app.extensions["sahel-kg"]

    def no_worker(request):
        raise AssertionError(f"sent to a worker: {request.sparql}")

    backend.runner.run = no_worker
    client = app.test_client()
    url = "/sparql?" + urlencode({"query": f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}"})
    assert b'"1"' in client.get(url).data
    written = client.post("/sparql", data=f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 2 }} }}",
                          content_type="application/sparql-update", headers=AUTH)
    assert written.status_code == 204
    assert b'"2"' in client.get(url).data  # the read-only view was opened again after the write


def test_one_pattern_queries_read_the_merge_each_triple_once(make_app):
    """The in-process path reads the default graph as a worker does: the merge, not a union view."""
    app = make_app(article=False, seed=f"<{EX}g1> {{ <{EX}a> <{EX}p> 1 }} <{EX}g2> {{ <{EX}a> <{EX}p> 1 }}")
    backend = app.extensions["sahel-kg"]
    backend.runner.run = lambda request: pytest.fail(f"sent to a worker: {request.sparql}")
    url = "/sparql?" + urlencode({"query": f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}"})
    assert len(app.test_client().get(url).get_json()["results"]["bindings"]) == 1


def test_the_row_cap_holds_for_one_pattern_queries(make_app):
    app = make_app({"ROW_LIMIT": 5})
    response = app.test_client().get("/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o }"}))
    assert response.headers["X-Result-Truncated"] == "true"
    assert len(response.get_json()["results"]["bindings"]) == 5


def test_the_time_limit_stops_a_one_pattern_query_between_rows(make_app):
    app = make_app({"ROW_LIMIT": 1_000_000})
    response = app.test_client().get("/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o }",
                                                             "timeout": "0.000001"}))
    assert response.status_code == 503 and "time limit" in response.get_json()["detail"]
