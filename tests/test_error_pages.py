"""Errors read by a browser are pages; by any other client, problem documents; and every problem type's
IRI resolves to what it means."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.exceptions import default_exceptions

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import problem
from api.errors import _STATUS, PROBLEM_TYPE, slug

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
API = Path(__file__).parents[1] / "api"
ERRORS = [("/static/..%2f..%2fx", 404), ("/id/%00", 400), ("/no/such/page", 404), ("/sparql?query=SELECT%20%3Fx", 400),
          ("/views/network.json?as_of=late-2025", 400), ("/network?as_of=late-2025", 400),
          ("/reconcile/properties?type=sahel:Nothing", 400), ("/store?graph=nope", 400),
          ("/sparql?query=ASK%7B%7D&format=nothing", 406), ("/problems/no-such-problem", 404),
          ("/id/no-such-entity", 404)]


@pytest.mark.parametrize("path, status", ERRORS)
def test_a_browser_gets_an_error_as_a_page(shared, path, status):
    response = shared.get(path, headers=BROWSER)
    assert response.status_code == status and response.mimetype == "text/html"
    assert "Accept" in response.headers.get("Vary", "")  # the same URL gives a document to other clients
    text = response.get_data(as_text=True)
    assert "<h1>" in text and f"HTTP {status}" in text or "Not found" in text
    link = re.search(r'href="(/problems/[a-z0-9-]+)"', text)
    assert link is None or shared.get(link.group(1), headers=BROWSER).status_code == 200


@pytest.mark.parametrize("path, status", ERRORS)
def test_other_clients_get_a_problem_document(shared, path, status):
    problem(shared.get(path), status)
    response = shared.get(path, headers={"Accept": "application/json"})
    assert "Accept" in response.headers.get("Vary", "")
    body = response.get_json()
    assert shared.get(body["type"][len("https://sahel-kg.example.org"):]).status_code == 200


def test_a_syntax_error_page_names_its_line_and_column(shared):
    text = shared.get("/sparql?query=SELECT%20*%20WHERE%20%7B%0A%20%20%3Fs%20%3Fp%0A%7D", headers=BROWSER).get_data(as_text=True)
    assert re.search(r"line \d+, column \d+", text)


def titles_in_the_code() -> set[str]:
    found = {title for _, _, title in _STATUS}
    for path in API.glob("*.py"):
        found |= set(re.findall(r'(?:Problem|problem_response|problem_document|_problem)\(\d{3},\s*f?"([^"]+)"',
                                path.read_text(encoding="utf-8")))
    return found


def test_every_problem_type_the_code_uses_resolves_to_its_meaning(shared):
    titles = titles_in_the_code()
    assert {"Malformed query", "Unknown entity", "Bad date", "URI too long"} <= titles
    for title in sorted(titles):
        page = shared.get(f"/problems/{slug(title)}", headers=BROWSER)
        assert page.status_code == 200 and page.mimetype == "text/html", title
        data = shared.get(f"/problems/{slug(title)}").get_json()
        assert data["type"] == PROBLEM_TYPE + slug(title) and data["description"]


def test_the_problem_types_are_listed(shared):
    listing = shared.get("/problems/", headers=BROWSER).get_data(as_text=True)
    assert PROBLEM_TYPE + "malformed-query" in listing and PROBLEM_TYPE + "method-not-allowed" in listing


WERKZEUG_RAISED = [("GET", "/static/no-such-file.js", 404), ("POST", "/static/site.css", 405), ("DELETE", "/sparql", 405),
                   ("PUT", "/search", 405), ("DELETE", "/id/mali", 405), ("POST", "/healthz", 405)]
STOCK = {error.description for error in default_exceptions.values()}


@pytest.mark.parametrize("method, path, status", WERKZEUG_RAISED)
def test_werkzeugs_errors_are_told_in_the_projects_words(shared, method, path, status):
    """Werkzeug's stock text ("If you entered the URL manually please check your spelling...") was the detail."""
    response = shared.open(path, method=method, headers={"Accept": "application/json"})
    body = response.get_json()
    assert response.status_code == status and body["detail"] not in STOCK and path in body["detail"]
    if status == 405:
        allowed = response.headers["Allow"]
        assert f"takes {allowed}, not {method}" in body["detail"] and "GET" in allowed


def test_an_unknown_entity_offers_the_known_ones_near_it_as_links_that_resolve(shared):
    page = shared.get("/id/Mali", headers=BROWSER)
    assert page.status_code == 404
    offered = re.search(r"<p>Did you mean (.*?)\?</p>", page.get_data(as_text=True), re.S).group(1)
    links = re.findall(r'<a href="([^"]+)"><code>([^<]+)</code></a>', offered)
    assert links[0] == ("/id/mali", "sk:mali") and " or " in offered  # the same name in other case first
    assert all(shared.get(href).status_code == 303 for href, _ in links)
    detail = shared.get("/id/mail", headers={"Accept": "application/json"}).get_json()["detail"]
    assert detail == ("the graph says nothing about <https://sahel-kg.example.org/id/mail>; "
                      "did you mean <https://sahel-kg.example.org/id/mali>?")
    nothing = shared.get("/id/qqqqqqqq", headers=BROWSER).get_data(as_text=True)
    assert "Did you mean" not in nothing


@pytest.mark.parametrize("path, offered", [("/claim/aes-member", "/claim/aes-members"), ("/graph/link", "/graph/links"),
                                           ("/claim/aes-members/", "/claim/aes-members")])
def test_a_slip_in_a_claims_or_a_graphs_iri_offers_the_one_meant(shared, path, offered):
    """Only /id/ and /ontology offered anything: /claim/aes-member was a bare 404 (helper-193)."""
    detail = shared.get(path, headers={"Accept": "application/json"}).get_json()["detail"]
    assert detail.endswith(f"did you mean <https://sahel-kg.example.org{offered}>?")
    page = shared.get(path, headers=BROWSER).get_data(as_text=True)
    assert f'<a href="{offered}">' in page


@pytest.mark.parametrize("path", ["/id/mal%C3%AF", "/id/mali%3E", "/id/ma%20li"])
def test_a_404_detail_writes_the_asked_iri_as_it_writes_those_offered(shared, path):
    """The asked IRI was written raw (ï, a '>' or a space that ends the IRI early, a line break as it is) while the
    offers were URIs in angle brackets: each is now a URI in brackets, so either can be copied alike."""
    detail = shared.get(path, headers={"Accept": "application/json"}).get_json()["detail"]
    assert detail == (f"the graph says nothing about <https://sahel-kg.example.org{path}>; "
                      "did you mean <https://sahel-kg.example.org/id/mali>?")


def test_a_term_offered_in_another_scheme_is_shown_not_linked(make_app):
    """The vocabulary graphs may hold any IRI: only one that resolves here or on the web becomes a link."""
    app = make_app(seed="<https://sahel-kg.example.org/graph/entities> { <javascript:mali> a <urn:x:Thing> . }")
    page = app.test_client().get("/id/MALI", headers=BROWSER).get_data(as_text=True)
    offered = re.search(r"<p>Did you mean (.*?)\?</p>", page, re.S).group(1)
    assert '<a href="/id/mali"><code>sk:mali</code></a>' in offered
    assert "<code>javascript:mali</code>" in offered and 'href="javascript' not in page


@pytest.mark.parametrize("path", ["/problems/", "/problems/not-found", "/search?q=mali", "/id/mali", "/sparql"])
def test_an_answer_chosen_between_a_page_and_a_document_says_vary_accept(shared, path):
    """/problems/NAME was a page to a browser and JSON to others with no Vary: Accept, so a shared cache could
    give one client the other's; every answer a view picks by Accept now says so."""
    page, document = shared.get(path, headers=BROWSER), shared.get(path, headers={"Accept": "application/json"})
    assert page.headers.get("Content-Type") != document.headers.get("Content-Type")
    for response in (page, document):
        assert "Accept" in response.vary, (path, response.status_code)
