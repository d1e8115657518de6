"""Retry-After on a 503 only where waiting helps: a query stopped at its time limit or memory cap would fail
the same way again, so its answer invites no retry; one that waited past its limit before it could start does."""

from __future__ import annotations

import pickle
import urllib.parse

import pytest

from api import create_app
from kg.errors import QueryMemoryExceeded, QueryTimeout, StoreUnavailable

QUERY = "/sparql?" + urllib.parse.urlencode({"query": "SELECT * WHERE { ?s ?p ?o . ?a ?b ?c }"})
RECONCILE = "/reconcile?" + urllib.parse.urlencode({"queries": '{"q0": {"query": "Mali"}}'})
# every kind of request whose answer is made of store queries: the protocol, pages, search, reconciliation, Graph Store
PATHS = (QUERY, "/", "/id/mali", "/id/mali.ttl", "/search?q=Mali", RECONCILE, "/reconcile/suggest/entity?prefix=Mal",
         "/store?default")
FAILURES = [  # (what a store query raises, the Retry-After its 503 says, or None)
    (QueryTimeout("query stopped after its time limit of 5s"), None),
    (QueryMemoryExceeded("the query needed more than the 512 MiB a query worker may take"), None),
    (QueryTimeout("no query worker was free within the time limit of 5s", waited=True), "1"),
    (StoreUnavailable("a query worker died; it is being replaced"), "1"),
]


@pytest.fixture
def app():  # one per test: a page keeps a query stopped at its limit for a while (api.version_cache)
    made = create_app({"STORE": "memory:"})
    yield made
    made.extensions["sahel-kg"].close()


@pytest.mark.parametrize("failure, retry", FAILURES, ids=lambda value: type(value).__name__ + str(value)[:20])
@pytest.mark.parametrize("path", PATHS)
def test_retry_after_only_where_asking_again_may_help(app, monkeypatch, path, failure, retry):
    def fail(*args, **kwargs):
        raise failure

    monkeypatch.setattr(app.extensions["sahel-kg"], "_run", fail)
    response = app.test_client().get(path, headers={"Accept": "application/json"})
    assert response.status_code == 503, (path, response.get_data(as_text=True))
    assert response.headers.get("Retry-After") == retry, path


def test_whether_a_timeout_waited_crosses_from_a_query_worker():
    """A worker's error comes back pickled: the flag must survive it."""
    for waited in (False, True):
        copy = pickle.loads(pickle.dumps(QueryTimeout("no query worker was free", waited=waited)))
        assert (copy.waited, str(copy)) == (waited, "no query worker was free")


def test_a_page_whose_query_waited_for_a_worker_answers_once_one_is_free(app, monkeypatch):
    """A page keeps a query stopped at its limit for a while (asking again would stop it again), but kept one
    that only waited for a worker too, refusing the page for a minute with nothing left to wait for."""
    def fail(*args, **kwargs):
        raise QueryTimeout("no query worker was free within the time limit of 5s", waited=True)

    monkeypatch.setattr(app.extensions["sahel-kg"], "_run", fail)
    assert app.test_client().get("/").headers.get("Retry-After") == "1"
    monkeypatch.undo()
    assert app.test_client().get("/").status_code == 200


@pytest.mark.parametrize("params, retry", [("&timeout=1", None), ("&timeout=60", "1"), ("", "1")])
def test_a_query_that_waited_past_the_clients_own_shorter_limit_is_not_told_to_retry(monkeypatch, params, retry):
    """No worker was free within the client's own timeout=, shorter than the server's: asking again with the
    same limit meets the same busy pool, so it is told to ask with a longer one, as a request that waited
    for a thread is (api.backend); past the server's limit, waiting may help."""
    app = create_app({"STORE": "memory:", "QUERY_TIMEOUT": 30})
    try:
        def fail(request, since=None):
            raise QueryTimeout(f"no query worker was free within the time limit of {request.timeout or 30:g}s",
                               waited=True)

        monkeypatch.setattr(app.extensions["sahel-kg"], "_run", fail)
        response = app.test_client().get(QUERY + params)
    finally:
        app.extensions["sahel-kg"].close()
    assert response.status_code == 503 and response.headers.get("Retry-After") == retry
    assert ("longer one" in response.get_json()["detail"]) == (retry is None)
