"""A reconciliation batch holding malformed queries: v0.2's result batch has no place for one query's error (every
key needs a `result`), so the batch is a 400 problem naming every query at fault under `queries`, none of the good."""

from __future__ import annotations

import json

import pytest

from api import create_app

GOOD = {"query": "Mali"}


@pytest.fixture(scope="module")
def client():
    return create_app({"STORE": "memory:"}).test_client()


def test_every_malformed_query_of_a_batch_is_named_and_no_good_one(client):
    """Only the first was named, in the detail's prose: a client mended one query a round trip."""
    batch = {"q0": GOOD, "q1": {"query": 5}, "q2": GOOD, "q3": {"query": "x", "type": "sahel:Nope"}, "q4": "Mali",
             "q5": {"query": "x", "limit": -1}}
    response = client.post("/reconcile", data={"queries": json.dumps(batch)})
    problem = response.get_json()
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert set(problem["queries"]) == {"q1", "q3", "q4", "q5"}
    assert "string" in problem["queries"]["q1"] and "sahel:Nope" in problem["queries"]["q3"]
    assert all(f"query '{key}'" in problem["detail"] for key in problem["queries"])
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    mended = {key: query for key, query in batch.items() if key not in problem["queries"]}
    answer = client.post("/reconcile", data={"queries": json.dumps(mended)}).get_json()
    assert set(answer) == {"q0", "q2"} and answer["q0"]["result"][0]["id"] == "mali"


def test_one_malformed_query_is_told_as_before(client):
    response = client.get("/reconcile", query_string={"queries": json.dumps({"q0": GOOD, "q1": {}})})
    problem = response.get_json()
    assert response.status_code == 400 and list(problem["queries"]) == ["q1"]
    assert problem["detail"] == f"query 'q1': {problem['queries']['q1']}"
