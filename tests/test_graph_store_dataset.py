"""GET /store with neither ?graph nor ?default: the whole dataset, N-Quads or TriG by Accept or format=, streamed,
with the dataset version's validators, as Oxigraph's server and Fuseki give it."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, SEED, WRITABLE, problem
from kg.store.merge import DEFAULT_GRAPH
from kg.store.oxigraph import OxigraphStore
from store_helpers import dataset_quads

KINDS = {"application/n-quads": ox.RdfFormat.N_QUADS, "application/trig": ox.RdfFormat.TRIG}
IN_DEFAULT = ox.Quad(ox.NamedNode(EX + "d"), ox.NamedNode(EX + "p"), ox.Literal("in the default graph"),
                     ox.NamedNode(DEFAULT_GRAPH))


def parsed(response) -> set:
    return set(ox.parse(response.get_data(), format=KINDS[response.mimetype]))


def stored_quads(app) -> set:
    with OxigraphStore(app.extensions["sahel-kg"].path, read_only=True) as store:
        return dataset_quads(store)


def test_the_store_itself_is_the_whole_dataset_in_n_quads(shared_app):
    response = shared_app.test_client().get("/store")
    assert response.status_code == 200 and response.mimetype == "application/n-quads"
    assert response.is_streamed and "Accept" in response.headers["Vary"]
    got = parsed(response)
    assert got == stored_quads(shared_app) and IN_DEFAULT in got and len(got) > 2000


@pytest.mark.parametrize("asked", [{"headers": {"Accept": "application/trig"}}, {"query_string": "format=trig"},
                                   {"headers": {"Accept": "text/turtle;q=0.5, application/trig"}}])
def test_trig_by_accept_or_format(shared_app, asked):
    response = shared_app.test_client().get("/store", **asked)
    assert response.status_code == 200 and response.mimetype == "application/trig"
    assert parsed(response) == stored_quads(shared_app)


@pytest.mark.parametrize("asked", [{"headers": {"Accept": "text/turtle"}}, {"query_string": "format=json-ld"}])
def test_a_graph_syntax_cannot_carry_the_dataset(shared_app, asked):
    body = problem(shared_app.test_client().get("/store", **asked), 406)
    assert "n-quads" in body["detail"] or "nquads" in body["detail"]


def test_validators_304_and_head(shared_app):
    client = shared_app.test_client()
    first = client.get("/store")
    first.get_data()
    trig = client.get("/store", headers={"Accept": "application/trig"})
    trig.get_data()
    assert first.headers["ETag"] != trig.headers["ETag"]  # two representations
    again = client.get("/store", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.get_data() and "Accept" in again.headers["Vary"]
    head = client.head("/store")
    assert head.status_code == 200 and head.headers["ETag"] == first.headers["ETag"] and not head.get_data()
    assert "Content-Length" not in head.headers  # not known before the dump is made


def test_a_write_shows_in_the_dataset_and_moves_its_etag(make_app):
    client = make_app(WRITABLE, seed=SEED).test_client()
    before = client.get("/store")
    update = f"INSERT DATA {{ GRAPH <{EX}new> {{ <{EX}x> <{EX}p> \"after\" }} }}"
    assert client.post("/sparql", data={"update": update}, headers=AUTH).status_code in (200, 204)
    after = client.get("/store", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    added = ox.Quad(ox.NamedNode(EX + "x"), ox.NamedNode(EX + "p"), ox.Literal("after"), ox.NamedNode(EX + "new"))
    assert added in parsed(after) and added not in parsed(before)


def test_writes_to_the_store_itself_still_need_a_graph(make_app):
    client = make_app(WRITABLE, seed=SEED).test_client()
    for method in ("put", "delete"):
        body = problem(getattr(client, method)("/store", data=b"<a> <b> <c> .", content_type="text/turtle",
                                               headers=AUTH), 400)
        assert "?graph=IRI" in body["detail"]


@pytest.mark.parametrize("query, name", [("foo=1", "foo"), ("graph-uri=http://example.org/g", "graph-uri"),
                                         ("format=trig&grpah=x", "grpah")])
def test_a_parameter_the_dataset_read_does_not_take_is_400_not_a_dump(shared_app, query, name):
    """A slip (Virtuoso's graph-uri=, a misspelt graph=) started a dump of everything (helper-192)."""
    body = problem(shared_app.test_client().get("/store?" + query), 400)
    assert "graph=IRI" in body["detail"] and body["detail"].endswith(f"not {name}")
