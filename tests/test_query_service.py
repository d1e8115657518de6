"""QueryService on a memory store holding the article: prefixes, bindings, policy, limits, serialisations."""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from kg.errors import PolicyError, QuerySyntaxError, QueryTimeout
from kg.namespaces import PREFIXES
from kg.publish import install
from kg.query import Policy, QueryService
from kg.store.oxigraph import OxigraphStore
from kg.store.remote import RemoteStore
from long_work import CROSS_ROWS

SK = PREFIXES["sk"]
XSD = PREFIXES["xsd"]
SPARQL_RESULTS = "{http://www.w3.org/2005/sparql-results#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
EVIL = '"} ; DROP ALL ; SELECT * {'


@pytest.fixture(scope="module")
def article():
    """A memory store with the article installed, shared by the read-only tests of this module."""
    with OxigraphStore() as store:
        install(store)
        yield store


@pytest.fixture
def service(article):
    return QueryService(article)


@pytest.fixture
def fresh():
    """A memory store with the article, for tests that write."""
    with OxigraphStore() as store:
        install(store)
        yield store


def labels(result) -> set[str]:
    return {row[0].value for row in result.rows}


# --- prefixes ------------------------------------------------------------------------------------------

def test_known_prefixes_need_no_prefix_lines(service):
    result = service.query("SELECT ?l WHERE { sk:mali rdfs:label ?l }")
    assert labels(result) == {"Mali"}


class TextsSeen(OxigraphStore):
    """The article's memory store, keeping each text the query service hands it."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []

    def query(self, sparql, **options):
        self.texts.append(sparql)
        return super().query(sparql, **options)


def test_only_the_known_prefixes_a_text_uses_are_declared_to_the_engine():
    # The engine parses every declaration it is given: all two dozen made a lookup 1.7 times as costly.
    with TextsSeen() as store:
        install(store)
        service = QueryService(store)
        assert labels(service.query("SELECT ?l WHERE { sk:mali rdfs:label ?l }")) == {"Mali"}
        assert re.findall(r"PREFIX (\w*):", store.texts[0]) == ["sk", "rdfs"]
        service.query(f"SELECT ?p WHERE {{ <{SK}mali> ?p ?o }}")
        assert "PREFIX" not in store.texts[-1]
        # The engine reads prefixed names the lexer does not split off (GRAPHsk:x is GRAPH sk:x to it): declared.
        assert service.query("ASK { GRAPHsk:claim-1 { ?s ?p ?o } }").kind == "boolean"
        assert service.query("SELECT ?o WHERE { ?s asahel:Claim } LIMIT 1").kind == "solutions"


def test_a_users_own_prefix_overrides_the_known_one(service):
    text = "PREFIX sk: <http://other.example/>\nSELECT ?x WHERE { VALUES ?x { sk:mali } }"
    (row,), = [service.query(text).rows]
    assert row[0] == ox.NamedNode("http://other.example/mali")
    assert service.query("PREFIX sk: <http://other.example/>\nASK { sk:mali rdfs:label ?l }").boolean is False


@pytest.mark.parametrize("text", [
    "BASE <http://a.example/x/> PREFIX p: <sub/> BASE <http://b.example/> SELECT ?i { VALUES ?i { p:y <z> } }",
    "BASE <http://a.example/x/> PREFIX p: <> BASE <../y/> PREFIX q: <q/> SELECT ?i { VALUES ?i { p:a q:b <c> } }",
    "BASE <http://a.example/x/>\nPREFIX p: <#>\nSELECT ?i { VALUES ?i { p:y } }",
])
def test_a_prefix_iri_resolves_against_the_base_in_force_where_it_is_declared(service, text):
    # The service moves BASE lines ahead of every PREFIX (Virtuoso takes BASE nowhere else): a PREFIX resolved
    # against an earlier BASE than the last then named another namespace.
    assert [row[0] for row in service.query(text).rows] == [row[0] for row in ox.Store().query(text)]


def engine_position(text: str) -> tuple[int, int]:
    """Where pyoxigraph itself puts the error in `text` when given the prefixes without a prologue line."""
    with pytest.raises(SyntaxError) as caught:
        ox.Store().query(text, prefixes=PREFIXES)
    line, column = re.match(r"error at (\d+):(\d+)", str(caught.value)).groups()
    return int(line), int(column)


@pytest.mark.parametrize("text", [
    "SELECT ?s WHERE { ?s ?p ?o FILTER(?o) ?x }",  # (where kg.syntax_faults finds no slip of its own)
    "SELECT ?s\nWHERE {\n  ?s ?p ?o FILTER(?o)\n  ?x\n}",
    "SELECT ?s\nWHERE {\n  ?s sk:p ?o BIND(1 AS 2)\n\n}",
    "PREFIX ex: <http://e/>\nSELECT ?s WHERE {\n ?s ex:p ?o FILTER(?o) ex:q\n}",  # (a stray ']' is one of ours)
])
def test_syntax_errors_count_lines_in_the_users_text(service, text):
    line, column = engine_position(text)
    with pytest.raises(QuerySyntaxError) as caught:
        service.query(text)
    assert (caught.value.line, caught.value.column) == (line, column), str(caught.value)
    assert str(caught.value).startswith(f"line {line}, column {column}: ")


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("text, line, column", [
    ("SELECT * {{ ?s ?p ?o .{0} ?s ?p ?o ?o{0}}}", 2, 11),  # the engine's fault (a '.' missing), found by us
    ("SELECT * {{{0} ?s ?p ?o .{0}{0} ?s foo:bar ?o }}", 4, 5),  # an undeclared prefix
    ("SELECT * {{{0}?s ?p ?o }}{0}LIMIT x", 3, 7),
    ("PREFIX select: <http://e/>{0}SELECT * {{{0} ?s select:p ?o ?o{0}}}", 3, 17),  # through a written-out prefix
    ("SELECT * {{{0} ?s ?p ?o{0} BIND(1 AS 2){0}}}", 3, 12),  # where only the engine says
    ("SELECT * {{{0} ?s ?p ?o{0} FILTER(?o = ){0}}}", 3, 14),  # an operand missing (kg.operator_faults)
])
def test_a_syntax_error_is_placed_alike_whatever_ends_the_lines(service, end, text, line, column):
    """SPARQL ends a line at CR or LF, as editors do (CR, LF or CRLF); the engine counts LF alone, so with CR
    line ends every error was on line 1, at a column counted from the text's start."""
    with pytest.raises(QuerySyntaxError) as caught:
        service.query(text.format(end))
    assert (caught.value.line, caught.value.column) == (line, column), str(caught.value)


def test_an_updates_syntax_error_is_placed_alike_with_cr_line_ends(fresh):
    service = QueryService(fresh, policy=Policy(allow_update=True))
    places = []
    for end in ("\n", "\r"):
        with pytest.raises(QuerySyntaxError) as caught:
            service.update(end.join(["INSERT DATA {", "  sk:a sk:b sk:c .", "  sk:a sk:b ] .", "}"]))
        places.append((caught.value.line, caught.value.column))
    assert places[0] == places[1] and places[0][0] == 3


def test_a_syntax_error_on_the_first_line_is_on_line_1(service):
    with pytest.raises(QuerySyntaxError) as caught:
        service.query("SELECT ?s WHERE { ?s ?p }")
    assert caught.value.line == 1


def test_syntax_error_in_an_update_counts_lines_in_the_users_text(fresh):
    service = QueryService(fresh, policy=Policy(allow_update=True))
    with pytest.raises(QuerySyntaxError) as caught:
        service.update("INSERT DATA {\n  sk:a sk:b \n}")
    assert caught.value.line in (2, 3)  # where the engine notices the missing object: never line 4


# --- bindings ------------------------------------------------------------------------------------------

def test_bindings_restrict_the_query(service):
    result = service.query("SELECT ?x ?l WHERE { ?x rdfs:label ?l }", bindings={"x": ox.NamedNode(SK + "mali")})
    assert [(row[0].value, row[1].value) for row in result.rows] == [(SK + "mali", "Mali")]


@pytest.mark.parametrize("value", [EVIL, 'a "quoted" \\ back\nslash\tand tab', "} } }", "'''", '"""'])
def test_a_bound_string_stays_one_literal_and_changes_nothing(fresh, value):
    service = QueryService(fresh, policy=Policy(allow_update=True))
    before = fresh.count()
    result = service.query("SELECT ?v WHERE { }", bindings={"v": value})
    assert result.rows == [(ox.Literal(value),)]
    result = service.query("SELECT ?s WHERE { ?s rdfs:label ?v }", bindings={"v": value})
    assert result.rows == []
    assert fresh.count() == before


def test_bound_python_values_become_typed_literals(service):
    result = service.query("SELECT ?i ?f ?b ?t WHERE { }", bindings={"i": 7, "f": 2.5, "b": True, "t": "x"})
    i, f, b, t = result.rows[0]
    assert (i.datatype.value, f.datatype.value, b.datatype.value) == (XSD + "integer", XSD + "double", XSD + "boolean")
    assert (i.value, b.value, t) == ("7", "true", ox.Literal("x"))


def test_a_bad_binding_name_is_refused(service):
    with pytest.raises(ValueError):
        service.query("SELECT ?x WHERE { }", bindings={"x } DROP ALL {": 1})


def test_binding_a_construct_goes_into_its_where_group(service):
    result = service.query("CONSTRUCT { ?x rdfs:label ?l } WHERE { ?x rdfs:label ?l }",
                           bindings={"x": ox.NamedNode(SK + "mali")})
    assert {(t.subject.value, t.object.value) for t in result.triples} == {(SK + "mali", "Mali")}


# --- row cap and time limit ----------------------------------------------------------------------------

def test_row_cap_truncates_and_says_so(article):
    service = QueryService(article, row_limit=10)
    result = service.query("SELECT * WHERE { ?s ?p ?o }", row_limit=3)
    assert (len(result), result.truncated, result.limit) == (3, True, 3)
    document = json.loads(result.serialize("json"))
    assert document["truncated"] is True and len(document["results"]["bindings"]) == 3
    assert len(service.query("SELECT * WHERE { ?s ?p ?o }").rows) == 10  # the service's own cap


def test_a_result_within_the_cap_is_not_truncated(service):
    result = service.query("SELECT ?l WHERE { sk:mali rdfs:label ?l }", row_limit=5)
    assert not result.truncated
    assert "truncated" not in json.loads(result.serialize("json"))


def test_row_cap_applies_to_graphs(service):
    result = service.query("CONSTRUCT WHERE { ?s ?p ?o }", row_limit=4)
    assert (len(result.triples), result.truncated) == (4, True)


def test_a_slow_query_times_out(service):
    with pytest.raises(QueryTimeout):
        service.query(CROSS_ROWS, timeout=0.3)  # hours of rows; streamed, so the limit stops the work too


def test_the_services_timeout_applies_too(article):
    with pytest.raises(QueryTimeout):
        QueryService(article, timeout=0.3).query(CROSS_ROWS)


# --- policy --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
    "select * where { service wd:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { VALUES ?e { <http://example.org/sparql> } SERVICE ?e { ?s ?p ?o } }",
])
def test_service_is_refused_unless_allow_listed(service, text):
    with pytest.raises(PolicyError, match="SERVICE"):
        service.query(text)


def test_service_to_another_endpoint_than_the_listed_one_is_refused(article):
    service = QueryService(article, policy=Policy(service_allowlist=("http://allowed.example/sparql",)))
    with pytest.raises(PolicyError, match="allowed.example"):
        service.query("SELECT * WHERE { SERVICE <http://other.example/sparql> { ?s ?p ?o } }")


def test_service_to_an_allow_listed_endpoint_runs(oxigraph_url):
    graph = "http://test.sahel-kg.example/query-service/"
    remote = RemoteStore(oxigraph_url, update_url=oxigraph_url.rsplit("/", 1)[0] + "/update")
    remote.update(f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}s> <{graph}p> "from the endpoint" }} }}')
    try:
        with OxigraphStore() as local:
            service = QueryService(local, policy=Policy(service_allowlist=(oxigraph_url,)))
            result = service.query(f"SELECT ?o WHERE {{ SERVICE <{oxigraph_url}> {{ <{graph}s> ?p ?o }} }}")
        assert result.rows == [(ox.Literal("from the endpoint"),)]
    finally:
        remote.update(f"DROP SILENT GRAPH <{graph}>")


def test_define_pragmas_are_refused(service):
    with pytest.raises(PolicyError, match="DEFINE"):
        service.query('DEFINE input:inference "urn:rules" SELECT * WHERE { ?s ?p ?o }')


def test_updates_are_refused_by_default(fresh):
    before = fresh.count()
    with pytest.raises(PolicyError, match="updates"):
        QueryService(fresh).update("DROP ALL")
    assert fresh.count() == before


def test_updates_run_when_allowed(fresh):
    service = QueryService(fresh, policy=Policy(allow_update=True))
    service.update('INSERT DATA { GRAPH <http://e.org/g> { sk:test rdfs:label "added" } }')
    assert service.query('ASK { sk:test rdfs:label "added" }').boolean is True


@pytest.mark.parametrize("text", [
    "LOAD <http://example.org/data.ttl>",
    "load silent <file:///etc/passwd> into graph <http://e.org/g>",
    "INSERT DATA { <http://e/s> <http://e/p> 1 } ;\nLOAD <http://example.org/data.ttl>",
])
def test_load_is_refused_even_when_updates_are_allowed(fresh, text):
    before = fresh.count()
    with pytest.raises(PolicyError, match="LOAD"):
        QueryService(fresh, policy=Policy(allow_update=True)).update(text)
    assert fresh.count() == before


def test_an_update_is_not_a_query(service):
    with pytest.raises(QuerySyntaxError, match="not a query"):
        service.query("DROP ALL")


def test_service_inside_an_allowed_update_is_still_checked(fresh):
    service = QueryService(fresh, policy=Policy(allow_update=True))
    with pytest.raises(PolicyError, match="SERVICE"):
        service.update("INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")


def nested(depth: int) -> str:
    return "SELECT * WHERE " + "{ " * depth + "?s ?p ?o " + "} " * depth


def test_nesting_deeper_than_the_limit_is_refused(article):
    service = QueryService(article, policy=Policy(max_depth=5))
    assert service.query(nested(5), row_limit=1).rows
    with pytest.raises(PolicyError, match="6 levels"):
        service.query(nested(6))
    with pytest.raises(PolicyError, match="levels deep"):
        QueryService(article).query(nested(100))


@pytest.mark.parametrize("text", [
    'SELECT ?l WHERE { ?s rdfs:label ?l FILTER(?l != "SERVICE <http://x>") } LIMIT 1',
    "SELECT ?l WHERE { ?s rdfs:label ?l FILTER(?l != 'DEFINE x LOAD <http://x>') } LIMIT 1",
    'SELECT ?l WHERE { ?s rdfs:label ?l FILTER(?l != """{{{{{{{{ SERVICE <http://x> {""") } LIMIT 1',
    "SELECT ?l WHERE { ?s rdfs:label ?l  # SERVICE <http://x> { DEFINE\n} LIMIT 1",
    "SELECT ?l WHERE { ?s rdfs:label ?l FILTER(?s != <http://example.org/SERVICE/LOAD>) } LIMIT 1",
])
def test_keywords_in_strings_comments_and_iris_do_not_trigger_the_policy(article, text):
    service = QueryService(article, policy=Policy(max_depth=4))
    assert len(service.query(text).rows) == 1


def test_keywords_in_an_updates_strings_do_not_trigger_the_policy(fresh):
    service = QueryService(fresh, policy=Policy(allow_update=True))
    service.update('INSERT DATA { GRAPH <http://e.org/g> { sk:t rdfs:comment "LOAD <http://x> ; SERVICE <y>" } }')
    assert service.query("ASK { sk:t rdfs:comment ?c }").boolean is True


# --- serialisations ------------------------------------------------------------------------------------

MIXED = r'''SELECT ?lang ?typed ?b ?plain ?iri ?unbound WHERE {
  BIND("Mali"@en AS ?lang) BIND("2026-01-01"^^xsd:date AS ?typed) BIND(BNODE() AS ?b)
  BIND("tab\there, \"quoted\"\nnew line & <tag>" AS ?plain) BIND(sk:mali AS ?iri)
  OPTIONAL { sk:nothing sk:nothing ?unbound }
}'''
PLAIN = 'tab\there, "quoted"\nnew line & <tag>'


@pytest.fixture(scope="module")
def mixed(article):
    return QueryService(article).query(MIXED)


def test_select_as_sparql_json(mixed):
    document = json.loads(mixed.serialize("json"))
    assert document["head"]["vars"] == ["lang", "typed", "b", "plain", "iri", "unbound"]
    (row,) = document["results"]["bindings"]
    assert row["lang"] == {"type": "literal", "value": "Mali", "xml:lang": "en"}
    assert row["typed"] == {"type": "literal", "value": "2026-01-01", "datatype": XSD + "date"}
    assert row["b"]["type"] == "bnode" and row["b"]["value"]
    assert row["plain"] == {"type": "literal", "value": PLAIN}
    assert row["iri"] == {"type": "uri", "value": SK + "mali"}
    assert "unbound" not in row


def test_select_as_sparql_xml(mixed):
    root = ET.fromstring(mixed.serialize("xml"))
    assert root.tag == SPARQL_RESULTS + "sparql"
    names = [v.get("name") for v in root.iter(SPARQL_RESULTS + "variable")]
    assert names == ["lang", "typed", "b", "plain", "iri", "unbound"]
    (result,) = root.iter(SPARQL_RESULTS + "result")
    binding = {b.get("name"): b[0] for b in result}
    assert set(binding) == {"lang", "typed", "b", "plain", "iri"}
    assert (binding["lang"].tag, binding["lang"].text, binding["lang"].get(XML_LANG)) == \
        (SPARQL_RESULTS + "literal", "Mali", "en")
    assert binding["typed"].get("datatype") == XSD + "date"
    assert binding["b"].tag == SPARQL_RESULTS + "bnode"
    assert binding["plain"].text == PLAIN
    assert (binding["iri"].tag, binding["iri"].text) == (SPARQL_RESULTS + "uri", SK + "mali")


def test_select_as_csv(mixed):
    text = mixed.serialize("csv").decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == ["lang", "typed", "b", "plain", "iri", "unbound"]
    (row,) = rows[1:]
    assert row[0:2] == ["Mali", "2026-01-01"] and row[2].startswith("_:")
    assert row[3:] == [PLAIN, SK + "mali", ""]


def test_select_as_tsv(mixed):
    lines = mixed.serialize("tsv").decode("utf-8").split("\n")
    assert lines[0].split("\t") == ["?lang", "?typed", "?b", "?plain", "?iri", "?unbound"]
    assert lines[2:] == [""]  # one row, the newline in the literal escaped
    cells = lines[1].split("\t")
    assert len(cells) == 6 and cells[5] == ""
    assert cells[0] == '"Mali"@en' and cells[2].startswith("_:") and cells[4] == f"<{SK}mali>"
    assert cells[1] == f'"2026-01-01"^^<{XSD}date>'
    # each cell is an RDF term in N-Triples syntax: parse it back as the object of a triple
    parsed = ox.parse(f"<http://e/s> <http://e/p> {cells[3]} .".encode(), format=ox.RdfFormat.N_TRIPLES)
    assert next(iter(parsed)).object == ox.Literal(PLAIN)


@pytest.mark.parametrize("answer", [True, False])
def test_ask_in_every_format(service, answer):
    result = service.query("ASK { sk:mali rdfs:label ?l }" if answer else "ASK { sk:mali sk:no ?l }")
    assert json.loads(result.serialize("json")) == {"head": {}, "boolean": answer}
    root = ET.fromstring(result.serialize("xml"))
    assert root.find(SPARQL_RESULTS + "boolean").text == str(answer).lower()
    assert list(csv.reader(io.StringIO(result.serialize("csv").decode()))) == [["_askResult"], [str(answer).lower()]]
    assert result.serialize("tsv").decode().split("\n")[1] == str(answer).lower()


CONSTRUCT = """CONSTRUCT { ?x rdfs:label ?l ; sk:note _:n . _:n rdfs:comment "a \\"note\\""@en }
WHERE { ?x a ?c ; rdfs:label ?l FILTER(STRSTARTS(STR(?x), STR(sk:))) }"""
RDF_SYNTAXES = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
                "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML,
                "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS}


@pytest.mark.parametrize("fmt", RDF_SYNTAXES)
def test_construct_in_every_rdf_syntax(service, fmt):
    result = service.query(CONSTRUCT)
    assert len(result.triples) > 10
    parsed = list(ox.parse(result.serialize(fmt, prefixes=service.prefixes), format=RDF_SYNTAXES[fmt]))
    assert len(parsed) == len(set(result.triples))
    plain = {(q.subject, q.predicate, q.object) for q in parsed if not isinstance(q.subject, ox.BlankNode)
             and not isinstance(q.object, ox.BlankNode)}
    assert plain == {(t.subject, t.predicate, t.object) for t in result.triples
                     if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}


def test_describe_serialises(service):
    result = service.query("DESCRIBE sk:mali")
    assert result.kind == "graph" and result.triples
    assert len(list(ox.parse(result.serialize("turtle"), format=ox.RdfFormat.TURTLE))) == len(result.triples)


def test_formats_fit_the_result(service, mixed):
    from kg.results import FormatError

    with pytest.raises(FormatError):
        service.query(CONSTRUCT).serialize("csv")
    with pytest.raises(FormatError):
        mixed.serialize("turtle")


def test_xml_refuses_control_characters_it_cannot_carry():
    import pyoxigraph as ox

    from kg.results import FormatError, Result

    result = Result(kind="solutions", variables=["v"], rows=[(ox.Literal("bell\x07"),)])
    with pytest.raises(FormatError, match="XML"):
        result.serialize("xml")
    assert b"\\u0007" in result.serialize("json")


def test_an_undeclared_prefix_is_named(service):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query("SELECT ?x WHERE {\n  ?x foo:bar ?y\n}")
    assert raised.value.message.startswith("The prefix foo: is not declared")
    assert raised.value.line == 2


def test_the_engines_expected_tokens_are_readable(service):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query("SELECT * WHERE { ?s ?p ?o FILTER(?o) ?x }")  # no slip kg finds: the engine's words
    message = raised.value.message
    assert message.startswith("Expected ") and message.endswith(" here.")
    assert "[" not in message and "\\u{" not in message
    assert len(message) < 200


def test_a_problem_document_from_a_remote_endpoint_becomes_a_plain_syntax_error():
    from kg.store.remote_failures import engine_message, error_for

    import json

    body = json.dumps({"type": "x", "title": "Malformed query", "status": 400, "detail": 'expected "}"',
                       "line": 2, "column": 7})
    error = error_for(engine_message(body), 400, "http://remote.example/sparql")
    assert (error.message, error.line, error.column) == ('Expected "}" here.', 2, 7)


@pytest.mark.parametrize("hiding", ["<http://x/\\u0041'>", "<http://x/\u00a0'>", "<http://x/\u2003'>"])
def test_service_cannot_hide_behind_an_iri_the_lexer_misreads(service, hiding):
    """IRIs with escapes or non-ASCII spaces, which the engine accepts, once hid SERVICE from the policy."""
    text = (f"SELECT ?x WHERE {{ OPTIONAL {{ ?s ?p {hiding} }} SERVICE <http://127.0.0.1:9/sparql> "
            f"{{ ?x ?y ?z }} OPTIONAL {{ ?s ?p {hiding} }} }}")
    with pytest.raises(PolicyError, match="SERVICE"):
        service.query(text)


def test_service_targets_are_read_as_the_engine_reads_them(article):
    allowed = QueryService(article, policy=Policy(service_allowlist=("http://allowed.example/sparql",)))
    with pytest.raises(PolicyError):  # the query's own prefix, not the built-in one of the same name
        allowed.query("PREFIX wd: <http://evil.example/> SELECT * WHERE { SERVICE wd:sparql { ?s ?p ?o } }")
    with pytest.raises(PolicyError):  # an escaped IRI is the IRI it spells
        allowed.query("SELECT * WHERE { SERVICE <http://evil.example/\\u0073parql> { ?s ?p ?o } }")


def test_long_operator_chains_are_refused_before_they_reach_the_engine(service):
    """pyoxigraph parses operators recursively: 8000 chained + crash the process (stack overflow)."""
    with pytest.raises(PolicyError, match="operators"):
        service.query("SELECT (" + "+".join(["1"] * 8000) + " AS ?x) WHERE {}")
    assert service.query("SELECT (" + "+".join(["1"] * 500) + " AS ?x) WHERE {}").rows[0][0].value == "500"
