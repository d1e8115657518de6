"""READ_FROM_MEMORY: query workers answer from an in-memory copy of the on-disk store, kept current."""

from __future__ import annotations

from urllib.parse import urlencode

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, WRITABLE, problem
from long_work import CROSS_COUNT as HEAVY, wait_until
from test_api_safety import gone, worker_pids

CLAIMS = "SELECT (COUNT(*) AS ?n) WHERE { ?c a sahel:Claim }"


def count(client, query: str) -> int:
    body = client.get("/sparql?" + urlencode({"query": query})).get_json()
    return int(body["results"]["bindings"][0]["n"]["value"])


def test_answers_come_from_memory_and_follow_every_write(make_app):
    app = make_app({**WRITABLE, "READ_FROM_MEMORY": True})
    client = app.test_client()
    assert count(client, CLAIMS) == 32
    mine = f"SELECT (COUNT(*) AS ?n) WHERE {{ <{EX}a> ?p ?o }}"
    assert count(client, mine) == 0
    written = client.post("/sparql", data=f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}",
                          content_type="application/sparql-update", headers=AUTH)
    assert written.status_code == 204
    assert count(client, mine) == 1  # the worker copied the store again after the write
    path = app.extensions["sahel-kg"].path
    assert path.exists() and any(path.iterdir())  # and the write is on disk, where it lasts


def test_the_time_limit_still_kills_a_query_reading_from_memory(make_app):
    app = make_app({"READ_FROM_MEMORY": True, "QUERY_TIMEOUT": 1})
    client = app.test_client()
    [pid] = worker_pids(app)
    body = problem(client.get("/sparql?" + urlencode({"query": HEAVY})), 503)
    assert "time limit" in body["detail"]
    wait_until(lambda: gone(pid), what="the busy worker's end")  # killed, not left burning CPU
    wait_until(lambda: worker_pids(app), what="a new worker")
    assert count(client, CLAIMS) == 32  # and its successor copied the store again
