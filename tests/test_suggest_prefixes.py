"""The suggest services' `prefix` (Reconciliation Service API v0.2, Suggest Queries: prefix is the one parameter
every suggest query carries, cursor the optional one): none is 400; one with nothing to match suggests nothing."""

from __future__ import annotations

import pytest

from api import create_app
from kg.suggestions import prefix_rank

KINDS = ["entity", "type", "property"]


@pytest.fixture(scope="module")
def client():
    return create_app({"STORE": "memory:"}).test_client()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("prefix", ["", " ", "  \t", ".", "-", ":", "\u200b", "«»"])
@pytest.mark.parametrize("cursor", [None, "5"])
def test_a_prefix_with_nothing_to_match_suggests_nothing(client, kind, prefix, cursor):
    """An empty or blank prefix listed every entity, type and property (each name starts with nothing)."""
    query = {"prefix": prefix, **({"cursor": cursor} if cursor else {})}
    response = client.get(f"/reconcile/suggest/{kind}", query_string=query)
    assert response.status_code == 200 and response.get_json() == {"result": []}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("kind", KINDS)
def test_a_missing_prefix_is_a_400_problem_and_a_real_one_still_suggests(client, kind):
    response = client.get(f"/reconcile/suggest/{kind}", query_string={"cursor": "0"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Missing prefix"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get(f"/reconcile/suggest/{kind}", query_string={"prefix": "a"}).get_json()["result"]


def test_an_empty_prefix_fits_no_name_but_an_id_still_fits_its_own_start():
    assert prefix_rank("", ["Mali"], ["sahel:Mali"]) is None and prefix_rank(" - ", ["Mali"]) is None
    assert prefix_rank("sahel:", ["Mali"], ["sahel:Mali"]) == 1 and prefix_rank("ma", ["Mali"]) == 1


@pytest.mark.parametrize("prefix, first", [("U", "united-states"), ("united st", "united-states"), ("Ni", "niger"),
                                           ("B", "burkina-faso")])  # not by-2023, whose short slug fit (helper-203)
def test_of_entities_that_fit_alike_the_closest_name_comes_first(client, prefix, first):
    """'U' brought nine us-* claims' entities before united-states, 'Ni' the military of Niger before Niger: a tie
    was broken by the name's alphabetical order (helper-201): the shortest name comes first."""
    result = client.get("/reconcile/suggest/entity", query_string={"prefix": prefix}).get_json()["result"]
    assert result[0]["id"] == first
