"""A media range whose weight is not a qvalue (RFC 9110 §12.4.2: "0" to three decimals, or "1" with zeros;
never a quoted string) is left out, as if the client had not sent it, on every route that negotiates: the
ranges with valid weights still choose."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403

BAD = ["2", "abc", "-1", "0.1234", "1.5", '"0.9"', '"1"', ".5", "1.0001", ""]
LABELS = "SELECT ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } LIMIT 2"
# (path, the type named with the bad weight, the type weighed 0.5 that is then chosen)
ROUTES = [("/sparql?" + urlencode({"query": LABELS}), "text/csv", "application/sparql-results+xml"),
          ("/store?graph=https://sahel-kg.example.org/graph/links", "application/n-triples", "application/rdf+xml"),
          ("/.well-known/void", "application/n-triples", "application/rdf+xml"),
          ("/sparql", "application/n-triples", "application/rdf+xml")]  # the service description


@pytest.mark.parametrize("weight", BAD)
@pytest.mark.parametrize("path, named, chosen", ROUTES)
def test_a_range_with_a_bad_weight_is_left_out(shared, path, named, chosen, weight):
    response = shared.get(path, headers={"Accept": f"{named};q={weight}, {chosen};q=0.5"})
    assert (response.status_code, response.mimetype) == (200, chosen)


@pytest.mark.parametrize("weight", BAD)
def test_an_entity_iri_redirects_by_the_ranges_with_good_weights(shared, weight):
    response = shared.get("/id/jnim", headers={"Accept": f"text/turtle;q={weight}, application/n-triples;q=0.5"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/id/jnim.nt")


@pytest.mark.parametrize("weight", ["0", "0.", "0.5", "0.123", "1", "1.", "1.000"])
def test_every_qvalue_spelling_is_honoured(shared, weight):
    """Each spelling RFC 9110 allows: a weight above 0.5 picks CSV, else XML (0 refuses CSV altogether)."""
    response = shared.get("/sparql?" + urlencode({"query": LABELS}),
                          headers={"Accept": f"text/csv;Q={weight}, application/sparql-results+xml;q=0.5"})
    assert response.mimetype == ("text/csv" if float(weight) > 0.5 else "application/sparql-results+xml")
