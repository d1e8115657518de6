"""A query's reading (kg.text_reading), made where the request arrives, spares a query worker lexing its text
again; a reading of any other text is not used, so every check reads the text that runs."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest

from kg import keyword_prefixes, sparql_lexer, sparql_text
from kg.answers import QueryRequest, answer
from kg.errors import PolicyError
from kg.last_text import LastText
from kg.publish import install
from kg.query import Policy, QueryService
from kg.store.oxigraph import OxigraphStore
from kg.text_reading import read

BASE = "https://sahel-kg.example.org/sparql"
TEXTS = [
    # PREFIX lines as query editors send them, a term of ours that nothing has (a warning), a comment
    "PREFIX sahel: <https://sahel-kg.example.org/ontology#>\nPREFIX sk: <https://sahel-kg.example.org/id/>\n"
    "SELECT ?s WHERE { ?s a sahel:Aliance ; sahel:memberOf sk:aes } # one",
    # a keyword-like prefix, written out before the checks read the text, and a BASE moved to the prologue
    "BASE <https://example.org/> PREFIX filter: <https://sahel-kg.example.org/ontology#>\n"
    "ASK { ?s a filter:Novel ; <p> ?o }",
]


@pytest.fixture(scope="module")
def service():
    with OxigraphStore() as store:
        install(store)
        yield QueryService(store)


def as_in_another_process(monkeypatch):
    """Forget what this process has lexed, scanned and written out, as a fresh query worker has, and make any
    lexing fail."""
    sparql_lexer._significant.cache_clear()
    sparql_lexer._prologue_tokens.cache_clear()
    sparql_text._scanned.cache_clear()
    monkeypatch.setattr(sparql_lexer, "_last", LastText())
    monkeypatch.setattr(sparql_text, "_last", LastText())
    monkeypatch.setattr(keyword_prefixes, "_last", LastText())

    def lexed(*_):
        raise AssertionError("the text was lexed again")

    monkeypatch.setattr(sparql_lexer, "_tokens", lexed)


@pytest.mark.parametrize("text", TEXTS)
def test_a_request_with_its_texts_reading_is_answered_without_lexing_the_text_again(service, text, monkeypatch):
    plain = QueryRequest(sparql=text, format="json", base=BASE)
    expected = answer(service, plain)
    handed = pickle.loads(pickle.dumps(replace(plain, reading=read(text, BASE))))  # as a worker receives it
    as_in_another_process(monkeypatch)
    got = answer(service, handed)
    assert (got.body, got.unknown_terms) == (expected.body, expected.unknown_terms)
    assert got.unknown_terms  # the unknown-term check ran on the reading too


def test_a_reading_of_another_text_is_not_used(service):
    allowed = QueryService(service.store, policy=Policy(service_allowlist=("https://allowed.example.org/sparql",)))
    text = "SELECT * WHERE { SERVICE <https://elsewhere.example.org/sparql> { ?s ?p ?o } }"
    harmless = read("SELECT * WHERE { ?s ?p ?o }", BASE)
    with pytest.raises(PolicyError, match="elsewhere.example.org"):
        allowed.query(text, base=BASE, reading=harmless)
    with pytest.raises(PolicyError, match="elsewhere.example.org"):  # the same text, read against another base
        allowed.query(text, base=BASE, reading=read(text, "https://other.example.org/"))


def test_a_kept_answers_key_holds_no_reading():
    from api.backend import Backend
    from kg.settings import resolve

    settings = resolve({"STORE": "memory:", "RESULT_CACHE_MIN_SECONDS": 0, "INSTALL_ARTICLE": False}, environ={})
    backend = Backend(settings)
    try:
        text = "ASK { ?s ?p ?o }"
        backend.query(QueryRequest(sparql=text, format="json", reading=read(text)), backend.version())
        assert [key[1].reading for key in backend.cache._entries] == [None]
    finally:
        backend.close()


def test_a_query_worker_answers_a_request_with_its_reading_as_without(tmp_path):
    from kg.runner import WorkerPool

    path = tmp_path / "store"
    with OxigraphStore(path) as store:
        install(store)
    pool = WorkerPool(str(path), size=1)
    try:
        for text in TEXTS:
            plain = QueryRequest(sparql=text, format="json", base=BASE, timeout=60)
            got, expected = pool.run(replace(plain, reading=read(text, BASE))), pool.run(plain)
            assert (got.body, got.unknown_terms) == (expected.body, expected.unknown_terms)
    finally:
        pool.close()
