"""A request refused for its own shape (its size, its parameters, its text) is refused so whatever is left of its
client's query budget: those checks come before the budget is charged or looked at, on every route it covers
(api/fairness.py), so a client past its budget is told what is wrong with the request, not to wait and send it
again as it is."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import FORM, problem

CAP = 3  # queries in one reconciliation batch, and ids in one data extension
LIMIT = 200  # bytes of a query's text
BATCH = {f"q{n}": {"query": "Mali"} for n in range(CAP + 1)}
ASK = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def spent(tmp_path_factory, article_store):
    """A client (the test client's address) far past its budget, on an app whose caps are small and whose
    reconciliation catalogue is read (only what a request is checked against, no store query, is left)."""
    config = {"QUERY_BUDGET": 1, "BUDGET_LOOPBACK": True, "RECONCILE_BATCH_SIZE": CAP, "MAX_QUERY_BYTES": LIMIT}
    app = build_app(tmp_path_factory.mktemp("spent") / "store", config, article=article_store)
    client = app.test_client()
    assert client.get("/reconcile").status_code == 200  # the catalogue read, as any client's first use reads it
    app.extensions["sahel-kg"].fairness.budgets.give_back("127.0.0.1", -3600)  # an hour spent: past it for long
    yield client
    app.extensions["sahel-kg"].close()


def test_the_client_is_past_its_budget(spent):
    assert problem(spent.get("/sparql", query_string={"query": ASK}), 429)["title"] == "Too many requests"
    assert problem(spent.get("/reconcile", query_string={"queries": json.dumps({"q0": {"query": "Mali"}})}), 429)


LONG = "ASK { ?s ?p ?o } #" + "x" * LIMIT
REFUSED = [
    ("over-cap batch by GET", "get", "/reconcile?" + urlencode({"queries": json.dumps(BATCH)}), None, 413),
    ("over-cap batch by POST", "post", "/reconcile", {"queries": json.dumps(BATCH)}, 413),
    ("over-cap extension", "post", "/reconcile",
     {"extend": json.dumps({"ids": ["mali"] * (CAP + 1), "properties": [{"id": "rdfs:label"}]})}, 413),
    ("batch no object", "get", "/reconcile?" + urlencode({"queries": "[1]"}), None, 400),
    ("query of a batch malformed", "get",
     "/reconcile?" + urlencode({"queries": json.dumps({"q0": {"query": "Mali", "limit": "x"}})}), None, 400),
    ("bad callback", "get", "/reconcile?" + urlencode({"queries": json.dumps({"q0": {"query": "Mali"}}),
                                                       "callback": "alert(1)"}), None, 400),
    ("suggest with a bad callback", "get", "/reconcile/suggest/entity?prefix=Ma&callback=alert(1)", None, 400),
    ("over-long query by GET", "get", "/sparql?" + urlencode({"query": LONG}), None, 413),
    ("over-long query as a form", "post", "/sparql", {"query": LONG}, 413),
    ("over-long query as a body", "post-body", "/sparql", LONG, 413),
    ("two queries", "get", "/sparql?" + urlencode([("query", ASK), ("query", ASK)]), None, 400),
    ("bad timeout", "get", "/sparql?" + urlencode({"query": ASK, "timeout": "soon"}), None, 400),
    ("syntax error", "get", "/sparql?" + urlencode({"query": "ASK { ?s ?p }"}), None, 400),
    ("syntax error as a form", "post", "/sparql", {"query": "ASK { ?s ?p }"}, 400),
    ("format nothing carries", "get", "/sparql?" + urlencode({"query": ASK, "format": "image/png"}), None, 406),
    ("graph store: no graph", "get", "/store?graph=", None, 400),
    ("graph store: two graphs", "get", "/store?graph=http://a/&default", None, 400),
    ("graph store: no IRI", "get", "/store?" + urlencode({"graph": "no iri"}), None, 400),
    ("graph store: format", "get", "/store?default&format=image/png", None, 406),
    ("view: bad date", "get", "/views/network.json?as_of=yesterday", None, 400),
    ("extension malformed", "post", "/reconcile", {"extend": json.dumps({"ids": ["mali"], "properties": [1]})}, 400),
    ("properties of an unknown type", "get", "/reconcile/properties?type=sahel:Nothing", None, 400),
    ("policy: SERVICE", "get", "/sparql?" + urlencode({"query": "ASK { SERVICE <http://a/> { ?s ?p ?o } }"}), None,
     400),
]


@pytest.mark.parametrize("name, method, path, data, status", REFUSED, ids=[case[0] for case in REFUSED])
def test_a_request_refused_for_its_shape_is_refused_so_past_the_budget(spent, name, method, path, data, status):
    if method == "post-body":
        response = spent.post(path, data=data, content_type="application/sparql-query")
    elif method == "post":
        response = spent.post(path, data=urlencode(data), content_type=FORM)
    else:
        response = spent.get(path)
    assert problem(response, status)["title"] != "Too many requests"
