"""Shapes of query that crash pyoxigraph (a stack overflow ends the process) or that it plans in time growing
much faster than their size are refused before the engine sees them (kg.shape_limits): by the query service,
over HTTP as a 400 problem with no query worker lost, and by the CLI."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, WRITABLE, problem
from kg.errors import ConfigError, PolicyError
from kg.query import Policy, QueryService
from kg.settings import resolve
from kg.shape_limits import check_shape
from kg.sparql_text import scan
from kg.store.oxigraph import OxigraphStore
from test_loading import kg
from test_parse_messages import valid_queries

P = "<http://example.org/p>"


def describe(resources: int) -> str:
    return "DESCRIBE " + " ".join(f"<http://example.org/r{i}>" for i in range(resources))


def optionals(count: int) -> str:
    return "SELECT * WHERE { ?s ?p ?o " + "".join(f"OPTIONAL {{ ?s ?p ?o{i} }} " for i in range(count)) + "}"


# Each of these killed the process or took seconds to plan at the size given (see kg.shape_limits).
REFUSED = {
    "DESCRIBE of many resources": (describe(3000), "DESCRIBE names 3000 resources; the limit is 256"),
    "many triple patterns": ("SELECT * WHERE { " + " ".join(f"?s {P} ?o{i} ." for i in range(256)) + " }",
                             "257 patterns .*the limit is 100"),
    "a flat run of OPTIONAL": (optionals(128), "patterns .*the limit is 100"),
    "a flat run of BIND": ("SELECT * WHERE { " + " ".join(f"BIND({i} AS ?b{i})" for i in range(4000)) + " }",
                           "patterns .*the limit is 100"),
    "many SELECT expressions": ("SELECT " + " ".join(f"({i} AS ?v{i})" for i in range(4000))
                                + " WHERE { ?s ?p ?o }", "patterns .*the limit is 100"),
    "UNION branches": ("SELECT * WHERE { " + " UNION ".join(f"{{ ?s ?p ?o{i} }}" for i in range(500)) + " }",
                       "the limit is"),
    "a long collection": (f"SELECT * WHERE {{ ?s {P} (" + " ".join(map(str, range(250))) + ") }",
                          "patterns .*the limit is 100"),
    "nested calls": ("SELECT * WHERE { FILTER(" + "STR(" * 1000 + "1" + ")" * 1000 + ") }",
                     "nests 1002 levels deep; the limit is 64"),
    "nested EXISTS": ("ASK { " + "FILTER EXISTS { " * 1000 + "}" * 1000 + " }", "levels deep; the limit is 64"),
    "many variables in SELECT": ("SELECT " + " ".join(f"?v{i}" for i in range(32000)) + " WHERE {}",
                                 "32000 variables; the limit is 1000"),
    "many variables in VALUES": ("SELECT * WHERE { VALUES (" + " ".join(f"?v{i}" for i in range(2000)) + ") {} }",
                                 "2000 variables; the limit is 1000"),
    "a chain of !": ("ASK { FILTER(" + "!" * 16000 + "true) }", "16000 operators; the limit is 1000"),
}


@pytest.fixture(scope="module")
def empty():
    return QueryService(OxigraphStore(None))


@pytest.mark.parametrize("name", REFUSED)
def test_each_shape_is_refused_with_its_limit(empty, name):
    text, message = REFUSED[name]
    with pytest.raises(PolicyError, match=message):
        empty.query(text)


def test_shapes_just_within_the_limits_run(empty):
    assert len(empty.query(describe(256)).rows) == 0
    assert empty.query(optionals(99)).rows == []  # with the group's own "{", holding ?s ?p ?o: 100 patterns
    assert scan(optionals(99)).patterns == 100


def test_what_holds_no_pattern_is_not_counted():
    """Terms of a VALUES block, an IN list, a function's arguments, an INSERT DATA block or a template are not
    planned as patterns: a long list of them is linear, and refusing it would refuse bindings and loads."""
    many = " ".join(str(i) for i in range(5000))
    assert scan(f"SELECT * WHERE {{ VALUES ?x {{ {many} }} }}").patterns == 1
    assert scan("SELECT * WHERE { VALUES (?x ?y) { " + "(1 2) " * 2000 + "} }").patterns == 1
    assert scan(f"ASK {{ FILTER(1 IN ({many.replace(' ', ',')})) }}").patterns == 2
    assert scan("INSERT DATA { " + f"<http://e/a> {P} (1 2) . " * 2000 + "GRAPH <http://e/g> { <a> <b> <c> } }"
                ).patterns == 0
    template = f"?s {P} ?o . " * 2000  # a template's triples are made per row, not planned
    assert scan(f"CONSTRUCT {{ {template} }} WHERE {{ ?s {P} ?o }}").patterns == 1
    assert scan(f"DELETE {{ {template} }} INSERT {{ {template} }} WHERE {{ ?s {P} ?o }}").patterns == 1


def test_updates_are_bounded_too():
    service = QueryService(OxigraphStore(None), policy=Policy(allow_update=True))
    with pytest.raises(PolicyError, match="patterns .*the limit is 100"):
        service.update("DELETE WHERE { " + " ".join(f"?s {P} ?o{i} ." for i in range(300)) + " }")
    service.update("INSERT DATA { " + " ".join(f"<http://e/{i}> {P} {i} ." for i in range(3000)) + " }")
    assert len(service.query(f"SELECT * WHERE {{ ?s {P} ?o }}").rows) == 3000


def test_no_query_of_the_project_is_refused_for_its_shape():
    for text in valid_queries():
        check_shape(scan(text), Policy())


def restarts(client) -> float:
    metrics = client.get("/metrics").get_data(as_text=True)
    return float(re.search(r"^sahel_kg_query_worker_restarts_total (\S+)$", metrics, re.M).group(1))


def test_over_http_each_shape_is_a_400_problem_and_no_worker_dies(make_app):
    client = make_app(article=False).test_client()
    before = restarts(client)
    for name, (text, message) in REFUSED.items():
        body = problem(client.post("/sparql", data={"query": text}), 400)
        assert re.search(message, body["detail"]), (name, body["detail"])
    assert client.get("/sparql?" + urlencode({"query": describe(200)})).status_code == 200
    assert restarts(client) == before


def test_over_http_an_update_past_the_limit_is_a_400_problem(make_app):
    client = make_app(WRITABLE, article=False).test_client()
    text = "DELETE WHERE { " + " ".join(f"?s {P} ?o{i} ." for i in range(300)) + " }"
    assert "the limit is 100" in problem(client.post("/sparql", data={"update": text}, headers=AUTH), 400)["detail"]


def test_the_patterns_limit_is_a_setting(make_app):
    client = make_app({"MAX_QUERY_PATTERNS": 3}, article=False).test_client()
    three = "SELECT * WHERE { ?s ?p ?o . ?s ?q ?r . ?s ?t ?u }"
    assert client.get("/sparql?" + urlencode({"query": three})).status_code == 200
    four = "SELECT * WHERE { ?s ?p ?o . ?s ?q ?r . ?s ?t ?u . ?s ?v ?w }"
    assert "4 patterns" in problem(client.get("/sparql?" + urlencode({"query": four})), 400)["detail"]


def test_the_cli_says_why_and_exits_non_zero():
    result = kg("query", "--store", "memory:", "-q", describe(3000))
    assert result.exit_code != 0
    assert "DESCRIBE names 3000 resources; the limit is 256" in result.output


@pytest.mark.parametrize("name, most", [("MAX_QUERY_DEPTH", 200), ("MAX_QUERY_PATTERNS", 500)])
def test_the_limits_cannot_be_set_where_the_engine_crashes(name, most):
    assert resolve({name: most}, environ={})[name] == most
    with pytest.raises(ConfigError, match=f"{name}: must be a whole number from 1 to {most}"):
        resolve({name: most + 1}, environ={})
