"""Every IRI the dataset mints resolves here, escaped characters and all, and every link on every page
(crawled from the home page) leads to a page that answers."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest

from api_fixtures import *  # noqa: F401,F403
from kg.namespaces import PREFIXES

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
BASE = "https://sahel-kg.example.org/"
MINTED = f"""SELECT DISTINCT ?iri WHERE {{
  {{ GRAPH ?g {{ ?iri ?p ?o }} }} UNION {{ GRAPH ?g {{ ?s ?p ?iri }} }} UNION {{ GRAPH ?iri {{ ?s ?p ?o }} }}
  FILTER (isIRI(?iri) && STRSTARTS(STR(?iri), "{BASE}") && !CONTAINS(STR(?iri), "#"))
}}"""


class Links(HTMLParser):
    """The href of every link (a, link) on a page."""

    def __init__(self, text: str):
        super().__init__()
        self.hrefs: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag in ("a", "link") and href:
            self.hrefs.append(href)


def minted(client) -> list[str]:
    body = client.post("/sparql", data={"query": MINTED}, headers={"Accept": "application/sparql-results+json"})
    return sorted(row["iri"]["value"] for row in body.get_json()["results"]["bindings"])


def test_the_dataset_mints_iris_with_escaped_characters(shared):
    escaped = [iri for iri in minted(shared) if "%" in iri]
    assert any("T%C3%BCrkiye" in iri for iri in escaped) and any("%20" in iri for iri in escaped)


@pytest.mark.parametrize("accept, ext", [(BROWSER["Accept"], "html"), ("text/turtle", "ttl")])
def test_every_minted_iri_resolves_to_its_document(shared, accept, ext):
    unresolved = []
    for iri in minted(shared):
        path = "/" + iri[len(BASE):]
        response = shared.get(path, headers={"Accept": accept})
        if response.status_code != 303 or response.headers["Location"] != f"{path}.{ext}":
            unresolved.append((iri, response.status_code))
    assert unresolved == []


@pytest.mark.parametrize("path", ["/label/russia/en/Russian%20Federation", "/label/turkey/en/T%C3%BCrkiye",
                                  "/label/jnim/ar/" + quote("جماعة نصرة الإسلام والمسلمين", safe="")])
def test_an_alias_label_with_escapes_has_its_page_and_its_rdf(shared, path):
    page = shared.get(path + ".html", headers=BROWSER)
    assert page.status_code == 200 and page.mimetype == "text/html"
    turtle = shared.get(path + ".ttl")
    assert turtle.status_code == 200 and turtle.headers["Link"].startswith(f"<{BASE}{path[1:]}>; rel=\"describes\"")
    assert unquote(path.rsplit("/", 1)[1]) in turtle.get_data(as_text=True)


def test_an_unknown_path_with_escapes_is_still_a_404(shared):
    assert shared.get("/label/russia/en/Russian%20Empire", headers=BROWSER).status_code == 404


def test_every_link_on_every_page_leads_to_a_page(shared):
    """Crawl the pages from the home page; every local link answers 200, through a 303 where it is an IRI."""
    pending, seen, broken = ["/"], {"/"}, []
    while pending:
        path = pending.pop()
        response = shared.get(path, headers=BROWSER, follow_redirects=True)
        if response.status_code != 200:
            broken.append((path, response.status_code))
            continue
        if response.mimetype != "text/html" or path.startswith(("/sparql", "/static/")):
            continue
        for href in Links(response.get_data(as_text=True)).hrefs:
            target = urlsplit(urljoin("http://localhost" + path, href))
            if target.hostname == "localhost" and target.path not in seen:
                seen.add(target.path)
                pending.append(target.path + (f"?{target.query}" if target.query else ""))
    assert broken == [] and len(seen) > 100


@pytest.mark.parametrize("local", ["a/../b", "c/./d", "e/%2e%2e/f", "g/.%2E/h", "i/%2E/j/./k", "l/../%2E%2E/m/..",
                                   "n%C3%A9/./o", "p%20q/../r", "s/t%C3%A9/%2E/u/./v"])
def test_an_iri_with_a_dot_segment_is_linked_so_that_a_browser_keeps_it(writer, local):
    """The link to <…/a/../b> was /id/a/../b, which a browser turns into /id/b (a 404) before asking, as it does
    '.', '%2e' and their pairs (WHATWG URL's dot segments); the link keeps them, and leads to the IRI's page."""
    iri, holder = f"{BASE}id/{local}", f"{BASE}id/dotted-holder"
    update = f'INSERT DATA {{ GRAPH <http://example.org/dots> {{ <{holder}> <http://example.org/p> <{iri}> . ' \
             f'<{iri}> <{PREFIXES["rdfs"]}label> "dotted one" }} }}'
    assert writer.post("/sparql", data={"update": update}, headers=AUTH).status_code == 204
    hrefs = [href for href in Links(writer.get("/id/dotted-holder.html", headers=BROWSER).get_data(as_text=True)).hrefs
             if href.startswith("/id/") and href.split("/")[2] == local.split("/")[0]]
    dot_segments = [part for part in hrefs[0].split("/") if part.lower().replace("%2e", ".") in (".", "..")]
    assert len(hrefs) == 1 and dot_segments == [], hrefs  # what a browser would remove
    typed = [] if "%" in local else [hrefs[0].replace("%252E", "%252e")]  # its dots typed in lowercase hex
    for href in [hrefs[0], *typed]:
        page = writer.get(href, headers=BROWSER, follow_redirects=True)
        assert page.status_code == 200 and "dotted one" in page.get_data(as_text=True), href
