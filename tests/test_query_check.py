"""kg/store/query_check.py: a query read by the embedded store's parser, without being evaluated."""

from __future__ import annotations

import pyoxigraph
import pytest

from kg.errors import QuerySyntaxError
from kg.store.query_check import check_query_syntax

# An endpoint pyoxigraph refuses to call (port 9 is discard's): evaluating a query that reads it raises OSError.
CALLED = "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o }"


def test_an_ask_is_read_without_being_answered():
    """pyoxigraph answers an ASK as it is given one: the check must not, or a remote query would run here first."""
    with pytest.raises(OSError):
        pyoxigraph.Store().query(f"ASK {{ {CALLED} }}")
    check_query_syntax(f"ASK {{ {CALLED} }}")
    check_query_syntax(f"ASK {{ {{ SELECT * {{ {CALLED} }} ORDER BY ?s }} }} VALUES ?s {{ <urn:a> }}")


@pytest.mark.parametrize("text", [
    "DESCRIBE ?x VALUES ?x { <urn:a> }",  # no WHERE group: the VALUES block is not one
    "SELECT (EXISTS { ?a ?b ?c } AS ?e) WHERE { ?s ?p ?o }",
    "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 3",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o ; }",
])
def test_well_formed_queries_pass(text):
    check_query_syntax(text)


@pytest.mark.parametrize("text", [
    "ASK {\n  ?s ?p ?o FILTER(TRUE)\n}",  # the parser gives up at the text's end
    "SELECT ?s\nWHERE { ?s ?p ?o }\nGROUP BY ?p",  # told at the end, after the WHERE group the check empties
    "DESCRIBE ?s\n <urn:x>\n WHERE { ?s ?p ?o",
])
def test_a_fault_is_placed_as_the_embedded_store_places_it(text):
    with pytest.raises(SyntaxError) as parsed:
        pyoxigraph.Store().query(text)
    with pytest.raises(QuerySyntaxError) as checked:
        check_query_syntax(text)
    assert str(parsed.value).startswith(f"error at {checked.value.line}:{checked.value.column}:")
