"""The IRIs a write names (a graph POSTed to /store, a graph URL under /store/, relative IRIs in an upload or an
update) come from the server's public origin, never from a client's Host header (helper-90: a graph was stored
as http://attacker.example/store/…); a graph URL the decoded path cannot tell apart from another is refused."""

from __future__ import annotations

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
    assert subjects(public) == {ORIGIN + "/store#thing"}  # the upload's relative IRIs too


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
