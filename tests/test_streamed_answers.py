"""A streamed answer (kg.streaming) says at its end that the row cap cut it, in every format with a place
for it, and stays a valid document of exactly the capped rows; an answer the cap did not cut says nothing."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from kg.streaming import STREAMABLE_GRAPHS, chunks

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
