"""A body in a transfer coding other than chunked (RFC 9112 §6.1): granian leaves it coded, so the server, which
does not understand it, answers 501 and reads nothing of it, rather than taking the coded bytes for the body."""

from __future__ import annotations

import gzip
import io

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, problem

TURTLE = b"<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n"


def coded(body: bytes, codings: str) -> dict:
    return {"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": codings,
            "wsgi.input_terminated": True}


@pytest.mark.parametrize("codings", ["gzip, chunked", "deflate,chunked", "x-custom , chunked"])
def test_a_body_in_a_transfer_coding_not_understood_is_501_and_writes_nothing(empty_writer, codings):
    """It was read as if plain: a gzipped graph was a 400 "Bad encoding", a plain one written as sent."""
    body = gzip.compress(TURTLE) if codings.startswith("gzip") else TURTLE
    sent = empty_writer.put("/store?default", content_type="text/turtle", headers=AUTH,
                            environ_overrides=coded(body, codings))
    assert "transfer coding" in problem(sent, 501)["detail"]
    query = empty_writer.post("/sparql", content_type="application/sparql-query",
                              environ_overrides=coded(b"ASK {}", codings))
    problem(query, 501)
    assert empty_writer.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).get_json()["boolean"] is False


@pytest.mark.parametrize("codings", ["chunked", "Chunked", "identity, chunked"])
def test_a_chunked_body_is_read(empty_writer, codings):
    sent = empty_writer.put("/store?default", content_type="text/turtle", headers=AUTH,
                            environ_overrides=coded(TURTLE, codings))
    assert sent.status_code == 201, sent.get_data(as_text=True)
