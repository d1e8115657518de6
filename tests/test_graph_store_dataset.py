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

# with the older names RDF4J and Oxigraph's server take (helper-206: 406 here)
KINDS = {"application/n-quads": ox.RdfFormat.N_QUADS, "application/trig": ox.RdfFormat.TRIG,
         "text/x-nquads": ox.RdfFormat.N_QUADS, "application/x-trig": ox.RdfFormat.TRIG}
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


@pytest.mark.parametrize("asked", [{"headers": {"Accept": "text/turtle"}}, {"query_string": "format=json-ld"},
                                   # both refused, a wildcard got N-Quads as text/x-nquads (helper-209)
                                   {"headers": {"Accept": "application/n-quads;q=0, application/trig;q=0, */*"}}])
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


def test_a_dump_posted_back_to_an_empty_store_is_the_same_dataset(make_app):
    """POST /store of N-Quads or TriG adds each quad to its graph, as Oxigraph's server does: it was a 415, so no
    GET /store could be posted back (helper-189)."""
    source = make_app(article=False, seed=SEED).test_client()
    for media in KINDS:
        dump = source.get("/store", headers={"Accept": media})
        target = make_app(WRITABLE, article=False).test_client()
        posted = target.post("/store", data=dump.get_data(), content_type=media, headers=AUTH)
        assert posted.status_code == 204 and "X-Dataset-Version" in posted.headers
        assert parsed(target.get("/store")) == parsed(dump) and IN_DEFAULT in parsed(dump)


def test_a_quad_of_the_default_graph_goes_to_the_declared_one(make_app):
    client = make_app(WRITABLE, article=False).test_client()
    body = f'<{EX}s> <{EX}p> "plain" .\n<{EX}s> <{EX}p> "named" <{EX}g> .\n_:b <{EX}p> _:b <{EX}g> .\n'
    assert client.post("/store", data=body, content_type="application/n-quads", headers=AUTH).status_code == 204
    got = parsed(client.get("/store"))
    assert ox.Quad(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.Literal("plain"), ox.NamedNode(DEFAULT_GRAPH)) in got
    assert {q.object.value for q in got if q.graph_name == ox.NamedNode(EX + "g") and q.object.value != "named"} \
        and len(got) == 3


@pytest.mark.parametrize("body, status, words", [
    (f'<{EX}s> <{EX}p> "ok" <{EX}g> .\n<{EX}s> <{EX}p> "ok" <https://sahel-kg.example.org/graph/ontology> .',
     409, "one of the project's own graphs"),
    (f'<{EX}s> <{EX}p> "ok" <{EX}g> .\n<{EX}s> <{EX}p> oops .', 400, "line 2")])
def test_a_dataset_body_is_added_whole_or_not_at_all(make_app, body, status, words):
    client = make_app(WRITABLE).test_client()
    before = parsed(client.get("/store"))
    found = problem(client.post("/store", data=body, content_type="application/n-quads", headers=AUTH), status)
    assert words in found["detail"] or words.split()[-1] == str(found.get("line"))
    assert parsed(client.get("/store")) == before


def test_a_dataset_post_needs_updates_on_and_the_token(make_app):
    body = f'<{EX}s> <{EX}p> "x" <{EX}g> .'
    problem(make_app().test_client().post("/store", data=body, content_type="application/n-quads"), 403)
    problem(make_app(WRITABLE).test_client().post("/store", data=body, content_type="application/n-quads"), 401)
    named = make_app(WRITABLE).test_client().post(f"/store?graph={EX}g", data=body, content_type="application/n-quads",
                                                  headers=AUTH)
    assert "n-quads" in problem(named, 415)["detail"]  # one graph holds triples: a quad's graph has no place there
    other = make_app(WRITABLE).test_client().post("/store", data=body, content_type="text/x-quads", headers=AUTH)
    assert "application/n-quads or application/trig" in problem(other, 415)["detail"]  # helper-197


def test_a_dataset_post_honours_its_preconditions(make_app):
    """If-Match and If-None-Match were skipped: a stale If-Match wrote (helper-197)."""
    client = make_app(WRITABLE, article=False).test_client()
    body, nquads = f'<{EX}s> <{EX}p> "x" <{EX}g> .', "application/n-quads"
    for header in ({"If-Match": '"stale"'}, {"If-None-Match": "*"}):
        problem(client.post("/store", data=body, content_type=nquads, headers={**AUTH, **header}), 412)
    assert not parsed(client.get("/store"))
    dumped = client.get("/store")  # the dump's own tag, as a client that read the dataset holds it
    posted = client.post("/store", data=body, content_type=nquads, headers={**AUTH, "If-Match": dumped.headers["ETag"]})
    assert posted.status_code == 204
    version = f'"{posted.headers["X-Dataset-Version"]}"'  # the dataset's version, as an update's precondition takes it
    again = client.post("/store", data=body.replace('"x"', '"y"'), content_type=nquads,
                        headers={**AUTH, "If-Match": version})
    assert again.status_code == 204 and len(parsed(client.get("/store"))) == 2
    problem(client.post("/store", data=body, content_type=nquads, headers={**AUTH, "If-Match": version}), 412)
