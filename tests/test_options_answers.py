"""OPTIONS (a CORS preflight, or a client asking what a URL allows) is answered with Allow and no content: no
Content-Type, where Flask's answer labelled its empty body text/html and so got the pages' CSP."""

from __future__ import annotations

import pytest

from api import create_app

PREFLIGHT = {"Origin": "https://app.example", "Access-Control-Request-Method": "GET"}


@pytest.fixture(scope="module")
def client():
    return create_app({"STORE": "memory:"}).test_client()


@pytest.mark.parametrize("path", ["/sparql", "/id/jnim", "/reconcile", "/reconcile/suggest/entity", "/search"])
def test_an_options_answer_has_no_content_and_says_so(client, path):
    answer = client.options(path, headers=PREFLIGHT)
    assert answer.status_code == 200 and answer.get_data() == b"" and answer.headers["Content-Length"] == "0"
    assert "Content-Type" not in answer.headers and "GET" in answer.headers["Allow"]
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in answer.headers["Access-Control-Allow-Methods"]
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'; base-uri 'none'")


def test_options_asterisk_lists_what_the_whole_server_allows(client):
    """RFC 9110 §9.3.7: `OPTIONS *` is about the server, not a resource; Werkzeug read `*` as the path /*, and the
    linked-data resolver answered with the Allow of an IRI (GET, HEAD, OPTIONS)."""
    answer = client.open("*", method="OPTIONS")
    assert answer.status_code == 200 and answer.get_data() == b"" and "Content-Type" not in answer.headers
    assert answer.headers["Allow"] == "GET, HEAD, POST, PUT, DELETE, OPTIONS"


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "DELETE"])
def test_asterisk_is_no_other_methods_target(client, method):
    """As the RSGI adapter refuses `GET *` under granian: the app itself, under any server, answers 400."""
    answer = client.open("*", method=method, headers={"Accept": "application/json"})
    assert answer.status_code == 400 and answer.mimetype == "application/problem+json"
    if method != "HEAD":
        assert "origin form" in answer.get_json()["detail"]
