"""If-Unmodified-Since on writes (RFC 9110 §13.1.4): a SPARQL Update or Graph Store write that names a date
before the data's last change is 412 and writes nothing, as If-Match with a stale ETag is."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, problem

URL = "/store?graph=http%3A%2F%2Fexample.org%2Fg"
LONG_AGO = formatdate(946684800, usegmt=True)  # 2000-01-01, before any write here
LATER = formatdate(4102444800, usegmt=True)  # 2100-01-01
UPDATE = "application/sparql-update"


def triples(client) -> int:
    answer = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }"})
    return int(answer.get_json()["results"]["bindings"][0]["n"]["value"])


def put(client, headers, body=b"<http://ex/a> <http://ex/b> <http://ex/c> ."):
    return client.put(URL, data=body, content_type="text/turtle", headers={**AUTH, **headers})


@pytest.mark.parametrize("write", [
    lambda c, h: put(c, h, b"<http://ex/a> <http://ex/b> <http://ex/d> ."),
    lambda c, h: c.post(URL, data=b"<http://ex/a> <http://ex/b> <http://ex/e> .", content_type="text/turtle",
                        headers={**AUTH, **h}),
    lambda c, h: c.delete(URL, headers={**AUTH, **h}),
    lambda c, h: c.post("/sparql", data=b"INSERT DATA { <http://ex/x> <http://ex/y> <http://ex/z> }",
                        content_type=UPDATE, headers={**AUTH, **h}),
], ids=["put", "post", "delete", "update"])
def test_a_write_dated_before_the_last_change_is_412_and_writes_nothing(empty_writer, write):
    assert put(empty_writer, {}).status_code == 201
    held = triples(empty_writer)
    problem(write(empty_writer, {"If-Unmodified-Since": LONG_AGO}), 412)
    assert triples(empty_writer) == held
    # If-Match, when sent, is what counts (§13.1.4); a date after the last change holds
    assert write(empty_writer, {"If-Unmodified-Since": LONG_AGO, "If-Match": "*"}).status_code in (201, 204)
    assert write(empty_writer, {"If-Unmodified-Since": LATER}).status_code in (201, 204, 404)


def test_a_date_means_nothing_for_a_graph_not_there_or_when_it_is_no_date(empty_writer):
    assert put(empty_writer, {"If-Unmodified-Since": LONG_AGO}).status_code == 201  # it had no date to compare
    assert put(empty_writer, {"If-Unmodified-Since": "yesterday"}).status_code == 204
