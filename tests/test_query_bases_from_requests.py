"""A query's relative IRIs (`<x>`, IRI("x"), FROM <g>) resolve against the endpoint's URL under the public origin,
as an update's do, on every path a query takes (GET, a form, a query body; the fast path, on the event loop or not;
Flask's view): a Host header other than the loopback's never changes an answer, and no answer kept or tagged under
one base is given under another."""

from __future__ import annotations

import json

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, WRITABLE, build_app
from test_fast_sparql import call, offered_at_once, posted, query, settled

ORIGIN = "https://kg.example.com"
IRI_BASE_ORIGIN = "https://sahel-kg.example.org"
EVIL = {"Host": "evil.example.com"}
JSON = "application/sparql-results+json"
RELATIVE = 'SELECT (<x> AS ?i) (IRI("y") AS ?j) {}'

# The ways a query reaches /sparql: the fast path's GET, form and body, and Flask's view (another parameter).
PATHS = {
    "GET": lambda text, headers: query(text, JSON, headers=headers),
    "GET with a timeout": lambda text, headers: {**query(text, JSON, headers=headers),
                                                 "query_string": {"query": text, "timeout": "5"}},
    "form": lambda text, headers: posted(text, JSON, headers=headers),
    "body": lambda text, headers: posted(text, JSON, form=False, headers=headers),
    "body with a timeout": lambda text, headers: {**posted(text, JSON, form=False, headers=headers),
                                                  "query_string": {"timeout": "5"}},
}


def bindings(body: bytes) -> list[dict]:
    return [{name: term["value"] for name, term in row.items()} for row in json.loads(body)["results"]["bindings"]]


@pytest.fixture(scope="module")
def apps(tmp_path_factory, article_store):
    """Apps over the article: with no public origin, with ORIGIN as their public origin, and a public one."""
    root = tmp_path_factory.mktemp("bases")
    made = {"unset": build_app(root / "a", None, article=article_store),
            "set": build_app(root / "b", {"PUBLIC_ORIGIN": ORIGIN}, article=article_store),
            "public": build_app(root / "c", {"PUBLIC": True}, article=article_store)}
    yield made
    for app in made.values():
        app.extensions["sahel-kg"].close()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("setting, host, origin", [
    ("unset", "evil.example.com", IRI_BASE_ORIGIN),
    ("unset", "127.0.0.1.evil.example.com:8000", IRI_BASE_ORIGIN),
    ("unset", "127.0.0.1:8000", "http://127.0.0.1:8000"),  # a loopback Host shows how the server was reached
    ("set", "evil.example.com", ORIGIN),
    ("set", "127.0.0.1:8000", ORIGIN),
    ("public", "127.0.0.1:8000", IRI_BASE_ORIGIN),  # a proxy's own Host, or a client's invention
    ("public", "localhost", IRI_BASE_ORIGIN),
])
def test_a_querys_relative_iris_resolve_against_the_public_origin(apps, path, setting, host, origin):
    status, _, body = call(apps[setting].wsgi_app, **PATHS[path](RELATIVE, {"Host": host}))
    assert status == "200 OK", body
    assert bindings(body) == [{"i": origin + "/x", "j": origin + "/y"}]


def test_a_relative_iri_finds_the_data_under_the_public_origin_whatever_the_host(apps):
    """<id/jnim> is the dataset's sk:jnim when the base is IRI_BASE's origin: answered on the event loop too."""
    app = apps["unset"]
    settled(app)
    text = "SELECT ?p ?o WHERE { <id/jnim> ?p ?o }"
    expected = bindings(call(app.wsgi_app, **query(text.replace("<id/jnim>", "sk:jnim"), JSON))[2])
    assert expected
    for send in (lambda request: call(app.wsgi_app, **request), lambda request: offered_at_once(app.wsgi_app, **request)):
        answer = send(query(text, JSON, headers=EVIL))
        assert answer is not None and answer[0] == "200 OK"
        assert bindings(answer[2]) == expected


def test_a_from_clause_names_the_graph_an_update_named_whatever_the_host(make_app):
    """Queries and updates read `<g>` alike: what an update wrote to GRAPH <g> a query finds FROM NAMED <g>."""
    client = make_app({**WRITABLE, "PUBLIC_ORIGIN": ORIGIN}, article=False).test_client()
    update = "INSERT DATA { GRAPH <g> { <s> <http://ex.org/p> 1 } }"
    assert client.post("/sparql", data={"update": update}, headers={**AUTH, **EVIL}).status_code == 204
    for host in ("other.example.net", "localhost"):
        response = client.get("/sparql", query_string={"query": "SELECT ?g ?s FROM NAMED <g> { GRAPH ?g { ?s ?p ?o } }"},
                              headers={"Host": host, "Accept": JSON})
        assert bindings(response.data) == [{"g": ORIGIN + "/g", "s": ORIGIN + "/s"}]


def test_an_answer_kept_under_one_base_is_not_given_under_another(make_app):
    """The result cache and the ETag are keyed on the base: two loopback origins get answers of their own."""
    app = make_app({"RESULT_CACHE_MIN_SECONDS": 0})  # every answer kept
    settled(app)
    seen = {}
    for host in ("127.0.0.1:8000", "localhost:9000", "127.0.0.1:8000", "evil.example.com", "localhost:9000"):
        for name, request in (("GET", query(RELATIVE, JSON, headers={"Host": host})),
                              ("body", posted(RELATIVE, JSON, form=False, headers={"Host": host}))):
            status, headers, body = call(app.wsgi_app, **request)
            origin = IRI_BASE_ORIGIN if host.startswith("evil") else "http://" + host
            assert bindings(body) == [{"i": origin + "/x", "j": origin + "/y"}], (name, host)
            seen.setdefault(origin, set()).add(dict(headers)["ETag"])
    assert all(len(tags) == 1 for tags in seen.values()) and len(set.union(*seen.values())) == len(seen)
    tag = seen["http://127.0.0.1:8000"].pop()
    revalidated = call(app.wsgi_app, **query(RELATIVE, JSON, headers={"Host": "localhost:9000", "If-None-Match": tag}))
    assert revalidated[0] == "200 OK"  # not a 304 standing for the other origin's answer
