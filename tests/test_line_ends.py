"""Every line and column the project reports counts a CR, an LF and a CRLF each as one line end (kg/text_places.py):
the faults of queries and updates, the line of a `# binding:` declaration, and those of uploaded RDF."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, problem
from kg.errors import BindingTypeError, QuerySyntaxError
from kg.query import Policy, QueryService
from kg.store.oxigraph import OxigraphStore
from test_loading import installed, kg, spec  # noqa: F401  (fixtures)

ENDS = {"LF": "\n", "CRLF": "\r\n", "CR": "\r"}
UNCLOSED = "The string opened with "
# Written with LF; each is run with every line end. An unclosed string on each of two lines: with CR ends, the
# two quotes were counted as one line's, an even number, and the fault was told as a word further on.
FAULTS = [
    ("query", 'SELECT * WHERE { ?s ?p ?o FILTER(?o = "a)\n FILTER(?o != "b) }', (1, 39), UNCLOSED),
    ("query", 'SELECT ("a AS ?x)\n("b AS ?y) WHERE {}', (1, 9), UNCLOSED),
    ("query", "SELECT *\nWHERE {\n  ?s ?p ?o FILTER(?o = 'x)\n  ?s ?q 'y }", (3, 24), UNCLOSED),
    ("query", 'SELECT * WHERE { ?s ?p ?o FILTER(?o = "a)\n} LIMT "b', (1, 39), UNCLOSED),
    ("query", "SELECT *\nWHERE {\n  ?s ?p ?o }\nLIMT 5", (4, 1), "SPARQL has no keyword or function LIMT"),
    ("query", "SELECT *\nWHERE {\n  ?s ?p <a b> }", (3, 11), "An IRI cannot hold a space"),
    ("update", 'DELETE { ?s ?p ?o } WHERE {\n ?s ?p ?o FILTER(?o = "a)\n FILTER(?o != "b) }', (2, 23), UNCLOSED),
    ("update", "INSERT DATA {\n <http://a> <http://b> <c d>\n}", (2, 26), "An IRI cannot hold a space"),
    # What the engine says it expected depends on the white space before its place: a CRLF's CR changed the list
    # ("Expected STRLANGDIR, … or hasLangDir here."), and after a first line's '>' the column.
    ("query", "SELECT *\nWHERE {\n ?s ?p ?o . FILTER(?o = 1\n}", (4, 1),
     "A ')' is missing before this '}': the '(' after FILTER at line 3, column 19"),
    ("query", ">\nSELECT ?o { ", (2, 8), "Expected CONSTRUCT here."),
    ("query", "SELECT ?s\nWHERE {\n  ?s ?p ?o FILTER(?o)\n  ?x\n}", (5, 2), "Expected BIND or a name"),
    ("query", "PREFIX service:\n<http://x/>\nSELECT *\nWHERE { service:a ?p ?o .\n service:b ?p ?o }\nLIMT 1", (6, 1),
     "SPARQL has no keyword or function LIMT"),  # a declaration written out over a line end
]


@pytest.fixture(scope="module")
def service():
    with OxigraphStore() as store:
        yield QueryService(store, policy=Policy(allow_update=True))


@pytest.mark.parametrize("end", ENDS.values(), ids=ENDS.keys())
@pytest.mark.parametrize("kind, text, place, said", FAULTS)
def test_a_fault_is_told_at_the_same_line_and_column_whatever_ends_the_lines(service, end, kind, text, place, said):
    with pytest.raises(QuerySyntaxError) as raised:
        getattr(service, kind)(text.replace("\n", end))
    assert raised.value.message.startswith(said), raised.value.message
    assert (raised.value.line, raised.value.column) == place


@pytest.mark.parametrize("end", ENDS.values(), ids=ENDS.keys())
def test_a_long_string_keeps_its_line_ends(service, end):
    service.update(f'INSERT DATA {{{end}<http://a> <http://b> """x{end}y""" ;{end} <http://c> "z" }}')
    answer = service.query("SELECT ?o WHERE { <http://a> <http://b> ?o }")
    assert [row[0].value for row in answer.rows] == [f"x{end}y"]
    service.update("DELETE WHERE { <http://a> ?p ?o }")


@pytest.mark.parametrize("end", ENDS.values(), ids=ENDS.keys())
def test_over_http_and_in_the_console_the_place_is_the_same(shared, spec, end):
    text = FAULTS[0][1].replace("\n", end)
    body = problem(shared.post("/sparql", data=text, content_type="application/sparql-query"), 400)
    said = ('The string opened with " at line 1, column 39 is never closed: its closing " is missing before the end '
            'of its line (only a long string, in """, may span lines).')
    assert (body["detail"], body["line"], body["column"]) == (said, 1, 39)
    result = kg("query", "--store", spec, text)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: line 1, column 39: {said}"), result.output


@pytest.mark.parametrize("end", ENDS.values(), ids=ENDS.keys())
def test_a_binding_declaration_is_named_by_its_line(service, end):
    text = "# a query\n\n# binding: ?asOf default \"2024-06-01\"^^xsd:date\nSELECT ?asOf WHERE {}".replace("\n", end)
    with pytest.raises(BindingTypeError, match=r"the query's `# binding:` line 3\)"):
        service.query(text, bindings={"asOf": "2025-10-01"})


# Uploads: a byte that is no UTF-8 is named (it was "a byte here" where no LF ended its line), and a JSON-LD column,
# which the parser counts in bytes, is counted in characters (the line held by CR ends was never found).
UPLOADS = [
    ("application/n-triples", b'<http://a> <http://b> <http://c> .\n<http://a> <http://b> "\xff" .\n', "nt",
     (2, 24), "not UTF-8: byte 0xff cannot be decoded"),
    ("text/turtle", b'@prefix ex: <http://e/> .\n\nex:a ex:b "\xe4\xbc\xa6\xff" .\n', "ttl",
     (3, 13), "not UTF-8: byte 0xff cannot be decoded"),
    ("application/ld+json", b'{"@context": {"ex": "http://e/"},\n "@id": "ex:a",\n "ex:\xe4\xbc\xa6": [1, 2,,]\n}',
     "jsonld", (3, 16), "Unexpected comma"),
]


@pytest.mark.parametrize("end", ENDS.values(), ids=ENDS.keys())
def test_an_upload_fault_is_placed_alike_whatever_ends_the_lines(empty_writer, end):
    media, data, _, place, said = UPLOADS[-1]  # a request's body is UTF-8 before anything parses it
    body = problem(empty_writer.put(f"/store?graph={EX}g", data=data.replace(b"\n", end.encode()),
                                    content_type=media, headers=AUTH), 400)
    assert said in body["detail"] and (body["line"], body["column"]) == place, body


@pytest.mark.parametrize("end", ENDS.values(), ids=ENDS.keys())
@pytest.mark.parametrize("media, data, suffix, place, said", UPLOADS, ids=[upload[2] for upload in UPLOADS])
def test_a_loaded_file_fault_is_placed_alike_whatever_ends_the_lines(tmp_path, end, media, data, suffix, place,
                                                                     said):
    source = tmp_path / f"bad.{suffix}"
    source.write_bytes(data.replace(b"\n", end.encode()))
    result = kg("load", source, "--store", f"oxigraph:{tmp_path / 'store'}")
    assert result.exit_code == 1 and f"{source}:{place[0]}:{place[1]}: " in result.stderr, result.output
    assert said in result.stderr
