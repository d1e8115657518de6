"""The OpenAPI description (api/openapi/*.yaml) matches the app's routes exactly, is valid OpenAPI 3, and
is served at /openapi.json. A new route without a description fails here: describe it in the YAML file of
its blueprint (api/openapi/<blueprint>.yaml)."""

from __future__ import annotations

import re

import pytest
import schemathesis
from openapi_spec_validator import validate

from api.openapi import document

OPERATIONS = {"get", "head", "post", "put", "delete", "patch", "options"}


def route_operations(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every route of the app, but HEAD and OPTIONS: Flask answers both on every
    GET route, so the description gives HEAD only where it matters (a HEAD needs its GET)."""
    found = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
        found |= {(path, method.lower()) for method in set(rule.methods) - {"HEAD", "OPTIONS"}}
    return found


def described_operations() -> set[tuple[str, str]]:
    return {(path, method) for path, item in document()["paths"].items() for method in item if method in OPERATIONS}


@pytest.fixture(scope="module")
def routes(tmp_path_factory):
    import api

    app = api.create_app({"STORE": "memory:", "INSTALL_ARTICLE": False, "TESTING": True, "ACCESS_LOG": ""})
    yield route_operations(app), app
    app.extensions["sahel-kg"].close()


def test_every_route_is_described(routes):
    found, _ = routes
    described = {(path, method) for path, method in described_operations() if method != "head"}
    missing = sorted(found - described)
    assert not missing, ("routes without a description in api/openapi/<blueprint>.yaml: "
                         + ", ".join(f"{method.upper()} {path}" for path, method in missing))


def test_every_description_has_a_route(routes):
    found, app = routes
    stale = sorted((path, method) for path, method in described_operations() - found
                   if not (method == "head" and (path, "get") in found))
    assert not stale, "described but not served: " + ", ".join(f"{m.upper()} {p}" for p, m in stale)


def test_the_description_is_valid_openapi():
    schema = schemathesis.openapi.from_dict(document())  # refuses a document that breaks the OpenAPI schema
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert "GET /sparql" in labels and "PUT /store/{name}" in labels


def test_the_whole_document_validates_as_openapi_3():
    validate(document())  # every object, not only the operations schemathesis reads; raises on the first fault


def null_values(node, where="") -> list[str]:
    """Where the document holds null: a YAML plain scalar with ": " or ", " inside a flow mapping splits into
    a stray key with a null value, and the text meant for a description is cut."""
    if isinstance(node, dict):
        items = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return []
    found = []
    for key, value in items:
        found += [f"{where}/{key}"] if value is None and key not in ("default", "example") else \
            null_values(value, f"{where}/{key}")
    return found


def test_no_value_is_null_where_text_was_meant():
    assert null_values(document()) == []


def test_descriptions_keep_their_punctuation():
    score = document()["paths"]["/search"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "SQLite's" in repr(score) and "SQLites" not in repr(score)


def test_the_description_is_served(client):
    response = client.get("/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.get_json() == document()


@pytest.fixture
def client(routes):
    return routes[1].test_client()


def test_the_searchs_failures_are_described():
    """GET /search answers 503 Too busy with Retry-After while its index is being read (at a million statements,
    about 15 s), 502 where a remote store cut that reading, 429 past a client's share: it described 200 and 400 only,
    so a client made from the description knew of no answer to wait on."""
    responses = document()["paths"]["/search"]["get"]["responses"]
    assert {"429", "502", "503", "504"} <= set(responses)
    assert "Retry-After" in responses["503"]["headers"]
