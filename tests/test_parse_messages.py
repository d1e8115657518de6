"""Parse errors read as sentences (kg/parse_messages.py), with their position, in the console and over HTTP."""

from __future__ import annotations

import ast
import importlib.util
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import problem
from kg.errors import QuerySyntaxError
from kg.namespaces import PREFIXES
from kg.parse_messages import sentence
from kg.query import Policy, QueryService
from kg.rebound_variables import regrouped
from kg.sparql_lexer import significant
from kg.store.oxigraph import OxigraphStore
from kg import triple_faults
from kg.syntax_faults import first_fault

CASES = {
    "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999999":
        "LIMIT takes a whole number from 0 to 18446744073709551615.",
    "SELECT * WHERE { ?s ?p ?o } OFFSET 99999999999999999999999":
        "OFFSET takes a whole number from 0 to 18446744073709551615.",
    "SELECT ?x WHERE { ?s ?p ?o } GROUP BY ?s": "SELECT names ?x, which is neither grouped on",
    "SELECT (COUNT(*) AS ?n) ?s WHERE { ?s ?p ?o }": "SELECT names ?s, which is neither grouped on",
    "SELECT ?s ?s WHERE { ?s ?p ?o }": "SELECT names the same variable twice: ?s, first at line 1, column 8",
    "SELECT * WHERE { ?s ?p ?o } GROUP BY ?s": "SELECT * cannot be used with GROUP BY",
    "SELECT * WHERE { ?s <http://a b> ?o }": "An IRI cannot hold a space, as <http://a b> does",
    "SELECT * WHERE { ?s ?p 'a\\q' }": "In a string, a backslash may only escape",
    'SELECT * WHERE { ?s ?p "unclosed }': 'The string opened with " at line 1, column 24 is never closed',
    # It was told as an undeclared prefix http:, the engine's 'Expected ">"' being generic.
    "SELECT * WHERE { ?s ?p <http://x/unclosed }": "An IRI is not closed",
    "SELECT * WHERE { ?s ?p ?o . BIND(1 AS 2) }": "Expected a variable or NOT here.",
    # It was 'Expected ",", ".", ";", "{", "}" or a name, number or other term here.'
    "SELECT * WHERE { ?s ?p ?o": "A '}' is missing at the end of the text: the '{' after WHERE at line 1, column 16",
    "SELECT * WHERE { ?s nope:p ?o }": "The prefix nope: is not declared",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o) ?x }": "Expected BIND or a name, number or other term here.",
    "SELECT * WHERE { FILTR(?s) }": "SPARQL has no keyword or function FILTR; did you mean FILTER?",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = ) }": "An operand is missing after '='",
    "SELECT * WHERE { FILTER(?s }": "A ')' is missing before this '}': the '(' after FILTER at line 1, column 24",
}


@pytest.fixture(scope="module")
def service():
    with OxigraphStore() as store:
        yield QueryService(store)


@pytest.mark.parametrize("query, start", CASES.items())
def test_parse_errors_read_as_sentences(service, query, start):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query(query)
    message = raised.value.message
    assert message.startswith(start)
    assert message[0].isupper() and message.endswith((".", ")", "?")), message
    assert "expected one of" not in message and "expected The" not in message and "['" not in message
    assert raised.value.line == 1 and raised.value.column


@pytest.mark.parametrize("message, expected", [
    # A sample of the functions an expression may start with, not all that may come there (a ')' is missing)
    ("expected one of ABS, AVG, DAY, IRI, MAX, MD5, MIN, NOT, NOW, PREDICATE, STR, [_], isLITERAL",
     "An expression is unfinished here: an operand (a variable, a value, an IRI, or a function call such as STR "
     "or COUNT), an operator or a ')' is missing."),
    # The last alternative of a group the engine tried: it was "Expected OPTIONAL here." for a missing '.'
    ("expected OPTIONAL", "The group of patterns does not go on like this here: a term of a triple pattern, a '.' "
     "between patterns, a '}' or a keyword (FILTER, OPTIONAL, BIND, MINUS, UNION, VALUES, GRAPH, SERVICE) is "
     "missing or misspelt."),
    ("expected one of NOT, OPTIONAL", "Expected NOT or OPTIONAL here."),  # a short list stays the engine's
    ("expected [_]", "The query does not go on like this here: something before this point is unfinished or misspelt."),
    ("expected one of Some new reason of the engine, [_]", "Some new reason of the engine."),
    ("SPARQL compiler, line 3: syntax error", "SPARQL compiler, line 3: syntax error"),  # another engine's words
    ('expected ">>"', 'Expected ">>" here.'),  # only tokens named nowhere else (it raised IndexError: a 500)
])
def test_sentences_from_the_engines_words(message, expected):
    assert sentence(message) == expected


def test_over_http_the_problem_detail_is_the_sentence(shared):
    query = "SELECT * WHERE { ?s ?p ?o }\nLIMIT 99999999999999999999999"
    body = problem(shared.get("/sparql?" + urlencode({"query": query})), 400)
    assert (body["detail"], body["line"]) == (CASES[query.replace("\n", " ")], 2) and body["column"]


# Slips the engine placed where its parser gave up (the end of the pattern or the text, mostly; for most undeclared
# prefixes it said "expected OPTIONAL"): the message's start, and the line and column of the slip.
SLIPS = {
    "PREFIX x: <http://x/>\nSELECT * WHERE {\n  ?s y:p ?o\n}": ("The prefix y: is not declared", 3, 6),
    "SELECT * WHERE { y:s ?p ?o . ?a ?b ?c }": ("The prefix y: is not declared", 1, 18),
    "SELECT * WHERE { ?s ?p ?o FILTER(?o = y:a) }": ("The prefix y: is not declared", 1, 39),
    "SELECT * WHERE { ?s ?p ?o }\nORDER BY y:f(?o)": ("The prefix y: is not declared", 2, 10),
    "SELECT * WHERE { ?s a :Thing }": ("The prefix : is not declared", 1, 23),
    "SELECT * WHERE { ?s rdsf:label ?o }": ("The prefix rdsf: is not declared: declare it with PREFIX rdsf: <…> "
                                            "(did you mean rdfs:?).", 1, 21),  # not all 23 known ones
    "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?s ORDER ?s": ("ORDER must be followed by BY", 1, 42),
    "SELECT ?s WHERE { ?s ?p ?o }\nGROUP ?s": ("GROUP must be followed by BY", 2, 1),
    "SELECT ?s WHERE { ?s ?p ?o } ORDER BYY ?s": ("SPARQL has no keyword or function BYY; did you mean BY?", 1, 36),
    "ASK { ?s A ?o }": ("A is written in lower case: a.", 1, 10),
    "ASK { ?s ?p ?o FILTER(?o = TRUE) }": ("TRUE is written in lower case: true.", 1, 28),
    "SELECT ?s, ?p WHERE { ?s ?p ?o }": ("The variables and expressions of SELECT are separated by spaces", 1, 10),
    "SELECT ?s WHERE { ?s ?p ?o } LIMT 5": ("SPARQL has no keyword or function LIMT; did you mean LIMIT?", 1, 30),
    "SELECT ?s WHERE {\n  ?s ?p ?o . FILTR(?o) }": ("SPARQL has no keyword or function FILTR; did you mean FILTER?", 2, 14),
    "SELECT ?s WHERE { ?s ?p ?o FILTER(blah(?o)) }": ("SPARQL has no keyword or function blah.", 1, 35),
    # These were told as words SPARQL does not have (ex, e, x): a colon missing, numbers cut short.
    "PREFIX ex <http://x/>\nSELECT * WHERE { ?s ?p ?o }": ("The name of a prefix ends with a colon: PREFIX ex:", 1, 8),
    "SELECT * WHERE { ?s ?p ?o FILTER(?o > 1e) }": ("1e is not a number", 1, 39),
    "SELECT * WHERE { ?s ?p ?o } LIMIT 10x": ("10x is not a number", 1, 35),
    # These were told at the end of the pattern ("does not go on like this") or as "Expected DISTINCT".
    "SELECT * WHERE {\n  ?s a ?c\n  ?s ?p ?o .\n}": ("The triple pattern before this has no '.' after it", 3, 3),
    "SELECT * WHERE { ?s ?p ?o ?x ?y ?z }": ("The triple pattern before this has no '.'", 1, 27),
    'ASK { ?s <http://x/p>/^<http://x/q> "1"^^<http://x/t> ; a ?c , ?d OPTIONAL { ?s ?p ?o ?x } }':
        ("The triple pattern before this has no '.'", 1, 87),
    # Told as a word SPARQL lacks (x), or as what may follow (HAVING, OPTIONAL... after LIMIT), or not at all.
    'SELECT * WHERE {\n FILTER(?o = "x)\n}': ('The string opened with " at line 2, column 14 is never closed: its '
                                            'closing " is missing before the end of its line', 2, 14),
    # A relative IRI with no BASE was told as "This is not a valid IRI (no spaces, ...)", after the IRI.
    "SELECT * WHERE { ?s ?p <rel> }": ("<rel> is a relative IRI (it has no scheme, such as http:), and the query has "
                                       "no BASE to resolve it against", 1, 24),
    "SELECT * FROM <graphs/g> WHERE { ?s ?p ?o }": ("<graphs/g> is a relative IRI", 1, 15),
    "PREFIX ex: <ns/>\nSELECT * WHERE { ?s ex:p ?o }": ("<ns/> is a relative IRI", 1, 12),
    # A long string may span lines: it was told as "not closed before the end of its line", at the text's end.
    'SELECT * WHERE {\n ?s ?p """abc\n}': ('The long string opened with """ at line 2, column 8 is never closed: it '
                                          'ends at the next """, and none comes before the end of the text.', 2, 8),
    "SELECT * WHERE {\r\n ?s ?p '''abc\r\n\r\n}": ("The long string opened with ''' at line 2, column 8 is never "
                                                 "closed", 2, 8),
    'SELECT * WHERE {\n ?s ?p ?o FILTER(?o = """a\nb\n)\n}': ('The long string opened with """ at line 2, column 23',
                                                           2, 23),
    "SELECT * WHERE { ?s ?p ?o } LIMIT -1": ("LIMIT takes a whole number from 0, as LIMIT 10.", 1, 35),
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1.5": ("LIMIT takes a whole number from 0", 1, 35),
    "SELECT * WHERE { ?s ?p ?o } OFFSET x": ("OFFSET takes a whole number from 0, as OFFSET 10.", 1, 36),
    "SELECT * WHERE { ?s ?p ?o } LIMIT": ("LIMIT takes a whole number from 0", 1, 34),
    # Negated property sets: told at the group's end, "does not go on like this".
    "SELECT * WHERE { ?s !a ?o ?x ?y ?z }": ("The triple pattern before this has no '.'", 1, 27),
    "SELECT * WHERE { ?s !(a|^<http://x/p>) ?o ?x ?y ?z }": ("The triple pattern before this has no '.'", 1, 43),
    "SELECT * WHERE { ?s a/!<http://x/p> ?o ?x ?y ?z }": ("The triple pattern before this has no '.'", 1, 40),
    # SPARQL 1.2's triple terms, reifiers and annotations: told at the group's end, "does not go on like this".
    "SELECT * WHERE { << ?a ?b ?c >> ?p ?o ?x ?y ?z }": ("The triple pattern before this has no '.'", 1, 39),
    "SELECT * WHERE { ?s ?p <<( ?a ?b <<( ?c ?d ?e )>> )>> ?x ?y ?z }":
        ("The triple pattern before this has no '.'", 1, 55),
    "SELECT * WHERE { ?s ?p ?o ~ ?r ?x ?y ?z }": ("The triple pattern before this has no '.'", 1, 32),
    "SELECT * WHERE { ?s ?p ?o ~ ?x ?y ?z }": ("The triple pattern before this has no '.'", 1, 32),
    "SELECT * WHERE { ?s ?p ?o ~ [] ?x ?y ?z }": ("The triple pattern before this has no '.'", 1, 32),
    # A literal after '~' was told as a '.' missing before it.
    "SELECT * WHERE { ?s ?p ?o ~ 'r' }": ("A reifier (after '~') is a variable, an IRI or a blank node", 1, 29),
    "SELECT * WHERE { ?s ?p ?o ~ 1 . ?x ?y ?z }": ("A reifier (after '~') is a variable, an IRI or a blank node", 1, 29),
    "SELECT * WHERE { ?s ?p ?o ~ true }": ("A reifier (after '~') is a variable, an IRI or a blank node", 1, 29),
    "SELECT * WHERE { ?s ?p ?o {| ?a ?b |} ?x ?y ?z }": ("The triple pattern before this has no '.'", 1, 39),
    "SELECT * WHERE { ?x ?y ?z << ?a ?b ?c >> ?p ?o }": ("The triple pattern before this has no '.'", 1, 27),
    "SELECT * WHERE {\n  ?s a ?c .\n  ?s ?p\n}": ("The triple pattern before this is unfinished", 4, 1),
    "SELECT * WHERE { ?s ?p ?o ; <http://x/q> . }": ("The triple pattern before this is unfinished", 1, 42),
    "SELECT (COUNT(?s) ?n) WHERE { ?s ?p ?o }": ("AS is missing before ?n: SELECT (expression AS ?n).", 1, 19),
    "SELECT (?a + ?b) WHERE {}": ("AS and a name are missing before this ')'", 1, 16),
    "SELECT ( ?a ] WHERE {}": ("A ')' is missing before this ']': the '(' after SELECT at line 1, column 8", 1, 13),
    # It was told as "AS is missing before ?c", the AS being there, then as 'Expected ")" here.'
    "SELECT (STR(?a) AS ?b ?c) WHERE {}": ("A ')' is missing before ?c: the '(' after SELECT at line 1, column 8",
                                           1, 23),
    # A string's bad escape was told where the engine gave up, as "Expected ENCODE_FOR_URI" or "does not go on".
    'SELECT ?x WHERE { BIND("a\\q" AS ?x) }': ("\\q is no escape", 1, 26),
    'SELECT ?x WHERE { BIND("\\ud800" AS ?x) }': ("\\ud800 is half of a UTF-16 pair", 1, 25),
    "SELECT ?x WHERE {\n  BIND('''\\U00110000''' AS ?x) }": ("\\U00110000 is past \\U0010FFFF", 2, 11),
    'SELECT ?x WHERE { BIND("\\u12" AS ?x) }': ("\\u takes four hexadecimal digits", 1, 25),
    'SELECT ?x WHERE { BIND(<http://a/\\ud800> AS ?x) }': ("\\ud800 is half of a UTF-16 pair", 1, 34),
}


def test_an_unclosed_long_string_over_http_is_told_where_it_opens(shared):
    body = problem(shared.get("/sparql?" + urlencode({"query": 'ASK {\n ?s ?p """x\n}'})), 400)
    assert (body["line"], body["column"]) == (2, 8) and "before the end of the text" in body["detail"]


@pytest.mark.parametrize("query, expected", SLIPS.items())
def test_a_slip_is_named_where_it_is(service, query, expected):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query(query)
    start, line, column = expected
    assert raised.value.message.startswith(start)
    assert (raised.value.line, raised.value.column) == (line, column)


@pytest.mark.parametrize("query", ["SELECT (CONCAT(?s, ?p) AS ?x) WHERE { ?s ?p ?o, ?o2 } LIMIT 1",
                                   "SELECT ?s WHERE { ?s ?p ?o FILTER(lcase(?o) = 'x') } ORDER BY DESC(?s) LIMIT 3",
                                   "SELECT ?s WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?s LIMIT 1",
                                   "SELECT ?s WHERE { ?s a ?c } LIMIT 1",
                                   "SELECT * WHERE { BIND(1AS ?x) } LIMIT 10OFFSET 0",
                                   "SELECT * WHERE { ?s ^<http://x/p>/<http://x/q>* 'x'@en , 1 ; a ?c . "
                                   "VALUES ?x { <http://a> <http://b> } ?s ?p ?o FILTER(?o) ?s ?p ?o } LIMIT 1",
                                   "SELECT * WHERE { [ ?p ?o ] . [] ?p [ ?q ( 1 [] ) ] ; (<http://p>|^<http://q>)+ ?o ;"
                                   " ^<http://p> ?x ; . (1 2) . ?s ?p -1 , +2 , 'x'@en-GB , '1'^^<http://t> ;"
                                   " <http://p>/<http://q>? ?z } LIMIT 1",
                                   "PREFIX x: <http://x/> SELECT * WHERE { ?s x:p ?o ; ; x:q [ x:r 1 ; x:s (2 3) ] . "
                                   "OPTIONAL { ?s ?p ?o } ?s ?p ?o MINUS { ?a ?b ?c } } LIMIT 1",
                                   "SELECT * WHERE { ?s !a ?o ; !(a|^a) ?p , ?q ; a/!a ?r FILTER(!BOUND(?r)) } LIMIT 1",
                                   "SELECT * WHERE { ?s ?p ?o ~ ?r {| ?a ?b |} . << ?a ?b ?c ~ ?r >> . "
                                   "<< ?a ?b ?c >> ?p <<( ?s ?p <<( ?a ?b ?c )>> )>> . "
                                   "?s ?p ?o ~ {| ?q 1 |} , 2 ; ?p2 3 } LIMIT 1"])
def test_what_looks_like_a_slip_but_is_not_runs(service, query):
    service.query(query)
    assert first_fault(query, {"x"}) is None


def valid_queries() -> list[str]:
    """Every SPARQL text the project has that the engine takes (the built-in prefixes declared) and the project
    does not refuse before it runs (kg.rebound_variables.regrouped): the example queries, the benchmark's mix, and
    the queries and updates written in the tests."""
    root = Path(__file__).parent.parent
    spec = importlib.util.spec_from_file_location("mix", root / "benchmarks" / "mix.py")
    mix = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mix)
    texts = {path.read_text(encoding="utf-8") for path in (root / "ontology" / "queries").rglob("*.rq")}
    texts |= set(mix.queries(1_000_000).values())
    for path in (root / "tests").glob("*.py"):
        texts |= {node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and "{" in node.value
                  and re.search(r"(?i)\b(SELECT|ASK|CONSTRUCT|DESCRIBE|INSERT|DELETE)\b", node.value)}
    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    return [text for text in sorted(texts)
            if not re.search(r"(?i)\b(SERVICE|LOAD)\b", text) and _taken(prologue + text)
            and regrouped(significant(text), text) is None]


def _taken(text: str) -> bool:
    """Whether the engine parses `text` (run on an empty store: it must not hold SERVICE or LOAD, which reach out)."""
    try:
        ox.Store().query(text)
    except UnicodeError:  # a test's lone surrogate: no text at all
        return False
    except SyntaxError:
        try:
            ox.Store().update(text)
        except SyntaxError:
            return False
    return True


def test_no_slip_is_found_in_any_valid_query_the_project_has():
    texts = valid_queries()
    assert len(texts) > 300
    for text in texts:
        declared = set(PREFIXES) | set(re.findall(r"(?i)PREFIX\s+([\w-]*):", text))
        assert first_fault(text, declared) is None, text


def test_an_error_before_the_undeclared_prefix_is_told_first(service):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query("SELECT * WHERE { ?s ?p ?o ?s ?p ?o }\nORDER BY y:f(?o)")
    assert raised.value.message.startswith("The triple pattern before this has no '.'")
    assert (raised.value.line, raised.value.column) == (1, 27)


@pytest.mark.parametrize("text, start, place", [
    ("INSERT DATA {\n  <http://a> y:p 1 }", "The prefix y: is not declared", (2, 14)),
    ('INSERT DATA {\n  <http://x/s> <http://x/p> """a\n\n}',
     'The long string opened with """ at line 2, column 29 is never closed', (2, 29)),
    ('INSERT DATA { <http://x/s> <http://x/p> "\\uDC00" }', "\\uDC00 is half of a UTF-16 pair", (1, 42))])
def test_an_updates_slip_is_named_where_it_is(text, start, place):
    with OxigraphStore() as store, pytest.raises(QuerySyntaxError) as raised:
        QueryService(store, policy=Policy(allow_update=True)).update(text)
    assert raised.value.message.startswith(start)
    assert (raised.value.line, raised.value.column) == place


def test_over_http_an_undeclared_prefix_has_its_position(shared):
    body = problem(shared.get("/sparql?" + urlencode({"query": "SELECT * WHERE {\n  ?s y:p ?o\n}"})), 400)
    assert body["detail"].startswith("The prefix y: is not declared") and (body["line"], body["column"]) == (2, 6)


def test_with_bindings_a_slip_is_placed_in_the_users_text(service):
    # The slip was looked for in the text with the VALUES block added, so its column was past the engine's
    # (mapped back to the user's text) and the engine's "expected OPTIONAL" was told instead.
    with pytest.raises(QuerySyntaxError) as raised:
        service.query("SELECT * WHERE { ?s ?p ?o . FILTR(?o) }", bindings={"s": "a long string value"})
    assert raised.value.message.startswith("SPARQL has no keyword or function FILTR")
    assert (raised.value.line, raised.value.column) == (1, 29)


# Bits of valid SPARQL the lexer took apart into a word, told as unknown in place of the real fault further on.
@pytest.mark.parametrize("query, start", [
    ('SELECT * WHERE { ?s ?p "x"@en--ltr . ?s ?p ?o ?o }', "The triple pattern before this has no '.'"),  # was: ltr
])
def test_a_valid_word_hides_no_later_fault(service, query, start):
    with pytest.raises(QuerySyntaxError) as raised:
        service.query(query)
    assert raised.value.message.startswith(start)


def test_a_long_text_is_looked_at_in_linear_time():
    # At each ']' in SELECT's brackets an AS was looked for back to the '(': 64 KiB of "( 1 1 … AS ] ] …" took
    # 35 s. Timed against lexing the same text (first_fault lexes it too), so that a loaded machine fails nothing.
    text = "SELECT ( " + "1 " * (1 << 14) + "AS " + "] " * (1 << 14) + ") WHERE {}"
    started = time.perf_counter()
    significant(text)
    lexed = time.perf_counter() - started
    first_fault(text, set())
    assert time.perf_counter() - started < 10 * lexed + 0.5


def test_unclosed_triple_terms_are_read_once(monkeypatch):
    """Each '<<' never closed was looked past to the text's end, from every pattern: 90 of them before a long
    VALUES block (within the policy's bounds) took 16 s; the rest of the text is no more told once one is.
    Counted in steps (pairs of tokens looked at), not seconds: the old reading took about 90 times the tokens."""
    text = "SELECT * WHERE { " + "<< . " * 90 + "} VALUES ?x { " + "1 " * 10_000 + "}"
    looked = []
    pair = triple_faults._pair
    monkeypatch.setattr(triple_faults, "_pair", lambda *args: looked.append(1) or pair(*args))
    assert first_fault(text, set()) is None
    assert len(looked) < 4 * len(significant(text))

