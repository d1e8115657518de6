"""Every redirect (303 to a document or the article, 308 to a route's trailing slash) has one shape: Location,
Vary: Accept, and a body only a browser gets, a short note linking Location; CORS and the browser headers stay."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
REDIRECTS = [("/id/jnim", 303), ("/article", 303), ("/problems", 308), ("/problems?x=1", 308)]


@pytest.mark.parametrize("accept", [None, "text/turtle", "application/json",
                                    # HTML weighed lower than an RDF type: a note came, as text/html, to these
                                    "application/ld+json, text/html;q=0.5", "application/rdf+xml, text/html;q=0.9",
                                    "application/n-triples, text/html;q=0.1"])
@pytest.mark.parametrize("path, status", REDIRECTS)
def test_a_client_that_is_no_browser_gets_no_html_with_a_redirect(shared, path, status, accept):
    """Werkzeug's "Redirecting..." page came as text/html to a client that asked for Turtle or JSON."""
    response = shared.get(path, headers={"Accept": accept} if accept else {})
    assert response.status_code == status and response.headers["Location"]
    assert response.get_data() == b"" and "Content-Type" not in response.headers
    assert "Accept" in response.vary
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("path, status", REDIRECTS)
def test_a_browser_gets_a_short_note_linking_the_location(shared, path, status):
    response = shared.get(path, headers=BROWSER)
    location = response.headers["Location"]
    text = response.get_data(as_text=True)
    assert response.status_code == status and response.mimetype == "text/html"
    assert f'<a href="{location}">' in text and "Redirecting..." not in text and len(text) < 300
    assert {303: "<title>See Other</title>", 308: "<title>Permanent Redirect</title>"}[status] in text
    assert "Accept" in response.vary and response.headers["Access-Control-Allow-Origin"] == "*"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_head_of_a_redirect_has_no_body(shared):
    response = shared.head("/id/jnim", headers=BROWSER)
    assert response.status_code == 303 and response.get_data() == b""


def test_a_client_weighing_an_rdf_type_above_html_gets_data_and_problems_not_pages(shared):
    """Only Turtle and JSON were weighed against HTML: a JSON-LD client that also takes HTML at q=0.5 was sent to
    the JSON-LD document with an HTML note, and its 404 came as a page rather than a problem document."""
    accept = {"Accept": "application/ld+json, text/html;q=0.5"}
    assert shared.get("/id/jnim", headers=accept).headers["Location"].endswith(".jsonld")
    assert shared.get("/id/no-such-thing", headers=accept).mimetype == "application/problem+json"
    assert shared.get("/id/no-such-thing", headers=BROWSER).mimetype == "text/html"
