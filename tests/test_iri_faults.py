"""A relative IRI with no base, or an IRI holding a character IRIs forbid, is told as such wherever it stands
(kg/iri_faults.py): in the console, where no base is given, and over HTTP."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, problem
from kg.errors import QuerySyntaxError
from kg.query import Policy, QueryService
from kg.store.oxigraph import OxigraphStore
from test_loading import installed, kg, spec  # noqa: F401  (fixtures)

RELATIVE = "is a relative IRI (it has no scheme, such as http:), and the {} has no BASE to resolve it against"
# Each marks its faulty IRI with ⟨⟩, dropped from the text: the error must start there. The engine told most
# of these by where its parser gave up: "does not go on like this", "Expected NAMED", "Expected GRAPH". (SERVICE <j>
# is refused by the policy first, saying that no BASE resolves it: tests/test_federation.py.)
QUERIES = [
    "SELECT * { ⟨<jnim>⟩ ?p ?o }",
    "SELECT * { ?s ⟨<jnim>⟩ ?o }",
    "SELECT * { ?s ?p ⟨<jnim>⟩ }",
    "SELECT * FROM ⟨<g>⟩ { ?s ?p ?o }",
    "SELECT * FROM NAMED ⟨<g>⟩ { ?s ?p ?o }",
    "SELECT * { GRAPH ⟨<g>⟩ { ?s ?p ?o } }",
    "SELECT * { VALUES ?x { ⟨<j>⟩ } }",
    "SELECT * { ?s ?p ?o FILTER(?o = ⟨<j>⟩) }",
    "DESCRIBE ⟨<jnim>⟩",
    "CONSTRUCT { ⟨<a>⟩ ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT *\nWHERE {\n  ?s <http://x/p> ?o .\n  ⟨<jnim>⟩ ?p ?o }",
]
UPDATES = [
    "INSERT DATA { ⟨<a>⟩ <b> <c> }",
    "INSERT DATA { <http://a> <http://b> ⟨<c>⟩ }",
    "DELETE DATA { <http://a> ⟨<b>⟩ <http://c> }",
    "INSERT DATA { GRAPH ⟨<g>⟩ { <http://a> <http://b> <http://c> } }",
    "INSERT { ⟨<a>⟩ <http://b> ?o } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ⟨<c>⟩ } WHERE { ?s ?p ?o }",
    "DELETE WHERE { ⟨<a>⟩ ?p ?o }",
    "WITH ⟨<g>⟩ DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } USING ⟨<g>⟩ WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } USING NAMED ⟨<g>⟩ WHERE { ?s ?p ?o }",
    "CLEAR GRAPH ⟨<g>⟩",
    "DROP GRAPH ⟨<g>⟩",
    "CREATE GRAPH ⟨<g>⟩",
    "ADD ⟨<a>⟩ TO <http://b>",
    "COPY DEFAULT TO ⟨<b>⟩",
    "MOVE GRAPH ⟨<a>⟩ TO DEFAULT",
]
# The IRI and the character it may not hold, in every place: the engine told <http://a b> in an expression as
# an undeclared prefix http:.
FORBIDDEN = [
    ('SELECT (STRDT("x", <http://a b>) AS ?x) {}', " ", "a space"),
    ("SELECT * { <http://a b> ?p ?o }", " ", "a space"),
    ("SELECT * { ?s <http://a|b> ?o }", "|", "a |"),
    ('SELECT * { ?s ?p <http://a"b> }', '"', 'a "'),
    ("SELECT * FROM <http://a{b> { ?s ?p ?o }", "{", "a {"),
    ("SELECT * { ?s ?p <http://a^b> }", "^", "a ^"),
    ("SELECT * { ?s ?p <http://a`b> }", "`", "a `"),
    ("SELECT * { ?s ?p <http://a\\qb> }", "\\", "a backslash"),
    ("SELECT * { ?s ?p <http://a\\u0020b> }", "\\", "a space"),  # an escape is read as its character
    ("SELECT * { VALUES ?x { <http://a b> } }", " ", "a space"),
    ("SELECT * { ?s ?p ?o FILTER(?o = <http://a b>) }", " ", "a space"),
]

# A relative IRI holding a space, ⟨⟩ marking it: the engine gave up at the word after the space (told as "SPARQL has no
# keyword or function b") or past the IRI ("This is not a valid IRI" at its '>').
SPACED = [
    ("query", "SELECT * WHERE { <a⟨ ⟩b> ?p ?o }"),
    ("query", "SELECT * WHERE { <a⟨ ⟩b/c> ?p ?o }"),
    ("query", "BASE <http://x/> SELECT * { <a⟨ ⟩b> ?p ?o }"),
    ("query", "SELECT * WHERE { ?s <a⟨ ⟩b> ?o }"),
    ("query", "SELECT * FROM <a⟨ ⟩b> { ?s ?p ?o }"),
    ("query", "SELECT * WHERE { ?s ?p ?o FILTER(?o = <a⟨ ⟩b>) }"),
    ("query", "SELECT * WHERE { ?s ?p ?o FILTER(?o IN (<a⟨ ⟩b>)) }"),
    ("query", "SELECT * WHERE { ?s ?p (<http://a> <a⟨ ⟩b>) }"),
    ("query", "SELECT *\nWHERE {\n  ?s ?p <a⟨ ⟩b> }"),
    ("update", "INSERT DATA { <a⟨ ⟩b> <http://b> <http://c> }"),
    ("update", "BASE <http://x/> INSERT DATA { <a⟨ ⟩b> <http://b> <http://c> }"),
    ("update", "INSERT DATA { <http://a> <http://b> <c⟨ ⟩d> }"),
    ("update", "DELETE WHERE { <a⟨ ⟩b> ?p ?o }"),
    ("update", "WITH <a⟨ ⟩b> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"),
    ("update", "CLEAR GRAPH <a⟨ ⟩b>"),
]


def marked(text: str) -> tuple[str, str, tuple[int, int]]:
    """The text without its ⟨⟩ marks, the IRI between them, and the line and column of its start."""
    at = text.index("⟨")
    plain = text.replace("⟨", "").replace("⟩", "")
    return plain, text[at + 1:text.index("⟩")], (plain.count("\n", 0, at) + 1, at - plain.rfind("\n", 0, at))


@pytest.fixture(scope="module")
def service():
    with OxigraphStore() as store:
        yield QueryService(store, policy=Policy(allow_update=True))


@pytest.mark.parametrize("kind, text", [("query", text) for text in QUERIES] + [("update", text) for text in UPDATES])
def test_a_relative_iri_with_no_base_is_told_where_it_is(service, kind, text):
    plain, iri, place = marked(text)
    with pytest.raises(QuerySyntaxError) as raised:
        getattr(service, kind)(plain)
    assert raised.value.message.startswith(f"{iri} {RELATIVE.format(kind)}"), raised.value.message
    assert (raised.value.line, raised.value.column) == place


def test_a_relative_base_is_told_as_such(service):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query("BASE <id/> SELECT * { <jnim> ?p ?o }")
    assert raised.value.message.startswith("<id/> is a relative IRI") and "BASE takes an absolute IRI" in \
        raised.value.message and (raised.value.line, raised.value.column) == (1, 6)


@pytest.mark.parametrize("text, char, named", FORBIDDEN)
def test_an_iri_holding_a_forbidden_character_is_told_at_it(service, text, char, named):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query(text)
    assert f"An IRI cannot hold {named}, as " in raised.value.message, raised.value.message
    assert (raised.value.line, raised.value.column) == (1, text.index(char, text.index("<http")) + 1)


@pytest.mark.parametrize("kind, text", SPACED)
def test_a_relative_iri_holding_a_space_is_told_at_the_space(service, kind, text):
    plain, _, place = marked(text)
    with pytest.raises(QuerySyntaxError) as raised:
        getattr(service, kind)(plain)
    assert raised.value.message.startswith("An IRI cannot hold a space, as <"), raised.value.message
    assert (raised.value.line, raised.value.column) == place


@pytest.mark.parametrize("text", [
    "SELECT * { ?s ?p ?a FILTER(?a<sk:x) FILTER(?b>1) } LIMT 5",
    "SELECT * { ?s ?p ?a FILTER(?a<3) FILTER(?b>1) } LIMT 5",
    "SELECT * { ?s ?p ?a BIND(?a<3 AS ?x) FILTER(?x>1) } LIMT 5"])
def test_a_less_than_before_a_later_greater_than_is_no_iri(service, text):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query(text)
    assert raised.value.message.startswith("SPARQL has no keyword or function LIMT"), raised.value.message


def test_a_comparison_is_not_read_as_an_iri(service):
    text = "SELECT * { ?s ?p ?o FILTER(?o <rdfs:a && ?o> 3) } LIMT 5"
    with pytest.raises(QuerySyntaxError) as raised:
        service.query(text)
    assert raised.value.message.startswith("SPARQL has no keyword or function LIMT")


def test_an_earlier_iri_the_engine_refused_is_told_first(service):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query("SELECT * { <http://a%zz> ?p <rel> }")
    assert raised.value.message.startswith("A '%' in <http://a%zz>") and raised.value.column == 21  # not <rel>


@pytest.mark.parametrize("iri, column, said", [
    ("<http://x/a%zz>", 29, "A '%' in <http://x/a%zz> starts an escape of two hex digits, as %20: write a '%' "
                            "itself as %25."),
    ("<http://x/a%2>", 29, "A '%' in <http://x/a%2> starts an escape of two hex digits"),
    ("<http://x/a#b#c>", 31, "<http://x/a#b#c> holds a second '#': one ends the IRI and starts its fragment; write "
                             "another as %23."),
    ("<http://x/a?b[1]=2>", 31, "<http://x/a?b[1]=2> holds a '[' outside a host: only an IPv6 host goes in "
                                "brackets; write it as %5B."),
    ("<urn:a]>", 24, "<urn:a]> holds a ']' outside a host"),
])
def test_an_iri_the_engine_refuses_for_a_character_in_its_place_names_it(service, iri, column, said):
    """Each was "This is not a valid IRI (no spaces, and none of <>"{}|^`\\)", after the IRI, naming none of the
    characters it holds as its fault; an IPv6 host and %-escapes stay."""
    with pytest.raises(QuerySyntaxError) as raised:
        service.query(f"SELECT * {{ ?s ?p {iri} }}")
    assert raised.value.message.startswith(said) and (raised.value.line, raised.value.column) == (1, column)
    service.query("SELECT * { ?s ?p <http://[::1]:80/a%20b?c=%41#d> }")


def test_an_earlier_fault_is_told_first(service):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query("SELECT ?s, ?o { <jnim> ?p ?o }")
    assert raised.value.message.startswith("The variables and expressions of SELECT are separated by spaces")


def test_over_http_an_iri_with_a_space_is_told_at_the_space(shared):
    text = 'SELECT (STRDT("x", <http://a b>) AS ?x) {}'
    body = problem(shared.get("/sparql?" + urlencode({"query": text})), 400)
    assert "An IRI cannot hold a space" in body["detail"] and (body["line"], body["column"]) == (1, 29)


@pytest.mark.parametrize("text", ["SELECT * WHERE { <a b> ?p ?o }", "BASE <http://x/> SELECT * { <a b/c> ?p ?o }"])
def test_over_http_a_relative_iri_with_a_space_is_told_at_the_space(shared, text):
    body = problem(shared.get("/sparql?" + urlencode({"query": text})), 400)
    assert "An IRI cannot hold a space" in body["detail"] and (body["line"], body["column"]) == (1, text.index(" b") + 1)


def test_over_http_a_relative_iri_still_resolves_against_the_endpoint(shared):
    response = shared.get("/sparql?" + urlencode({"query": "SELECT * FROM <g> { <jnim> ?p ?o }"}))
    assert response.status_code == 200, response.get_data(as_text=True)


def test_over_http_an_update_with_a_forbidden_character_is_told_at_it(empty_writer):
    text = "INSERT DATA { <http://a> <http://b> <http://c d> }"
    response = empty_writer.post("/sparql", data=urlencode({"update": text}),
                                 content_type="application/x-www-form-urlencoded", headers=AUTH)
    body = problem(response, 400)
    assert "An IRI cannot hold a space" in body["detail"] and body["column"] == text.index(" d>") + 1


def test_over_http_an_update_with_a_relative_iri_holding_a_space_is_told_at_it(empty_writer):
    text = "DELETE WHERE { <a b> ?p ?o }"
    response = empty_writer.post("/sparql", data=urlencode({"update": text}),
                                 content_type="application/x-www-form-urlencoded", headers=AUTH)
    body = problem(response, 400)
    assert "An IRI cannot hold a space" in body["detail"] and (body["line"], body["column"]) == (1, 18)


@pytest.mark.parametrize("command, text, column", [
    ("query", "SELECT * { <jnim> ?p ?o }", 12),
    ("query", "SELECT * FROM <g> { ?s ?p ?o }", 15),
    ("update", "INSERT DATA { <a> <b> <c> }", 15),
    ("query", 'SELECT (STRDT("x", <http://a b>) AS ?x) {}', 29),
    ("query", "SELECT * WHERE { <a b> ?p ?o }", 20),
    ("update", "DELETE WHERE { <a b> ?p ?o }", 18)])
def test_the_console_says_the_iri_on_one_line(spec, command, text, column):
    result = kg(command, "--store", spec, text)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: line 1, column {column}: "), result.output
    assert " is a relative IRI " in result.stderr or "An IRI cannot hold a space" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
