"""A prefix named after a keyword (service:, load:, filter:…) may be declared and used: its names are written out
as IRIs before the checks and the engine read the text, which read service:x { … } as SERVICE :x { … } and
refused them all. Nothing new reaches an endpoint; an undeclared one stays refused."""

from __future__ import annotations

import json

import pytest

import kg.sparql_lexer as lexer
from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, WRITABLE, problem, recording_server
from kg.errors import PolicyError, QuerySyntaxError
from kg.keyword_prefixes import written_out
from kg.query import Policy, QueryService
from kg.store.oxigraph import OxigraphStore
from test_loading import kg

EX = "http://example.org/s#"
PREFIXES = ["service", "load", "filter", "having", "silent", "prefix", "services", "groupby", "filterx", "SERVICE"]


@pytest.fixture(scope="module")
def service():
    found = QueryService(OxigraphStore(None), policy=Policy(allow_update=True))
    found.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    return found


@pytest.mark.parametrize("prefix", PREFIXES)
def test_a_declared_keyword_prefix_is_read_as_its_iri(service, prefix):
    result = service.query(f"PREFIX {prefix}: <{EX}>\nSELECT ?o {{ {prefix}:a {prefix}:p ?o }}")
    assert [row[0].value for row in result.rows] == ["1"]


def test_in_updates_each_declaration_holds_from_where_it_is(service):
    service.update(f"PREFIX load: <{EX}> INSERT DATA {{ load:b load:p 2 }} ;\n"
                   f"PREFIX load: <{EX}x/> INSERT DATA {{ load:c load:p 3 }}")
    rows = service.query("SELECT ?s ?o { ?s ?p ?o FILTER(?o > 1) } ORDER BY ?o").rows
    assert [(row[0].value, row[1].value) for row in rows] == [(EX + "b", "2"), (EX + "x/c", "3")]


@pytest.mark.parametrize("text", ["SELECT * { ?s filter:p ?o }", "PREFIX filterx: <x:> SELECT * { ?s filter:p ?o }",
                                  "SELECT * { service:x { ?s ?p ?o } }", "PREFIX x: <x:> SELECT * { ?s having:p ?o }"])
def test_an_undeclared_one_is_refused_as_before(service, text):
    with pytest.raises(PolicyError):
        service.query(text)


def test_a_long_text_is_lexed_once_by_a_query_service(service, monkeypatch):
    # The service writes its text out again after the engine has read the written one: the lexer kept that one
    # in its place, and a long text with a keyword prefix was lexed again (a third of a request's CPU).
    texts, tokens = [], lexer._tokens

    def counted(text, position=0):
        texts.append(text)
        return tokens(text, position)

    monkeypatch.setattr(lexer, "_tokens", counted)
    values = " ".join(str(number) for number in range(2000))
    text = f"PREFIX service: <{EX}>\nSELECT ?o {{ VALUES ?v {{ {values} }} service:a service:p ?o }} LIMIT 1"
    assert len(text) > lexer.CACHED_TEXT
    assert [row[0].value for row in service.query(text).rows] == ["1"]
    assert texts.count(text) == 1
    # As a query worker runs it: the text, then the text written out, each lexed once.
    assert [lexed for lexed in texts if len(lexed) > lexer.CACHED_TEXT] == [text, written_out(text)[0]]


def test_a_name_with_escapes_becomes_the_iri_it_names():
    written, _ = written_out("PREFIX filter: <x:n#> SELECT * { ?s filter:a\\,b\\~c%20 ?o }")
    assert written.endswith("SELECT * { ?s <x:n#a,b~c%20> ?o }")


def test_a_relative_iri_is_resolved_where_the_prefix_is_declared(service):
    # Its names, written out as <sub/a>, stood after a later BASE, which the engine would not have used.
    text = ("BASE <http://a.example/x/> PREFIX filter: <sub/> BASE <http://b.example/>\n"
            "SELECT ?i { VALUES ?i { filter:a } }")
    assert [row[0].value for row in service.query(text).rows] == ["http://a.example/x/sub/a"]


@pytest.mark.parametrize("prefix", ["filter", "plain"])
def test_one_declared_before_any_base_resolves_against_the_request_base_as_a_plain_one_does(service, prefix):
    # Written out as <sub/a> after the BASE, it named http://b.example/sub/a: over HTTP (a request's base) an
    # update's GRAPH load:g or a SERVICE service:x reached another graph or endpoint than the engine's reading.
    text = f"PREFIX {prefix}: <sub/> BASE <http://b.example/>\nSELECT ?i {{ VALUES ?i {{ {prefix}:a }} }}"
    rows = service.query(text, base="http://a.example/x/").rows
    assert [row[0].value for row in rows] == ["http://a.example/x/sub/a"]


def test_a_syntax_error_is_told_where_it_is_in_the_text_sent(service):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query(f"PREFIX having: <{EX}>\nSELECT * {{ ?s having:p ?o }} LIMT 1")
    assert (raised.value.line, raised.value.column) == (2, 29)
    with pytest.raises(QuerySyntaxError) as raised:
        service.query(f"PREFIX service: <{EX}> SELECT * {{ service:x {{ ?s ?p ?o }} }}")
    assert (raised.value.line, raised.value.column) == (1, 62)  # the '{' after the name: a name is no GRAPH


def test_service_named_block_calls_no_endpoint_even_allow_listed(make_app):
    with recording_server() as (url, requests):
        client = make_app({"SERVICE_ALLOWLIST": f"{url}/x {url}/"}).test_client()
        for text in (f"PREFIX service: <{url}/> SELECT * {{ service:x {{ ?s ?p ?o }} }}",
                     f"PREFIX service: <{url}/> SELECT * {{ ?a ?b ?c . service:x {{ ?s ?p ?o }} }}"):
            body = problem(client.get("/sparql", query_string={"query": text}), 400)
            assert body["line"] == 1 and body["column"] > text.index("service:x"), body
        assert requests == []


def test_over_http_queries_and_updates_take_them(make_app):
    client = make_app(WRITABLE).test_client()
    update = "PREFIX filter: <http://example.org/>\nINSERT DATA { filter:s filter:p 'kept' }"
    assert client.post("/sparql", data=update, content_type="application/sparql-update", headers=AUTH).status_code == 204
    query = "PREFIX service: <http://example.org/>\nSELECT ?o { ?s service:p ?o }"
    for asked in (client.get("/sparql", query_string={"query": query}), client.post("/sparql", data={"query": query})):
        assert asked.status_code == 200 and asked.get_json()["results"]["bindings"][0]["o"]["value"] == "kept"
    elsewhere = query.replace("SELECT ?o {", "SELECT ?o FROM service:nothing {")  # a graph named with it: empty
    assert client.get("/sparql", query_string={"query": elsewhere}).get_json()["results"]["bindings"] == []


def test_the_console_takes_them(tmp_path):
    with OxigraphStore(tmp_path / "store") as store:
        store.update(f"INSERT DATA {{ <{EX}a> <{EX}p> 1 }}")
    result = kg("query", "--store", f"oxigraph:{tmp_path / 'store'}", "--format", "json", "-q",
                f"PREFIX load: <{EX}> ASK {{ load:a load:p 1 }}")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.output.splitlines()[0])["boolean"] is True, result.output
