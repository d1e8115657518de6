"""Fixes from a review: the query worker pool, the HTTP layer's graph IRIs, negotiation, graph store
writes, validators, and the remote store."""

from __future__ import annotations

import io
import os
import threading
import time
from email.utils import formatdate
from urllib.parse import quote, urlencode

import pyoxigraph as ox
import pytest

import api.backend
from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, FORM, problem
from kg.errors import QueryTimeout
from kg.store.remote import RemoteStore
from kg.runner import QueryRequest, WorkerPool
from kg.store.oxigraph import OxigraphStore

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # ~1e9 rows over 1000 triples
ASK = QueryRequest(sparql="ASK { ?s ?p ?o }", format="json", timeout=60)


@pytest.fixture
def store_path(tmp_path):
    """An on-disk store of 1000 triples: enough for HEAVY to run for minutes."""
    path = tmp_path / "store"
    store = OxigraphStore(path)
    ex = "http://example.org/"
    store.extend(ox.Quad(ox.NamedNode(f"{ex}s{i}"), ox.NamedNode(f"{ex}p"), ox.Literal(i)) for i in range(1000))
    store.close()
    return path


def children() -> dict[int, str]:
    """This process's child processes, zombies included: pid -> state letter."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            found[int(entry)] = fields[0]
    return found


def test_a_worker_restart_waits_for_the_store_to_come_back(store_path):
    before = set(children())
    pool = WorkerPool(str(store_path), size=1)
    try:
        with pytest.raises(QueryTimeout):
            pool.run(QueryRequest(sparql=HEAVY, format="json", timeout=0.5))
        away = store_path.with_name("away")
        store_path.rename(away)  # as a staged bulk load's swap does, while the successor starts
        time.sleep(2)  # a few failed starts
        away.rename(store_path)
        assert pool.run(ASK).body  # a worker came back
        assert not [pid for pid, state in children().items() if pid not in before and state == "Z"]
    finally:
        pool.close()


def test_close_stops_busy_and_restarting_workers(store_path):
    before = set(children())
    pool = WorkerPool(str(store_path), size=2)
    with pytest.raises(QueryTimeout):  # one worker is now restarting
        pool.run(QueryRequest(sparql=HEAVY, format="json", timeout=0.5))
    busy = threading.Thread(target=lambda: pytest.raises(Exception, pool.run,
                                                         QueryRequest(sparql=HEAVY, format="json", timeout=60)))
    busy.start()
    time.sleep(0.3)
    pool.close()
    busy.join(10)
    time.sleep(3)  # long enough for a restart under way to have started its worker
    assert set(children()) <= before
    assert pool._idle.empty()


def test_the_time_limit_covers_waiting_for_a_worker(store_path):
    pool = WorkerPool(str(store_path), size=1)
    try:
        worker = pool._idle.get()  # busy elsewhere for a second
        threading.Timer(1, pool._idle.put, [worker]).start()
        started = time.monotonic()
        with pytest.raises(QueryTimeout):
            pool.run(QueryRequest(sparql=HEAVY, format="json", timeout=2))
        assert time.monotonic() - started < 2.5
    finally:
        time.sleep(1)
        pool.close()


# Graph IRIs a request gives


@pytest.mark.parametrize("params", [
    {"query": "ASK {}", "default-graph-uri": "not an iri"},
    {"query": "ASK {}", "named-graph-uri": EX + "g>"},
    {"query": "SELECT * FROM <x y> WHERE { ?s ?p ?o }"},
])
def test_a_bad_graph_iri_in_a_query_is_400(shared, params):
    assert problem(shared.get("/sparql?" + urlencode(params)), 400)["title"] == "Bad graph IRI"


@pytest.mark.parametrize("name", ["using-graph-uri", "using-named-graph-uri"])
def test_a_bad_graph_iri_in_an_update_is_400_and_changes_nothing(empty_writer, name):
    sneaked = (f"{EX}g> WHERE {{}} ; INSERT DATA {{ <{EX}s> <{EX}p> <{EX}o> }} ; "
               f"INSERT {{ <{EX}t> <{EX}p> 1 }} USING <{EX}g")  # a valid update once spliced in
    body = urlencode({"update": f"INSERT {{ <{EX}u> <{EX}p> 1 }} WHERE {{}}", name: sneaked})
    assert problem(empty_writer.post("/sparql", data=body, content_type=FORM, headers=AUTH), 400)["title"] \
        == "Bad graph IRI"
    assert empty_writer.get("/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"})).get_json()["boolean"] is False


def test_the_graph_store_refuses_a_format_it_does_not_offer(shared):
    url = "/store?graph=" + quote(EX + "g1", safe="")
    for value in ("trig", "nquads", "application/trig"):
        problem(shared.get(f"{url}&format={value}"), 406)
    assert shared.get(f"{url}&format=nt").status_code == 200


@pytest.mark.parametrize("headers", [{}, {"If-None-Match": "*"}, {"Accept": "text/turtle"}])
def test_a_text_that_is_no_query_is_400_with_a_position_before_negotiation_and_validators(shared, headers):
    body = problem(shared.get("/sparql?" + urlencode({"query": "SELEC * {}"}), headers=headers), 400)
    assert (body["line"], body["column"]) == (1, 1)


# Graph store writes

GRAPH_URL = "/store?graph=" + quote(EX + "person/1", safe="")


def subjects(client) -> int:
    response = client.get("/sparql?" + urlencode({"query": "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"}))
    return int(response.get_json()["results"]["bindings"][0]["n"]["value"])


def test_put_of_an_empty_graph_leaves_it_empty_not_gone(empty_writer):
    assert empty_writer.put(GRAPH_URL, data=f"<{EX}s> <{EX}p> 1 .", content_type="text/turtle",
                            headers=AUTH).status_code == 201
    assert empty_writer.put(GRAPH_URL, data=b"", content_type="text/turtle", headers=AUTH).status_code == 204
    response = empty_writer.get(GRAPH_URL, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200 and response.data.strip() == b""


def test_blank_nodes_of_two_parts_stay_apart_and_of_one_body_together(empty_writer):
    parts = {"one": (io.BytesIO(f"_:b <{EX}p> 1 .".encode()), "one.ttl", "text/turtle"),
             "two": (io.BytesIO(f"_:b <{EX}p> 2 .".encode()), "two.ttl", "text/turtle")}
    assert empty_writer.put(GRAPH_URL, data=parts, content_type="multipart/form-data",
                            headers=AUTH).status_code == 201
    assert subjects(empty_writer) == 2
    assert empty_writer.put(GRAPH_URL, data=f"_:b <{EX}p> 1 . _:b <{EX}p> 2 .", content_type="text/turtle",
                            headers=AUTH).status_code == 204
    assert subjects(empty_writer) == 1


# Validators


def test_if_modified_since_is_no_stale_304_after_a_write_in_the_same_second(shared, monkeypatch):
    second = float(int(time.time()))
    current = [api.backend.Version(number=1, modified=second + 0.1)]
    monkeypatch.setattr(api.backend.Backend, "version", lambda self: current[0])
    url = "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"})
    first = shared.get(url)
    assert first.headers["ETag"] and "Last-Modified" not in first.headers  # the change is too recent
    current[0] = api.backend.Version(number=2, modified=second + 0.5)  # another write, the same second
    assert shared.get(url, headers={"If-Modified-Since": formatdate(second, usegmt=True)}).status_code == 200
    current[0] = api.backend.Version(number=2, modified=second - 2)  # a settled change
    settled = shared.get(url)
    assert settled.headers["Last-Modified"]
    assert shared.get(url, headers={"If-Modified-Since": settled.headers["Last-Modified"]}).status_code == 304


def test_a_store_directory_briefly_away_gives_no_validators_not_500(shared, monkeypatch):
    def swapping(path):
        raise FileNotFoundError(2, "No such file or directory", str(path))

    monkeypatch.setattr(api.backend, "directory_changed_at", swapping)  # as during a staged load's swap
    response = shared.get("/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"}))
    assert response.status_code == 200 and "ETag" not in response.headers


# Remote stores


def test_empty_dataset_lists_mean_empty_on_every_store(store, graph):
    g = graph()
    store.update(f"INSERT DATA {{ GRAPH <{g}> {{ <{EX}a> <{EX}p> 1 }} }}")
    assert store.query(f"ASK {{ GRAPH <{g}> {{ ?s ?p ?o }} }}", default_graphs=[g], named_graphs=[g]) is True
    assert store.query("ASK { ?s ?p ?o }", default_graphs=[], named_graphs=[g]) is False
    assert store.query("ASK { GRAPH ?g { ?s ?p ?o } }", default_graphs=[g], named_graphs=[]) is False
    assert store.query("ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }", default_graphs=[],
                       named_graphs=[]) is False


def test_a_remote_timeout_without_a_limit_says_so(monkeypatch):
    def timing_out(self):
        raise TimeoutError

    monkeypatch.setattr("SPARQLWrapper.Wrapper.SPARQLWrapper.query", timing_out)
    with pytest.raises(QueryTimeout, match="timed out"):
        RemoteStore("http://127.0.0.1:9/sparql", timeout=None).query("ASK {}")
