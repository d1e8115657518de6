"""Slips in a query's clauses told for what they are, where they are: a variable SELECT names that its grouping does
not keep, an expression FILTER, HAVING or ORDER BY take without its brackets, modifiers out of order, VALUES written
as a list elsewhere is, a '.' after the query, a string left open, terms with no operator between, and SQL's
habits: a ';' ending a query, a '--' comment, LIMIT offset, count, commas between keys, DISTINCT(?x), and quotes
that close a string early or are typographic."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import problem
from build_fixtures import run_kg
from kg.query import Policy, QueryService
from kg.store.oxigraph import OxigraphStore
from kg.syntax_faults import first_fault
from test_expression_slips import told_where_it_is

UNGROUPED = "which is neither grouped on nor inside an aggregate: group on it (GROUP BY ?name), or select "
# A variable of SELECT its grouping does not keep: it was "SELECT names a variable that is neither grouped on …", no
# name, at the text's end; a GROUP BY (… AS ?x) key, which the engine does not take in SELECT, was told so too.
UNGROUPED_SLIPS = {
    "SELECT ?s ?name (COUNT(?m) AS ?n) WHERE {\n ?m ?p ?name . ?s ?p ?m\n} GROUP BY ?s": (
        "SELECT names ?name, " + UNGROUPED + "(SAMPLE(?name) AS ?any_name) for one value of each group.", 1, 11),
    "SELECT ?name WHERE { ?m ?p ?name } HAVING(COUNT(?m) > 1)": ("SELECT names ?name, " + UNGROUPED, 1, 8),
    "SELECT * { ?s ?p ?o { SELECT ?m ?name { ?m ?p ?name } GROUP BY ?m (STR(?name)) } }": (
        "SELECT names ?name, " + UNGROUPED, 1, 33),
    "SELECT ?s ?x (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s (?p AS ?x)": (
        "SELECT names ?x, which GROUP BY (… AS ?x) gives: the engine takes only a plain key there. Bind it in the "
        "WHERE instead, as BIND(… AS ?x), and GROUP BY ?x.", 1, 11),
}

BARE = "takes a variable or a function call bare, anything more in brackets: "
# An expression without the brackets FILTER, HAVING or ORDER BY want round it: each was "An expression is unfinished
# here" or "does not go on like this" past it, at the text's end mostly.
BARE_SLIPS = {
    "SELECT ?s WHERE { ?s ?p ?l } ORDER BY ?l DESC": ("DESC takes its key in brackets, after it: ORDER BY DESC(?l).",
                                                      1, 42),
    "SELECT ?s WHERE { ?s ?p ?l } ORDER BY DESC ?l": ("DESC takes its key in brackets, after it", 1, 39),
    "SELECT ?s WHERE { ?s ?p ?l } ORDER BY STRLEN(?l) + 1": (
        "ORDER BY " + BARE + "ORDER BY (STRLEN(?l) + …).", 1, 39),
    "SELECT ?s WHERE { ?s ?p ?l } GROUP BY ?s\nHAVING COUNT(?l) >= 2": (
        "HAVING takes a function call bare, anything more in brackets: HAVING(COUNT(?l) >= …).", 2, 8),
    'SELECT ?s WHERE { ?s ?p ?l FILTER regex(?l, "x") && ?l != "y" }': (
        'FILTER takes a function call bare, anything more in brackets: FILTER(regex(?l, "x") && …).', 1, 35),
    "SELECT ?s WHERE { ?s ?p ?l FILTER ?l = 3 }": ("FILTER takes its condition in brackets: FILTER(?l …).", 1, 35),
    "SELECT ?s WHERE { ?s ?p ?l FILTER !BOUND(?l) }": ("FILTER takes its condition in brackets: FILTER(!…).", 1, 35),
}

ORDERED = "a query's modifiers go in this order: GROUP BY, HAVING, ORDER BY, LIMIT and OFFSET (either first), VALUES."
# Modifiers out of order or given twice: each was told past them, as "Expected OFFSET or VALUES here." (after LIMIT),
# "Expected ENCODE_FOR_URI, LANGMATCHES or …" or "Expected UNDEF here."
ORDER_SLIPS = {
    "SELECT ?s WHERE { ?s ?p ?l }\nLIMIT 10 ORDER BY ?s": ("ORDER BY comes before LIMIT: " + ORDERED, 2, 10),
    "SELECT ?s WHERE { { SELECT ?s { ?s ?p ?l } ORDER BY ?s GROUP BY ?s } }": (
        "GROUP BY comes before ORDER BY: " + ORDERED, 1, 56),
    "SELECT ?s WHERE { ?s ?p ?l } VALUES ?s { 1 } LIMIT 1": ("LIMIT comes before VALUES: " + ORDERED, 1, 46),
    "SELECT ?s WHERE { ?s ?p ?l } ORDER BY ?s ORDER BY ?l": (
        "ORDER BY is given twice (first at line 1, column 30): a query takes one ORDER BY, with all its keys: "
        "ORDER BY ?a ?b.", 1, 42),
    "SELECT ?s WHERE { ?s ?p ?l } LIMIT 5 OFFSET 2 LIMIT 3": (
        "LIMIT is given twice (first at line 1, column 30): a query takes each modifier once.", 1, 47),
}

ROW = "Each row of VALUES needs one value per variable, 2 here (UNDEF where there is none): this row has "
# VALUES written as a list elsewhere is: each was "Expected UNDEF here." past the slip
VALUES_SLIPS = {
    "SELECT ?s WHERE { ?s ?p ?l VALUES ?s { <http://x/a>, <http://x/b> } }": (
        "The values of VALUES are separated by spaces, not commas.", 1, 52),
    "SELECT ?s WHERE { ?s ?p ?l }\nVALUES (?s ?l) { (<http://x/a>) }": (ROW + "1.", 2, 18),
    "SELECT ?s WHERE { ?s ?p ?l VALUES (?s ?l) { (1 2) (3 4 5) } }": (ROW + "3.", 1, 51),
}

# A group without its braces, GRAPH without its graph: each was "The group of patterns does not go on like this here",
# 'Expected "{" here.' or "An expression does not go on like this here", past it
GROUP_SLIPS = {
    "SELECT ?s WHERE { ?s ?p ?l MINUS ?s a ?c }": ("MINUS takes a group in braces: MINUS { ?s … }.", 1, 34),
    "SELECT ?s WHERE { ?s ?p ?l FILTER(!EXISTS ?s a ?c) }": (
        "EXISTS takes a group in braces: EXISTS { ?s … }.", 1, 43),
    "SELECT ?s WHERE {\n GRAPH { ?s ?p ?o } }": (
        "GRAPH names its graph before the group, with a variable or an IRI: GRAPH ?g { … }.", 2, 8),
    "SELECT ?s WHERE { { ?s ?p ?l } UNION ?s ?q ?l }": (
        "UNION joins groups in braces: { ?a ?b ?c } UNION { ?d ?e ?f }.", 1, 32),
}

# Modifiers inside the group: each was "The group of patterns does not go on like this here", past them
INSIDE_SLIPS = {
    'SELECT ?s WHERE { ?s ?p ?l FILTER(?l = "Mali"@en) ORDER BY ?s }': (
        "ORDER BY goes after the '}' that closes the query's WHERE: " + ORDERED, 1, 51),
    "SELECT ?s WHERE {\n ?s ?p ?l\n LIMIT 5\n}": ("LIMIT goes after the '}' that closes the query's WHERE", 3, 2),
    # A group left open: it was 'Expected a variable, a string, "(", … or a name, number or other term here.'
    "SELECT ?s WHERE { ?s a ?c OPTIONAL { ?s ?p ?l FILTER(?l != 1) }": (
        "A '}' is missing at the end of the text: the '{' after WHERE at line 1, column 17 is not closed.", 1, 64),
}

# A mark after the query's last clause: each was "The query does not go on like this here", past it
END_SLIPS = {
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5.": (
        "A query takes no '.' after the '}' that closes its WHERE: a '.' separates triple patterns, inside braces.",
        1, 36),
    "ASK { ?s ?p ?o } . VALUES ?s { 1 }": ("A query takes no '.' after the '}' that closes its WHERE", 1, 18),
    # two queries: the second's WHERE was taken for a CONSTRUCT's after its template ("Expected OFFSET or VALUES")
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5 ; SELECT * WHERE { ?s ?p ?o }": ("A ';' cannot end a query", 1, 37),
    "ASK { ?s ?p ?o } . CONSTRUCT WHERE { ?s ?p ?o }": ("A query takes no '.' after the '}' that closes its WHERE", 1, 18),
}

# A string left open: it was "A string is not closed before the end of its line, or holds a backslash that escapes
# nothing", at the text's end, not where it opens
STRING_SLIPS = {
    "SELECT * WHERE { ?s ?p 'Mali }": (
        "The string opened with ' at line 1, column 24 is never closed: its closing ' is missing before the end of its "
        "line (only a long string, in ''', may span lines).", 1, 24),
    'SELECT * WHERE {\n  ?s ?p "Mali .\n  ?s ?q ?o }': ('The string opened with " at line 2, column 9 is never closed',
                                                    2, 9),
}

# Terms side by side in an expression: it was "Expected GROUP_CONCAT or a name, number or other term here", past them
OPERATOR_SLIPS = {
    "SELECT * WHERE { ?s ?p ?o FILTER(?a ?b ?c) }": (
        "An operator is missing between ?a and ?b: an expression joins its terms with one, as ?a = ?b, ?a && ?b or "
        "?a + ?b.", 1, 37),
    "SELECT * WHERE { ?s ?p ?o BIND((?o * 2) 3 AS ?x) }": ("An operator is missing before 3", 1, 41),
    'SELECT * WHERE { ?s ?p ?o FILTER(STR(?o) = "x" "y") }': ('An operator is missing between "x" and "y"', 1, 48),
}


def test_marks_terms_and_strings_in_their_places_are_no_slip(service):
    for query in ("SELECT * WHERE { ?s ?p ?o . ?s ?q 'Mali' . }", "CONSTRUCT { ?s ?p ?o . } WHERE { ?s ?p ?o ; ?q ?r }",
                  "SELECT * { ?s ?p ?o FILTER(?o -1 = 2 && ?o +1 > (?o) && ?o IN (1, 2)) } LIMIT 5",
                  'SELECT * { ?s ?p (?a ?b "c") FILTER(<<( ?s ?p ?o )>> = ?o) }'):
        service.query(query)
        assert first_fault(query, set()) is None, query
    assert first_fault("INSERT DATA { <x:a> <x:p> 1 } ; INSERT DATA { <x:a> <x:p> 2 }", set()) is None


@pytest.mark.parametrize("query, expected", {**END_SLIPS, **STRING_SLIPS, **OPERATOR_SLIPS}.items())
def test_a_mark_string_or_operator_slip_is_told_over_http_and_in_the_console(shared, query, expected):
    said, line, column = expected
    body = problem(shared.get("/sparql?" + urlencode({"query": query})), 400)
    assert (body["detail"][:len(said)], body["line"], body["column"]) == (said, line, column)
    result = run_kg("query", "--store", "memory:", "-q", query)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: line {line}, column {column}: {said}")


SEMICOLON = "A ';' cannot end a query: SPARQL has no statement separator (send one query at a time)"
# A ';' after a query, as SQL ends a statement: each was told as "The query does not go on like this here: something
# before this point is unfinished or misspelt.", "An expression is unfinished here" or "Expected VERSION or a name…"
SEMICOLON_SLIPS = {
    "SELECT ?s WHERE { ?s ?p ?l } LIMIT 10;": (SEMICOLON, 1, 38),
    "SELECT ?s WHERE { ?s ?p ?l };": (SEMICOLON, 1, 29),
    "SELECT ?s WHERE { ?s ?p ?l }\nORDER BY ?s ;\n": (SEMICOLON, 2, 13),
    "ASK {};": (SEMICOLON, 1, 7),
    "SELECT * {} ; SELECT * {}": (SEMICOLON, 1, 13),
}
COMMENT = "A comment starts with '#' in SPARQL, not with SQL's '--'."
# An SQL comment: each was told at the word after it ("SPARQL has no keyword or function any; … write ?any.") or
# as "not a query"
COMMENT_SLIPS = {
    "SELECT ?s WHERE {\n  ?s ?p ?l  -- any triple\n}": (COMMENT, 2, 13),
    "-- the states\nSELECT ?s WHERE { ?s ?p ?l }": (COMMENT, 1, 1),
    "SELECT ?s WHERE { ?s ?p ?l } LIMIT 1 --one": (COMMENT, 1, 38),
    # MySQL's LIMIT offset, count: it was "The query does not go on like this here", at the text's end
    "SELECT ?s WHERE { ?s ?p ?l }\nLIMIT 10, 20": (
        "LIMIT takes one number: SQL's LIMIT 10, 20 is OFFSET 10 LIMIT 20 in SPARQL.", 2, 9),
    "SELECT ?s WHERE { ?s ?p ?l } LIMIT 10 ,": ("LIMIT takes one number.", 1, 39),
    # Keys separated by commas: each was "An expression is unfinished here: an operand … is missing", at the end
    "SELECT ?s WHERE { ?s ?p ?l } ORDER BY ?s, ?l": (
        "The keys of ORDER BY are separated by spaces, not commas: ORDER BY ?a ?b.", 1, 41),
    "SELECT ?s WHERE { ?s ?p ?l } ORDER BY DESC(?l) ,?s LIMIT 1": ("The keys of ORDER BY are separated", 1, 48),
    "SELECT * { { SELECT ?s { ?s ?p ?l } GROUP BY ?s, ?l } }": (
        "The keys of GROUP BY are separated by spaces, not commas: GROUP BY ?a ?b.", 1, 48),
    # SQL's DISTINCT(column): it was "AS and a name are missing before this ')': SELECT (expression AS ?name)."
    "SELECT DISTINCT(?s) WHERE { ?s ?p ?l }": ("DISTINCT applies to whole rows and takes no brackets: SELECT DISTINCT "
                                              "?s.", 1, 16),
    "SELECT REDUCED (?l) ?s WHERE { ?s ?p ?l }": ("REDUCED applies to whole rows and takes no brackets", 1, 16),
}

# A quote inside a string, which closes it: it was "SPARQL has no keyword or function Ivoire; if it names a variable,
# write ?Ivoire.", or "… s; … did you mean ?s?"
QUOTE_SLIPS = {
    "SELECT ?s WHERE { ?s ?p ?l FILTER(?l = 'Côte d'Ivoire') }": (
        "This ' closes the string 'Côte d' before Ivoire: a ' inside a string is written \\', or the string is "
        "quoted with \" instead.", 1, 47),
    'SELECT ?s WHERE {\n ?s ?p "He said "hi"" }': ('This " closes the string "He said " before hi', 2, 17),
    "SELECT ?s WHERE { ?s ?p 'Burkina's army'@en }": ("This ' closes the string 'Burkina' before s", 1, 33),
    # Typographic quotes, as a word processor or the article writes them: it was 'Expected a variable, a string, "(",
    # "*", a number, … or a name, number or other term here.'
    "SELECT ?s WHERE { ?s ?p “Mali” }": (
        "“ is a typographic quote, which SPARQL does not read: a string is quoted with straight quotes, \"…\" or '…'.",
        1, 25),
    "SELECT ?s WHERE { ?s ?p ?l FILTER(CONTAINS(?l, ‘push’)) }": ("‘ is a typographic quote", 1, 48),
}


def test_a_semicolon_or_minus_signs_where_sparql_has_them_are_no_slip(service):
    query = ('CONSTRUCT { ?s ?p ?o ; ?q ?o } WHERE { ?s ?p ?o ; ?q ?o . ?s ?p [ ?p 1 ; ?q 2 ] '
             '{ SELECT (GROUP_CONCAT(?o ; SEPARATOR=",") AS ?all) { ?s ?p ?o } } }')
    service.query(query)
    assert first_fault(query, set()) is None
    update = "INSERT DATA { <http://x/a> <http://x/b> 1 } ; DELETE DATA { <http://x/a> <http://x/b> 1 } ;"
    with OxigraphStore() as store:
        QueryService(store, policy=Policy(allow_update=True)).update(update)
    assert first_fault(update, set(), update=True) is None
    subtracted = 'SELECT * { ?s ?p ?o FILTER(?o --1 > 0 || ?o -- 2 > 0) BIND("a"@en--ltr AS ?x) } ORDER BY (?o--1)'
    for query in ("SELECT DISTINCT (?s AS ?x) { ?s ?p ?o }", "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"):
        service.query(query)
        assert first_fault(query, set()) is None
    quoted = 'SELECT * { ?s ?p "“Côte d\'Ivoire”", \'Côte d\\\'Ivoire\', "x"@en, "1"^^xsd:integer, """a"b""" }'
    service.query(quoted)
    assert first_fault(quoted, {"xsd"}) is None
    listed = ('SELECT ?s (GROUP_CONCAT(?o ; SEPARATOR=",") AS ?all) { ?s ?p ?o, 1 FILTER(?o IN (1, 2)) } GROUP BY ?s '
              'ORDER BY DESC(CONCAT(?s, "x")) ?s')
    service.query(listed)
    assert first_fault(listed, set()) is None
    service.query(subtracted)
    assert first_fault(subtracted, set()) is None


def test_groups_in_their_braces_are_no_slip(service):
    query = ("SELECT ?s WHERE { { ?s ?p ?l } UNION { ?s ?q ?l } GRAPH ?g { ?s ?p ?o } OPTIONAL { ?s ?p ?o } "
             "MINUS { ?s a ?c } FILTER NOT EXISTS { ?s a ?c } FILTER(EXISTS { ?s ?p 1 }) }")
    service.query(query)
    assert first_fault(query, set()) is None


@pytest.fixture(scope="module")
def service():
    with OxigraphStore() as store:
        yield QueryService(store)


@pytest.mark.parametrize("query, expected", {**UNGROUPED_SLIPS, **BARE_SLIPS, **ORDER_SLIPS, **VALUES_SLIPS,
                                               **GROUP_SLIPS, **INSIDE_SLIPS, **END_SLIPS, **STRING_SLIPS,
                                               **OPERATOR_SLIPS, **SEMICOLON_SLIPS, **COMMENT_SLIPS,
                                               **QUOTE_SLIPS}.items())
def test_a_slip_is_named_where_it_is(service, query, expected):
    told_where_it_is(service, query, expected)


def test_over_http_a_variable_not_grouped_on_is_placed(shared):
    query = "SELECT ?s\n  ?name (COUNT(?m) AS ?n)\nWHERE { ?m ?p ?name . ?s ?p ?m } GROUP BY ?s"
    body = problem(shared.get("/sparql?" + urlencode({"query": query})), 400)
    assert (body["line"], body["column"]) == (2, 3)
    assert body["detail"].startswith("SELECT names ?name, " + UNGROUPED)


def test_over_http_a_bare_expression_is_placed(shared):
    query = "SELECT ?s WHERE { ?s ?p ?l }\nORDER BY ?s\n  STRLEN(?l) * 2"
    body = problem(shared.get("/sparql?" + urlencode({"query": query})), 400)
    assert (body["line"], body["column"], body["detail"]) == (3, 3, "ORDER BY " + BARE + "ORDER BY (STRLEN(?l) * …).")


def test_over_http_a_semicolon_ending_a_query_is_placed(shared):
    body = problem(shared.get("/sparql?" + urlencode({"query": "SELECT ?s WHERE { ?s ?p ?l }\nLIMIT 10;"})), 400)
    assert (body["line"], body["column"]) == (2, 9) and body["detail"].startswith(SEMICOLON)
@pytest.mark.parametrize("update, word, column", [
    ("INSERT DATA { <x:a> <x:p> 1 } ; PREFIX ex: <http://ex/> INSERT DATA { ex:a ex:p 2 }", "PREFIX", 33),
    ("PREFIX ex: <http://ex/> INSERT DATA { ex:a ex:p 1 } ;\nBASE <http://ex/> DELETE DATA { <a> ex:p 1 }", "BASE", 1),
])
def test_a_declaration_between_operations_is_told_as_the_engine_refuses_it(update, word, column):
    """SPARQL 1.1 allows it and the embedded engine does not: it was "Expected CREATE, DELETE or INSERT here", past
    the keyword, as if the keyword were misspelt."""
    result = run_kg("update", "--store", "memory:", "-q", update)
    line = update.count("\n", 0, update.index(word)) + 1
    assert result.exit_code == 1 and result.stderr.startswith(
        f"error: line {line}, column {column}: The store's engine takes {word} only at the start of an update")
    assert first_fault("INSERT DATA { <x:a> <x:p> 'a ; PREFIX' } ; INSERT DATA { <x:a> <x:p> 1 }", set()) is None


TRIPLE_TERM = "A triple term <<( … )>> cannot be the subject of a triple: RDF 1.2 has triple terms only as objects"
LITERAL = "A literal cannot be the subject of a triple: a subject is an IRI or a blank node."


@pytest.mark.parametrize("update, said, line, column", [
    ("INSERT DATA { <<( <x:a> <x:b> <x:c> )>> <x:p> <x:o> }", TRIPLE_TERM, 1, 15),
    ("DELETE DATA { GRAPH <x:g> {\n <x:s> <x:p> 1 . <<( <x:a> <x:b> <x:c> )>> <x:p> 1 } }", TRIPLE_TERM, 2, 18),
    ("INSERT DATA { <x:s> <x:p> <<( <<( <x:a> <x:b> <x:c> )>> <x:b> <x:c> )>> }", TRIPLE_TERM, 1, 31),
    ("INSERT DATA { GRAPH <x:g> { <x:s> <x:p> 1 } 'a' <x:p> <x:o> }", LITERAL, 1, 45),
    ("INSERT DATA { <x:s> <x:p> 1 . true <x:p> <x:o> }", LITERAL, 1, 31),
    ("INSERT DATA { ?x <x:p> <x:o> }", "INSERT DATA takes no variables", 1, 15),  # a variable is told as one
])
def test_a_subject_a_data_block_cannot_hold_is_told_for_what_it_is(update, said, line, column):
    """A triple term as the subject of INSERT DATA was told "INSERT DATA takes no variables", past the triple."""
    result = run_kg("update", "--store", "memory:", "-q", update)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: line {line}, column {column}: {said}"), \
        result.stderr
    fine = "INSERT DATA { <x:s> <x:p> <<( <x:a> <x:b> 'c' )>> . << <x:a> <x:b> <x:c> >> <x:p> 1 ; <x:q> 'a' }"
    assert run_kg("update", "--store", "memory:", "-q", fine).exit_code == 0
