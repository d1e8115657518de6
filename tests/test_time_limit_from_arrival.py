"""In-process runners (kg.answers.LocalRunner for memory and remote stores, kg.nearby.NearbyRunner for
one-pattern queries) count a query's time limit from the request's arrival, as the worker pool does:
time spent waiting for a thread is part of it; over HTTP, a request past its limit before it starts says whose
limit it was."""

from __future__ import annotations

import time
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from api.rsgi import RECEIVED
from api_fixtures import article_store, make_app  # noqa: F401 (fixtures)
from kg.answers import LocalRunner, QueryRequest, ServiceOptions
from kg.errors import QueryTimeout
from kg.nearby import NearbyRunner
from kg.query import QueryService
from kg.store.oxigraph import OxigraphStore

ONE_PATTERN = "SELECT * WHERE { ?s ?p ?o }"


class Recording:
    """The store, noting the time limit each query is given."""

    def __init__(self, store):
        self.store, self.limits = store, []

    def __getattr__(self, name):
        return getattr(self.store, name)

    def query(self, sparql, **options):
        self.limits.append(options.get("timeout"))
        return self.store.query(sparql, **options)


@pytest.fixture(params=["local", "nearby"])
def runner(request, tmp_path):
    store = OxigraphStore(tmp_path / "store")
    store.extend([ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"), ox.Literal(1))])
    if request.param == "local":
        made = LocalRunner(QueryService(Recording(store), timeout=60))
    else:
        store.close()
        made = NearbyRunner(str(tmp_path / "store"), ServiceOptions(timeout=60))
        made.service.store = Recording(made.service.store)
    yield made
    made.close()
    store.close()


def test_a_query_gets_only_what_is_left_of_its_time_limit(runner):
    runner.run(QueryRequest(sparql=ONE_PATTERN, format="json", timeout=60), started=time.monotonic() - 50)
    [given] = runner.service.store.limits
    assert given is not None and given <= 10


def test_a_query_that_waited_past_its_time_limit_does_not_run(runner):
    with pytest.raises(QueryTimeout, match="waited past its time limit of 60s"):
        runner.run(QueryRequest(sparql=ONE_PATTERN, format="json", timeout=60), started=time.monotonic() - 61)
    assert runner.service.store.limits == []


def test_without_an_arrival_time_the_whole_limit_is_given(runner):
    runner.run(QueryRequest(sparql=ONE_PATTERN, format="json", timeout=60))
    assert runner.service.store.limits == [60]


@pytest.mark.parametrize("params, title, retry", [("&timeout=1", "Query timeout", None), ("", "Too busy", "1"),
                                                   ("&timeout=3", "Too busy", "1")])  # the server's 2 s binds
def test_a_request_that_waited_past_its_limit_is_told_whose_limit_it_was(make_app, params, title, retry):
    """Past the client's own timeout= before it started, waiting and asking again cannot help: 503 Query timeout
    saying so, where it was 'Too busy… try again shortly' with Retry-After, which the server's limit still gives."""
    client = make_app({"QUERY_TIMEOUT": 2}).test_client()
    arrived = {RECEIVED: time.monotonic() - 5}  # as if it had waited 5 s for a request thread
    for query in ["ASK { FILTER(1 > 0) }", ONE_PATTERN + " LIMIT 1"]:  # a query worker's, and the server's own
        answer = client.get("/sparql?query=" + quote(query) + params, environ_base=arrived)
        assert answer.status_code == 503 and answer.json["title"] == title, answer.json
        assert answer.headers.get("Retry-After") == retry


@pytest.mark.parametrize("path, accept", [("/sparql", "text/turtle"), ("/.well-known/void", "text/turtle"),
                                          ("/id/jnim.html", "text/html"), ("/", "text/html")])
def test_the_queries_of_a_page_and_of_the_statistics_share_the_request_time_limit(make_app, path, accept):  # noqa: F811
    """The counts of the service description (six) and of the VoID description, and a page's queries, each got a
    whole time limit, from when each began: a request that had waited past its limit still ran them all, and
    its answer could take six limits."""
    client = make_app({"QUERY_TIMEOUT": 30}).test_client()
    answer = client.get(path, headers={"Accept": accept}, environ_base={RECEIVED: time.monotonic() - 60})
    assert answer.status_code == 503, answer.get_data(as_text=True)[:300]
    assert client.get(path, headers={"Accept": accept}).status_code == 200


def test_a_visitor_waits_for_another_one_s_computation_no_longer_than_its_own_time_limit(make_app):  # noqa: F811
    """The others waited for the one computing a page's counts (api.version_cache) however long it took: past
    their own time limits, and, where it failed otherwise than by its limit, each then computed in turn."""
    import threading

    from api.version_cache import once_per_version
    from kg.errors import QueryTimeout

    app, started, release, outcome = make_app({"QUERY_TIMEOUT": 30}), threading.Event(), threading.Event(), {}

    def compute():
        started.set()
        release.wait(120)
        return "counts"

    def visit(arrived: float):
        with app.test_request_context("/", environ_base={RECEIVED: arrived}):
            try:
                outcome[arrived] = once_per_version("a page's counts", compute)
            except QueryTimeout as error:
                outcome[arrived] = error

    first = threading.Thread(target=visit, args=(time.monotonic(),), daemon=True)
    first.start()
    try:
        assert started.wait(120)
        late = time.monotonic() - 60  # as if it had waited 60 s for a request thread: none of its 30 s is left
        second = threading.Thread(target=visit, args=(late,), daemon=True)
        second.start()
        second.join(120)
        assert not second.is_alive() and isinstance(outcome[late], QueryTimeout)
    finally:
        release.set()
    first.join(120)
    assert "counts" in outcome.values()


@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_graph_store_read_that_waited_past_its_limit_runs_no_query(make_app, method):  # noqa: F811
    """The Graph Store's look for the graph (an ASK) had a whole time limit of its own: a read that had waited past
    its limit still ran it before being refused."""
    app = make_app({"QUERY_TIMEOUT": 30})
    client = app.test_client()
    graph = client.get("/sparql?query=" + quote("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1"),
                       headers={"Accept": "application/sparql-results+json"}).json["results"]["bindings"][0]["g"]["value"]
    backend, ran = app.extensions["sahel-kg"], []
    run = backend._run
    backend._run = lambda request, since=None: ran.append(request.sparql) or run(request, since)
    answer = client.open("/store?graph=" + quote(graph, safe=""), method=method, headers={"Accept": "text/turtle"},
                         environ_base={RECEIVED: time.monotonic() - 60})
    assert answer.status_code == 503 and ran == []
    assert client.open("/store?graph=" + quote(graph, safe=""), method=method).status_code == 200 and ran
