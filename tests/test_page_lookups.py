"""A page request costs the same however large the store: a path that names nothing, escaped characters and
all, is answered 404 after a few exact-IRI lookups, never by reading every IRI of the store (which took
3 to 4.6 s a request at 200k triples, and eight at once held every worker to its time limit)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from api.iri_spellings import MOST
from api.page_data import query_text
from api_fixtures import *  # noqa: F401,F403
from live_server import kg_server
from raw_http import raw_request

BASE = "https://sahel-kg.example.org/"
SEED = f"""
<http://example.org/slashes> {{
  <{BASE}label/x/en/A%2FB%20C> <http://www.w3.org/2000/01/rdf-schema#label> "A/B C"@en .
}}
"""
NOTHING = ["/x%20b", "/%2A", "/%22", "/*", "/x%20b.ttl", "/id/jnim%20x", "/label/russia/en/Russian%20Empire",
           "/id/%C5%9E%20nothing.html", "/a/b/c/d/e/f/g%2Fh%20i", "/id/%25zz"]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, article_store):  # noqa: F811
    """A test client and the list of every query the app's pages send to the query service."""
    app = build_app(tmp_path_factory.mktemp("lookups") / "store", article=article_store, seed=SEED)
    backend, sent = app.extensions["sahel-kg"], []
    query = backend.query

    def recording(request, *args, **kwargs):
        sent.append(request)
        return query(request, *args, **kwargs)

    backend.query = recording
    yield app.test_client(), sent
    backend.close()


def lookups(sent) -> list[str]:
    """The IRIs the queries sent looked up, asserting that each was the exact-IRI lookup (one for a thing's
    path, two for a document's: the IRI may end in .ttl itself)."""
    assert [request.sparql for request in sent] in ([query_text("resources-known")] * count for count in (1, 2))
    return [str(row[0].value) for request in sent for row in request.bindings[("this",)]]


@pytest.mark.parametrize("path", NOTHING)
def test_a_path_that_names_nothing_is_a_404_after_a_few_exact_lookups(recorded, path):
    client, sent = recorded
    sent.clear()
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    looked_up = lookups(sent)
    assert 1 <= len(looked_up) <= 2 * MOST and all(iri.startswith(BASE) for iri in looked_up)


@pytest.mark.parametrize("path, iri", [("/%2A", BASE + "*"), ("/x%20b", BASE + "x%20b"), ("/%22", BASE + "%22")])
def test_the_lookups_are_the_iris_spellings(recorded, path, iri):
    client, sent = recorded
    sent.clear()
    client.get(path, headers={"Accept": "text/turtle"})
    assert iri in lookups(sent)


@pytest.mark.parametrize("path", ["/label/russia/en/Russian%20Federation", "/label/turkey/en/T%C3%BCrkiye",
                                  "/label/x/en/A%2FB%20C"])
def test_an_iri_minted_with_escapes_is_still_found(recorded, path):
    client, _ = recorded
    response = client.get(path + ".ttl")
    assert response.status_code == 200 and response.headers["Link"].startswith(f'<{BASE}{path[1:]}>; rel="describes"')


def test_a_live_server_answers_paths_that_name_nothing_with_a_404(tmp_path, article_store):  # noqa: F811
    with kg_server(tmp_path) as base:  # GET * is a 400 before any lookup (test_granian_edge.py)
        for target, expected in ((b"*", 400), (b"/%2A", 404), (b"/x%20b", 404), (b"/%22", 404)):
            status, _, _ = raw_request(base, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                       b"Accept: text/turtle\r\nConnection: close\r\n\r\n")
            assert (target, status) == (target, expected)


def test_a_document_about_a_long_iri_leaves_its_link_header_out(tmp_path, article_store):  # noqa: F811
    long = "id/" + "Ş" * 900  # a 5.4 KB Link header before: past a proxy's 4 KB header buffer
    app = build_app(tmp_path / "store", article=article_store,
                    seed=f'<http://example.org/long> {{ <{BASE}{long}> <{BASE}ontology#p> "x" . }}')
    try:
        response = app.test_client().get("/" + quote(long) + ".ttl")
        assert response.status_code == 200 and "Link" not in response.headers
        assert "x" in response.get_data(as_text=True)
    finally:
        app.extensions["sahel-kg"].close()
