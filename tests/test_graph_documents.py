"""A graph answer in a document syntax (JSON-LD, RDF/XML, Turtle, TriG) says each subject once, however its
triples came; and a claim's JSON-LD document has one node object per node."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from api_fixtures import *  # noqa: F401,F403
from kg.results import graph_bytes

A, B = ox.NamedNode("http://ex/a"), ox.NamedNode("http://ex/b")
P, Q = ox.NamedNode("http://ex/p"), ox.NamedNode("http://ex/q")
# The subject a is met again after b, as a CONSTRUCT's union gives its triples.
TRIPLES = [ox.Triple(A, P, ox.Literal("1")), ox.Triple(B, P, ox.Literal("2")), ox.Triple(A, Q, ox.Literal("3"))]


def test_json_ld_has_one_node_object_per_subject():
    nodes = json.loads(graph_bytes(TRIPLES, "jsonld", None))
    assert sorted(node["@id"] for node in nodes) == ["http://ex/a", "http://ex/b"]


def test_rdfxml_describes_each_subject_once():
    text = graph_bytes(TRIPLES, "rdfxml", None).decode()
    assert text.count('rdf:about="http://ex/a"') == 1


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_turtle_and_trig_give_each_subject_one_block(fmt):
    text = graph_bytes(TRIPLES, fmt, None).decode()
    assert text.count("<http://ex/a> ") == 1
    parsed = ox.parse(text.encode(), format=ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.TRIG)
    assert {quad.triple for quad in parsed} == set(TRIPLES)


def test_a_claims_json_ld_document_has_one_node_object_per_node(shared):
    nodes = shared.get("/claim/aes-members.jsonld").get_json()
    ids = [node["@id"] for node in nodes]
    assert len(ids) == len(set(ids)) and "https://sahel-kg.example.org/claim/aes-members#annotation" in ids
