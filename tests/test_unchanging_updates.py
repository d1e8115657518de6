"""An update that changes nothing (a write of what is there, a removal of what is not, CLEAR of an empty graph)
keeps the dataset's version: a later query's ETag and Last-Modified, and the result cache, stay as they were.
Any update that changes something still moves it, even one that leaves the count of quads as it was."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403

SEED = """
<http://example.org/g> { <http://example.org/a> <http://example.org/p> <http://example.org/b> . }
"""
QUERY = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}  # not a lookup: kept in the result cache
JSON = {"Accept": "application/sparql-results+json"}
NOTHING = ["DELETE DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/p> 'absent' } }",
           "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/p> <http://example.org/b> } }",
           "PREFIX ex: <http://example.org/> INSERT DATA { GRAPH ex:g { ex:a ex:p ex:b } } ;"
           " DELETE DATA { ex:a ex:p ex:b } ; CLEAR SILENT GRAPH <http://example.org/empty>",
           "CLEAR DEFAULT"]
SOMETHING = ["PREFIX ex: <http://example.org/> DELETE DATA { GRAPH ex:g { ex:a ex:p ex:b } } ;"
             " INSERT DATA { GRAPH ex:g { ex:a ex:p ex:c } }",  # as many quads after as before
             "INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/a> <http://example.org/p> [] } }",
             "DELETE WHERE { GRAPH <http://example.org/g> { ?s ?p ?o } }",
             "CLEAR GRAPH <http://example.org/g>"]


@pytest.fixture
def app(make_app):
    return make_app({**WRITABLE, "RESULT_CACHE_MIN_SECONDS": 0}, article=False, seed=SEED)  # every answer kept


def validators(client) -> tuple[str, str]:
    """A query's ETag and the dataset version it was made from (which Last-Modified is the time of)."""
    answer = client.get("/sparql", query_string=QUERY, headers=JSON)
    assert answer.status_code == 200
    return answer.headers["ETag"], answer.headers["X-Dataset-Version"]


@pytest.mark.parametrize("update", NOTHING)
def test_an_update_that_changes_nothing_keeps_the_version_and_the_cache(app, update):
    client, backend = app.test_client(), app.extensions["sahel-kg"]
    before, held = validators(client), len(backend.cache)
    assert held >= 1
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204
    assert len(backend.cache) == held and validators(client) == before


@pytest.mark.parametrize("update", SOMETHING)
def test_an_update_that_changes_something_moves_the_version(app, update):
    client = app.test_client()
    before = validators(client)[0]
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204
    assert validators(client)[0] != before


def test_a_graph_store_post_of_what_the_graph_holds_keeps_the_version(app):
    client = app.test_client()
    before = validators(client)
    body = "<http://example.org/a> <http://example.org/p> <http://example.org/b> ."
    answer = client.post("/store?graph=http://example.org/g", data=body, content_type="text/turtle", headers=AUTH)
    assert answer.status_code == 204 and validators(client) == before


def test_a_graph_store_put_moves_the_version_even_with_the_same_content(app):
    """A PUT replaces the graph: told apart from a change only by reading the whole graph, so it counts as one."""
    client = app.test_client()
    before = validators(client)[0]
    body = "<http://example.org/a> <http://example.org/p> <http://example.org/b> ."
    answer = client.put("/store?graph=http://example.org/g", data=body, content_type="text/turtle", headers=AUTH)
    assert answer.status_code == 204 and validators(client)[0] != before
