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
REMEDY = ('add an @context that maps its keys to IRIs ({"@context": {"@vocab": "https://schema.org/"}, …} maps every '
          'key) and an "@id" IRI to each object, or send it in another RDF format')
SCALAR = ("not JSON-LD, so it gives no statements: a JSON-LD document is an object (or a list of objects) whose keys an "
          "@context maps to IRIs, such as {")
PLAIN = "this is plain JSON, not JSON-LD: it has no @context, so its keys (name) name no property and it gives no " \
    "statements; " + REMEDY
UNMAPPED = "the JSON-LD gave no statements though it holds data: its @context maps none of its keys to an absolute IRI"


def graph(client) -> str:
    response = client.get(URL, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def filled(empty_writer):
    assert empty_writer.put(URL, data=TURTLE, content_type="text/turtle", headers=AUTH).status_code == 201
    return empty_writer


@pytest.mark.parametrize("body, said", [
    ('42', "this is a JSON number, " + SCALAR), ('"text"', "this is a JSON string, " + SCALAR),
    ('null', "this is a JSON null, " + SCALAR), ('true', "this is a JSON boolean, " + SCALAR),
    ('[1, 2]', "this is a JSON list of values, " + SCALAR), ('{"name": "Mali"}', PLAIN), ('[{"name": "Mali"}]', PLAIN),
    ('{"@graph": [{"name": "Mali"}]}', PLAIN), ('{"@context": {}, "@graph": [{"name": "Mali"}]}', UNMAPPED)])
@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_json_ld_that_gives_nothing_but_holds_data_is_refused_saying_what_it_is_and_how_to_mend_it(filled, body, said,
                                                                                                   method):
    """Plain JSON was told "the JSON-LD gave no statements: keys with no @context, relative @id values without a base,
    and values outside a node object are dropped", neither that it is no JSON-LD nor how to make it so."""
    before = graph(filled)
    response = filled.open(URL, method=method, data=body, content_type=JSONLD, headers=AUTH)
    assert problem(response, 400)["detail"].startswith(said)
    assert graph(filled) == before


def test_a_part_of_such_json_ld_is_refused_by_its_name(filled):
    before = graph(filled)
    parts = {"good": (io.BytesIO(TURTLE.encode()), "good.ttl", "text/turtle"),
             "plain": (io.BytesIO(b'{"name": "Mali"}'), "plain.json", JSONLD)}
    response = filled.post(URL, data=parts, content_type="multipart/form-data", headers=AUTH)
    assert problem(response, 400)["detail"] == "part 'plain' (plain.json): " + PLAIN
    assert graph(filled) == before


@pytest.mark.parametrize("body", ['{}', '[]', '\ufeff{}', '{"@context": {"name": "http://schema.org/name"}}',
                                  '{"@graph": []}', '[{}, {"@context": {}}]'])
def test_an_empty_json_ld_document_still_puts_an_empty_graph(filled, body):
    assert filled.put(URL, data=body.encode(), content_type=JSONLD, headers=AUTH).status_code == 204
    assert graph(filled) == ""


def test_kg_load_of_plain_json_warns_how_to_make_it_json_ld(tmp_path):
    """kg load warned "JSON-LD keys with no @context, and relative @id values without --base, are dropped", saying
    neither what the file is nor how to mend it."""
    from build_fixtures import run_kg

    path = tmp_path / "plain.jsonld"
    path.write_text('{"name": "Mali"}', encoding="utf-8")
    result = run_kg("load", path, "--store", "memory:")
    assert result.exit_code == 0, result.stderr
    assert f"warning: {path} gave no statements: JSON-LD drops keys no @context maps to an IRI (plain JSON's, all " \
        "of them) and relative @id values without --base; " + REMEDY in result.stderr
