"""The lexical look at SPARQL text keeps the tokens and shapes of recent texts: each is lexed once per
request, and what a caller gets is its own."""

from kg.sparql_parts import base_iri, leading_base, query_dataset, service_clauses
from kg.sparql_text import CACHED_TEXT, scan

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
