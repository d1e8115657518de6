"""kg.store.inclusive_bounds: on an engine whose inclusive bounds over dates drop rows (Virtuoso), `A <= B` with a
date in it is sent as `!(A > B)` and `A >= B` as `!(A < B)`, each operand whole however it is written, the text's
lines kept; a comparison without a date is left as written (Virtuoso's per-row `>` of strings is the wrong one)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.store.inclusive_bounds import strict_bounds

D = '"2026-01-01"^^xsd:date'
REWRITTEN = {
    f"SELECT * {{ ?s ?p ?d FILTER (?d <= {D}) }}": f"SELECT * {{ ?s ?p ?d FILTER (!(?d >  {D})) }}",
    f"SELECT * {{ FILTER (f(?a, ?b) <= {D} || STRLEN(STR(?x)) >= MAX(1, 2)) }}":
        f"SELECT * {{ FILTER (!(f(?a, ?b) >  {D}) || STRLEN(STR(?x)) >= MAX(1, 2)) }}",
    "SELECT (?a + 1 <= NOW() AS ?x) WHERE {} GROUP BY ?a HAVING (xsd:dateTime(MAX(?a)) >= ?b)":
        "SELECT (!(?a + 1 >  NOW()) AS ?x) WHERE {} GROUP BY ?a HAVING (!(xsd:dateTime(MAX(?a)) <  ?b))",
    f"SELECT * {{ FILTER (?a IN (1, 2) && -?b <= ({D})) }}": f"SELECT * {{ FILTER (?a IN (1, 2) && !(-?b >  ({D}))) }}",
    f"SELECT * {{ FILTER (IF(?a <= {D}, ?b, 2) = 1) }}": f"SELECT * {{ FILTER (IF(!(?a >  {D}), ?b, 2) = 1) }}",
    # --bind's VALUES block: the bound variable is a date
    f"SELECT * {{\n  VALUES ?asOf {{ {D} }}\n  ?s ?p ?d\n  FILTER (?d <= ?asOf)\n}}":
        f"SELECT * {{\n  VALUES ?asOf {{ {D} }}\n  ?s ?p ?d\n  FILTER (!(?d >  ?asOf))\n}}",
    "SELECT * { ?s ?p ?d FILTER (?d >= ?from) } VALUES (?n ?from) { (1 \"2025\"^^<http://www.w3.org/2001/XMLSchema#gYear>) }":
        "SELECT * { ?s ?p ?d FILTER (!(?d <  ?from)) } VALUES (?n ?from) { (1 \"2025\"^^<http://www.w3.org/2001/XMLSchema#gYear>) }",
    # a date reached through BIND, a subquery's (… AS ?v), or XSD under a prefix of the text's own (helper-205)
    f'SELECT * {{ BIND({D} AS ?asOf) ?s ?p ?d FILTER (?d <= ?asOf) }}':
        f'SELECT * {{ BIND({D} AS ?asOf) ?s ?p ?d FILTER (!(?d >  ?asOf)) }}',
    f'SELECT * {{ {{ SELECT ({D} AS ?asOf) {{}} }} ?s ?p ?d FILTER (?d <= ?asOf) }}':
        f'SELECT * {{ {{ SELECT ({D} AS ?asOf) {{}} }} ?s ?p ?d FILTER (!(?d >  ?asOf)) }}',
    'PREFIX x: <http://www.w3.org/2001/XMLSchema#> SELECT * { ?s ?p ?d FILTER (?d <= "2026-01-02"^^x:date) }':
        'PREFIX x: <http://www.w3.org/2001/XMLSchema#> SELECT * { ?s ?p ?d FILTER (!(?d >  "2026-01-02"^^x:date)) }',
    # one VALUES row of --bind: only the date's column is a date (the name's comparison stays as written)
    f'SELECT * {{ ?s ?p ?n FILTER (?n <= ?name) FILTER (?d <= ?asOf) }} VALUES (?name ?asOf) {{ ("Mali" {D}) }}':
        f'SELECT * {{ ?s ?p ?n FILTER (?n <= ?name) FILTER (!(?d >  ?asOf)) }} VALUES (?name ?asOf) {{ ("Mali" {D}) }}',
}
UNCHANGED = [
    'PREFIX xsd: <http://example.org/not-xsd#> SELECT * { ?s ?p ?d FILTER (?d <= "2026-01-02"^^xsd:date) }',
    'SELECT * { VALUES (?a ?b) { (UNDEF "x") (-1 "y"@en) } FILTER (?x <= ?a && ?y >= ?b) }',
    'SELECT * { ?s ?p ?n FILTER (?n <= "Mali" && ?m >= 2 && ?o <= ?p) }',  # no date: Virtuoso's own <= is right
    f'SELECT * {{ ?s ?p "a <= b"^^xsd:date FILTER (?x < {D} && ?y > 2 && ?z != 1) }}',  # no inclusive operator
    f"SELECT * {{ VALUES ?b {{ {D} }} FILTER (?a<=?b&&?c>?d) }}",  # <=?b&&?c> reads as an IRI: the engine's to judge
    f"SELECT * {{ FILTER (<= {D}) }}",  # no operand: left for the parser's error
]


@pytest.mark.parametrize("written, sent", REWRITTEN.items())
def test_an_inclusive_comparison_of_dates_is_sent_as_a_negated_strict_one(written, sent):
    assert strict_bounds(written) == sent and sent.count("\n") == written.count("\n")


@pytest.mark.parametrize("text", UNCHANGED)
def test_text_without_a_date_bound_is_left_as_written(text):
    assert strict_bounds(text) == text


@pytest.mark.parametrize("bound", ['"2025-12-31"^^xsd:date', '"2026-01-01"^^xsd:date', '"2026-01-01T00:00:00Z"^^xsd:dateTime'])
def test_the_rewrite_answers_as_the_comparison_does(bound):
    """Over dates, date-times and values of other kinds (errors): the same rows."""
    store = ox.Store()
    store.update('PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> INSERT DATA { '
                 + " ".join(f"<http://ex/s{n}> <http://ex/v> {value} ." for n, value in enumerate(
                     ['"2025-12-31"^^xsd:date', '"2026-01-01"^^xsd:date', '"2026-01-01T10:00:00Z"^^xsd:dateTime',
                      '"2025-12-31T23:00:00-05:00"^^xsd:dateTime', "1", '"a"', "true", "<http://ex/o>"])) + " }")
    for operator in ("<=", ">="):
        for query in (f"SELECT ?s {{ ?s <http://ex/v> ?v FILTER (?v {operator} {bound}) }}",
                      f"SELECT ?s {{ ?s <http://ex/v> ?v FILTER ({bound} {operator} ?v) }}"):
            query = "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> " + query
            assert strict_bounds(query) != query
            assert {row[0] for row in store.query(strict_bounds(query))} == {row[0] for row in store.query(query)}
