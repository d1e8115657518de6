"""A body's charset is read as RFC 9110 writes a parameter (api/body_charset.py): one that is empty, malformed or
given twice over is 400 naming the parameter on every route that reads a body, never taken for UTF-8."""

from __future__ import annotations

import io
import json
from urllib.parse import urlencode

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, EX, FORM, problem

# Werkzeug reads each of these as no charset at all (or as the first of two), and the body was read as UTF-8.
MALFORMED = ["charset=", 'charset=""', "charset", "charset= utf-8", "charset =utf-8", "CHARSET=",
             'charset=" "', "charset=utf-8; charset=latin1", "charset=utf 8"]
QUERY = "ASK {}"
TURTLE = f"<{EX}a> <{EX}b> <{EX}c> ."


def refused(response, sent_in: str = "") -> None:
    body = problem(response, 400)
    assert body["type"].endswith("/bad-charset") and body["parameter"] == "charset", body
    assert body["detail"].startswith(f"the charset parameter of the Content-Type{sent_in} "), body["detail"]


@pytest.mark.parametrize("charset", MALFORMED)
def test_a_query_body_or_form_with_a_malformed_charset_is_400(shared, charset):
    refused(shared.post("/sparql", data=QUERY, content_type=f"application/sparql-query; {charset}"))
    refused(shared.post("/sparql", data=urlencode({"query": QUERY}), content_type=f"{FORM}; {charset}"))


@pytest.mark.parametrize("charset", MALFORMED)
def test_an_update_with_a_malformed_charset_is_400_and_writes_nothing(empty_writer, charset):
    text = f"INSERT DATA {{ {TURTLE[:-2]} }}"
    refused(empty_writer.post("/sparql", data=text, content_type=f"application/sparql-update; {charset}",
                              headers=AUTH))
    refused(empty_writer.post("/sparql", data=urlencode({"update": text}), content_type=f"{FORM}; {charset}",
                              headers=AUTH))
    answer = empty_writer.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                              headers={"Accept": "application/sparql-results+json"})
    assert answer.get_json()["boolean"] is False


@pytest.mark.parametrize("charset", ["charset=", 'charset=""', "charset= utf-8"])
def test_an_upload_or_a_part_with_a_malformed_charset_is_400(empty_writer, charset):
    refused(empty_writer.put(f"/store?graph={EX}g", data=TURTLE, content_type=f"text/turtle; {charset}",
                             headers=AUTH))
    part = {"a": (io.BytesIO(TURTLE.encode()), "a.ttl", f"text/turtle; {charset}")}
    response = empty_writer.post(f"/store?graph={EX}g", data=part, content_type="multipart/form-data",
                                 headers=AUTH)
    refused(response, " of part 'a' (a.ttl)")
    assert response.get_json()["part"] == "a"
    assert empty_writer.get(f"/store?graph={EX}g").status_code == 404


@pytest.mark.parametrize("charset", ["charset=", 'charset=""'])
def test_a_reconciliation_form_with_a_malformed_charset_is_400(shared, charset):
    batch = urlencode({"queries": json.dumps({"q0": {"query": "Mali"}})})
    refused(shared.post("/reconcile", data=batch, content_type=f"{FORM}; {charset}"))


def test_a_reconciliation_form_labelled_with_another_charset_is_400(shared):
    batch = urlencode({"queries": json.dumps({"q0": {"query": "Mali"}})})
    assert problem(shared.post("/reconcile", data=batch, content_type=f"{FORM}; charset=latin1"), 400)["title"] \
        == "Not UTF-8"
    assert shared.post("/reconcile", data=batch, content_type=f"{FORM}; charset=UTF-8").status_code == 200


@pytest.mark.parametrize("content_type", ['application/sparql-query; charset="utf-8"',
                                          "application/sparql-query;charset=UTF-8 ; x=1",
                                          'application/sparql-query; x="a;charset=;b"; charset=utf8',
                                          "application/sparql-query; charset=utf-8; charset=UTF-8"])
def test_a_well_formed_utf_8_charset_is_read(shared, content_type):
    assert shared.post("/sparql", data=QUERY, content_type=content_type).status_code == 200
