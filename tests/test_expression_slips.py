"""Slips told for what they are: a ')' missing, a function glued from two, an operator written as another language
writes it, a variable without its '?'; a variable given a second value (a BIND to one in scope, SELECT naming one
twice or over its WHERE's), by name, where the second value is given, with where the first was."""

from __future__ import annotations

import re
import time
from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import problem
from kg.errors import QuerySyntaxError
from kg.query import QueryService
from kg.store.oxigraph import OxigraphStore
from kg.sparql_lexer import significant
from kg.syntax_faults import first_fault

MISSING = "A ')' is missing before this '}': the '(' after "
SLIPS = {
    # A function's brackets closed, FILTER's not: it was "Expected NOT or a name, number or other term here."
    'SELECT * WHERE { ?s ?p ?o FILTER(regex(?o, "x") }': (
        MISSING + "FILTER at line 1, column 33 is not closed.", 1, 49),
    'SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(?o, "x") }': (MISSING + "FILTER at line 1, column 33", 1, 52),
    'SELECT * WHERE { ?s ?p ?o FILTER(regex(?o, "x" }': (MISSING + "regex at line 1, column 39", 1, 48),
    'SELECT * WHERE {\n ?s ?p ?o\n FILTER(STR(?o) = "x"\n}': (MISSING + "FILTER at line 3, column 8", 4, 1),
    "SELECT * WHERE { ?s ?p ?o FILTER(EXISTS { ?s ?p ?o } }": (MISSING + "FILTER", 1, 54),
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = 1 { ?s ?p ?o } }": (
        "A ')' is missing before this '{': the '(' after FILTER", 1, 41),
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = 1": (
        "A ')' is missing at the end of the text: the '(' after FILTER at line 1, column 33", 1, 40),
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = 1)) }": ("This ')' closes no '('", 1, 41),
    # AS among a function's arguments: it was "Expected ENCODE_FOR_URI here." past it
    "SELECT (STR(?o AS ?x) WHERE { ?s ?p ?o }": ("A ')' is missing before AS: the '(' after STR at line 1, column 12",
                                                 1, 16),
    "SELECT * WHERE { ?s ?p ?o BIND(CONCAT(?o, 'x' AS ?x) }": (
        "A ')' is missing before AS: the '(' after CONCAT", 1, 47),
    # Other brackets too: these were "Expected … here." or "does not go on", past the fault
    "SELECT * WHERE { ?s ?p [ ?q ?r }": ("A ']' is missing before this '}': the '[' at line 1, column 24", 1, 32),
    "SELECT * WHERE { ?s ?p ?o FILTER(EXISTS { ?s ?p ?o ) }": (
        "A '}' is missing before this ')': the '{' after EXISTS at line 1, column 41", 1, 52),
    "SELECT * WHERE { ?s ?p ?o } }": ("This '}' closes no '{'", 1, 29),
    # The '(' is named where it is in the text as sent, not as written out (service:a as an IRI) for the engine.
    "PREFIX service: <http://x/>\nSELECT * { service:a service:b ?o FILTER(?o = 1 }": (
        MISSING + "FILTER at line 2, column 41", 2, 49),
    # An expression run into the next triple pattern: it was "An expression does not go on like this here", at ?o
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = 1 ?s ?p ?o }": (
        "A ')' is missing before ?s: the '(' after FILTER at line 1, column 33 is not closed.", 1, 41),
    'SELECT * WHERE { ?s ?p ?o FILTER(regex(?o, "x") ?s a ?c . }': (
        "A ')' is missing before ?s: the '(' after FILTER at line 1, column 33", 1, 49),
    "SELECT * WHERE { ?s ?p ?o FILTER(EXISTS { ?s ?p ?o } ?s ?p ?o }": (
        "A ')' is missing before ?s: the '(' after FILTER", 1, 54),
    'SELECT * WHERE {\n ?s ?p ?o FILTER(?o = "x"@en\n ?s ?p "y" }': (
        "A ')' is missing before ?s: the '(' after FILTER at line 2, column 17", 3, 2),
    "SELECT * WHERE { ?s ?p ?o BIND(?o AS ?x ?s ?p ?o }": (
        "A ')' is missing before ?s: the '(' after BIND at line 1, column 31", 1, 41),
    # After (expression AS ?name) comes its ')': it was 'Expected ")" here.'
    "SELECT (STR(?a) AS ?b ?c) WHERE { ?a ?p ?c }": (
        "A ')' is missing before ?c: the '(' after SELECT at line 1, column 8 is not closed.", 1, 23),
    "SELECT (STR(?a) AS ?b WHERE { ?a ?p ?c }": ("A ')' is missing before WHERE: the '(' after SELECT", 1, 23),
    # A function's name glued from two: it was "Expected ENCODE_FOR_URI here.", the words taken for two.
    'SELECT * WHERE { ?s ?p ?o FILTER(STRCONTAINS(?o, "x")) }': (
        "SPARQL has no keyword or function STRCONTAINS; did you mean CONTAINS or STRSTARTS?", 1, 34),
    "SELECT * WHERE { ?s ?p ?o FILTER(STRSTR(?o) = 'x') }": ("SPARQL has no keyword or function STRSTR", 1, 34),
    "SELECT * WHERE { ?s ?p ?o FILTER(LOWER(?o) = 'x') }": (
        "SPARQL has no keyword or function LOWER; did you mean LCASE?", 1, 34),
    # Operators as other languages write them: AND was "did you mean RAND?"
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = 1 AND ?s = 2) }": ("SPARQL writes 'and' as &&", 1, 41),
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = 1 or ?s = 2) }": ("SPARQL writes 'or' as ||", 1, 41),
    "SELECT * WHERE { ?s ?p ?o FILTER(NOT BOUND(?o)) }": ("NOT goes only before IN or EXISTS", 1, 34),
    # EXISTS misspelt after NOT: it was "NOT goes only before IN or EXISTS", at NOT
    "SELECT * WHERE { ?s ?p ?o FILTER NOT EXIST { ?s ?p 1 } }": (
        "SPARQL has no keyword or function EXIST; did you mean EXISTS?", 1, 38),
    "SELECT * WHERE { ?s ?p ?o FILTER(NOT foo(?o)) }": ("NOT goes only before IN or EXISTS", 1, 34),
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = 1 & ?s = 2) }": ("SPARQL writes 'and' as &&", 1, 41),
    # <> was told as a relative IRI with no BASE, == as an unfinished expression past it
    "SELECT * WHERE { ?s ?p ?o FILTER(?o <> 1) }": ("SPARQL writes 'not equal' as !=", 1, 37),
    "SELECT * WHERE { ?s ?p ?o FILTER(?o == 1) }": ("SPARQL compares with a single '='", 1, 37),
    # A variable without its '?': it was "SPARQL has no keyword or function s." and no more
    "SELECT s WHERE { ?s ?p ?o }": ("SPARQL has no keyword or function s; a variable is written with a '?': "
                                    "did you mean ?s?", 1, 8),
    "SELECT ?s WHERE { s ?p ?o }": ("SPARQL has no keyword or function s; a variable is written", 1, 19),
    "SELECT x WHERE { ?s ?p ?o }": ("SPARQL has no keyword or function x; if it names a variable, write ?x.", 1, 8),
    # A ',' missing between arguments: it was "Expected NOT here.", or "does not go on like this", past it
    'SELECT * WHERE { ?s ?p ?l FILTER(?l IN ("Mali" "Niger")) }': (
        "A ',' is missing before \"Niger\": the arguments of IN are separated by commas.", 1, 48),
    'SELECT * WHERE { ?s ?p ?l FILTER(regex(STR(?l) "x")) }': ("A ',' is missing before \"x\": the arguments of regex",
                                                               1, 48),
    # An expression of SELECT without its brackets: it was "AS and a name are missing before this ')'" at COUNT's own
    # ')' (where AS has no place), or "Expected DISTINCT or WHERE here."
    "SELECT COUNT(?s) WHERE { ?s ?p ?l }": (
        "An expression in SELECT goes in brackets, with AS and a name: SELECT (COUNT(…) AS ?name).", 1, 8),
    "SELECT DISTINCT\n  ?a + ?b WHERE { ?a ?p ?b }": ("An expression in SELECT goes in brackets, with AS and a name: "
                                                     "SELECT (?a + … AS ?name).", 2, 3),
    # SQL's words, told as SPARQL says the same: they were "did you mean TO?", "write ?LIKE", "write "NULL""
    'SELECT ?s { ?s ?p ?l FILTER(STR(?l) LIKE "Mal%") }': (
        'SPARQL has no keyword or function LIKE: match text with REGEX(?x, "^Mal") or with CONTAINS', 1, 37),
    "SELECT TOP 5 ?s { ?s ?p ?l }": (
        "SPARQL has no keyword or function TOP: put LIMIT 5 after the query's WHERE", 1, 8),
    "SELECT ?s { ?s ?p ?l FILTER(?l != NULL) }": (
        "SPARQL has no keyword or function NULL: a variable without a value is tested with !BOUND(?x).", 1, 35),
    "SELECT ?top { ?top ?p ?l } ORDER BY top": ("SPARQL has no keyword or function top; a variable is written with a "
                                               "'?': did you mean ?top?", 1, 37),
    # A word where a value goes, meant as a string or an IRI: it was "if it names a variable, write ?Mali." alone
    "SELECT ?s WHERE { ?s rdfs:label ?name FILTER(?name = Mali) }": (
        'SPARQL has no keyword or function Mali; if it is a text, write "Mali"; if it names a variable, ?Mali.', 1, 54),
    "SELECT ?s WHERE { ?s rdfs:label ?n FILTER(Mali != ?n || CONTAINS(?n, Niger)) }": (
        'SPARQL has no keyword or function Mali; if it is a text, write "Mali"', 1, 43),
    "SELECT ?s WHERE {\n ?s rdfs:label Mali }": (
        'SPARQL has no keyword or function Mali; if it is a text, write "Mali"; if it names a resource, an IRI (<…> '
        "or a prefixed name)", 2, 16),
    # A class: it was "did you mean COUNT?", a function, which only a '(' may follow
    "SELECT ?s WHERE { ?s a Country }": ("SPARQL has no keyword or function Country; after 'a' comes a class, named by "
                                         "an IRI", 1, 24),
    # An operand or a value missing before a ')' or AS: the engine placed it on the line after (4:13; helper-194)
    "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = )\n  ?a ?b ?c .\n}": ("An operand is missing after '='", 3, 15),
    "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o > 3 &&)\n  ?a ?b ?c .\n}": ("An operand is missing after '&&'", 3, 19),
    "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o >= )\n}": ("An operand is missing after '>='", 3, 16),
    "SELECT * WHERE {\n  ?s ?p ?o .\n  BIND(?o + AS ?x)\n  ?a ?b ?c .\n}": ("An operand is missing after '+': AS", 3, 13),
    "SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(REGEX(?o, ))\n  ?a ?b ?c .\n}": ("A value is missing after this ','", 3, 20),
    "SELECT * WHERE {\n  ?s ?p ?o FILTER(?o IN (1,))\n  ?a ?b ?c .\n}": ("A value is missing after this ','", 2, 28),
    # '!' negates one operand: it was told at the text's end, and an operator between two would be the wrong advice
    "SELECT * WHERE {\n  ?s ?p ?o\n  FILTER(?o && !)\n}": ("An operand is missing after '!': ) cannot follow it: '!' "
                                                          "negates what comes after it", 3, 17),
    "SELECT * WHERE { ?s ?p ?o FILTER(!) }": ("An operand is missing after '!'", 1, 35),
    "SELECT * WHERE { ?s ?p ?o FILTER(?o &&!) }": ("An operand is missing after '!'", 1, 40),  # helper-203
    "SELECT * WHERE { ?s ?p ?o FILTER(?o =!) }": ("An operand is missing after '!'", 1, 39),
    # VALUES' commas are told as such, not as a value missing (helper-197)
    "SELECT * WHERE { ?s ?p ?o } VALUES (?a ?b) { (1 ,) }": ("The values of VALUES are separated by spaces", 1, 49),
}

BIND = "BIND gives ?x a value where it already has one: ?x is bound before it in the same group, by "
TWICE = "SELECT names the same variable twice: ?x, first at line 1, column "
# Each was "The query does not go on like this here: …" at the text's end, or the engine's words there.
REBOUND = {
    "SELECT * WHERE { BIND(1 AS ?x) BIND(2 AS ?x) }": (BIND + "the BIND at line 1, column 18. Choose another name.",
                                                       1, 32),
    "SELECT * WHERE {\n  ?x ?p ?o\n  BIND(2 AS ?x)\n}": (BIND + "a triple pattern at line 2, column 3", 3, 3),
    "SELECT * WHERE { VALUES ?x { 1 } BIND(2 AS ?x) }": (BIND + "the VALUES at line 1, column 18", 1, 34),
    "SELECT * WHERE { VALUES (?y ?x) { (1 2) } BIND(2 AS ?x) }": (BIND + "the VALUES at line 1, column 18", 1, 43),
    "SELECT * { OPTIONAL { ?s ?p ?x } BIND(1 AS ?x) }": (BIND + "a triple pattern at line 1, column 29", 1, 34),
    "SELECT * { GRAPH ?x { ?s ?p ?o } BIND(1 AS ?x) }": (BIND + "the GRAPH at line 1, column 18", 1, 34),
    "SELECT * { [ ?p ?x ] BIND(1 AS ?x) }": (BIND + "a triple pattern at line 1, column 17", 1, 22),
    "SELECT * { { SELECT (1 AS ?x) {} } BIND(1 AS ?x) }": (BIND + "a subquery's SELECT at line 1, column 27", 1, 36),
    "SELECT (1 AS ?x) (2 AS ?x) WHERE {}": (TWICE + "14; give each variable", 1, 24),
    "SELECT ?x (1 AS ?x) WHERE {}": (TWICE + "8", 1, 17),
    "SELECT (1 AS ?x) ?x WHERE {}": (TWICE + "14", 1, 18),
    "SELECT (1 AS ?x) WHERE { { ?x ?p ?o } }": ("An (expression AS ?x) in SELECT reuses a name the query already binds "
                                                "(?x, by a triple pattern at line 1, column 28)", 1, 14),
}
GROUPED = "GROUP BY gives ?x a value where it already has one: ?x is bound in the WHERE, by "
# GROUP BY (expression AS ?x) where ?x is in scope (SPARQL 1.1 §18.2.1): the engine ran these, ?x taking GROUP BY's
# value or the SELECT's, but for GROUP BY naming ?x twice, told as "SELECT names a variable … neither grouped on".
REGROUPED = {
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?x } GROUP BY (STR(?s) AS ?x)": (
        GROUPED + "a triple pattern at line 1, column 39. Choose another name, or GROUP BY ?x.", 1, 65),
    "SELECT ?x WHERE {\n ?s ?p ?o OPTIONAL { BIND(1 AS ?x) }\n} GROUP BY (STR(?s) AS ?x)": (
        GROUPED + "the BIND at line 2, column 22", 3, 24),
    "SELECT * { { SELECT (COUNT(*) AS ?n) { ?s ?p ?x } GROUP BY ?s (STR(?s) AS ?x) } }": (GROUPED, 1, 75),
    "SELECT (SAMPLE(?o) AS ?x) WHERE { ?s ?p ?o } GROUP BY (?p AS ?x)": (
        "An (expression AS ?x) in SELECT reuses a name the query already binds (?x, by GROUP BY at line 1, column 62)",
        1, 23),
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY (?p AS ?x) (?s AS ?x)": (
        "GROUP BY gives ?x a value twice, first at line 1, column 60", 1, 71),
}
# A number ending in '.' where no triple pattern ends: it was "Expected LANGMATCHES or a name, number or other term
# here." or "Expected UNDEF here." past the '.'; now told at the number.
DECIMAL = "1. is no number: a decimal needs a digit after its point (1.0); a '.' after a number would end a triple "
UNFINISHED = {
    "SELECT * { ?s ?p ?a FILTER(?a = 1.) }": (DECIMAL + "pattern, and none ends inside ( … ).", 1, 33),
    "SELECT * { VALUES ?a { 1. } }": (DECIMAL + "pattern, and none ends in a VALUES block.", 1, 24),
    "SELECT * { ?s ?p ?o } VALUES (?a ?b) {\n (2 1.) }": (DECIMAL + "pattern, and none ends inside ( … ).", 2, 5),
    "SELECT * { VALUES () {\n () } ?s ?p ?o VALUES ?a { 1. } }": (DECIMAL, 2, 28),
    "SELECT * { BIND(1. AS ?x) }": (DECIMAL, 1, 17),
    "SELECT * { ?s ?p [ ?q 1. ] }": (DECIMAL + "pattern, and none ends inside [ … ].", 1, 23),
}
@pytest.fixture(scope="module")
def service():
    with OxigraphStore() as store:
        yield QueryService(store)


@pytest.mark.parametrize("query, expected", {**SLIPS, **REBOUND, **REGROUPED, **UNFINISHED}.items())
def test_a_slip_is_named_where_it_is(service, query, expected):
    told_where_it_is(service, query, expected)


def told_where_it_is(service, query: str, expected: tuple) -> None:
    """That `service` refuses `query` with a message starting as `expected` says, at its line and column."""
    said, line, column = expected
    error = service.syntax_fault(query)  # what query() raises, found without running it
    assert (error.message[:len(said)], error.line, error.column) == (said, line, column), error.message
    with pytest.raises(QuerySyntaxError, match=re.escape(said)):
        service.query(query)


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o FILTER(?o NOT IN (1, 2) && NOT EXISTS { ?s ?p 3 }) FILTER NOT EXISTS { ?s ?p 4 } }",
    # a path's modifiers and COUNT(*) before a ')'
    "SELECT (COUNT(*) AS ?n) (COUNT(DISTINCT *) AS ?m) WHERE { ?s (<http://x/p>+) ?o . ?s (<http://x/p>*) ?o . "
    "?s (<http://x/p>/<http://x/q>) ?o . ?s (<http://x/p>?) ?o }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o != 1 && ?o <= 2 || !(?o >= 0) && STRSTARTS(STR(?o), 'x')) }",
    "BASE <http://x/> SELECT * WHERE { ?s <> ?o . ?s ?p (<> 1) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), 'x') && ((?o = 1))) }",
    "SELECT * WHERE { ?s ?p ?o FILTER(isIRI(?s) && sameTerm(?s, ?s) && ?o IN (1, 2)) }",
    # a variable bound once in its group, or again where it is out of scope
    "SELECT * { ?s ?p ?o FILTER EXISTS { ?x ?p ?o } BIND(1 AS ?x) }",
    "SELECT * { ?s ?p ?o FILTER(?x) MINUS { ?x ?p ?o } BIND(1 AS ?x) }",
    "SELECT * { ?s ?p ?o . BIND(1 AS ?x) . ?x ?p ?o }",
    "SELECT * { { SELECT ?s { ?s ?p ?x } } BIND(1 AS ?x) }",
    "SELECT (1 AS ?x) (?x + 1 AS ?y) { ?s ?p ?o BIND(?o AS ?z) BIND(?z AS ?w) }",
    "SELECT * { BIND(1 AS ?x) VALUES ?x { 1 } ?s ?p ?o { BIND(1 AS ?s) } }",
    "SELECT * { ?s ?p ?o OPTIONAL { ?s ?q ?z BIND(1 AS ?o) } } VALUES ?x { 1 }",
    "SELECT (COUNT(?s) AS ?n) { ?s ?p ?o FILTER(?n) } GROUP BY ?p",
    "SELECT * { ?s ?p ?o FILTER <http://www.w3.org/2001/XMLSchema#boolean>(?x) BIND(1 AS ?x) }",
    # terms side by side within brackets, and expressions closed before a triple pattern
    "SELECT * { ?s ?p ?o FILTER(?o = <<( ?s ?p ?o )>> || ?o -1 = 2 || ?o IN (?s, ?p)) ?s ?p (?a ?b ?c) }",
    "SELECT * { ?s ?p ?o FILTER(EXISTS { ?s ?p ?o }) ?s ?p ?o FILTER(?o = 1) ?s ?p ?o BIND(1 AS ?x) ?s ?p ?o }",
    # words that are SPARQL's where a value goes
    "SELECT ?s WHERE { ?s a ?c FILTER(?s = ?c && true != false && ?c IN (<http://x/Mali>, 'Mali')) }",
    # variables grouped on, or in aggregates, by each SELECT of its own
    "SELECT ?s $m (COUNT(?o) AS ?n) (SAMPLE(?p) AS ?q) { ?s ?p ?o { SELECT ?m (MAX(?x) AS ?top) { ?m ?p ?x } "
    "GROUP BY ?m } } GROUP BY ?s ?m HAVING(COUNT(?o) > 0) ORDER BY DESC(?n)",
    # arguments and SELECT's expressions as they should be
    "SELECT DISTINCT * { ?s ?p ?l FILTER(?l IN ('a'@en, 1 - 2, -3, '1'^^<http://x/t>) && CONCAT(?l, STR(?s)) != '') }",
    "SELECT REDUCED ?s (STR(?s) AS ?t) (?t + 1 AS ?u) { ?s ?p ?l }",
    # each query's modifiers in order, VALUES inside a group being no modifier
    "SELECT ?s { ?s ?p ?l VALUES ?l { 1 } { SELECT ?s { ?s ?p ?l VALUES ?s { 2 } } GROUP BY ?s HAVING(true) "
    "ORDER BY ?s OFFSET 1 LIMIT 1 VALUES ?s { 1 } } } GROUP BY ?s ORDER BY ?s LIMIT 1 OFFSET 1 VALUES ?s { 2 }",
    # rows of VALUES as long as its variables are many, signs, tags and datatypes going on their values
    "SELECT ?s { ?s ?p ?l VALUES (?s ?l) { (-1 'a'@en) (UNDEF '1'^^<http://x/t>) (true +2) } } VALUES ?k { 1 2 }",
    # keys bare where they may be, in brackets where they must
    "SELECT ?s WHERE { ?s ?p ?l FILTER regex(?l, 'x') FILTER NOT EXISTS { ?s ?p 1 FILTER(?l) } } GROUP BY ?s ?l "
    "(?l AS ?x) STR(?s) HAVING(COUNT(?l) > 1) BOUND(?s) ORDER BY ASC(?s) STR(?l) DESC(COUNT(?l)) ?l LIMIT 1",
    # GROUP BY's names out of scope in the WHERE, or used (not given again) after it
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER EXISTS { ?s ?p ?x } MINUS { ?s ?p ?y } { SELECT ?s { ?s ?p ?z } } } "
    "GROUP BY (STR(?s) AS ?x) (?p AS ?y) (?o AS ?z)",
    "SELECT ?s (SAMPLE(?k) AS ?j) { ?s ?p ?o } GROUP BY ?s (STR(?o) AS ?k) (STR(?k) AS ?l) HAVING(?k != '') "
    "ORDER BY ?s",
    "SELECT * { ?x ?p ?o { SELECT (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY (STR(?s) AS ?x) } } VALUES ?k { 1 }",
    "SELECT (COUNT(*) AS ?n) { { SELECT (1 AS ?y) { ?s ?p ?o } GROUP BY (?s AS ?k) } } GROUP BY (STR(?y) AS ?x)",
    # a subquery's names sealed in EXISTS or MINUS (they were taken as bound in the WHERE, and the query refused)
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o FILTER EXISTS { SELECT ?x { ?x ?p ?o } } MINUS { SELECT (1 AS ?y) {} } "
    "FILTER NOT EXISTS { SELECT * { BIND(1 AS ?z) } } } GROUP BY (STR(?s) AS ?x) (?p AS ?y) (?o AS ?z)",
    # a number before the '.' that ends its triple pattern, and decimals written whole
    "SELECT * { ?s ?p 1. ?s ?p ?o FILTER(?o IN (1.0, .5, 1.e5)) FILTER EXISTS { ?s ?p 2.} } VALUES ?o { 1.0 }",
    # a subquery's keys, sort and HAVING read variables and bind none
    "SELECT (COUNT(*) AS ?n) { { SELECT * { ?s ?p ?o } ORDER BY ?x LIMIT 1 } { SELECT ?s { ?s ?p ?o } GROUP BY ?s "
    "?y HAVING(true) ORDER BY ?z } } GROUP BY (STR(?s) AS ?x) (?p AS ?y) (?o AS ?z)",
])
def test_what_looks_like_such_a_slip_but_is_not_runs(service, query):
    service.query(query)
    assert first_fault(query, set()) is None


def test_over_http_a_group_key_over_a_bound_variable_is_placed(shared):
    query = "SELECT (COUNT(*) AS ?n) WHERE {\n ?s ?p ?x\n}\nGROUP BY (STR(?s) AS ?x)"
    body = problem(shared.get("/sparql?" + urlencode({"query": query})), 400)
    assert (body["line"], body["column"]) == (4, 22)
    assert body["detail"].startswith(GROUPED + "a triple pattern at line 2, column 8.")


@pytest.mark.parametrize("query, place, before", [
    ('SELECT * WHERE { ?s ?p ?o\n FILTER(regex(?o, "x")\n}', (3, 1), "this '}'"),
    ("SELECT * WHERE { ?s ?p ?o\n FILTER(?o = 1\n ?s ?p ?o }", (3, 2), "?s"),
])
def test_over_http_the_missing_bracket_is_placed(shared, query, place, before):
    body = problem(shared.get("/sparql?" + urlencode({"query": query})), 400)
    assert (body["line"], body["column"]) == place
    assert body["detail"] == (f"A ')' is missing before {before}: the '(' after FILTER at line 2, column 8 is not "
                              "closed.")


@pytest.mark.parametrize("text", [
    # a VALUES read its variables from a copy of the rest of the text: quadratic time
    "BASE <http://x/> SELECT * { " + "?s <> ?o . VALUES ?x { 1 } " * 8000 + "FILTER(?o = 1 }",
    # the variables of a group were copied into each group around it
    "SELECT * { " + "{ " * 8000 + " ".join(f"?a{i} ?b ?c ." for i in range(8000)) + " }" * 8000 + " BIND(1 AS ?a7) }",
    # each token of an expression is looked at for a triple pattern run into it
    "SELECT * { " + "?s ?p ?o FILTER(?o = 1 && regex(STR(?o), 'x')) BIND(?o AS ?x) " * 8000
    + "FILTER(?o = 1 ?s ?p ?o }",
    # each FILTER's expression is skipped over once, bracket by bracket
    "SELECT * { " + "?s ?p ?o FILTER regex(STR(?o), 'x') FILTER NOT EXISTS { ?s ?p (1) } " * 8000 + "FILTER ?o = 1 }",
    # each group's modifiers are kept while it is open, and dropped once it closes
    "SELECT ?s { " + "{ SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 1 } " * 8000 + "} LIMIT 1 ORDER BY ?s",
    # each VALUES block is read once
    "SELECT ?s { " + "?s ?p ?o VALUES (?s ?o) { (1 2) (3 4) } " * 8000 + "VALUES ?s { 1, 2 } }",
    # each SELECT's variables are read against its own GROUP BY
    "SELECT ?s (COUNT(*) AS ?n) { " + "{ SELECT ?s (MAX(?o) AS ?m) { ?s ?p ?o } GROUP BY ?s } " * 4000
    + "} GROUP BY ?p",
    # each subquery's GROUP BY keys are read against its own WHERE
    "SELECT * { " + "{ SELECT (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY (STR(?s) AS ?k) } " * 4000
    + "} GROUP BY (1 AS ?n)",
])
def test_brackets_and_bindings_are_read_in_linear_time(text):
    # Timed against lexing the same text (first_fault lexes it too), so that a loaded machine fails nothing.
    started = time.perf_counter()
    significant(text)
    lexed = time.perf_counter() - started
    assert first_fault(text, set()) is not None
    assert time.perf_counter() - started < 10 * lexed + 0.5
