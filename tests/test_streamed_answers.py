"""A streamed answer (kg.streaming) says at its end that the row cap cut it, in every format with a place
for it, and stays a valid document of exactly the capped rows; an answer the cap did not cut says nothing;
Turtle and TriG of many batches declare their prefixes once."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest
import rdflib

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, WRITABLE
from build_fixtures import run_kg
from kg.answers import STREAM_AFTER
from kg.streaming import BATCH_ROWS, STREAMABLE_GRAPHS, chunks

LIMIT = 5
EX = "http://example.org/"
TRIPLES = [ox.Triple(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(f"{EX}p"), ox.Literal(str(n))) for n in range(10)]
ROWS = [(ox.Literal(str(n)), ox.NamedNode(f"{EX}s{n}")) for n in range(10)]
RDF = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
       "trig": ox.RdfFormat.TRIG}


def streamed(kind: str, fmt: str, *, limit: int) -> str:
    items = TRIPLES if kind == "graph" else ROWS
    return b"".join(chunks(kind, ["n", "s"], items, fmt, limit=limit, prefixes={"ex": EX})).decode("utf-8")


@pytest.mark.parametrize("fmt", STREAMABLE_GRAPHS)
def test_a_cut_graph_says_so_in_a_comment_and_still_parses(fmt):
    text = streamed("graph", fmt, limit=LIMIT)
    assert text.endswith(f"# truncated: the row cap of {LIMIT} triples cut this answer\n")
    assert len(list(ox.parse(text.encode("utf-8"), RDF[fmt]))) == LIMIT
    assert "truncated" not in streamed("graph", fmt, limit=len(TRIPLES))


def test_cut_xml_results_say_so_in_a_comment_and_still_parse():
    text = streamed("solutions", "xml", limit=LIMIT)
    assert f"<!-- truncated: the row cap of {LIMIT} rows cut this answer -->" in text
    results = ET.fromstring(text).find("{http://www.w3.org/2005/sparql-results#}results")
    assert len(results) == LIMIT
    assert "truncated" not in streamed("solutions", "xml", limit=len(ROWS))


def test_cut_json_results_say_so_in_a_last_member():
    document = json.loads(streamed("solutions", "json", limit=LIMIT))
    assert (document["truncated"], document["limit"], len(document["results"]["bindings"])) == (True, LIMIT, LIMIT)
    assert "truncated" not in json.loads(streamed("solutions", "json", limit=len(ROWS)))


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_cut_csv_and_tsv_hold_only_the_rows(fmt):
    """No place for a note in them: the X-Result-Limit header gives the cap, and a client counts."""
    rows = list(csv.reader(io.StringIO(streamed("solutions", fmt, limit=LIMIT)),
                           delimiter="," if fmt == "csv" else "\t"))
    assert len(rows) == 1 + LIMIT


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_a_graph_of_many_batches_declares_its_prefixes_once_at_the_top(fmt):
    """Each batch was written as a document of its own, its ~23 @prefix lines again every BATCH_ROWS triples."""
    triples = [ox.Triple(ox.NamedNode(f"{EX}s{n}"), ox.NamedNode(f"{EX}p"), ox.BlankNode(f"b{n % 7}"))
               for n in range(2 * BATCH_ROWS + 5)]
    prefixes = {"ex": EX, "other": "http://example.com/other#"}
    text = b"".join(chunks("graph", [], triples, fmt, limit=None, prefixes=prefixes)).decode("utf-8")
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("@prefix")] == lines[:len(prefixes)]
    assert sorted(lines[:len(prefixes)]) == sorted(f"@prefix {name}: <{iri}> ." for name, iri in prefixes.items())
    read = rdflib.Dataset().parse(data=text, format=fmt)
    written = rdflib.Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    assert rdflib.Graph().parse(data=read.serialize(format="nt"), format="nt").isomorphic(written)


@pytest.mark.parametrize("accept, syntax", [("text/turtle", "turtle"), ("application/trig", "trig")])
def test_a_streamed_construct_over_http_declares_its_prefixes_once(make_app, accept, syntax):
    """Past STREAM_AFTER triples the endpoint streams a CONSTRUCT; its answer is one document, prefixes first."""
    count = STREAM_AFTER + BATCH_ROWS // 2
    client = make_app({**WRITABLE, "ROW_LIMIT": 2 * count}, article=False).test_client()
    data = "".join(f"<{EX}s{n}> <{EX}p> <{EX}o{n % 3}> .\n" for n in range(count))
    put = client.put(f"/store?graph={EX}g", data=data.encode(), content_type="application/n-triples", headers=AUTH)
    assert put.status_code == 201, put.get_data(as_text=True)
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{EX}g> {{ ?s ?p ?o }} }}"
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    text = response.get_data(as_text=True)
    lines = text.splitlines()
    declared = [line for line in lines if line.startswith("@prefix")]
    assert declared == lines[:len(declared)] and len(declared) == len(set(declared)) > 0
    read = rdflib.Dataset().parse(data=text, format=syntax)
    assert len(read) == count


def test_kg_query_in_turtle_declares_its_prefixes_once():
    numbers = " ".join(map(str, range(2 * BATCH_ROWS + 5)))
    query = (f"CONSTRUCT {{ ?s <{EX}p> ?n }} WHERE {{ VALUES ?n {{ {numbers} }} "
             f"BIND(IRI(CONCAT('{EX}s', STR(?n))) AS ?s) }}")
    result = run_kg("query", "--store", "memory:", "--format", "turtle", "-q", query)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    declared = [line for line in lines if line.startswith("@prefix")]
    assert declared == lines[:len(declared)] and len(declared) == len(set(declared)) > 0
    assert len(rdflib.Graph().parse(data=result.stdout, format="turtle")) == 2 * BATCH_ROWS + 5


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_an_empty_streamed_graph_is_its_prefix_lines(fmt):
    """kg query wrote nothing at all for an empty CONSTRUCT in Turtle, where a whole answer has its prefix lines."""
    text = b"".join(chunks("graph", [], iter(()), fmt, limit=None, prefixes={"ex": EX})).decode("utf-8")
    assert text == f"@prefix ex: <{EX}> .\n"
    result = run_kg("query", "--store", "memory:", "--format", fmt, "-q", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert result.exit_code == 0 and result.stdout.startswith("@prefix "), result.stderr


def test_a_streamed_answer_broken_off_says_why_in_the_access_log(make_app, tmp_path):
    """A streamed XML answer that met a character XML cannot carry was logged as a whole 200, cut false (helper-194)."""
    import json
    from urllib.parse import urlencode

    log = tmp_path / "access.log"
    app = make_app({"ACCESS_LOG": str(log), "ROW_LIMIT": 20_000})
    query = ('SELECT ?s ?x WHERE { { SELECT ?s WHERE { ?s ?p ?o . ?a ?b ?c } LIMIT 15000 } '
             'UNION { BIND("bad\\u0001char" AS ?x) } }')
    with pytest.raises(Exception):  # the body breaks off after its 200 went (the test client raises it)
        app.test_client().get("/sparql?" + urlencode({"query": query, "format": "xml"})).get_data()
    app.extensions["sahel-kg.access-log"].close()
    [line] = [json.loads(line) for line in log.read_text().splitlines() if '"/sparql"' in line]
    assert line["failed"] == "FormatError" and line["status"] == 200
