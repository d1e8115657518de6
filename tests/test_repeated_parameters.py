"""A parameter that is given once is refused (400, a problem naming it) when it comes twice, on every route,
counting the URL and a form body together; format= and output= that disagree are refused too."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from api_fixtures import FORM, article_store, problem, shared, shared_app  # noqa: F401

ASK = "ASK {}"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1"


def refused(response, name: str) -> None:
    assert name in problem(response, 400)["detail"]


@pytest.mark.parametrize("pairs, name", [
    ([("format", "csv"), ("format", "json")], "format"),  # different formats; one format twice is allowed below
    ([("output", "csv"), ("output", "json")], "output"),
    ([("timeout", "5"), ("timeout", "6")], "timeout"),
])
def test_sparql_refuses_a_repeated_parameter(shared, pairs, name):
    refused(shared.get("/sparql?" + urlencode([("query", ASK), *pairs])), name)
    refused(shared.post("/sparql", data=urlencode([("query", ASK), *pairs]), content_type=FORM), name)


def test_sparql_counts_the_url_and_the_form_together(shared):
    response = shared.post("/sparql?format=csv", data=urlencode({"query": ASK, "format": "json"}), content_type=FORM)
    refused(response, "format")
    response = shared.post("/sparql?format=csv", data=ASK.encode(), content_type="application/sparql-query")
    assert response.status_code == 200 and response.mimetype == "text/csv"


def test_format_and_output_must_agree(shared):
    refused(shared.get("/sparql?" + urlencode({"query": ASK, "format": "csv", "output": "json"})), "output")
    response = shared.get("/sparql?" + urlencode({"query": ASK, "format": "json", "output": "json"}))
    assert response.status_code == 200  # SPARQLWrapper sends both, alike
    assert shared.get("/sparql?" + urlencode({"query": ASK, "output": "csv"})).mimetype == "text/csv"
    empty = shared.get("/sparql?" + urlencode({"query": ASK, "format": "", "output": "csv"}))  # an empty one: absent
    assert empty.status_code == 200 and empty.mimetype == "text/csv"


@pytest.mark.parametrize("query, short, accept, media", [
    (ASK, "tsv", "text/tab-separated-values", "text/tab-separated-values"),
    (CONSTRUCT, "rdf+xml", "application/rdf+xml", "application/rdf+xml"),
    (CONSTRUCT, "json-ld", "application/ld+json,application/x-json+ld", "application/ld+json")])
def test_one_format_named_twice_as_sparqlwrapper_names_it_is_answered(shared, query, short, accept, media):
    """SPARQLWrapper sends format=, output= and results= each twice for these formats: a name, then its Accept
    header (Wrapper._getRequestEncodedParameters); refusing that refused every SPARQLWrapper client asking for them."""
    pairs = [(name, value) for name in ("format", "output", "results") for value in (short, accept)]
    response = shared.get("/sparql?" + urlencode([("query", query), *pairs]))
    assert response.status_code == 200 and response.mimetype == media
    refused(shared.get("/sparql?" + urlencode([("query", ASK), ("format", "tsv"), ("output", "text/csv")])), "output")


def test_graph_store_and_void_refuse_a_repeated_format(shared):
    refused(shared.get("/store?default&format=turtle&format=ntriples"), "format")
    refused(shared.get("/store?default&format=turtle&output=ntriples"), "output")
    refused(shared.get("/store?default&default"), "default")
    refused(shared.get("/.well-known/void?format=turtle&format=jsonld"), "format")


def test_search_refuses_a_repeated_q_or_limit(shared):
    refused(shared.get("/search?q=Mali&q=Niger"), "q")
    refused(shared.get("/search?q=Mali&limit=1&limit=2"), "limit")
    assert shared.get("/search?q=Mali").status_code == 200


def test_network_view_refuses_a_repeated_as_of(shared):
    refused(shared.get("/views/network.json?as_of=2025-01-01&as_of=2026-01-01"), "as_of")
    assert shared.get("/views/network.json?as_of=2025-01-01").status_code == 200


def test_reconcile_refuses_a_repeated_callback(shared):
    refused(shared.get("/reconcile?callback=a&callback=b"), "callback")
