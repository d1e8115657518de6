"""Entailments of the ontology over the asserted data, kept apart in their own graph.

`reasonable` (a Rust OWL 2 RL reasoner, twenty times faster here than owlrl, which the tests run as a
cross-check) computes the OWL 2 RL closure of the ontology and the data; of it, only the conclusions about the
data's own individuals that the rules in RULES draw are kept: class membership (through subclasses,
equivalent classes, domains and ranges) and property assertions (through subproperties, inverses,
symmetric and transitive properties). The ontology uses no other construct that would let another rule
conclude such a triple (tests/test_inference.py checks it), so these are the rules that fire. Triples
already asserted in some graph are left out, so the inferred graph holds only what is new.
"""

from __future__ import annotations

import reasonable
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF

# OWL 2 RL rule names (OWL 2 Web Ontology Language Profiles, section 4.3, tables 5-9) and what each does.
RULES = {
    "cax-sco": "an instance of a class is an instance of its superclasses",
    "cax-eqc1": "an instance of a class is an instance of its equivalent classes",
    "cax-eqc2": "an instance of a class is an instance of the classes equivalent to it",
    "prp-dom": "the subject of a property is an instance of its domain",
    "prp-rng": "the object of an object property is an instance of its range",
    "prp-spo1": "a statement with a subproperty holds with the superproperty",
    "prp-inv1": "a statement holds with the inverse property, subject and object swapped",
    "prp-inv2": "a statement with the inverse holds with the property it inverts",
    "prp-symp": "a symmetric property holds in both directions",
    "prp-trp": "a transitive property chains",
}

# Constructs whose rules could also conclude a class membership or property assertion; the ontology
# must not use them, or RULES would not name every rule that fires.
UNSUPPORTED = (OWL.Restriction, OWL.unionOf, OWL.intersectionOf, OWL.oneOf, OWL.sameAs, OWL.hasKey,
               OWL.propertyChainAxiom, OWL.hasValue, OWL.someValuesFrom, OWL.allValuesFrom)


def closure(ontology: Graph, asserted: Graph) -> Graph:
    """The OWL 2 RL closure of the ontology and the data, by `reasonable`, owl:sameAs statements left out:
    the equality rules (eq-*) are not among RULES, so a linked Wikidata item never takes on what the
    project states of its own entity; a client that wants that follows owl:sameAs itself."""
    reasoner = reasonable.PyReasoner()
    reasoner.from_graph(ontology + without_same_as(asserted))
    closed = Graph()
    for triple in reasoner.reason():
        closed.add(triple)
    return closed


def without_same_as(graph: Graph) -> Graph:
    """A copy of `graph` without its owl:sameAs statements."""
    kept = Graph()
    for triple in graph:
        if triple[1] != OWL.sameAs:
            kept.add(triple)
    return kept


def entailments(ontology: Graph, asserted: Graph, closed: Graph | None = None) -> Graph:
    """What the chosen OWL 2 RL rules conclude about the individuals of `asserted` that no graph states.

    `closed` is the closure to pick from (default: closure(ontology, asserted)).
    """
    closed = closure(ontology, asserted) if closed is None else closed
    terms = {subject for subject in ontology.subjects() if isinstance(subject, URIRef)}
    classes = set(ontology.subjects(RDF.type, OWL.Class)) - {OWL.Thing}
    properties = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    individuals = {subject for subject in asserted.subjects() if isinstance(subject, URIRef)} - terms
    inferred = Graph()
    for subject, predicate, obj in closed:
        if subject not in individuals or isinstance(obj, (BNode, Literal)):
            continue
        if (subject, predicate, obj) in asserted or (subject, predicate, obj) in ontology:
            continue
        if (predicate == RDF.type and obj in classes) or predicate in properties:
            inferred.add((subject, predicate, obj))
    return inferred


def unsupported_constructs(ontology: Graph) -> set[URIRef]:
    """The constructs of UNSUPPORTED that the ontology uses (should be none)."""
    used = {term for triple in ontology for term in triple}
    return {construct for construct in UNSUPPORTED if construct in used}
