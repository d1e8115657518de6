"""The lexical look at SPARQL text keeps the tokens and shapes of recent texts: each is lexed once per
request, and what a caller gets is its own."""

import time

from kg.sparql_parts import base_iri, leading_base, query_dataset, service_clauses
from kg.sparql_lexer import CACHED_TEXT, significant
from kg.sparql_text import scan

PREFIXES = {"ex": "http://example.org/"}


def test_a_shape_is_the_callers_own():
    text = "PREFIX a: <http://a.example/> SELECT * { SERVICE a:s { ?s ?p ?o } }"
    first = scan(text)
    first.prefixes["b"] = "http://b.example/"
    first.services.append("elsewhere")
    again = scan(text)
    assert again.prefixes == {"a": "http://a.example/"} and again.services == ["a:s"]


def test_a_long_text_reads_as_a_short_one():
    pattern = "SeRvIcE <http://s.example/sparql> { ?s ?p ?o }"
    short = f"BASE <http://b.example/> SELECT * FROM ex:g {{ {pattern} }}"
    long = short.replace("SELECT", "#" + "x" * CACHED_TEXT + "\nSELECT")
    for text in (short, long):
        assert scan(text).services == ["<http://s.example/sparql>"]
        assert [clause.target for clause in service_clauses(text)] == ["<http://s.example/sparql>"]
        assert query_dataset(text, PREFIXES) == (["http://example.org/g"], [])
        assert base_iri(text) == "http://b.example/"
        assert leading_base(text, None)[1] == "http://b.example/"


def test_keywords_in_comments_and_strings_do_not_count():
    text = 'SELECT * { ?s ?p "from service base" } # FROM <http://g.example/> SERVICE <http://s.example/>'
    assert query_dataset(text, PREFIXES) is None
    assert service_clauses(text) == [] and scan(text).services == []
    assert base_iri(text) is None and leading_base(text, "http://here.example/") == (text, "http://here.example/")


def _seconds(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def test_a_run_of_name_characters_is_lexed_in_linear_time():
    # A prefixed name was looked for from each word of a run of name characters and dots with no ':' after
    # it, each look reading to the run's end: 64 KiB of a.a.a… took 40 s to lex (1 MiB, hours), before the
    # engine (linear) saw it. Timed against as many one-character tokens, so that a loaded machine fails nothing.
    size = 1 << 16
    plain = _seconds(lambda: significant("( " * (size // 2)))
    for unit in ("a.", "é", "a-.", "a·"):
        assert _seconds(lambda: significant(unit * (size // len(unit)))) < 10 * plain + 0.5, unit
    assert [token[:2] for token in significant("a.b x:y a.é:z")] == [
        ("word", "a"), ("other", "."), ("word", "b"), ("pname", "x:y"), ("pname", "a.é:z")]
