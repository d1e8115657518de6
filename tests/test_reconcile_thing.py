"""owl:Thing, the manifest's schemaSpace ("the type of the entities returned"), is a type a reconciliation query,
a property proposal and a suggestion may name: it admits every entity, as if no type were asked for."""

from __future__ import annotations

import json

import pytest

from api_fixtures import *  # noqa: F401,F403

THING = ["owl:Thing", "http://www.w3.org/2002/07/owl#Thing"]


def batch(client, query: dict) -> list[str]:
    response = client.get("/reconcile", query_string={"queries": json.dumps({"q": query})})
    assert response.status_code == 200, response.get_data(as_text=True)
    return [candidate["id"] for candidate in response.get_json()["q"]["result"]]


@pytest.mark.parametrize("thing", THING)
def test_a_query_for_the_schema_space_type_gets_what_a_query_of_no_type_gets(shared, thing):
    """It was a 400 "unknown type": the manifest named a type the service itself refused."""
    assert shared.get("/reconcile").get_json()["schemaSpace"] == THING[1]
    untyped = batch(shared, {"query": "Mali"})
    assert untyped and batch(shared, {"query": "Mali", "type": thing}) == untyped
    assert batch(shared, {"query": "Mali", "type": [thing, "sahel:JihadistGroup"], "type_strict": "all"}) == \
        batch(shared, {"query": "Mali", "type": "sahel:JihadistGroup"})


def test_properties_proposed_for_the_schema_space_type_are_those_of_any_entity(shared):
    anything = shared.get("/reconcile/properties").get_json()["properties"]
    proposed = shared.get("/reconcile/properties", query_string={"type": "owl:Thing"}).get_json()
    assert proposed == {"type": "owl:Thing", "properties": anything}
