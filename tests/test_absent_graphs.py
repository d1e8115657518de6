"""A query whose dataset names a graph the store does not have (FROM, FROM NAMED, default-graph-uri=,
named-graph-uri=) answers as SPARQL says, empty there, and warns of the graph: an X-Query-Warning header over
HTTP, a line on standard error in the console."""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

import api
from api_fixtures import *  # noqa: F401,F403
from kg.answers import STREAM_AFTER, QueryRequest
from kg.query import QueryService
from kg.store.oxigraph import OxigraphStore
from kg.worker import _streamed
from test_loading import installed, kg, spec  # noqa: F401  (fixtures)

EX = "http://example.org/"
NONE, OTHER = EX + "nowhere", EX + "elsewhere"


@pytest.fixture(scope="module")
def service():
    with OxigraphStore() as store:
        store.extend(ox.parse(b"<http://example.org/g1> { <http://example.org/a> <http://example.org/p> 1 . }",
                              format=ox.RdfFormat.TRIG))
        yield QueryService(store)


@pytest.mark.parametrize("query, options, absent", [
    (f"SELECT * FROM <{NONE}> WHERE {{ ?s ?p ?o }}", {}, [NONE]),
    (f"SELECT * FROM NAMED <{NONE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}, [NONE]),
    (f"SELECT * FROM <{EX}g1> FROM NAMED <{NONE}> FROM <{OTHER}> WHERE {{ ?s ?p ?o }}", {}, [OTHER, NONE]),
    (f"PREFIX ex: <{EX}> ASK FROM ex:nowhere {{ ?s ?p ?o }}", {}, [NONE]),
    (f"SELECT * FROM <{EX}g1> WHERE {{ ?s ?p ?o }}", {}, []),
    ("SELECT * WHERE { ?s ?p ?o }", {}, []),
    ("SELECT * WHERE { ?s ?p ?o }", {"default_graphs": [NONE]}, [NONE]),
    ("SELECT * WHERE { ?s ?p ?o }", {"default_graphs": [EX + "g1"], "named_graphs": [OTHER]}, [OTHER]),
    (f"CONSTRUCT WHERE {{ ?s ?p ?o }}", {"named_graphs": [EX + "g1"]}, []),
])
def test_the_result_names_the_graphs_of_its_dataset_the_store_does_not_have(service, query, options, absent):
    result = service.query(query, **options)
    assert result.absent_graphs == absent


class Recorder:
    """A worker's connection that keeps what is sent."""

    def __init__(self):
        self.sent = []

    def send(self, message):
        self.sent.append(message)

    def poll(self):
        return False


def test_a_worker_s_answer_names_them_small_or_streamed(service):
    kind, small = _streamed(service, QueryRequest(sparql=f"ASK FROM <{NONE}> {{}}", format="json", stream=True), None)
    assert kind == "ok" and small.absent_graphs == (NONE,)
    values = " ".join(map(str, range(101)))
    big = f"SELECT * FROM NAMED <{NONE}> WHERE {{ VALUES ?a {{ {values} }} VALUES ?b {{ {values} }} }}"
    assert 101 * 101 > STREAM_AFTER
    connection = Recorder()
    assert _streamed(service, QueryRequest(sparql=big, format="json", stream=True), connection) is None
    assert connection.sent[0][0] == "stream" and connection.sent[0][1][3] == (NONE,)


def warned(response) -> list[str]:
    return response.headers.getlist("X-Query-Warning")


ABSENT = f"graph <{NONE}> of the dataset is not in the store: the query reads it as empty"


@pytest.mark.parametrize("params", [
    {"query": f"SELECT * FROM <{NONE}> WHERE {{ ?s ?p ?o }}"},  # the fast path
    {"query": f"SELECT * FROM NAMED <{NONE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
    {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": NONE},
    {"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", "named-graph-uri": NONE},
])
def test_over_http_an_absent_graph_is_a_warning_header(shared, params):
    response = shared.get("/sparql?" + urlencode(params))
    assert response.status_code == 200 and response.get_json()["results"]["bindings"] == []
    assert warned(response) == [ABSENT]
    posted = shared.post("/sparql", data=params)
    assert posted.status_code == 200 and warned(posted) == [ABSENT]


def test_over_http_a_graph_that_is_there_is_not_warned_of(shared):
    response = shared.get("/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                                                  "default-graph-uri": EX + "g1", "named-graph-uri": EX + "g2"}))
    assert response.status_code == 200 and warned(response) == []


def test_a_memory_store_warns_too():
    app = api.create_app({"STORE": "memory:", "METRICS": False, "INSTALL_ARTICLE": False})
    response = app.test_client().get("/sparql?" + urlencode({"query": f"ASK FROM <{NONE}> {{ ?s ?p ?o }}"}))
    assert response.status_code == 200 and warned(response) == [ABSENT]
    app.extensions["sahel-kg"].close()


def test_the_console_warns_on_standard_error(spec):
    result = kg("query", "--store", spec, "--format", "json", "-q", f"SELECT * FROM <{NONE}> {{ ?s ?p ?o }}")
    assert result.exit_code == 0 and '"bindings": []' in result.stdout.replace('"bindings":[]', '"bindings": []')
    assert f"warning: graph <{NONE}> of the dataset is not in the store: the query reads it as empty" in result.stderr
    there = kg("query", "--store", spec, "--format", "json", "-q", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert "warning" not in there.stderr


def test_a_few_absent_graphs_are_named_and_the_rest_counted(shared):
    graphs = [f"{EX}none{n}" for n in range(12)]
    response = shared.get("/sparql?" + urlencode([("query", "ASK { ?s ?p ?o }"),
                                                  *(("default-graph-uri", iri) for iri in graphs)]))
    assert response.status_code == 200
    assert warned(response) == [f"graph <{iri}> of the dataset is not in the store: the query reads it as empty"
                                for iri in graphs[:5]] + ["and 7 more absent graphs, not listed"]


def test_every_store_tells_the_graphs_it_does_not_have(store, graph):
    """A remote store was not asked: its answers went unwarned. A graph kept empty is had; the engine's own are not."""
    full, empty, nowhere = graph(), graph(), graph()
    store.update(f"INSERT DATA {{ GRAPH <{full}> {{ <{EX}a> <{EX}p> 1 }} }} ; CREATE GRAPH <{empty}>")
    assert store.missing_graphs([full, nowhere, empty]) == [nowhere]
    hidden = getattr(store, "hidden_graphs", lambda: ())()
    assert store.missing_graphs(list(hidden)) == list(hidden)


def test_the_shell_s_worker_hands_them_on(spec, monkeypatch, tmp_path):
    from kg.shell_worker import WorkerQueries

    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path))
    queries = WorkerQueries(spec.removeprefix("oxigraph:"))
    try:
        started = queries.start(f"ASK FROM <{NONE}> {{ ?s ?p ?o }}", row_limit=None)
        assert started.absent_graphs == [NONE]
        started.close()
    finally:
        queries.close()
