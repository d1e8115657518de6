"""A malformed query sent with a format its form cannot carry is 400 with the fault's line and column, not 406:
the text is the client's mistake (SPARQLWrapper asks a SELECT for Turtle after setReturnFormat(TURTLE))."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, problem
from kg.query import QueryService

BROKEN = {"SELECT * WHERE {\n  ?s ?p ?o ?x ?y ?z }": (2, 12),
          "CONSTRUCT WHERE { ?s ?p ?o ?x ?y ?z }": (1, 28),
          "SELECT * WHERE { ?s ?p ?o": (1, 26),  # cut short: the engine gives up only past its end
          "SELECT * WHERE { <jnim> ?p <http://a b> }": (1, 37)}  # <jnim> resolves against the endpoint
# (format=, Accept) that no form of the query can be answered in: Turtle for a SELECT, CSV for a CONSTRUCT.
REFUSED = {"SELECT": [("turtle", None), (None, "image/png"), ("turtle", "text/turtle")],
           "CONSTRUCT": [("csv", None), (None, "image/png")]}
FORM = "application/x-www-form-urlencoded"


def asked(client, how: str, query: str, fmt: str | None, accept: str | None):
    params = {"query": query} | ({"format": fmt} if fmt else {})
    headers = {"Accept": accept} if accept else {}
    if how == "GET":
        return client.get("/sparql?" + urlencode(params), headers=headers)
    if how == "form":
        return client.post("/sparql", data=urlencode(params), content_type=FORM, headers=headers)
    url = "/sparql" + ("?" + urlencode({"format": fmt}) if fmt else "")
    return client.post(url, data=query.encode(), content_type="application/sparql-query", headers=headers)


@pytest.mark.parametrize("how", ["GET", "form", "body"])
@pytest.mark.parametrize("query, place", BROKEN.items())
def test_a_syntax_error_wins_over_a_format_the_form_cannot_carry(shared, how, query, place):
    for fmt, accept in REFUSED[query.split()[0]]:
        body = problem(asked(shared, how, query, fmt, accept), 400)
        assert (body["line"], body["column"]) == place, (fmt, accept, body)


@pytest.mark.parametrize("how", ["GET", "form", "body"])
def test_a_valid_query_in_a_format_it_cannot_carry_is_still_406(shared, how):
    for query in ("SELECT * WHERE { ?s ?p ?o }", "ASK { ?s ?p ?o }", "SELECT * WHERE { SERVICE <http://x/> {} }"):
        problem(asked(shared, how, query, "turtle", None), 406)


def test_a_broken_update_with_any_accept_is_400(writable_app):
    response = writable_app.test_client().post(
        "/sparql?format=turtle", data=urlencode({"update": "INSERT DATA { <http://a> <http://b> }"}),
        content_type=FORM, headers={**AUTH, "Accept": "image/png"})
    assert problem(response, 400)["line"] == 1


def test_a_query_refused_406_is_parsed_once(shared, monkeypatch):
    """The fast path hands plan's error to Flask rather than letting the view plan (and parse) the text again."""
    parsed = []
    looked = QueryService.syntax_fault
    monkeypatch.setattr(QueryService, "syntax_fault", lambda self, *a, **k: parsed.append(1) or looked(self, *a, **k))
    for how in ("GET", "form", "body"):
        parsed.clear()
        problem(asked(shared, how, "SELECT * WHERE { ?s ?p ?o }", None, "image/png"), 406)  # the fast path's
        assert len(parsed) == 1, how
