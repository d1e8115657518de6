"""A warning about a sahel: or sk: term nobody has offers the known terms it is likeliest a slip for: over HTTP
(every way an answer is made), in the console and in the shell's library call; none where nothing is near."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403
from kg.closed_terms import CLOSED
from kg.namespaces import PREFIXES
from kg.near_terms import NEAR_TERMS, did_you_mean, nearest
from kg.publish import install
from kg.query import QueryService
from kg.store.oxigraph import OxigraphStore
from test_loading import installed, kg, spec  # noqa: F401  (fixtures)
from test_unknown_terms import service  # noqa: F401  (a fixture: a query service on the article)

SAHEL, SK, ORG = PREFIXES["sahel"], PREFIXES["sk"], PREFIXES["org"]
KNOWN = [SAHEL + name for name in ("Alliance", "SovereignState", "NonStateArmedGroup", "Event", "armedForceOf",
                                   "alliance")] + [SK + "mali", SK + "niger", ORG + "Membership", ORG + "memberOf"]


@pytest.mark.parametrize("unknown, offered", [
    (SAHEL + "Aliance", [SAHEL + "Alliance", SAHEL + "alliance"]),  # a letter missing: the same case first
    (SAHEL + "ALLIANCE", [SAHEL + "Alliance", SAHEL + "alliance"]),  # the name in other case
    (SAHEL + "State", [SAHEL + "SovereignState", SAHEL + "NonStateArmedGroup"]),  # held whole, shortest first
    (SAHEL + "Membership", [ORG + "Membership"]),  # the name in another vocabulary
    (SAHEL + "memberof", [ORG + "memberOf"]),
    (SAHEL + "EventStatus", [SAHEL + "Event"]),  # holding a known name whole
    (SK + "mail", [SK + "mali"]),  # two letters swapped
    (SK + "nigeria", [SK + "niger"]),
    (SK + "Mali", [SK + "mali"]),
    (SAHEL + "zzzz", []),
    (SAHEL + "Evnt", [SAHEL + "Event"]),
    (SAHEL + "Ev", []),  # too short to be a part of another; more than one slip for its length
    (SK + "ma%6Ci", [SK + "mali"]),  # %-escapes read as what they spell: offered nothing before
    (SK + "m%C3%A4li", [SK + "mali"]),
    (SAHEL + "Alliance%20", [SAHEL + "Alliance", SAHEL + "alliance"]),
    (SK + "m%FF%FFi", []),  # no UTF-8: compared as written
    ("http://example.org/Aliance", []),  # not in a closed namespace: nothing is offered
])
def test_the_nearest_known_terms_are_offered_in_order(unknown, offered):
    assert nearest(unknown, KNOWN, CLOSED) == offered


def test_a_long_known_iri_costs_time_in_its_length_only():
    # the local name of each known IRI of another vocabulary was found by a regular expression anchored at the
    # end, which tried every start: an IRI with a 50,000-character part held up every warning and 404 for seconds
    long = "http://example.org/" + "a" * 2_000_000 + "/Membership"
    assert nearest(SAHEL + "Membership", [long, "urn:x:membership", "membership"], CLOSED) \
        == [long, "membership", "urn:x:membership"]
    assert nearest(SAHEL + "Membership", ["http://example.org/" + "a" * 2_000_000 + "/"], CLOSED) == []


def test_at_most_a_few_are_offered_and_the_phrase_reads_as_a_question():
    many = [SAHEL + f"State{n}" for n in range(10)]
    assert len(nearest(SAHEL + "State", many, CLOSED)) == NEAR_TERMS
    assert did_you_mean([]) == ""
    assert did_you_mean(["a"]) == "; did you mean a?"
    assert did_you_mean(["a", "b", "c"]) == "; did you mean a, b or c?"


def test_the_store_offers_terms_of_the_ontology_and_the_entities(service):
    assert service.near_terms(SAHEL + "State")[:2] == [SAHEL + "SovereignState", SAHEL + "NonStateArmedGroup"]
    assert service.near_terms(SK + "mail") == [SK + "mali"]
    assert service.near_terms(SAHEL + "Membership") == [ORG + "Membership"]
    assert service.near_terms(SAHEL + "qqqqqqqq") == []


def test_the_terms_offered_follow_the_data(tmp_path):
    with OxigraphStore(tmp_path / "db") as store:
        install(store)
        service = QueryService(store)
        assert service.near_terms(SK + "timbuktoo") == []
        store.update(f"INSERT DATA {{ GRAPH <https://sahel-kg.example.org/graph/entities> {{ <{SK}timbuktu> a "
                     f"<{SAHEL}Place> }} }}")
        assert service.near_terms(SK + "timbuktoo") == [SK + "timbuktu"]


QUERIES = ["SELECT ?x WHERE { ?x a sahel:State }",  # one pattern: the event loop's or the fast path
           "SELECT ?x WHERE { ?x a sahel:State ; rdfs:label ?l }"]  # a query worker's


@pytest.mark.parametrize("query", QUERIES)
def test_over_http_the_warning_offers_the_nearest_terms_however_answered(make_app, query):
    app = make_app({"RESULT_CACHE_MIN_SECONDS": 0})
    client = app.test_client()
    for _ in range(2):  # the second from the result cache
        response = client.get("/sparql?" + urlencode({"query": query}))
        assert response.status_code == 200
        assert response.headers.getlist("X-Query-Warning") == [
            f"unknown term <{SAHEL}State>: neither the ontology nor the data has it; did you mean "
            f"<{SAHEL}SovereignState> or <{SAHEL}NonStateArmedGroup>?"]


def test_over_http_on_a_store_in_memory_too(make_app):
    app = make_app({"STORE": "memory:", "INSTALL_ARTICLE": True})
    response = app.test_client().get("/sparql?" + urlencode({"query": "ASK { sk:mail ?p ?o }"}))
    assert response.headers.getlist("X-Query-Warning") == [
        f"unknown term <{SK}mail>: neither the ontology nor the data has it; did you mean <{SK}mali>?"]


def test_the_warning_headers_stay_small_with_the_terms_offered(shared):
    query = "SELECT * WHERE { " + " ".join(f"?x a sahel:Allianc{n} ." for n in range(9)) + " }"
    response = shared.post("/sparql", data={"query": query})
    warned = response.headers.getlist("X-Query-Warning")
    assert len(warned) == 6 and all("did you mean" in value for value in warned[:5])
    assert sum(len(value) for value in warned) < 4096 and all(len(value) < 1000 for value in warned)


def test_the_console_offers_the_nearest_terms(spec):
    result = kg("query", "--store", spec, "--format", "json", "-q", "ASK { ?x a sahel:Membership ; sahel:Aliance ?y }")
    assert result.exit_code == 0
    assert result.stderr.splitlines()[:2] == [
        "warning: unknown term sahel:Membership: neither the ontology nor the data has it; did you mean "
        "org:Membership?",
        "warning: unknown term sahel:Aliance: neither the ontology nor the data has it; did you mean sahel:Alliance?"]
