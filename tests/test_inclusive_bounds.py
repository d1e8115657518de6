"""kg.store.inclusive_bounds: `A <= B` sent as `!(A > B)` and `A >= B` as `!(A < B)` to an engine whose inclusive
bounds drop rows (Virtuoso), each operand whole however it is written, and the text's lines kept."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.store.inclusive_bounds import strict_bounds

REWRITTEN = {
    "SELECT * { ?s ?p ?d FILTER (?d <= 3) }": "SELECT * { ?s ?p ?d FILTER (!(?d >  3)) }",
    "SELECT * { FILTER (f(?a, ?b) <= ?c || STRLEN(STR(?x)) >= MAX(1, 2)) }":
        "SELECT * { FILTER (!(f(?a, ?b) >  ?c) || !(STRLEN(STR(?x)) <  MAX(1, 2))) }",
    "SELECT (?a + 1 <= ?b * 2 AS ?x) WHERE {} GROUP BY ?a HAVING (COUNT(*) >= 3)":
        "SELECT (!(?a + 1 >  ?b * 2) AS ?x) WHERE {} GROUP BY ?a HAVING (!(COUNT(*) <  3))",
    "SELECT * { FILTER (?a IN (1, 2) && -?b <= (?c)) }": "SELECT * { FILTER (?a IN (1, 2) && !(-?b >  (?c))) }",
    "SELECT * { FILTER (IF(?a <= 1, ?b, 2) = 1) }": "SELECT * { FILTER (IF(!(?a >  1), ?b, 2) = 1) }",
    "SELECT * {\n  ?s ?p ?d\n  FILTER (?d <= ?asOf)\n}": "SELECT * {\n  ?s ?p ?d\n  FILTER (!(?d >  ?asOf))\n}",
}
UNCHANGED = [
    'SELECT * { ?s ?p "a <= b" FILTER (?x < 3 && ?y > 2 && ?z != 1) }',  # no inclusive operator outside a string
    "SELECT * { FILTER (?a<=?b&&?c>?d) }",  # read as an IRI <=?b&&?c> by SPARQL's tokens: the engine's to judge
    "SELECT * { FILTER (<= 3) }",  # no operand: left for the parser's error
]


@pytest.mark.parametrize("written, sent", REWRITTEN.items())
def test_an_inclusive_comparison_is_sent_as_a_negated_strict_one(written, sent):
    assert strict_bounds(written) == sent and sent.count("\n") == written.count("\n")


@pytest.mark.parametrize("text", UNCHANGED)
def test_text_without_an_operand_pair_is_left_as_written(text):
    assert strict_bounds(text) == text


@pytest.mark.parametrize("bound", ['"2025-12-31"^^xsd:date', '"2026-01-01"^^xsd:date', "2", "2.5", '"b"', "true"])
def test_the_rewrite_answers_as_the_comparison_does(bound):
    """Over dates, numbers, strings and booleans, and values of other kinds (errors): the same rows."""
    store = ox.Store()
    store.update('PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> INSERT DATA { '
                 + " ".join(f"<http://ex/s{n}> <http://ex/v> {value} ." for n, value in enumerate(
                     ['"2025-12-31"^^xsd:date', '"2026-01-01"^^xsd:date', "1", "2", "3.0", '"a"', '"b"', '"c"@en',
                      "true", "false", "<http://ex/o>"])) + " }")
    for operator in ("<=", ">="):
        for query in (f"SELECT ?s {{ ?s <http://ex/v> ?v FILTER (?v {operator} {bound}) }}",
                      f"SELECT ?s {{ ?s <http://ex/v> ?v FILTER ({bound} {operator} ?v) }}"):
            query = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> " + query
            assert {row[0] for row in store.query(strict_bounds(query))} == {row[0] for row in store.query(query)}
