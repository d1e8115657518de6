"""The inferred graph: what the chosen OWL 2 RL rules entail, kept in its own labelled graph, never in a
claim's graph, and left out of a query that names the graphs it wants."""

from __future__ import annotations

import owlrl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from build_fixtures import built, claim_graph, named_graph
from kg.inference import RULES, closure, entailments, without_same_as
from kg.namespaces import SAHEL, SK, graph_iri
from kg.publish import install
from kg.query import QueryService
from kg.store import open_store

__all__ = ["built"]  # a fixture

INFERRED = URIRef(graph_iri("inferred"))


def asserted(dataset) -> tuple[Graph, Graph]:
    ontology, data = Graph(), Graph()
    for s, p, o, g in dataset.quads():
        if g == INFERRED:
            continue
        (ontology if g == URIRef(graph_iri("ontology")) else data).add((s, p, o))
    return ontology, data


def test_jnim_and_isgs_are_non_state_armed_groups_by_inference(built):
    inferred = named_graph(built.dataset, "inferred")
    for group in (SK.jnim, SK.isgs):
        assert (group, RDF.type, SAHEL.NonStateArmedGroup) in inferred
        assert not [graph.identifier for graph in built.dataset.graphs()
                    if graph.identifier != INFERRED and (group, RDF.type, SAHEL.NonStateArmedGroup) in graph]


def test_inverses_and_subproperties_are_materialised(built):
    inferred = named_graph(built.dataset, "inferred")
    assert (SK.mali, SAHEL.hasArmedForce, SK["malian-armed-forces"]) in inferred  # prp-inv
    assert (SK["tsctp-scaled-back"], SAHEL.phaseOf, SK.tsctp) in inferred  # prp-inv
    assert (SK["sahel-humanitarian-pressure"], SAHEL.inRegion, SK.mali) in inferred  # prp-spo1


def test_no_inferred_triple_is_asserted_anywhere_and_none_is_in_a_claim_graph(built):
    inferred = set(named_graph(built.dataset, "inferred"))
    assert len(inferred) > 100
    for graph in built.dataset.graphs():
        if graph.identifier != INFERRED:
            assert not inferred & set(graph), graph.identifier


def test_the_inferred_graph_is_labelled_as_derived_with_its_rules(built):
    provenance = named_graph(built.dataset, "provenance")
    assert "derived" in str(provenance.value(INFERRED, RDFS.label))
    assert {str(rule) for rule in provenance.objects(INFERRED, SAHEL.entailmentRule)} == set(RULES)
    assert (INFERRED, PROV.wasDerivedFrom, URIRef(graph_iri("ontology"))) in provenance


def test_reasonable_and_owlrl_agree(built):
    """The closure by `reasonable` gives the same entailments as owlrl's OWL 2 RL closure."""
    ontology, data = asserted(built.dataset)
    by_owlrl = ontology + without_same_as(data)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(by_owlrl)
    assert set(entailments(ontology, data, by_owlrl)) == set(entailments(ontology, data, closure(ontology, data)))


def test_same_as_links_are_not_reasoned_over(built):
    """Equality rules are not among the chosen ones: a Wikidata item takes on nothing of its entity."""
    inferred = named_graph(built.dataset, "inferred")
    assert not [triple for triple in inferred if not str(triple[0]).startswith("https://sahel-kg.example.org/")]
    assert any(built.dataset.quads((SK.russia, URIRef("http://www.w3.org/2002/07/owl#sameAs"), None, None)))


def test_only_conclusions_about_the_datas_individuals_are_kept():
    ontology = Graph()
    ontology.add((SAHEL.JihadistGroup, RDFS.subClassOf, SAHEL.NonStateArmedGroup))
    for cls in (SAHEL.JihadistGroup, SAHEL.NonStateArmedGroup):
        ontology.add((cls, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class")))
    data = Graph()
    data.add((SK.x, RDF.type, SAHEL.JihadistGroup))
    data.add((SK.x, RDFS.label, Literal("x")))
    assert set(entailments(ontology, data)) == {(SK.x, RDF.type, SAHEL.NonStateArmedGroup)}


@pytest.fixture(scope="module")
def service(built):
    with open_store("memory:") as store:
        install(store, built)
        yield store


def test_a_query_leaves_inferred_triples_out_by_naming_its_graphs(service):
    query = QueryService(service)
    text = "SELECT ?g WHERE { ?g a sahel:NonStateArmedGroup } ORDER BY ?g"
    assert [row[0].value for row in query.query(text).rows] == [str(SK.isgs), str(SK.jnim)]
    stated = [iri for iri in service.graphs() if iri != str(INFERRED)]
    assert list(query.query(text, default_graphs=stated).rows) == []
