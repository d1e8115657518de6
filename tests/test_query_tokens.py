"""A query's text is lexed once per request in the HTTP process, and one of more than MAX_QUERY_TOKENS tokens is
refused (413) before it is lexed further: a megabyte of one-character tokens cost seconds of CPU, lexed five times."""

from __future__ import annotations

import pytest

import kg.sparql_lexer as lexer
from api_fixtures import *  # noqa: F401,F403
from api_fixtures import WRITABLE, AUTH, problem
from kg.errors import ConfigError
from kg.settings import resolve
from kg.sparql_lexer import TooManyTokens, significant

QUERY = "application/sparql-query"


@pytest.fixture
def lexed(monkeypatch):
    """The texts the lexer is run over, each time it is."""
    texts, tokens = [], lexer._tokens

    def counted(text, position=0):
        texts.append(text)
        return tokens(text, position)

    monkeypatch.setattr(lexer, "_tokens", counted)
    return texts


def test_a_long_text_is_lexed_once_per_request(client, lexed):
    text = "{" + " ?a" * 3000 + " }"  # over the short texts kept; no query form, which this process finds
    problem(client.post("/sparql", data=text, content_type=QUERY), 400)
    assert lexed.count(text) == 1


@pytest.mark.parametrize("text", [";" * 1_000_000, "SELECT * {" + "?a " * 300_000 + "}"])
def test_a_megabyte_of_junk_is_refused_as_too_many_tokens(client, lexed, text):
    body = problem(client.post("/sparql", data=text, content_type=QUERY), 413)
    assert "more than 100000 tokens" in body["detail"] and body["type"].endswith("query-too-large")
    assert lexed.count(text) == 1


def test_the_token_limit_is_a_setting_for_queries_and_updates(make_app):
    client = make_app({"MAX_QUERY_TOKENS": 12, **WRITABLE}).test_client()
    assert client.post("/sparql", data="SELECT * { ?s ?p ?o } LIMIT 1", content_type=QUERY).status_code == 200
    body = problem(client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o . ?s ?p ?o . ?s ?p ?o }"}), 413)
    assert "more than 12 tokens" in body["detail"]
    update = "INSERT DATA { <x:a> <x:b> 1 . <x:a> <x:b> 2 . <x:a> <x:b> 3 }"
    body = problem(client.post("/sparql", data=update, content_type="application/sparql-update", headers=AUTH), 413)
    # it was titled "Query too large", of type query-too-large, for an update
    assert (body["title"], body["detail"]) == ("Update too large", "the update has more than 12 tokens (terms, "
                                               "keywords and signs)") and body["type"].endswith("/update-too-large")
    long = "INSERT DATA { <x:a> <x:b> '" + "x" * 200 + "' }"
    client = make_app({"MAX_QUERY_BYTES": 100, **WRITABLE}).test_client()
    body = problem(client.post("/sparql", data={"update": long}, headers=AUTH), 413)
    assert (body["title"], body["detail"]) == ("Update too large", "the update is over 100 bytes (UTF-8)")


def test_tokens_past_the_limit_are_not_lexed():
    text = "SELECT * {" + " ?a" * 5000 + " }"
    with pytest.raises(TooManyTokens):
        significant(text, 100)
    kept = lexer._last.get(text)
    assert kept is None or len(kept[0]) == 101  # what was lexed stopped there
    assert len(significant(text)) == 5004 and len(significant(text, 5004)) == 5004


def test_the_limit_is_at_most_the_tokens_kept():
    assert resolve({"MAX_QUERY_TOKENS": lexer.KEPT_TOKENS}, environ={})["MAX_QUERY_TOKENS"] == lexer.KEPT_TOKENS
    with pytest.raises(ConfigError, match=f"MAX_QUERY_TOKENS: must be a whole number from 1 to {lexer.KEPT_TOKENS}"):
        resolve({"MAX_QUERY_TOKENS": lexer.KEPT_TOKENS + 1}, environ={})


def test_a_text_no_longer_than_the_limit_is_not_lexed_to_count_its_tokens(lexed):
    from api.sparql import too_many_tokens

    assert not too_many_tokens(";" * 12, 12) and lexed == []  # twelve characters hold at most twelve tokens
    assert too_many_tokens(";" * 13, 12) and lexed == [";" * 13]
