"""/reconcile: the Reconciliation Service API v0.2, every response validated against the W3C Entity
Reconciliation CG's JSON schemas (tests/fixtures/reconciliation-0.2, see its ORIGIN.md)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest
from jsonschema import Draft7Validator
from referencing import Registry
from referencing.jsonschema import DRAFT7

from api import create_app
from kg.catalogue import Catalogue, select_with
from kg.publish import install
from kg.query import QueryService
from kg.reconciliation import parse_query
from kg.reconciliation import reconcile as reconcile_query
from kg.store import open_store

SPEC = Path(__file__).parent / "fixtures" / "reconciliation-0.2"
SCHEMA_BASE = "https://reconciliation-api.github.io/specs/0.2/schemas/"


def _schemas() -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text(encoding="utf-8")) for path in (SPEC / "schemas").glob("*.json")}


def _registry() -> Registry:
    """Each schema under its $id and under its file name, so relative refs (type.json) resolve offline."""
    resources = []
    for name, schema in _schemas().items():
        resource = DRAFT7.create_resource(schema)
        resources += [(SCHEMA_BASE + f"{name}.json", resource)]
        if "$id" in schema:
            resources.append((schema["$id"], resource))
    return Registry().with_resources(resources)


REGISTRY = _registry()


def check(document, schema: str):
    """Validate against the named CG schema (draft 7), failing with every error found."""
    validator = Draft7Validator(_schemas()[schema], registry=REGISTRY)
    errors = sorted(validator.iter_errors(document), key=str)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
    return document


@pytest.mark.parametrize("schema", sorted(_schemas().keys() - {"openapi", "type"}))
def test_the_validator_is_wired_to_the_cg_examples(schema):
    examples = SPEC / "examples" / schema
    for path in sorted((examples / "valid").glob("*.json")):
        check(json.loads(path.read_text(encoding="utf-8")), schema)
    for path in sorted((examples / "invalid").glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if schema == "manifest" and "authentication" in document:
            continue  # its schema lives on swagger.io, which the tests do not fetch
        errors = list(Draft7Validator(_schemas()[schema], registry=REGISTRY).iter_errors(document))
        assert errors, path


@pytest.fixture(scope="module")
def client():
    """One app over the article in memory for the read-only tests (building the article takes a while)."""
    return create_app({"STORE": "memory:", "RECONCILE_BATCH_SIZE": 8}).test_client()


def reconcile(client, batch: dict, method: str = "post"):
    if method == "get":
        response = client.get("/reconcile", query_string={"queries": json.dumps(batch)})
    else:
        response = client.post("/reconcile", data={"queries": json.dumps(batch)})
    assert response.status_code == 200, response.get_data(as_text=True)
    return check(response.get_json(), "reconciliation-result-batch")


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return response.get_json()


# --- manifest ---------------------------------------------------------------------------------------------

def test_manifest(client):
    response = client.get("/reconcile")
    manifest = check(response.get_json(), "manifest")
    assert manifest["versions"] == ["0.2"]
    assert manifest["identifierSpace"] == "https://sahel-kg.example.org/id/"
    # v0.2: the schema space identifies the type of the entities returned, and is no namespace of the type ids
    assert manifest["schemaSpace"] == "http://www.w3.org/2002/07/owl#Thing"
    assert manifest["view"]["url"] == "http://localhost/id/{{id}}"
    assert manifest["preview"]["url"] == "http://localhost/reconcile/preview?id={{id}}"
    assert manifest["batchSize"] == 8
    defaults = [kind["id"] for kind in manifest["defaultTypes"]]
    assert "sahel:SovereignState" in defaults and "sahel:JihadistGroup" in defaults
    assert "sahel:Assessment" not in defaults  # not something one reconciles a spreadsheet against
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_jsonp(client):
    response = client.get("/reconcile?callback=jQuery1_2.done")
    assert response.mimetype == "application/javascript"
    body = response.get_data(as_text=True)
    assert body.startswith("/**/jQuery1_2.done(") and body.endswith(");")
    check(json.loads(body[len("/**/jQuery1_2.done("):-2]), "manifest")
    problem(client.get("/reconcile?callback=alert(1)"), 400)


def test_an_error_asked_for_as_jsonp_is_a_problem_document_with_its_status(client):
    """Not wrapped in the callback: a script element runs no answer of a 4xx status (HTML's fetch of a classic
    script), so only a 200 could carry it, and a 200 would tell caches and every other client it worked."""
    response = client.get("/reconcile?callback=cb&queries=" + quote('{"q0": {"query": "Mali", "limit": "x"}}'))
    problem(response, 400)
    assert response.headers["X-Content-Type-Options"] == "nosniff"  # no browser runs it as a script either


@pytest.mark.parametrize("path", ["/reconcile", "/reconcile/suggest/entity?prefix=ma", "/reconcile/preview?id=mali",
                                  "/reconcile/properties?type=sahel:Alliance"])
def test_cors_on_every_endpoint(client, path):
    assert client.get(path).headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(path, headers={"Origin": "https://openrefine.example",
                                              "Access-Control-Request-Method": "POST"})
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]


# --- reconciliation queries ---------------------------------------------------------------------------------

# Messy names and the entity each should bring first (None: no candidate at all); some are found through the
# aliases (skos:altLabel from kg/data/aliases.csv): Jama'at Nusrat al-Islam wal-Muslimin, Alliance des États du Sahel.
MESSY = [
    ("Nusrat al-Islam", "jnim"),
    ("EIGS", "isgs"),
    ("Burkina", "burkina-faso"),
    ("Etats du Sahel", "aes"),
    ("the AES joint force", "aes-joint-force"),
    ("burkina  FASO", "burkina-faso"),
    ("Mali", "mali"),
    ("IS Sahel", "isgs"),  # "IS" spells out as Islamic State (Islamic State – Sahel Province), above the region
    ("Group for the Support of Islam and Muslims", "jnim"),
    ("Washington", "united-states"),  # first by id, but shared with us-government: no match (next test)
    ("Wagner", None),  # shares letters with "Niger" (54.5), not a word: no candidate
]


@pytest.mark.parametrize("name, expected", MESSY)
def test_messy_names_bring_the_right_entity_first(client, name, expected):
    result = reconcile(client, {"q0": {"query": name}})["q0"]["result"]
    if expected is None:
        assert result == [], [(c["id"], c["score"]) for c in result]
        return
    assert result and result[0]["id"] == expected, [(c["id"], c["score"]) for c in result]
    assert result == sorted(result, key=lambda candidate: -candidate["score"])


def test_a_name_two_entities_carry_is_no_match(client):
    # The article's "Washington" is the United States acting through its government: both carry the name.
    result = reconcile(client, {"q0": {"query": "Washington"}})["q0"]["result"]
    assert [(c["id"], c["score"], c["match"]) for c in result[:2]] == [("united-states", 100, False),
                                                                      ("us-government", 100, False)]
    assert not any(candidate["match"] for candidate in result)


@pytest.mark.parametrize("name, expected", [
    ("Malian Armed Forces", "malian-armed-forces"), ("FAMa", "malian-armed-forces"),
    ("Forces armées maliennes", "malian-armed-forces"), ("Niger Armed Forces", "nigerien-armed-forces"),
    ("Burkina Faso Armed Forces", "burkinabe-armed-forces"), ("United States Armed Forces", "us-armed-forces"),
])
def test_an_armed_force_is_matched_by_its_common_name(client, name, expected):
    # the article names them "the military of" a state; their common names are aliases with a source
    [first, *_] = reconcile(client, {"q": {"query": name}})["q"]["result"]
    assert (first["id"], first["match"]) == (expected, True)


def test_a_state_still_comes_before_its_armed_force(client):
    for state, expected in (("Mali", "mali"), ("Niger", "niger"), ("Burkina Faso", "burkina-faso")):
        [first, *_] = reconcile(client, {"q": {"query": state}})["q"]["result"]
        assert (first["id"], first["match"]) == (expected, True)


def test_a_limit_past_the_most_candidates_is_answered_with_that_many(client):
    """A client's candidate setting above 100 was refused, failing its whole batch: the service answers fewer."""
    result = reconcile(client, {"q": {"query": "Mali", "limit": 500}})["q"]["result"]
    assert 0 < len(result) <= 100


def test_the_table_as_one_batch_by_get_and_post(client):
    for start in range(0, len(MESSY), 8):  # within the batch size the test app allows
        batch = {f"q{index}": {"query": name, "limit": 3} for index, (name, _) in enumerate(MESSY[start:start + 8])}
        assert reconcile(client, batch, "get") == reconcile(client, batch, "post")


def test_match_only_for_an_unambiguous_exact_label_or_alias(client):
    results = reconcile(client, {"exact": {"query": "mali"}, "alias": {"query": "u.s."}, "acronym": {"query": "EIGS"},
                                 "close": {"query": "Burkina"}, "identifier": {"query": "aes-joint-force"}})
    assert results["exact"]["result"][0]["match"] is True
    assert results["alias"]["result"][0]["id"] == "united-states" and results["alias"]["result"][0]["match"]
    assert results["acronym"]["result"][0]["id"] == "isgs" and results["acronym"]["result"][0]["match"]
    assert not any(candidate["match"] for candidate in results["close"]["result"])
    identifier = results["identifier"]["result"][0]  # an entity id as query: that entity, high
    assert identifier["id"] == "aes-joint-force" and identifier["score"] == 100 and identifier["match"]
    assert sum(candidate["match"] for result in results.values() for candidate in result["result"]) == 4


@pytest.mark.parametrize("name, expected", [
    ("Ma\u200bli", "mali"),  # a zero-width space pasted inside a cell: no Mali at all, an assessment first
    ("Jamāʿat Nuṣrat al-Islām wal-Muslimīn", "jnim"),  # transliterated with ʿayn: 98.59, no match
    ("Jama‘at Nusrat al-Islam wal-Muslimin", "jnim"),  # a left quotation mark for the apostrophe
    ("جماعة نصـرة الإسلام والمسلمين", "jnim"),  # with a tatweel
    ("\u200fجماعة نصرة الإسلام والمسلمين\u200f", "jnim"),  # right-to-left marks
])
def test_invisible_characters_and_transliteration_marks_still_match(client, name, expected):
    [first, *_] = reconcile(client, {"q": {"query": name}})["q"]["result"]
    assert (first["id"], first["score"], first["match"]) == (expected, 100, True)
    assert client.get("/reconcile/suggest/entity", query_string={"prefix": name[:9]}).get_json()["result"][0]["id"] \
        == expected


def test_one_type_asked_for_with_any_or_all_gives_the_same_answer(client):
    """With "all", the uniqueness of an exact name was judged among every entity: "Washington" also names
    us-government, which is no sovereign state, so the United States was no match there and one with "any"."""
    answers = [reconcile(client, {"q": {"query": "Washington", "type": "sahel:SovereignState", "type_strict": strict}})
               ["q"]["result"] for strict in ("any", "all")]
    assert answers[0] == answers[1] and answers[0][0]["id"] == "united-states" and answers[0][0]["match"]


def test_an_identifier_that_other_entities_carry_as_a_name_is_no_certain_match():
    """An id was a match "whatever names do": "washington", the id of an entity named Washington State, matched it
    although two other entities are named exactly Washington."""
    app = create_app({"STORE": "memory:", "UPDATES_ENABLED": True, "UPDATE_TOKEN": "t"})
    client = app.test_client()
    update = 'INSERT DATA { GRAPH <urn:test> { sk:washington rdfs:label "Washington State"@en ; a sahel:Region } }'
    assert client.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer t"}).status_code == 204
    result = reconcile(client, {"q": {"query": "washington"}})["q"]["result"]
    assert {c["id"] for c in result if c["score"] == 100} == {"washington", "united-states", "us-government"}
    assert not any(candidate["match"] for candidate in result)
    [only] = reconcile(client, {"q": {"query": "washington", "type": "sahel:Region"}})["q"]["result"]
    assert (only["id"], only["match"]) == ("washington", True)  # the one that competes


def test_an_identifier_as_query_is_scored_as_one_and_not_as_a_name(client):
    """No name of us-armed-forces is "us-armed-forces": the feature said name 100 all the same."""
    [first, *_] = reconcile(client, {"q": {"query": "us-armed-forces"}})["q"]["result"]
    assert (first["id"], first["match"], first["features"]) == (
        "us-armed-forces", True, [{"id": "identifier", "value": 100.0}])
    other_type = reconcile(client, {"q": {"query": "us-armed-forces", "type": "sahel:SovereignState"}})["q"]["result"]
    assert all(candidate["id"] != "us-armed-forces" for candidate in other_type)


def test_types_from_the_ontology_narrow_the_candidates(client):
    results = reconcile(client, {
        "state": {"query": "Niger", "type": "sahel:SovereignState"},
        "force": {"query": "Niger", "type": ["https://sahel-kg.example.org/ontology#ArmedForce"]},
        "super": {"query": "JNIM", "type": "org:Organization"},  # through rdfs:subClassOf
        "should": {"query": "AES", "type": "sahel:ArmedForce", "type_strict": "should", "limit": 3},
    })
    assert [c["id"] for c in results["state"]["result"]] == ["niger"]
    assert results["force"]["result"][0]["id"] == "nigerien-armed-forces"
    assert {"id": "sahel:NationalMilitary", "name": "national military"}.items() <= \
        results["force"]["result"][0]["type"][0].items()
    assert results["super"]["result"][0]["id"] == "jnim"
    should = results["should"]["result"]
    assert should[0]["id"] == "aes" and should[0]["match"] is False  # kept, but not of the type asked
    assert {"id": "type_match", "value": False} in should[0]["features"]


def test_property_constraints(client):
    results = reconcile(client, {
        "by-entity": {"properties": [{"pid": "sahel:armedForceOf", "v": {"id": "mali"}}]},
        "by-name": {"query": "military", "limit": 2, "properties": [{"pid": "sahel:armedForceOf", "v": "Niger"}]},
        "many": {"query": "military of", "properties": [{"pid": "sahel:armedForceOf", "v": ["Mali", "Niger"]}]},
    })
    [only] = results["by-entity"]["result"]
    assert only["id"] == "malian-armed-forces" and only["match"] is True
    by_name = results["by-name"]["result"]
    assert by_name[0]["id"] == "nigerien-armed-forces"
    assert {"id": "property:sahel:armedForceOf", "value": 100.0} in by_name[0]["features"]
    assert [c["id"] for c in results["many"]["result"][:2]] == ["malian-armed-forces", "nigerien-armed-forces"]


def test_a_constraint_without_values_constrains_nothing(client):
    """"v": [] (valid: an empty cell's values) counted as a property that no value fits: Mali scored 50, no match."""
    results = reconcile(client, {"empty": {"query": "Mali", "properties": [{"pid": "sahel:armedForceOf", "v": []}]},
                                 "only": {"properties": [{"pid": "sahel:armedForceOf", "v": []}]}})
    [first, *_] = results["empty"]["result"]
    assert (first["id"], first["score"], first["match"]) == ("mali", 100, True)
    assert results["only"]["result"] == []


def test_limit(client):
    results = reconcile(client, {"one": {"query": "military", "limit": 1}, "three": {"query": "military", "limit": 3}})
    assert len(results["one"]["result"]) == 1 and len(results["three"]["result"]) == 3


@pytest.mark.parametrize("queries, words", [
    ("{not json", "not JSON"),
    ('["Mali"]', "JSON object"),
    ('{"q0": "Mali"}', "JSON object"),
    ('{"q0": {"query": 7}}', "must be a string"),
    ('{"q0": {"query": null}}', "must be a string"),  # the schema's query is a string, never null
    ('{"q0": {"query": "mali"}, "q0": {"query": "niger"}}', 'names "q0" twice'),  # one would be lost
    ('{"q0": {"query": "mali", "limit": 1, "limit": 2}}', 'names "limit" twice'),
    ('{"q0": {"limit": 3}}', "query string or"),
    ('{"q0": {"query": "Mali", "limit": "3"}}', 'limit must be a whole number from 0 to 2147483647, not "3"'),
    ('{"q0": {"query": "Mali", "limit": true}}', "limit must be a whole number from 0 to 2147483647, not true"),
    ('{"q0": {"query": "Mali", "limit": -1}}', "limit must be a whole number from 0 to 2147483647, not -1"),
    ('{"q0": {"query": "Mali", "limit": 2.5}}', "limit must be a whole number from 0 to 2147483647, not 2.5"),
    ('{"q0": {"query": "Mali", "limit": 1e308}}', "limit must be a whole number from 0 to 2147483647, not 1e+308"),
    ('{"q0": {"query": "Mali", "limit": 1e999}}', "limit must be a whole number from 0 to 2147483647, not Infinity"),
    ('{"q0": {"query": "Mali", "limit": 2147483648}}', "limit must be a whole number from 0 to 2147483647, not"),
    ('{"q0": {"query": "Mali", "colour": "red"}}', "colour"),
    ('{"q0": {"query": "Mali", "type": "sahel:Nothing"}}', "unknown type"),
    ('{"q0": {"query": "Mali", "type": 7}}', "type"),
    ('{"q0": {"query": "Mali", "type_strict": "never"}}', "type_strict"),
    ('{"q0": {"query": "Mali", "properties": [{"pid": "sahel:nothing", "v": "x"}]}}', "unknown property"),
    ('{"q0": {"query": "Mali", "properties": [{"pid": "sahel:region"}]}}', '"pid" and "v"'),
    ('{"q0": {"query": "Mali", "properties": [{"pid": "sahel:region", "v": [[1]]}]}}', "property value"),
    ('{"q0": {"query": "Mali", "properties": {"pid": "sahel:region", "v": "x"}}}', "list"),
    ('{"q0": {"query": "Mali", "properties": [{"pid": "sahel:armedForceOf", "v": {"id": "mali", "name": 5}}]}}',
     "property value"),  # the schema's name of an entity value is a string: it was taken
])
def test_malformed_batches_are_400_with_a_json_problem(client, queries, words):
    for response in (client.post("/reconcile", data={"queries": queries}),
                     client.get("/reconcile", query_string={"queries": queries})):
        assert words in problem(response, 400)["detail"]


@pytest.mark.parametrize("path", sorted((SPEC / "examples" / "reconciliation-query-batch" / "invalid").glob("*.json")),
                         ids=lambda path: path.stem)
def test_the_cg_examples_of_invalid_batches_are_400(client, path):
    problem(client.post("/reconcile", data={"queries": path.read_text(encoding="utf-8")}), 400)


def test_every_query_the_schema_allows_is_answered_without_refusing_the_batch(client):
    """Blank cells, and limits of 0 or 2.0 (a whole number, as JavaScript may write one): one such query no longer
    fails its batch."""
    batch = json.dumps({"blank": {"query": "   "}, "empty": {"query": ""}, "zero": {"query": "Mali", "limit": 0},
                        "two": {"query": "military", "limit": 2}, "most": {"query": "military", "limit": 100},
                        "mali": {"query": "Mali"}}).replace('"limit": 2}', '"limit": 2.0}')
    response = client.post("/reconcile", data={"queries": batch})
    assert response.status_code == 200, response.get_data(as_text=True)
    results = check(response.get_json(), "reconciliation-result-batch")
    assert [len(results[key]["result"]) for key in ("blank", "empty", "zero", "two")] == [0, 0, 0, 2]
    assert len(results["most"]["result"]) > 3 and results["mali"]["result"][0]["id"] == "mali"


def test_numbers_no_float_holds_are_compared_or_refused_in_words(client):
    """A 309-digit integer (valid JSON, and a number the schema allows) was a 500: float() overflowed."""
    huge = "2" + "0" * 308
    batch = '{"q": {"query": "joint force", "properties": [{"pid": "sahel:personnel", "v": %s}]}, ' \
            '"p": {"properties": [{"pid": "rdfs:label", "v": %s}]}}' % (huge, huge)
    response = client.post("/reconcile", data={"queries": batch})
    assert response.status_code == 200, response.get_data(as_text=True)
    results = check(response.get_json(), "reconciliation-result-batch")
    assert {"id": "property:sahel:personnel", "value": 0.0} in results["q"]["result"][0]["features"]
    assert results["p"]["result"] == []
    detail = problem(client.post("/reconcile", data={"queries": '{"q": {"query": "Mali", "limit": %s}}' % ("1" * 5000)}),
                     400)["detail"]
    assert "digits" in detail


def test_a_lone_surrogate_anywhere_in_a_batch_is_400(client):
    """A batch's key is echoed in the answer: one holding \\ud800 failed to encode, a 500."""
    for queries in ('{"\\ud800": {"query": "Mali"}}', '{"q": {"query": "Mali", "type": ["\\udc00"]}}'):
        assert "lone surrogate" in problem(client.post("/reconcile", data={"queries": queries}), 400)["detail"]
    extend = '{"ids": ["\\ud800"], "properties": [{"id": "rdfs:label"}]}'
    assert "lone surrogate" in problem(client.post("/reconcile", data={"extend": extend}), 400)["detail"]


def test_types_repeated_count_once_and_past_a_hundred_are_400(client):
    """45,000 copies of one type cost seconds of the server process: each was checked against every entity."""
    many = json.dumps({"q": {"query": "Mali", "type": ["foaf:Agent"] * 5000}})
    assert reconcile(client, json.loads(many))["q"]["result"][0]["id"] == "mali"
    distinct = json.dumps({"q": {"query": "Mali", "type": [f"sahel:Type{n}" for n in range(101)]}})
    assert "101 types" in problem(client.post("/reconcile", data={"queries": distinct}), 400)["detail"]


def test_a_query_past_the_bounds_of_its_work_is_400(client):
    """Matching runs in the server process: a long text or many values would hold a request thread for long."""
    long_text = {"q": {"query": "Mali Niger Burkina " * 60}}
    many_values = {"q": {"query": "Mali", "properties": [{"pid": "rdfs:label", "v": "x"}] * 101}}
    long_value = {"q": {"query": "Mali", "properties": [{"pid": "rdfs:label", "v": ["Mali", "x" * 1001]}]}}
    long_values = {"q": {"properties": [{"pid": "rdfs:label", "v": ["cd " * 333] * 11}]}}  # 1.5 s at 100 of 1,000
    for batch, words in ((long_text, "query has 1140 characters; the most is 1000"),
                         (many_values, "more than 100 property values"),
                         (long_value, "properties[0].v[1] has 1001 characters; the most is 1000"),
                         (long_values, "more than 10000 characters together, the most (and 1000 each)")):
        assert words in problem(client.post("/reconcile", data={"queries": json.dumps(batch)}), 400)["detail"]
    for kind in ("entity", "type", "property"):
        assert "the most is 1000" in problem(client.get(f"/reconcile/suggest/{kind}?prefix={'ma' * 501}"), 400)["detail"]
    extend = {"ids": ["mali"], "properties": [{"id": "rdfs:label"}] * 101}
    assert "the most is 100" in problem(client.post("/reconcile", data={"extend": json.dumps(extend)}), 400)["detail"]
    # 100 constraints on one property: their values for every candidate, read at once, are not cut by ROW_LIMIT
    results = reconcile(client, {"q": {"query": "Mali", "properties": [{"pid": "rdfs:label", "v": "Mali"}] * 100}})
    assert results["q"]["result"][0]["id"] == "mali"


def test_every_parameter_that_is_no_json_document_is_400_past_a_thousand_characters(client):
    """The README bounds an id at 1,000 characters: /reconcile/preview took one of 3,000, and type= any length."""
    long = "m" * 3000
    preview = client.get(f"/reconcile/preview?id={long}")
    assert preview.status_code == 400 and "id has 3000 characters; the most is 1000" in preview.get_data(as_text=True)
    for path, name in ((f"/reconcile/properties?type={long}", "type"), (f"/reconcile?callback={long}", "callback"),
                       (f"/reconcile/suggest/entity?prefix=ma&cursor={'0' * 1001}", "cursor")):
        assert f"{name} has " in problem(client.get(path), 400)["detail"], path
    assert client.get(f"/reconcile/preview?id={'m' * 1000}").status_code == 404  # at the bound: looked up


def test_each_string_value_may_have_a_thousand_characters(client):
    """The README promises 1,000 characters a value: two of 600 in one query were refused as more than 1,000."""
    values = [("Mali " * 120).strip(), ("Niger " * 100).strip()]
    results = reconcile(client, {"q": {"query": "Mali", "properties": [{"pid": "rdfs:label", "v": values}]}})
    assert results["q"]["result"][0]["id"] == "mali"
    reconcile(client, {"q": {"properties": [{"pid": "rdfs:label", "v": ["cd " * 333] * 10}]}})  # 10,000 together


def test_reconciliation_reads_whole_tables_whatever_the_row_cap():
    """The catalogue (every entity's names) and the values of the candidates are not answers to a client's query:
    ROW_LIMIT does not cut them, so a dataset of more names than ROW_LIMIT is still reconciled."""
    small = create_app({"STORE": "memory:", "ROW_LIMIT": 5}).test_client()
    assert small.get("/reconcile").status_code == 200
    results = reconcile(small, {"q": {"query": "Mali", "properties": [{"pid": "rdfs:label", "v": "Mali"}]}})
    assert results["q"]["result"][0]["id"] == "mali"
    assert small.get("/reconcile/suggest/entity?prefix=ma").status_code == 200


def test_a_batch_past_the_time_limit_of_a_query_is_503():
    """Matching is checked against the time limit between a batch's queries (the catalogue is read first)."""
    app = create_app({"STORE": "memory:"})
    client = app.test_client()
    reconcile(client, {"q": {"query": "Mali"}})  # the catalogue, read within the shipped limit, is kept
    app.config["QUERY_TIMEOUT"] = 1e-9  # past before the first query is matched, on any machine
    response = client.post("/reconcile", data={"queries": json.dumps({"q": {"query": "Mali"}})})
    assert "reconciliation stopped after its time limit" in problem(response, 503)["detail"]


def test_a_batch_without_a_time_limit_is_matched():
    """QUERY_TIMEOUT None (no limit: refused only on a public server) gave every batch a 500: the limit was
    compared with 0 before it was looked at."""
    client = create_app({"STORE": "memory:", "QUERY_TIMEOUT": None}).test_client()
    assert reconcile(client, {"q": {"query": "Mali"}})["q"]["result"][0]["id"] == "mali"


def test_a_batch_over_the_cap_is_413(client):
    batch = {f"q{index}": {"query": "Mali"} for index in range(9)}
    assert "most is 8" in problem(client.post("/reconcile", data={"queries": json.dumps(batch)}), 413)["detail"]
    assert len(reconcile(client, dict(list(batch.items())[:8]))) == 8


def test_other_bad_requests(client):
    assert problem(client.post("/reconcile", data={"queries": "{not json"}), 400)["line"] == 1
    problem(client.post("/reconcile", data={}), 400)
    problem(client.post("/reconcile", data={"queries": "{}", "extend": "{}"}), 400)
    problem(client.get("/reconcile?queries=%7B%7D&queries=%7B%7D"), 400)
    problem(client.get("/reconcile?queries=%FF"), 400)
    assert "deeply" in problem(client.post("/reconcile", data={"queries": "[" * 100000}), 400)["detail"]
    problem(client.post("/reconcile", data={"extend": "{" * 100000}), 400)


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "multipart/form-data; boundary=b", None])
def test_a_post_of_no_form_is_415_naming_the_form(client, content_type):
    """A JSON, text or multipart body was 400 'POST a queries= (or extend=) form field': it was never read."""
    body = b'{"q0": {"query": "Mali"}}' if content_type == "application/json" else b"queries=%7B%7D"
    response = client.post("/reconcile", data=body, content_type=content_type)
    detail = problem(response, 415)["detail"]
    assert "POST needs application/x-www-form-urlencoded" in detail
    assert (content_type or "no Content-Type").split(";")[0] in detail


def test_a_form_post_and_a_post_with_no_body_still_read_their_parameters(client):
    queries = json.dumps({"q": {"query": "Mali"}})
    assert "Missing queries" == problem(client.post("/reconcile", data={}), 400)["title"]
    with_url = client.post("/reconcile", query_string={"queries": queries})
    assert with_url.status_code == 200 and with_url.get_json()["q"]["result"][0]["id"] == "mali"
    form = client.post("/reconcile", data="queries=" + quote(queries),
                       content_type="application/x-www-form-urlencoded; charset=utf-8")
    assert form.status_code == 200 and form.get_json()["q"]["result"][0]["id"] == "mali"


@pytest.mark.parametrize("field, batch", [
    ("type[1]", {"q": {"query": "Mali", "type": ["sahel:SovereignState", "sahel:Alliance\u0007"]}}),
    ("properties[0].pid", {"q": {"query": "Mali", "properties": [{"pid": "rdfs:label\u001b", "v": "Mali"}]}}),
    ("properties[0].v[1].id", {"q": {"properties": [{"pid": "sahel:armedForceOf", "v": ["x", {"id": "ma\u0085li"}]}]}}),
    ('the member name "q\\u0001" in queries', {"q\u0001": {"query": "Mali"}}),
])
def test_a_control_character_in_any_string_of_a_batch_is_400_naming_its_field(client, field, batch):
    """A type, a property id, an entity id or a key holding one showed as nothing (a cell's text is read as spaces:
    test_a_cells_control_characters_are_spaces_and_its_batch_is_answered)."""
    queries = json.dumps(batch)  # each control character written as an escape, as a client writes it
    for response in (client.post("/reconcile", data={"queries": queries}),
                     client.get("/reconcile", query_string={"queries": queries})):
        assert f"{field} holds a control character" in problem(response, 400)["detail"]


def test_a_control_character_in_a_data_extension_or_a_parameter_is_400_naming_it(client):
    for extend, field in (('{"ids": ["ma\\u0000li"], "properties": [{"id": "rdfs:label"}]}', "ids[0]"),
                          ('{"ids": ["mali"], "properties": [{"id": "rdfs:label", "settings": {"limit": "1\\u0000"}}]}',
                           "properties[0].settings.limit")):
        detail = problem(client.post("/reconcile", data={"extend": extend}), 400)["detail"]
        assert f"{field} holds a control character (U+0000" in detail
    for path, name in (("/reconcile/suggest/entity?prefix=Ma%01li", "prefix"),
                       ("/reconcile/suggest/type?prefix=a%1F", "prefix"),
                       ("/reconcile/properties?type=sahel:Alliance%C2%9B", "type"),
                       ("/reconcile?callback=cb%7F", "callback")):
        assert f"{name} holds a control character" in problem(client.get(path), 400)["detail"]
    preview = client.get("/reconcile/preview?id=ma%08li")
    assert preview.status_code == 400 and "id holds a control character" in preview.get_data(as_text=True)


def test_tabs_and_line_breaks_of_a_cell_are_no_control_characters_here(client):
    results = reconcile(client, {"q": {"query": "Burkina\tFaso\r\n"}, "p": {"query": "Mali", "properties": [
        {"pid": "rdfs:label", "v": "Mali\n"}]}})
    assert results["q"]["result"][0]["id"] == "burkina-faso" and results["p"]["result"][0]["match"]


def test_a_cells_control_characters_are_spaces_and_its_batch_is_answered(client):
    """Excel's line break in a cell (U+000B) or a mis-decoded apostrophe (U+0092, raw in the JSON, as Jackson
    sends it) made the whole batch 400, which OpenRefine leaves unreconciled, every other cell with it."""
    batch = {"vt": {"query": "Burkina\u000bFaso"}, "nul": {"query": "Mali\u0000"}, "ok": {"query": "Niger"},
             "v": {"query": "Mali", "properties": [{"pid": "rdfs:label", "v": ["Mali\u007f", {"id": "x", "name": "Mali\u0085"}]}]}}
    raw = json.dumps(batch).replace("\\u0085", "\u0085")  # a C1 character raw in the document, as JSON allows
    for response in (client.post("/reconcile", data={"queries": raw}),
                     client.get("/reconcile", query_string={"queries": json.dumps(batch)})):
        assert response.status_code == 200, response.get_data(as_text=True)
        results = check(response.get_json(), "reconciliation-result-batch")
        assert results["vt"]["result"][0]["id"] == "burkina-faso" and results["nul"]["result"][0]["match"]
        assert results["ok"]["result"][0]["id"] == "niger" and results["v"]["result"][0]["match"]


# --- suggest, preview, data extension -------------------------------------------------------------------------

def test_suggest_entities(client):
    result = check(client.get("/reconcile/suggest/entity?prefix=bur").get_json(), "suggest-entities-response")["result"]
    assert [item["id"] for item in result[:2]] == ["burkina-faso", "burkinabe-armed-forces"]
    assert result[0]["notable"][0]["id"] == "sahel:SovereignState"
    by_id = client.get("/reconcile/suggest/entity?prefix=aes-joint-force").get_json()["result"]
    assert by_id[0]["id"] == "aes-joint-force"
    typo = client.get("/reconcile/suggest/entity?prefix=Burkna Faso").get_json()["result"]
    assert typo[0]["id"] == "burkina-faso"  # no prefix fits; a close spelling does
    first, second = (client.get(f"/reconcile/suggest/entity?prefix=s&cursor={cursor}").get_json()["result"]
                     for cursor in (0, 10))
    assert first and second and not {item["id"] for item in first} & {item["id"] for item in second}


@pytest.mark.parametrize("prefix, first", [("niger", "niger"), ("us", "united-states"), ("AES", "aes")])
def test_a_suggested_name_equal_to_the_prefix_comes_first(client, prefix, first):
    """"niger" brought nigerien-armed-forces first and "us" nine entities before the United States (alias US)."""
    assert client.get(f"/reconcile/suggest/entity?prefix={prefix}").get_json()["result"][0]["id"] == first


def test_suggest_types_and_properties(client):
    types = check(client.get("/reconcile/suggest/type?prefix=arm").get_json(), "suggest-types-response")["result"]
    assert types[0]["id"] == "sahel:ArmedForce"
    assert types[0]["broader"] == [{"id": "org:Organization", "name": "Organization"}]
    properties = check(client.get("/reconcile/suggest/property?prefix=armed").get_json(),
                       "suggest-properties-response")["result"]
    assert properties[0]["id"] == "sahel:armedForceOf"


@pytest.mark.parametrize("kind, prefix, expected", [
    ("type", "Ma", ["org:FormalOrganization"]),  # no name starts so; schema:Country, Event... held "ma" in "schema:"
    ("type", "Event", ["sahel:Event", "schema:Event", "sahel:ConflictEvent"]),
    ("type", "org", ["org:Membership", "org:Organization", "org:FormalOrganization"]),  # ids that start so, shortest first
    ("type", "sahel:Sov", ["sahel:SovereignState"]),
    ("type", "https://sahel-kg.example.org/ontology#Allia", ["sahel:Alliance"]),
    ("property", "Ma", ["sahel:matchScore", "skos:closeMatch", "skos:exactMatch", "dct:format", "sahel:formality",
                     "sahel:isApproximate"]),
    ("entity", "sk:mal", ["mali", "malian-armed-forces"]),
])
def test_suggestions_that_start_with_the_prefix_come_first_and_an_id_s_prefix_is_no_word(client, kind, prefix,
                                                                                         expected):
    """"Ma" brought schema:Country, schema:Event and org:FormalOrganization first, for the "ma" of "schema" and
    "formal"; closeMatch and exactMatch, whose words start with it, came after containedInPlace."""
    response = client.get(f"/reconcile/suggest/{kind}", query_string={"prefix": prefix})
    plural = {"entity": "entities", "type": "types", "property": "properties"}[kind]
    result = check(response.get_json(), f"suggest-{plural}-response")["result"]
    assert [item["id"] for item in result] == expected


def test_type_and_property_ids_are_compact_iris_and_their_full_iris_are_taken(client):
    """The manifest's schemaSpace is no namespace of these ids: each expands by a prefix the README lists, and a
    client that stored a full IRI (or a compact one) still gets the same answer."""
    from kg.catalogue import expand
    from kg.namespaces import PREFIXES

    manifest = client.get("/reconcile").get_json()
    for kind in manifest["defaultTypes"]:
        prefix, _, local = kind["id"].partition(":")
        assert expand(kind["id"]) == PREFIXES[prefix] + local
    compact = {"query": "Niger", "type": "sahel:SovereignState",
               "properties": [{"pid": "sahel:armedForceOf", "v": "x"}]}
    full = {"query": "Niger", "type": expand("sahel:SovereignState"),
            "properties": [{"pid": expand("sahel:armedForceOf"), "v": "x"}]}
    results = reconcile(client, {"compact": compact, "full": full})
    assert results["compact"] == results["full"] and results["full"]["result"][0]["id"] == "niger"


@pytest.mark.parametrize("path", ["/reconcile/suggest/entity", "/reconcile/suggest/type?prefix=a&cursor=-1",
                                  "/reconcile/suggest/property?prefix=a&cursor=x",
                                  "/reconcile/suggest/property?prefix=a&cursor=2147483648",
                                  "/reconcile/properties?type=sahel:Alliance&limit=0"])
def test_bad_suggest_requests_are_400(client, path):
    problem(client.get(path), 400)


def test_preview(client):
    response = client.get("/reconcile/preview?id=aes")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<a href="http://localhost/id/aes" target="_blank"' in html
    assert "Alliance of Sahel States" in html and "alliance" in html
    # shown in a frame: HTML whatever is asked, and framable (a repeated id got JSON that no frame may show)
    for missing, status in [("?id=nobody", 404), ("", 400), ("?id=", 400), ("?id=mali&id=niger", 400)]:
        answer = client.get("/reconcile/preview" + missing, headers={"Accept": "application/json"})
        assert answer.status_code == status and answer.mimetype == "text/html", missing
        assert "frame-ancestors 'none'" not in answer.headers["Content-Security-Policy"]


def test_data_extension(client):
    query = {"ids": ["aes-joint-force", "malian-armed-forces", "nobody"],
             "properties": [{"id": "sahel:armedForceOf"}, {"id": "sahel:hasStrength"}, {"id": "rdfs:label"},
                            {"id": "skos:altLabel", "settings": {"limit": 1}}]}
    check(query, "data-extension-query")
    response = check(client.post("/reconcile", data={"extend": json.dumps(query)}).get_json(),
                     "data-extension-response")
    assert [meta["id"] for meta in response["meta"]] == [p["id"] for p in query["properties"]]
    rows = response["rows"]
    assert rows["malian-armed-forces"]["sahel:armedForceOf"] == [{"id": "mali", "name": "Mali"}]
    assert rows["aes-joint-force"]["sahel:hasStrength"] == [
        {"id": "aes-joint-force-strength-2025", "name": "strength of the AES joint force, late 2025"}]
    assert rows["aes-joint-force"]["rdfs:label"] == [{"str": "AES joint military force"}]
    assert rows["nobody"] == {p["id"]: [] for p in query["properties"]}
    assert client.get("/reconcile", query_string={"extend": json.dumps(query)}).get_json() == response


def test_data_extension_of_ids_that_are_no_iri_gives_empty_rows(client):
    """An id is any string: one that makes no IRI ("a>b", one with a space) was refused with Oxigraph's message."""
    query = {"ids": ["a>b", "http://x/ y", "", "mali"], "properties": [{"id": "rdfs:label"}]}
    response = check(client.post("/reconcile", data={"extend": json.dumps(query)}).get_json(), "data-extension-response")
    assert response["rows"] == {"a>b": {"rdfs:label": []}, "http://x/ y": {"rdfs:label": []}, "": {"rdfs:label": []},
                                "mali": {"rdfs:label": [{"str": "Mali"}]}}


def test_data_extension_numbers_and_dates(client):
    query = {"ids": ["aes-joint-force-strength-2025"], "properties": [{"id": "sahel:personnel"}]}
    row = client.post("/reconcile", data={"extend": json.dumps(query)}).get_json()["rows"]
    assert row["aes-joint-force-strength-2025"]["sahel:personnel"] == [{"int": 5000}]


def test_data_extension_gives_dates_as_dates(client):
    """The graph's days (xsd:date: every time span's bounds) came as text cells; OpenRefine takes a date cell as
    the day's midnight. A date with a zone keeps it; one that is no day of the calendar stays text."""
    from kg.catalogue import value_json

    query = {"ids": ["late-2025"], "properties": [{"id": "sahel:startsNotBefore"}]}
    rows = check(client.post("/reconcile", data={"extend": json.dumps(query)}).get_json(), "data-extension-response")
    assert rows["rows"]["late-2025"]["sahel:startsNotBefore"] == [{"date": "2025-09-01T00:00:00"}]
    xsd_date = "http://www.w3.org/2001/XMLSchema#date"
    values = [value_json(None, {"type": "literal", "value": text, "datatype": xsd_date}, None)
              for text in ("2025-09-01Z", "2025-09-01+01:00", "2025-02-30", "2025-9-1")]
    assert values == [{"date": "2025-09-01T00:00:00Z"}, {"date": "2025-09-01T00:00:00+01:00"},
                      {"str": "2025-02-30"}, {"str": "2025-9-1"}]
    check({"meta": [], "rows": {"x": {"p": values}}}, "data-extension-response")


@pytest.mark.parametrize("extend, status", [
    ('{"ids": ["mali"]}', 400), ('{"ids": "mali", "properties": []}', 400),
    ('{"ids": ["mali"], "properties": [{"id": "sahel:nothing"}]}', 400),
    ('{"ids": ["mali"], "properties": [{"id": "rdfs:label", "settings": {"limit": -1}}]}', 400),
    ('{"ids": ["mali"], "properties": [{"id": "rdfs:label", "settings": {"limit": 1e308}}]}', 400),
    ('{"ids": ["mali"], "properties": [{"id": "rdfs:label", "settings": {"limit": "-1"}}]}', 400),
    ('{"ids": ["mali"], "properties": [{"id": "rdfs:label", "settings": {"limit": true}}]}', 400),
    ('{"ids": ["mali"], "properties": [{"id": "rdfs:label", "settings": {"limit": 1, "lang": "fr"}}]}', 400),
    ('{"ids": ["mali", "mali"], "ids": ["niger"], "properties": []}', 400),  # a name twice: one list lost
    ('{"ids": [' + ", ".join(['"mali"'] * 9) + '], "properties": []}', 413),
])
def test_bad_data_extension_requests(client, extend, status):
    problem(client.post("/reconcile", data={"extend": extend}), status)


def test_a_data_extension_limit_is_any_whole_number_and_settings_an_object(client):
    """The manifest declares the limit a number: 1.0 was refused; settings "x" got a message about the limit."""
    extend = {"ids": ["mali"], "properties": [{"id": "skos:altLabel", "settings": {"limit": 1.0}}]}
    rows = check(client.post("/reconcile", data={"extend": json.dumps(extend)}).get_json(), "data-extension-response")
    assert len(rows["rows"]["mali"]["skos:altLabel"]) == 1
    for settings, words in (("x", "settings are an object"), ({"limit": 1.5}, "whole number")):
        extend["properties"][0]["settings"] = settings
        assert words in problem(client.post("/reconcile", data={"extend": json.dumps(extend)}), 400)["detail"]


def test_a_limit_setting_left_empty_is_the_default(client):
    """OpenRefine sends each setting as its form field's text: a limit field left empty came as "" and the whole
    extension was 400, where the protocol says to assume the default (0, all) for a setting not given."""
    extend = {"ids": ["mali"], "properties": [{"id": "skos:altLabel", "settings": {"limit": ""}},
                                              {"id": "rdfs:label", "settings": {"limit": " 1 "}}]}
    rows = check(client.post("/reconcile", data={"extend": json.dumps(extend)}).get_json(), "data-extension-response")
    assert rows["rows"]["mali"] == {"skos:altLabel": [{"str": "Republic of Mali"}], "rdfs:label": [{"str": "Mali"}]}


def test_properties_of_one_name_are_told_apart_by_their_prefix(client):
    found = client.get("/reconcile/suggest/property?prefix=altLabel").get_json()["result"]
    assert {(item["id"], item["name"]) for item in found} == {("skos:altLabel", "altLabel (skos)"),
                                                               ("skosxl:altLabel", "altLabel (skosxl)")}


def test_property_proposals(client):
    proposal = check(client.get("/reconcile/properties?type=sahel:NationalMilitary").get_json(),
                     "data-extension-property-proposal")
    assert proposal["type"] == "sahel:NationalMilitary"
    assert "sahel:armedForceOf" in [p["id"] for p in proposal["properties"]]
    # the ontology's own domains and what the data uses; not every property of org:Organization or schema:Place
    assert "sahel:destabilises" not in [p["id"] for p in proposal["properties"]]
    state = [p["id"] for p in client.get("/reconcile/properties?type=sahel:SovereignState").get_json()["properties"]]
    assert "sahel:hasArmedForce" in state
    assert not {"sahel:destabilises", "sahel:operatesIn", "sahel:establishedBy", "sahel:adminRegion"} & set(state)
    group = [p["id"] for p in client.get("/reconcile/properties?type=sahel:NonStateArmedGroup").get_json()["properties"]]
    assert {"sahel:destabilises", "sahel:operatesIn"} <= set(group)
    limited = client.get("/reconcile/properties?type=sahel:NationalMilitary&limit=2").get_json()
    assert len(limited["properties"]) == 2 and limited["limit"] == 2
    problem(client.get("/reconcile/properties?type=sahel:Nothing"), 400)


@pytest.mark.parametrize("path", ["/reconcile/properties", "/reconcile/properties?type=&limit=3",
                                  "/reconcile/properties?type=%20&limit=3", "/reconcile/properties?type=%09%20%0A"])
def test_properties_are_proposed_for_a_column_reconciled_against_no_type(client, path):
    """The data extension protocol: "If no type is provided, it should suggest properties for a column reconciled
    against no type" (OpenRefine asks so for such a column). Both were 400, Missing type."""
    proposal = check(client.get(path).get_json(), "data-extension-property-proposal")
    found = [item["id"] for item in proposal["properties"]]
    assert "type" not in proposal
    if "limit" in path:
        assert len(found) == proposal["limit"] == 3
    else:
        assert {"sahel:armedForceOf", "rdfs:label", "skos:altLabel"} <= set(found)
        assert "sahel:isApproximate" in found  # used on a measurement, which no default type covers


def test_a_text_parameter_given_blank_is_one_given_empty(client):
    """type=%20 was 400 (unknown type ' ') where type= proposes for no type, and id=%20 a 404 (unknown entity ' ')
    where id= is 400 Missing id: a blank field of a form is one left empty. In a batch, a blank type is 400 saying so."""
    assert client.get("/reconcile/properties?type=%20").get_json() == client.get("/reconcile/properties?type=").get_json()
    for blank in ("%20", "%09%20"):
        answer = client.get("/reconcile/preview?id=" + blank)
        assert answer.status_code == 400 and "Missing id" in answer.get_data(as_text=True)
    for kind in (" ", ["sahel:SovereignState", ""]):
        batch = json.dumps({"q": {"query": "Mali", "type": kind}})
        body = problem(client.get("/reconcile?queries=" + quote(batch)), 400)
        assert "type is blank" in body["queries"]["q"]


def test_reconciliation_reads_the_store_as_it_is_now():
    app = create_app({"STORE": "memory:", "UPDATES_ENABLED": True, "UPDATE_TOKEN": "t"})
    client = app.test_client()
    assert reconcile(client, {"q": {"query": "Wagner Group"}})["q"]["result"] == []
    update = ('INSERT DATA { GRAPH <urn:test> { sk:wagner rdfs:label "Wagner Group"@en ; '
              'a sahel:NonStateArmedGroup } }')
    assert client.post("/sparql", data={"update": update}, headers={"Authorization": "Bearer t"}).status_code == 204
    [found] = reconcile(client, {"q": {"query": "wagner group"}})["q"]["result"]
    assert found["id"] == "wagner" and found["match"] is True


def test_the_library_answers_as_the_service_does(client):
    """kg.reconciliation needs no Flask: through a QueryService it gives the service's answer."""
    with open_store("memory:") as store:
        install(store)
        select = select_with(QueryService(store))
        catalogue = Catalogue.read(select)
        query = {"query": "Etats du Sahel", "type": "sahel:Alliance"}
        assert reconcile_query(catalogue, select, parse_query(query, catalogue)) == \
            reconcile(client, {"q": query})["q"]["result"]


def test_an_openrefine_conversation_with_kg_serve(tmp_path):
    """What OpenRefine does, against `kg serve` (gunicorn, an embedded on-disk store, query workers)."""
    import urllib.parse
    import urllib.request

    from live_server import kg_server

    def fetch(path: str, form: dict | None = None):
        data = None if form is None else urllib.parse.urlencode(form).encode()
        with urllib.request.urlopen(url + path, data=data, timeout=60) as response:
            return response.headers, response.read().decode("utf-8")

    with kg_server(tmp_path) as url:
        headers, body = fetch("/reconcile")
        manifest = check(json.loads(body), "manifest")
        assert manifest["view"]["url"] == url + "/id/{{id}}"
        batch = {f"q{index}": {"query": name, "type": "sahel:SovereignState" if expected == "burkina-faso" else []}
                 for index, (name, expected) in enumerate(MESSY)}
        _, body = fetch("/reconcile", {"queries": json.dumps(batch)})
        results = check(json.loads(body), "reconciliation-result-batch")
        assert [(results[f"q{index}"]["result"] or [{"id": None}])[0]["id"] for index in range(len(MESSY))] == \
            [expected for _, expected in MESSY]
        extension = {"ids": ["jnim"], "properties": [{"id": "skos:altLabel"}]}
        _, body = fetch("/reconcile", {"extend": json.dumps(extension)})
        aliases = check(json.loads(body), "data-extension-response")["rows"]["jnim"]["skos:altLabel"]
        assert {"str": "Jama'at Nusrat al-Islam wal-Muslimin"} in aliases
        _, body = fetch("/reconcile/suggest/type?prefix=jihad")
        assert check(json.loads(body), "suggest-types-response")["result"][0]["id"] == "sahel:JihadistGroup"
        headers, body = fetch("/reconcile/preview?id=jnim")
        assert headers.get_content_type() == "text/html" and "JNIM" in body




def test_data_extension_values_are_json_and_fit_the_schema():
    """xsd:double NaN and INF have no JSON number (json.dumps wrote bare NaN); a dateTime that is no valid
    xsd:dateTime (month 13) fails the schema's date: both are given as strings, as written."""
    from kg.catalogue import value_json

    xsd = "http://www.w3.org/2001/XMLSchema#"
    given = [("NaN", "double"), ("INF", "double"), ("-INF", "float"), ("2.5", "double"), ("1_000", "double"),
             ("1_000", "integer"), (" 12", "integer"), ("٣", "integer"), ("-12", "integer"), ("1.5e3", "double"),
             ("2025-13-01T00:00:00", "dateTime"), ("2024-02-28T24:00:00", "dateTime"), ("2025-01-31T08:00:00Z", "dateTime")]
    values = [value_json(None, {"type": "literal", "value": text, "datatype": xsd + kind}, None) for text, kind in given]
    assert values == [{"str": "NaN"}, {"str": "INF"}, {"str": "-INF"}, {"float": 2.5}, {"str": "1_000"},
                      {"str": "1_000"}, {"str": " 12"}, {"str": "٣"}, {"int": -12}, {"float": 1500.0},
                      {"str": "2025-13-01T00:00:00"},
                      {"str": "2024-02-28T24:00:00"}, {"date": "2025-01-31T08:00:00Z"}]
    json.dumps(values, allow_nan=False)


def test_data_extension_answers_under_the_property_ids_asked_for(client):
    """A client looks values up by the id it asked with: a full IRI stays a full IRI (it came back compacted)."""
    iri = "http://www.w3.org/2000/01/rdf-schema#label"
    extension = {"ids": ["mali"], "properties": [{"id": iri}, {"id": "rdfs:label"}, {"id": iri}]}
    response = client.post("/reconcile", data={"extend": json.dumps(extension)})
    document = check(response.get_json(), "data-extension-response")
    assert [column["id"] for column in document["meta"]] == [iri, "rdfs:label"]
    assert document["rows"]["mali"][iri] == document["rows"]["mali"]["rdfs:label"] != []


@pytest.mark.parametrize("queries, words", [
    ('{"q0": {"query": "Mali", "type": "sahel:Aliance"}}',
     "unknown type 'sahel:Aliance': see the type suggest service; did you mean 'sahel:Alliance'?"),
    ('{"q0": {"query": "Mali", "type": "SovereignState"}}',  # no prefix: read as the ontology's
     "unknown type 'SovereignState': see the type suggest service; did you mean 'sahel:SovereignState'?"),
    ('{"q0": {"query": "Mali", "properties": [{"pid": "sahel:armedForceof", "v": "x"}]}}',
     "unknown property 'sahel:armedForceof': see the property suggest service; did you mean 'sahel:armedForceOf'?"),
    ('{"q0": {"query": "Mali", "type": "sahel:Qqqqqqqq"}}',  # nothing near: nothing offered
     "unknown type 'sahel:Qqqqqqqq': see the type suggest service"),
])
def test_an_unknown_type_or_property_offers_the_known_ids_near_it(client, queries, words):
    """An unknown type or property id said only "see the suggest service", where a 404 of /id/mail offers sk:mali."""
    detail = problem(client.post("/reconcile", data={"queries": queries}), 400)["detail"]
    assert detail.endswith(words), detail


def test_an_unknown_type_of_the_properties_service_and_of_a_data_extension_offers_them_too(client):
    detail = problem(client.get("/reconcile/properties?type=sahel:sovereignstate"), 400)["detail"]
    assert detail.endswith("; did you mean 'sahel:SovereignState'?"), detail
    extend = {"ids": ["mali"], "properties": [{"id": "sahel:hasStrenght"}]}
    detail = problem(client.post("/reconcile", data={"extend": json.dumps(extend)}), 400)["detail"]
    assert detail.endswith("; did you mean 'sahel:hasStrength'?"), detail


def test_the_preview_of_an_unknown_id_offers_the_known_ids_near_it(client):
    html = client.get("/reconcile/preview?id=mal").get_data(as_text=True)
    assert "no entity has the id &#39;mal&#39;; did you mean &#39;mali&#39;?" in html, html
    assert "did you mean" not in client.get("/reconcile/preview?id=qqqqqqqq").get_data(as_text=True)
