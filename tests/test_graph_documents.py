"""A graph answer in JSON-LD or RDF/XML (one document, never streamed) says each subject once, however its
triples came; and a claim's JSON-LD document has one node object per node."""

from __future__ import annotations

import json

import pyoxigraph as ox

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


def test_a_claims_json_ld_document_has_one_node_object_per_node(shared):
    nodes = shared.get("/claim/aes-members.jsonld").get_json()
    ids = [node["@id"] for node in nodes]
    assert len(ids) == len(set(ids)) and "https://sahel-kg.example.org/claim/aes-members#annotation" in ids
