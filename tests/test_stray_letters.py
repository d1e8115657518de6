"""A letter outside any name, string or IRI (ÅSELECT, éFILTER), or within a keyword (SELÅECT), is told as the
project's own syntax fault at its line and column, in queries and updates, over HTTP too: pyoxigraph's own word
was "expected CONSTRUCT" where its parser gave up, or "not a query"."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import problem
from kg import syntax_faults
from kg.errors import QuerySyntaxError
from kg.query import Policy, QueryService
from kg.store.oxigraph import OxigraphStore

OUTSIDE = "stands outside a name, a string or an IRI"
QUERIES = {  # text: (line, column, what the message says)
    "ÅSELECT * {}": (1, 1, "(ÅSELECT: did you mean SELECT?)"),
    "PREFIX ex: <x:>\néASK {}": (2, 1, "(éASK: did you mean ASK?)"),
    "SELECT * {} ÅLIMIT 1": (1, 13, "(ÅLIMIT: did you mean LIMIT?)"),
    "SELECT * {\n  ?s ?p ?o . ñFILTER(true) }": (2, 14, "(ñFILTER: did you mean FILTER?)"),
    "SELECT * { ?s ?p ?o } ORDER ΩBY ?s": (1, 29, "(ΩBY: did you mean BY?)"),
    "SELECT * { ?s ?p ?o } LIMIT 1 Å": (1, 31, OUTSIDE),
    "Я": (1, 1, OUTSIDE),
    "SELÅECT * {}": (1, 1, "SPARQL has no keyword or function SELÅECT; did you mean SELECT?"),
    "SELECTÅ * {}": (1, 1, "did you mean SELECT?"),
}
UPDATES = {
    "ÅINSERT DATA { <x:a> <x:b> 1 }": (1, 1, "(ÅINSERT: did you mean INSERT?)"),
    "INSERT DATA { <x:a> <x:b> 1 } ;\nÅCLEAR ALL": (2, 1, "(ÅCLEAR: did you mean CLEAR?)"),
    "INSÉRT DATA { <x:a> <x:b> 1 }": (1, 1, "did you mean INSERT?"),
}


@pytest.fixture(scope="module")
def service():
    return QueryService(OxigraphStore(None), policy=Policy(allow_update=True))


@pytest.mark.parametrize("text, update", [(text, False) for text in QUERIES] + [(text, True) for text in UPDATES])
def test_a_stray_letter_is_told_where_it_is(service, text, update):
    line, column, said = (UPDATES if update else QUERIES)[text]
    with pytest.raises(QuerySyntaxError) as raised:
        (service.update if update else service.query)(text)
    assert (raised.value.line, raised.value.column) == (line, column) and said in raised.value.message


@pytest.mark.parametrize("text", ["ÅSELECT * {}", "SELÅECT * {}"])
def test_over_http_it_is_a_400_with_the_place(client, text):
    body = problem(client.get("/sparql", query_string={"query": text}), 400)
    assert (body["line"], body["column"]) == (1, 1) and "did you mean SELECT?" in body["detail"], body


def test_only_the_first_word_of_a_long_text_with_no_query_form_is_looked_at_again(monkeypatch):
    looked_at, first_fault = [], syntax_faults.first_fault
    monkeypatch.setattr(syntax_faults, "first_fault", lambda text, prefixes: (looked_at.append(text),
                                                                             first_fault(text, prefixes))[1])
    error = syntax_faults.not_a_query("SELÅECT ?a " + "?a " * 50_000, set())
    assert (error.line, error.column) == (1, 1) and "did you mean SELECT?" in error.message
    assert looked_at == ["SELÅECT ?a"]
