"""The IRIs a write names (a graph POSTed to /store, a graph URL under /store/, relative IRIs in an upload or an
update) come from the server's public origin, never from a client's Host header (helper-90: a graph was stored
as http://attacker.example/store/…); a graph URL the decoded path cannot tell apart from another is refused.
An upload's relative IRIs resolve against the graph it writes, however the request names that graph."""

from __future__ import annotations

import io
import json
from urllib.parse import quote

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, WRITABLE, problem

ORIGIN = "https://kg.example.com"
ATTACKER = "http://attacker.example"
TURTLE = {**AUTH, "Content-Type": "text/turtle"}


@pytest.fixture
def public(make_app):
    """A client of a writable app whose public origin is ORIGIN, over an empty store."""
    return make_app({**WRITABLE, "PUBLIC_ORIGIN": ORIGIN}, article=False).test_client()


def graphs(client) -> set[str]:
    response = client.get("/sparql", query_string={"query": "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }"},
                          headers={"Accept": "application/sparql-results+json"})
    return {row["g"]["value"] for row in json.loads(response.data)["results"]["bindings"]}


def subjects(client) -> set[str]:
    response = client.get("/sparql", query_string={"query": "SELECT DISTINCT ?s { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"})
    return {row["s"]["value"] for row in json.loads(response.data)["results"]["bindings"]}


def test_a_graph_posted_to_the_store_is_named_under_the_public_origin(public):
    response = public.post("/store", data=b"<#thing> <http://ex.org/p> 1 .", headers=TURTLE, base_url=ATTACKER)
    assert response.status_code == 201 and response.headers["Location"].startswith(ORIGIN + "/store/")
    assert graphs(public) == {response.headers["Location"]}
    assert subjects(public) == {response.headers["Location"] + "#thing"}  # the new graph is the upload's base


def test_a_graph_url_names_the_graph_under_the_public_origin(public):
    response = public.put("/store/team/a", data=b"<x> <http://ex.org/p> 1 .", headers=TURTLE, base_url=ATTACKER)
    assert response.status_code == 201
    assert graphs(public) == {ORIGIN + "/store/team/a"} and subjects(public) == {ORIGIN + "/store/team/x"}


def test_an_updates_relative_iris_resolve_against_the_public_origin(public):
    update = "INSERT DATA { GRAPH <g> { <s> <http://ex.org/p> 1 } }"
    response = public.post("/sparql", data={"update": update}, headers=AUTH, base_url=ATTACKER)
    assert response.status_code == 204
    assert graphs(public) == {ORIGIN + "/g"} and subjects(public) == {ORIGIN + "/s"}


def test_without_a_public_origin_a_foreign_host_gives_way_to_iri_bases_origin(make_app):
    client = make_app(WRITABLE, article=False).test_client()
    response = client.post("/store", data=b"<a> <http://ex.org/p> 1 .", headers=TURTLE, base_url=ATTACKER)
    assert response.headers["Location"].startswith("https://sahel-kg.example.org/store/")


@pytest.mark.parametrize("path", ["/store/enc/p%2541", "/store/enc/p%25", "/store/a/%2E%2E/%2E%2E/etc",
                                  "/store/a/./b"])
def test_a_graph_url_the_decoded_path_cannot_tell_apart_is_refused(public, path):
    """/store/enc/p%2541 was stored as …/enc/pA, and …/%2E%2E/… as a graph with dot segments in its IRI."""
    detail = problem(public.put(path, data=b"<a> <http://ex.org/p> 1 .", headers=TURTLE), 400)["detail"]
    assert "?graph=" in detail
    assert graphs(public) == set()
    name = quote(ORIGIN + "/store/enc/p%41", safe="")
    assert public.put("/store?graph=" + name, data=b"<a> <http://ex.org/p> 1 .", headers=TURTLE).status_code == 201
    assert graphs(public) == {ORIGIN + "/store/enc/p%41"}  # named as it is with ?graph


UPLOAD = b"<> <http://ex.org/p> 1 . <#part> <http://ex.org/p> 2 . <sibling> <http://ex.org/p> 3 ."


def uploaded(graph: str) -> set[str]:
    """The subjects UPLOAD gives when its base is `graph`."""
    return {graph, graph + "#part", graph.rsplit("/", 1)[0] + "/sibling"}


@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize("graph", ["http://ex.org/data/g", ORIGIN + "/store/team/a", "urn:example:g"])
def test_an_upload_by_graph_parameter_resolves_against_that_graph(public, method, graph):
    """?graph=G names G (indirect identification): `<>` in its body is G, not the graph store's /store."""
    response = public.open("/store", method=method, query_string={"graph": graph}, data=UPLOAD, headers=TURTLE,
                           base_url=ATTACKER)
    assert response.status_code == 201
    expected = {"urn:example:g", "urn:example:g#part", "urn:sibling"} if graph.startswith("urn:") else uploaded(graph)
    assert graphs(public) == {graph} and subjects(public) == expected


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_a_graph_named_by_its_url_or_by_graph_parameter_gets_the_same_triples(public, make_app, method):
    """Direct and indirect identification of one graph are the same write."""
    graph = ORIGIN + "/store/team/a"
    direct = public.open("/store/team/a", method=method, data=UPLOAD, headers=TURTLE, base_url=ATTACKER)
    other = make_app({**WRITABLE, "PUBLIC_ORIGIN": ORIGIN}, article=False).test_client()
    indirect = other.open("/store", method=method, query_string={"graph": graph}, data=UPLOAD, headers=TURTLE)
    assert direct.status_code == indirect.status_code == 201
    assert subjects(public) == subjects(other) == uploaded(graph)


def test_a_multipart_upload_resolves_every_part_against_the_graph(public):
    graph = "http://ex.org/data/g"
    parts = {"a": (io.BytesIO(b"<> <http://ex.org/p> 1 ."), "a.ttl", "text/turtle"),
             "b": (io.BytesIO(b"<#b> <http://ex.org/p> 2 ."), "b.ttl", "text/turtle")}
    response = public.post("/store", query_string={"graph": graph}, data=parts, headers=AUTH,
                           content_type="multipart/form-data", base_url=ATTACKER)
    assert response.status_code == 201
    assert subjects(public) == {graph, graph + "#b"}


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_an_upload_to_the_default_graph_resolves_against_the_graph_store(public, method):
    """The default graph has no IRI: its uploads take the graph store's URL, under the public origin."""
    response = public.open("/store?default", method=method, data=UPLOAD, headers=TURTLE, base_url=ATTACKER)
    assert response.status_code in (201, 204)
    assert subjects(public) == uploaded(ORIGIN + "/store")
