"""ontology/sahel.ttl: its metadata, that it declares every term the data uses, and that an OWL RL
closure of it with the built data finds no inconsistency (and would find one)."""

from __future__ import annotations

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF

from build_fixtures import EXTRA_GRAPHS, SHIPPED_CLAIMS, built, claim_graph, named_graph
from kg import paths
from kg.namespaces import ONTOLOGY_IRI, SAHEL, SK, VANN
from kg.validate import union

__all__ = ["built"]  # a fixture

ONTOLOGY = Graph().parse(paths.ONTOLOGY_FILE, format="turtle")
PROPERTY_KINDS = {OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}
DATA_GRAPHS = [f"claim {claim['id']}" for claim in SHIPPED_CLAIMS] + [
    name for name in EXTRA_GRAPHS if name != "ontology"]


def test_the_ontology_header():
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in ONTOLOGY
    header = {predicate: list(ONTOLOGY.objects(URIRef(ONTOLOGY_IRI), predicate))
              for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.license, OWL.versionIRI)}
    assert all(len(values) == 1 for values in header.values()), header
    assert isinstance(header[OWL.versionIRI][0], URIRef)
    assert str(header[OWL.versionIRI][0]).startswith(ONTOLOGY_IRI + "/")
    assert isinstance(header[DCTERMS.license][0], URIRef)
    assert ONTOLOGY.value(URIRef(ONTOLOGY_IRI), VANN.preferredNamespacePrefix) == Literal("sahel")


def data_graph(dataset, name: str):
    return claim_graph(dataset, name.removeprefix("claim ")) if name.startswith("claim ") else \
        named_graph(dataset, name)


def kinds(term) -> set:
    return set(ONTOLOGY.objects(term, RDF.type))


@pytest.mark.parametrize("name", DATA_GRAPHS)
def test_every_class_and_property_is_declared(built, name):
    graph = data_graph(built.dataset, name)
    assert len(graph)
    properties = {p for p in graph.predicates() if p != RDF.type}
    classes = set(graph.objects(None, RDF.type))
    assert not {p for p in properties if not kinds(p) & PROPERTY_KINDS}, "undeclared properties"
    assert not {c for c in classes if OWL.Class not in kinds(c)}, "undeclared classes"


def test_object_and_datatype_properties_get_the_right_kind_of_value(built):
    misused = [(s, p, o) for s, p, o in union(built.dataset)
               if (OWL.ObjectProperty in kinds(p) and isinstance(o, Literal))
               or (OWL.DatatypeProperty in kinds(p) and not isinstance(o, Literal))]
    assert not misused


# --- OWL RL consistency -----------------------------------------------------------------------
# owlrl reports an inconsistency by adding, for each message, a blank node of type
# err:ErrorMessage (err: http://www.daml.org/2002/03/agents/agent-ont#) with an err:error literal
# (owlrl/Closure.py, Core.closure -> add_error), e.g. for rule cax-dw "Disjoint classes ... have a
# common individual ..." and for an individual of type owl:Nothing.

def inconsistencies(graph: Graph) -> list[str]:
    """Close a copy of graph under OWL RL; the error messages owlrl adds, and members of owl:Nothing."""
    closed = Graph()
    for triple in graph:
        closed.add(triple)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(closed)
    messages = [str(closed.value(node, ERRNS.error)) for node in closed.subjects(RDF.type, ERRNS.ErrorMessage)]
    return messages + [f"{node} is an owl:Nothing" for node in closed.subjects(RDF.type, OWL.Nothing)]


@pytest.fixture(scope="module")
def ontology_and_data(built) -> Graph:
    graph = union(built.dataset)
    for triple in ONTOLOGY:
        graph.add(triple)
    return graph


def test_the_ontology_and_the_data_are_consistent(ontology_and_data):
    assert inconsistencies(ontology_and_data) == []


def test_the_check_finds_a_disjointness_violation(ontology_and_data):
    assert (SAHEL.NonStateArmedGroup, OWL.disjointWith, SAHEL.SovereignState) in ONTOLOGY
    broken = ontology_and_data + Graph()
    broken.add((SK.jnim, RDF.type, SAHEL.SovereignState))  # jnim is a JihadistGroup, a NonStateArmedGroup
    found = inconsistencies(broken)
    assert any("Disjoint classes" in message and str(SK.jnim) in message for message in found), found


def test_the_check_finds_a_region_that_is_a_state(ontology_and_data):
    broken = ontology_and_data + Graph()
    broken.add((SK.sahel, RDF.type, SAHEL.SovereignState))  # sahel:Region is disjoint with states
    assert any(str(SK.sahel) in message for message in inconsistencies(broken))
