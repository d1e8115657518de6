"""In-process runners (kg.answers.LocalRunner for memory and remote stores, kg.nearby.NearbyRunner for
one-pattern queries) count a query's time limit from the request's arrival, as the worker pool does:
time spent waiting for a thread is part of it."""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

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
