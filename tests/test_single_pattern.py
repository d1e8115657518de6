"""One-pattern queries: which ones are recognised, and that the API answers them without a query worker."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, WRITABLE
from kg.one_pattern import MOST_DESCRIBED, few_rows, single_pattern

ONE_PATTERN = [
    "SELECT ?p ?o WHERE { <http://x/a> ?p ?o }",
    "BASE <http://h/sparql>\nPREFIX x: <http://x/>\nSELECT ?p ?o WHERE { x:a ?p ?o . } LIMIT 10\n# a comment",
    "SELECT * { ?s a x:C }",
    'ASK { ?s ?p "x" }',
    "DESCRIBE <http://x/a>",
    "PREFIX x: <http://x/>\ndescribe x:a <http://x/b> x: # two resources",
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
    "DESCRIBE ?s WHERE { ?s ?p ?o }",  # its resources are a query's answers, any number of them
    "DESCRIBE *",
    "DESCRIBE <http://x/a> WHERE {}",
    "DESCRIBE <http://x/a> FROM <http://g>",
    "PREFIX : <http://x/>\nDESCRIBE :a FROM:g", "PREFIX : <http://x/>\nDESCRIBE :a fromNAMED:g",  # FROM :g to the engine
    "DESCRIBE <http://x/a> LIMIT 1",
    "DESCRIBE",
    # Planned in time growing with the square of their number, before any row; 2,800 overflow the engine's stack.
    "DESCRIBE " + " ".join(f"<http://x/{n}>" for n in range(MOST_DESCRIBED + 1)),
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
    ("DESCRIBE <http://x/a> <http://x/b>", True),  # a few dozen statements each; past the loop's bound, a thread's
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


DESCRIBED = ["DESCRIBE <https://sahel-kg.example.org/claim/aes-formed-2023>",
             "PREFIX sk: <https://sahel-kg.example.org/id/>\nDESCRIBE sk:mali sk:jnim <http://x/unknown>",
             f"DESCRIBE <{EX}a>"]  # blank nodes two deep, seeded below
BLANK_NODES = f"<{EX}g> {{ <{EX}a> <{EX}p> [ <{EX}q> [ <{EX}r> 1 ] ], <{EX}b> . <{EX}b> <{EX}p> 2 }}"


@pytest.mark.parametrize("query", DESCRIBED)
@pytest.mark.parametrize("accept", ["application/n-triples", "text/turtle", "application/ld+json"])
def test_describe_is_answered_in_process_as_a_worker_answers_it(make_app, query, accept):
    app = make_app(seed=BLANK_NODES)
    backend, client = app.extensions["sahel-kg"], app.test_client()
    url = "/sparql?" + urlencode({"query": query})
    backend.in_process = lambda request: False
    by_worker = client.get(url, headers={"Accept": accept})
    del backend.in_process
    backend.runner.run = lambda request, **_: pytest.fail(f"sent to a worker: {request.sparql}")
    here = client.get(url, headers={"Accept": accept})
    assert here.status_code == by_worker.status_code == 200
    assert here.data == by_worker.data and here.data.count(b"example.org/") > 2
    assert here.headers.getlist("X-Query-Warning") == by_worker.headers.getlist("X-Query-Warning")


def test_the_row_cap_and_time_limit_hold_for_describe_in_process(make_app):
    many = " ".join(f"<{EX}a> <{EX}p> {n} ." for n in range(200))  # the time is looked at every 64 rows
    for config, sent in [({"ROW_LIMIT": 3}, {}), ({}, {"timeout": "0.000001"})]:
        app = make_app(config, article=False, seed=f"<{EX}g> {{ {many} }}")
        app.extensions["sahel-kg"].runner.run = lambda request, **_: pytest.fail(f"sent to a worker: {request.sparql}")
        url = "/sparql?" + urlencode({"query": f"DESCRIBE <{EX}a>", **sent})
        answer = app.test_client().get(url, headers={"Accept": "application/n-triples"})
        if sent:
            assert answer.status_code == 503 and "time limit" in answer.get_json()["detail"]
        else:
            triples = [line for line in answer.data.splitlines() if not line.startswith(b"#")]  # and the cut's note
            assert answer.headers["X-Result-Truncated"] == "true" and len(triples) == 3
