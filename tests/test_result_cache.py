"""The result cache: bounded, keyed on the dataset version, and never stale after a write."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from api.result_cache import _UNCACHEABLE, ResultCache, varies_without_writes
from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, WRITABLE
from kg.answers import Answer


def answer(size: int) -> Answer:
    return Answer(body=b"x" * size, kind="solutions", count=1, truncated=False, limit=None)


def test_the_cache_keeps_at_most_its_bound_and_drops_the_least_recently_used():
    cache = ResultCache(1000)
    for key in range(20):
        cache.put(key, answer(100))
        cache.get(0)  # kept in use, so never the one to go
    assert cache.held_bytes <= 1000 and len(cache) == 10
    assert cache.get(0) is not None and cache.get(1) is None and cache.get(19) is not None
    cache.put("big", answer(126))  # over an eighth of the bound: not kept
    assert cache.get("big") is None


def counting_runs(app) -> list:
    backend = app.extensions["sahel-kg"]
    runs, run = [], backend._run

    def counted(request, since=None):
        runs.append(request.sparql)
        return run(request, since)

    backend._run = counted  # the store is asked, in a worker or nearby
    return runs


KEEP_ALL = {"RESULT_CACHE_MIN_SECONDS": 0}  # these one-pattern queries take well under the default to answer


def test_a_query_asked_again_is_answered_from_the_cache_until_a_write(make_app):
    app = make_app({**WRITABLE, **KEEP_ALL}, article=False, seed=f"<{EX}g> {{ <{EX}a> <{EX}p> 1 }}")
    client = app.test_client()
    runs = counting_runs(app)
    url = "/sparql?" + urlencode({"query": f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}"})
    first, again = client.get(url), client.get(url)
    assert first.data == again.data and len(runs) == 1
    assert client.get(url, headers={"Accept": "text/csv"}).status_code == 200 and len(runs) == 2  # another format
    written = client.post("/sparql", data=f"INSERT DATA {{ <{EX}a> <{EX}p> 2 }}",
                          content_type="application/sparql-update", headers=AUTH)
    assert written.status_code == 204 and len(app.extensions["sahel-kg"].cache) == 0
    after = client.get(url)
    assert len(runs) == 3 and b'"2"' in after.data  # the write is seen, not the old answer
    assert after.headers["ETag"] != first.headers["ETag"]


def test_a_write_by_another_process_moves_the_version_past_the_cache(make_app, tmp_path):
    from kg.store.oxigraph import OxigraphStore

    app = make_app(KEEP_ALL, article=False, seed=f"<{EX}g> {{ <{EX}a> <{EX}p> 1 }}")
    client = app.test_client()
    runs = counting_runs(app)
    url = "/sparql?" + urlencode({"query": f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}"})
    assert b'"1"' in client.get(url).data and b'"1"' in client.get(url).data and len(runs) == 1
    path = app.extensions["sahel-kg"].path
    with OxigraphStore(path) as other:  # as `kg load` would, from another process
        other.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 2 }} }}")
    assert b'"2"' in client.get(url).data and len(runs) == 2


def test_a_cache_of_zero_bytes_keeps_nothing(make_app):
    app = make_app({"RESULT_CACHE_BYTES": 0})
    client = app.test_client()
    runs = counting_runs(app)
    url = "/sparql?" + urlencode({"query": "ASK { ?s ?p ?o }"})
    client.get(url), client.get(url)
    assert len(runs) == 2


def test_answers_quicker_to_make_than_the_settings_minimum_are_not_kept(make_app):
    """A flood of distinct light queries must not fill the cache (nor push out costly answers): an answer is kept
    only if it took RESULT_CACHE_MIN_SECONDS to make; an hour is more than any answer here takes."""
    app = make_app({"RESULT_CACHE_MIN_SECONDS": 3600})
    client = app.test_client()
    runs = counting_runs(app)
    for text in ("ASK { ?s ?p ?o }", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"):  # in process, then in a worker
        url = "/sparql?" + urlencode({"query": text})
        assert client.get(url).data == client.get(url).data
    assert len(runs) == 4 and len(app.extensions["sahel-kg"].cache) == 0


def test_answers_that_change_by_themselves_are_not_cached(make_app):
    app = make_app()
    client = app.test_client()
    runs = counting_runs(app)
    texts = ("SELECT (NOW() AS ?t) WHERE {}", "SELECT (RAND() AS ?r) WHERE {}", "SELECT (UUID() AS ?u) {}",
             "select (struuid () as ?u) {}", "SELECT (ſtrUUID() AS ?u) {}", "SELECT (BNODE() AS ?b) {}",
             "SELECT (bnodE('x') AS ?b) {}")
    for text in texts:
        url = "/sparql?" + urlencode({"query": text})
        client.get(url), client.get(url)
    assert len(runs) == 2 * len(texts)
    # What the words are looked for in first must not let one the pattern finds through, whatever its case.
    for text in (*texts, "SELECT * { SERVİCE <http://s.example/> {} }", "ASK { sErViCe <x:y> {} }"):
        assert varies_without_writes(text)
    for text in ("SELECT ?s { ?s ?p ?now }", "SELECT ?service { ?service ?p ?o }", "SELECT ('a' AS ?x) {}"):
        assert varies_without_writes(text) == bool(_UNCACHEABLE.search(text))


@pytest.mark.parametrize("query", ["SELECT (NOW() AS ?t) {}", "SELECT (RAND() AS ?r) {}",
                                   "SELECT (STRUUID() AS ?u) {}",
                                   "CONSTRUCT { ?s <http://e.example/p> ?b } WHERE { BIND(BNODE() AS ?b) ?s ?p ?o } LIMIT 1"])
def test_an_answer_that_changes_with_no_write_carries_no_validator(shared, query):
    """Such answers gave one strong ETag over other bytes, and If-None-Match a 304 (helper-90)."""
    response = shared.get("/sparql", query_string={"query": query})
    assert response.status_code == 200 and "ETag" not in response.headers and "Last-Modified" not in response.headers
    # no tag or date validates it (If-None-Match: * is a 304 to any GET that has an answer: RFC 9110 §13.1.2)
    again = shared.get("/sparql", query_string={"query": query},
                       headers={"If-None-Match": '"a-tag"', "If-Modified-Since": "Wed, 01 Jan 2048 00:00:00 GMT"})
    assert again.status_code == 200


def test_a_comment_between_a_functions_name_and_its_parenthesis_still_marks_it():
    """NOW#x then a new line then () is NOW(): the answer was cached and tagged as if it never changed (helper-96)."""
    assert varies_without_writes("SELECT (NOW#x\n() AS ?n) {}")
    assert varies_without_writes("SELECT (rand #y\r\n () AS ?r) {}")
    assert not varies_without_writes("SELECT ?now { ?now ?p ?o }")
