"""An idle query worker closes its view of the store (giving back the engine's caches) and reopens it for its next query."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.answers import QueryRequest, ServiceOptions
from kg.runner import WorkerPool
from kg.store.oxigraph import OxigraphStore
from held_files import held_files
from long_work import wait_until

EX = "http://example.org/"
COUNT = QueryRequest(sparql="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", format="json", timeout=60)


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "store"
    store = OxigraphStore(path)
    store.extend(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(i)) for i in range(10))
    store.close()
    return path


def counted(pool: WorkerPool) -> int:
    return int(json.loads(pool.run(COUNT).body)["results"]["bindings"][0]["n"]["value"])


def test_an_idle_worker_lets_go_of_its_view_and_answers_its_next_query_from_a_fresh_one(store_path):
    pool = WorkerPool(str(store_path), options=ServiceOptions(idle_release=0.0))
    try:
        assert counted(pool) == 10
        worker = pool._idle.queue[0][0].pid
        wait_until(lambda: not held_files(worker, store_path), what="the idle worker's closing of its view")
        store = OxigraphStore(store_path)  # a write while no view is open: the next one sees it
        store.extend([ox.Quad(ox.NamedNode(f"{EX}new"), ox.NamedNode(f"{EX}p"), ox.Literal(1))])
        store.close()
        assert counted(pool) == 11
        assert pool._idle.queue[0][0].pid == worker  # the same worker, not a successor
    finally:
        pool.close()


@pytest.mark.parametrize("seconds, release", [(0, None), (30, 30.0)])
def test_the_idle_seconds_setting_reaches_the_query_workers(store_path, seconds, release):
    import api

    app = api.create_app({"STORE": f"oxigraph:{store_path}", "INSTALL_ARTICLE": False, "ACCESS_LOG": None,
                          "QUERY_WORKER_IDLE_SECONDS": seconds})
    try:
        assert app.extensions["sahel-kg"].runner.options.idle_release == release
    finally:
        app.extensions["sahel-kg"].close()
