"""A Graph Store upload in JSON-LD that gives no triples though it holds data (a bare value, keys no @context maps)
is refused, not taken as an empty graph: a PUT of plain JSON emptied the graph it was meant to fill."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, problem

URL = "/store?graph=" + quote(EX + "jsonld/g", safe="")
TURTLE = '<http://example.org/jsonld/s> <http://example.org/jsonld/p> "kept" .\n'
JSONLD = "application/ld+json"
DROPPED = ("the JSON-LD gave no statements: keys with no @context, relative @id values without a base, and values "
           "outside a node object are dropped")


def graph(client) -> str:
    response = client.get(URL, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def filled(empty_writer):
    assert empty_writer.put(URL, data=TURTLE, content_type="text/turtle", headers=AUTH).status_code == 201
    return empty_writer


@pytest.mark.parametrize("body", ['42', '"text"', 'null', 'true', '[1, 2]', '{"name": "Mali"}',
                                  '[{"name": "Mali"}]', '{"@context": {}, "@graph": [{"name": "Mali"}]}'])
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_json_ld_that_gives_nothing_but_holds_data_is_refused(filled, body, method):
    before = graph(filled)
    response = filled.open(URL, method=method, data=body, content_type=JSONLD, headers=AUTH)
    assert problem(response, 400)["detail"] == DROPPED
    assert graph(filled) == before


def test_a_part_of_such_json_ld_is_refused_by_its_name(filled):
    before = graph(filled)
    parts = {"good": (io.BytesIO(TURTLE.encode()), "good.ttl", "text/turtle"),
             "plain": (io.BytesIO(b'{"name": "Mali"}'), "plain.json", JSONLD)}
    response = filled.post(URL, data=parts, content_type="multipart/form-data", headers=AUTH)
    assert problem(response, 400)["detail"] == "part 'plain' (plain.json): " + DROPPED
    assert graph(filled) == before


@pytest.mark.parametrize("body", ['{}', '[]', '\ufeff{}', '{"@context": {"name": "http://schema.org/name"}}',
                                  '{"@graph": []}', '[{}, {"@context": {}}]'])
def test_an_empty_json_ld_document_still_puts_an_empty_graph(filled, body):
    assert filled.put(URL, data=body.encode(), content_type=JSONLD, headers=AUTH).status_code == 204
    assert graph(filled) == ""
