"""Every thing the project names has a name for readers: pages, the network's edges and SPARQL users showed a status
phase or a membership by its IRI alone (`sk:traditional-partnerships-disrupted`)."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, URIRef
from rdflib.namespace import SKOS

from kg.build import build
from kg.namespaces import ORG, SAHEL, SK
from kg.validate import union


@pytest.fixture(scope="module")
def merged():
    return union(build().dataset)


def test_every_typed_project_entity_has_a_label(merged):
    """Time instants (`#beginning`) are parts of a named interval, shown through it."""
    unnamed = {subject for subject in merged.subjects(RDF.type) if isinstance(subject, URIRef)
               and str(subject).startswith(str(SK)) and "#" not in subject and merged.value(subject, RDFS.label) is None}
    assert unnamed == set()


def test_a_status_phase_is_named_by_what_it_is_a_phase_of_and_its_status(merged):
    phases = set(merged.subjects(RDF.type, SAHEL.StatusPhase))
    assert len(phases) >= 11
    for phase in phases:
        owner = merged.value(predicate=SAHEL.hasStatusPhase, object=phase)
        status = merged.value(merged.value(phase, SAHEL.status), SKOS.prefLabel)
        assert str(merged.value(phase, RDFS.label)) == f"{merged.value(owner, RDFS.label)}: {status}", phase


def test_a_membership_is_named_by_its_member_and_organisation(merged):
    for membership in merged.subjects(RDF.type, ORG.Membership):
        member = merged.value(merged.value(membership, ORG.member), RDFS.label)
        organisation = merged.value(merged.value(membership, ORG.organization), RDFS.label)
        assert str(merged.value(membership, RDFS.label)) == f"membership of {member} in the {organisation}", membership
