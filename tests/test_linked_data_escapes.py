"""IRIs whose path reaches the server decoded ('#' from %23, '?' from %3F): the 303, the pages' links and the
documents' headers lead a client to the document about that same IRI, on a live server (granian decodes
paths itself) as through the test client."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from werkzeug.urls import iri_to_uri

import api
from api_fixtures import article_store  # noqa: F401
from kg.namespaces import PREFIXES
from kg.store.oxigraph import OxigraphStore
from live_server import kg_server
from raw_http import http

BASE = PREFIXES["sk"].removesuffix("id/")
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
RDF_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml", "application/trig",
             "application/n-quads")
SEED = f"""
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/escapes> {{
  <{BASE}id/what?now> rdfs:label "What now?" ; rdfs:seeAlso <{BASE}id/jnim> .
  <{BASE}id/c%23sharp> rdfs:label "C#" .
  <{BASE}id/ŞARK> rdfs:label "Şark" .
  <{BASE}id/some%2Fthing> rdfs:label "Some/thing" ; rdfs:seeAlso <{BASE}id/jnim> .
  <{BASE}id/doi/10.1000%2Fa%2Fb> rdfs:label "A DOI" .
  <{BASE}id/x%2Fy%20z> rdfs:label "x/y z" .
  <{BASE}id/both/ways> rdfs:label "Both ways" .
  <{BASE}id/both%2Fways> rdfs:label "Both ways, escaped" .
  <{BASE}name/acled/actor/Militia%20%28Dozo%2FKoglweogo%29> rdfs:label "Militia (Dozo/Koglweogo)" .
  <{BASE}id/JNIM%3A%20a%2Fb> rdfs:label "JNIM: a/b" .
  <{BASE}id/Ç%C3%A9> rdfs:label "one character as it is, one escaped" .
  <{BASE}id/lower%c3%a9> rdfs:label "escaped in lowercase hex" .
  <{BASE}id/C%C3%B4te/Côte%20d%27Ivoire> rdfs:label "a segment escaped whole, then one as R2RML escapes it" .
  <{BASE}id/ÀÁÂÃÄ%C3%85> rdfs:label "more mixed than the server tries: reached by its exact spelling" .
}}
"""
# (path as a client sends it, the IRI it names): an ontology term ('#' in the IRI), a '?' in the IRI, an
# IRI minted with an escaped '#', one with a character a URL cannot carry as it is, and IRIs minted with an
# escaped '/' (granian gives the path decoded: %2F reads as '/'), asked for as they are or with %252F.
ESCAPED = [("/ontology%23Claim", BASE + "ontology#Claim"), ("/id/what%3Fnow", BASE + "id/what?now"),
           ("/id/c%23sharp", BASE + "id/c%23sharp"), ("/id/%C5%9EARK", BASE + "id/ŞARK"),
           ("/id/some%2Fthing", BASE + "id/some%2Fthing"), ("/id/doi/10.1000%2Fa%2Fb", BASE + "id/doi/10.1000%2Fa%2Fb"),
           ("/id/x%2Fy%20z", BASE + "id/x%2Fy%20z"), ("/id/both%252Fways", BASE + "id/both%2Fways"),
           # as RML mints them (every reserved character escaped) and as pages link them (%2F as %252F)
           ("/name/acled/actor/Militia%20(Dozo%252FKoglweogo)", BASE + "name/acled/actor/Militia%20%28Dozo%2FKoglweogo%29"),
           ("/id/JNIM%3A%20a%252Fb", BASE + "id/JNIM%3A%20a%2Fb"),
           # ontology terms (hash IRIs) whose fragment holds escapes (helper-83: 404, and a 303 to a 404)
           ("/ontology%23ACLED_Violence%20against%20civilians", BASE + "ontology#ACLED_Violence%20against%20civilians"),
           ("/ontology%23ACLED_Violence%2520against%2520civilians",
            BASE + "ontology#ACLED_Violence%20against%20civilians"),
           ("/ontology%23ACLED_Explosions%2FRemote%20violence", BASE + "ontology#ACLED_Explosions%2FRemote%20violence"),
           ("/ontology%23ACLED_Explosions%252FRemote%20violence",
            BASE + "ontology#ACLED_Explosions%2FRemote%20violence"),
           # IRIs that escape some characters past ASCII and not others, or in lowercase hex, asked for in any of
           # their equivalent spellings (RFC 3987 §5.3.2.3): a 404, or a 303 to a 404 (helper-125)
           ("/id/%C3%87%C3%A9", BASE + "id/Ç%C3%A9"), ("/id/%C3%87%25C3%25A9", BASE + "id/Ç%C3%A9"),
           ("/id/lower%C3%A9", BASE + "id/lower%c3%a9"), ("/id/lower%25c3%25a9", BASE + "id/lower%c3%a9"),
           ("/id/C%C3%B4te/C%C3%B4te%20d'Ivoire", BASE + "id/C%C3%B4te/Côte%20d%27Ivoire"),
           ("/id/%C3%80%C3%81%C3%82%C3%83%C3%84%25C3%2585", BASE + "id/ÀÁÂÃÄ%C3%85")]


def seeded_store(path, article) -> str:
    """A copy of the article's store with SEED added; the store setting for it."""
    shutil.copytree(article, path)
    store = OxigraphStore(path)
    store.extend(ox.parse(SEED.encode(), format=ox.RdfFormat.TRIG))
    store.close()
    return f"oxigraph:{path}"


@pytest.fixture(scope="module")
def client(tmp_path_factory, article_store):  # noqa: F811
    store = seeded_store(tmp_path_factory.mktemp("escapes") / "store", article_store)
    app = api.create_app({"STORE": store, "INSTALL_ARTICLE": False, "QUERY_WORKERS": 1, "TESTING": True})
    yield app.test_client()
    app.extensions["sahel-kg"].close()


def described_by_link(link: str | None) -> str | None:
    """The IRI a Link header says its document describes (as a URI: a header is ASCII)."""
    found = re.match(r'<([^>]*)>; rel="describes"', link or "")  # a URI holds no '>'
    return found.group(1) if found else None


def described(client, path: str) -> str | None:
    """The IRI the RDF document a client reaches from `path` (following redirects as a client does) describes."""
    response = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True)
    assert response.status_code == 200, (path, response.status_code)
    return described_by_link(response.headers.get("Link"))


class Links(HTMLParser):
    """(href, type) of every link (a, link) on a page."""

    def __init__(self, text: str):
        super().__init__()
        self.links: list[tuple[str, str | None]] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("a", "link") and attrs.get("href"):
            self.links.append((attrs["href"], attrs.get("type")))


@pytest.mark.parametrize("path, iri", ESCAPED)
def test_the_303_leads_to_the_document_about_the_same_iri(client, path, iri):
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 303 and not set(response.headers["Location"]) & set("#? ")
    assert described(client, path) == iri_to_uri(iri)


@pytest.mark.parametrize("path, iri", ESCAPED)
def test_the_page_of_such_an_iri_offers_its_own_documents(client, path, iri):
    page = client.get(path, headers=BROWSER, follow_redirects=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    documents = {href for href, kind in Links(page.get_data(as_text=True)).links if kind in RDF_TYPES}
    assert len(documents) == len(RDF_TYPES) and {described(client, href) for href in documents} == {iri_to_uri(iri)}


def test_a_link_to_an_iri_with_a_question_mark_leads_to_it(client):
    page = client.get("/id/jnim.html", headers=BROWSER).get_data(as_text=True)
    hrefs = [href for href, _ in Links(page).links if href.startswith("/id/what")]
    assert hrefs and {described(client, href) for href in hrefs} == {BASE + "id/what?now"}


def test_a_link_to_an_iri_with_an_escaped_slash_leads_to_it_beside_one_with_a_slash(client):
    """The server cannot tell %2F from '/' in a path (granian decodes it), so a page links such an IRI with %252F:
    with %2F, its link led to …/id/both/ways, which the graph also has."""
    page = client.get("/id/both%252Fways.html", headers=BROWSER).get_data(as_text=True)
    documents = {href for href, kind in Links(page).links if kind in RDF_TYPES}
    assert documents and {described(client, href) for href in documents} == {BASE + "id/both%2Fways"}
    assert described(client, "/id/both/ways") == BASE + "id/both/ways"


def test_a_path_that_names_nothing_is_still_not_found(client):
    for path in ("/id/some/thing/else", "/id/nothing/here", "/id/jnim/x"):
        response = client.get(path, headers={"Accept": "text/turtle"})
        assert response.status_code == 404 and response.mimetype == "application/problem+json", path


@pytest.mark.parametrize("path", ["/id/x%0A", "/id/mali%0D", "/id/a%0Ab/c", "/ontology%09"])
def test_a_path_holding_a_control_character_is_looked_up_like_any_other(client, path):
    """Such a path reached no route: its 404 had Werkzeug's stock text in place of the IRI looked up."""
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code == 404 and response.mimetype == "application/problem+json"
    detail, _, offered = response.get_json()["detail"].partition("; did you mean ")  # sk:mali for …/mali\r
    assert detail == f"the graph says nothing about <{BASE}{path[1:]}>"  # as a URI, the character escaped again
    assert offered == ("<" + BASE + "id/mali>?" if "mali" in path else "")


def test_a_live_server_leads_to_the_document_about_the_same_iri(tmp_path, article_store):  # noqa: F811
    with kg_server(tmp_path, store=seeded_store(tmp_path / "store", article_store)) as base:
        for path, iri in ESCAPED:  # urllib follows a 303 as browsers do: a '#' ends the URL, a '?' starts a query
            status, headers, _ = http(base + path, headers={"Accept": "text/turtle"})
            assert (path, status, described_by_link(headers.get("Link"))) == (path, 200, iri_to_uri(iri))


@pytest.mark.parametrize("path, iri", ESCAPED)
def test_the_quads_twin_a_document_names_is_about_the_same_iri(client, path, iri):
    response = client.get(path, headers={"Accept": "text/turtle"}, follow_redirects=True)
    twin = re.search(r'<([^>]*)>; rel="alternate"; type="application/trig"', response.headers["Link"]).group(1)
    quads = client.get(twin)
    assert quads.status_code == 200 and quads.mimetype == "application/trig"
    assert ox.NamedNode(iri) in {quad.subject for quad in ox.parse(quads.data, format=ox.RdfFormat.TRIG)}
