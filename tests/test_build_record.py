"""The build says who and what: a PROV activity with the software version, the sha256 of every input
(articles, claims files, ontology, entities, background, links table) and the role that curated the
claims, and still the same bytes for the same inputs."""

from __future__ import annotations

import hashlib

from rdflib import Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS

from build_fixtures import EXTRA_GRAPHS, broken_claims, built, named_graph
from kg import __version__, paths
from kg.build import Inputs, build
from kg.namespaces import SAHEL, graph_iri, source_iri
from kg.provenance import BUILD, SOFTWARE

__all__ = ["built"]  # a fixture

INPUT = "https://sahel-kg.example.org/build/input/"


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_build_is_an_activity_of_the_software_at_its_version(built):
    provenance = named_graph(built.dataset, "provenance")
    assert (BUILD, RDF.type, PROV.Activity) in provenance
    assert (BUILD, PROV.wasAssociatedWith, SOFTWARE) in provenance
    assert (SOFTWARE, RDF.type, PROV.SoftwareAgent) in provenance
    assert str(provenance.value(SOFTWARE, URIRef("https://schema.org/softwareVersion"))) == __version__


def test_every_input_is_used_with_its_sha256(built):
    provenance = named_graph(built.dataset, "provenance")
    expected = {f"{INPUT}ontology/sahel.ttl": paths.ONTOLOGY_FILE,
                f"{INPUT}claims/us-sahel-quiet-ties.yaml": paths.CLAIMS_FILE,
                f"{INPUT}entities/entities.ttl": paths.ENTITIES_FILE,
                f"{INPUT}background/background.ttl": paths.BACKGROUND_FILE,
                f"{INPUT}background/background-un-sahel.ttl": paths.UN_SAHEL_FILE,
                f"{INPUT}definitions/definitions.ttl": paths.DEFINITIONS_FILE,
                f"{INPUT}links/links.csv": paths.LINKS_FILE,
                f"{INPUT}aliases/aliases.csv": paths.ALIASES_FILE,
                source_iri("us-sahel-quiet-ties"): paths.ARTICLE_FILE}
    used = {str(entity) for entity in provenance.objects(BUILD, PROV.used)}
    assert used == set(expected)
    for entity, path in expected.items():
        assert provenance.value(URIRef(entity), SAHEL.sha256) == Literal(digest(path)), entity


def test_the_claims_file_names_its_curator_and_role(built):
    provenance = named_graph(built.dataset, "provenance")
    attribution = provenance.value(URIRef(f"{INPUT}claims/us-sahel-quiet-ties.yaml"), PROV.qualifiedAttribution)
    assert provenance.value(attribution, PROV.hadRole) == SAHEL.ClaimsCurator
    assert str(provenance.value(provenance.value(attribution, PROV.agent), RDFS.label)) == "sahel-kg maintainers"


def test_every_graph_says_the_build_generated_it(built):
    provenance = named_graph(built.dataset, "provenance")
    for name in EXTRA_GRAPHS:
        assert (URIRef(graph_iri(name)), PROV.wasGeneratedBy, BUILD) in provenance


def test_a_changed_input_is_recorded_with_its_new_sha256(tmp_path):
    claims_file = broken_claims(tmp_path, "curated_by: sahel-kg maintainers", "curated_by: someone else")
    provenance = named_graph(build(Inputs(claims=claims_file)).dataset, "provenance")
    entity = URIRef(f"{INPUT}claims/us-sahel-quiet-ties.yaml")
    assert provenance.value(entity, SAHEL.sha256) == Literal(digest(claims_file))
    assert digest(claims_file) != digest(paths.CLAIMS_FILE)


def test_the_record_holds_no_time(built):
    """No time is recorded, so the build stays byte-deterministic (tests/test_build.py runs two processes)."""
    provenance = named_graph(built.dataset, "provenance")
    times = [triple for triple in provenance if "Time" in str(triple[1]) or "date" in str(triple[1]).lower()]
    assert [str(p) for _, p, _ in times if not str(p).startswith(str(SAHEL))] == []
