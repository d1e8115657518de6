"""ontology/sahel.ttl: its metadata, that it declares every term the data uses and only terms the data
uses, clean names, a domain and range for every property of its own, the OWL 2 DL profile and HermiT's
consistency check, and that an OWL RL closure of it with the built data finds no inconsistency (and
would find one)."""

from __future__ import annotations

import shutil

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

import servers
from build_fixtures import EXTRA_GRAPHS, SHIPPED_CLAIMS, built, claim_graph, named_graph, two_articles
from kg import paths
from kg.namespaces import ONTOLOGY_IRI, PREFIXES, SAHEL, SK, VANN, graph_iri
from kg.owl_check import check as owl_check
from kg.validate import union

__all__ = ["built", "two_articles"]  # fixtures

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


# OWL 2's built-in terms: usable without (and never to be given) a declaration; and RDF's reification
# vocabulary, which the link records use as RDF (OWL 2 DL reserves it, so the ontology cannot declare it).
BUILT_IN = {RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy, OWL.versionInfo, OWL.deprecated, OWL.sameAs,
            RDF.subject, RDF.predicate, RDF.object}
RESERVED = tuple(PREFIXES[name] for name in ("owl", "rdf", "rdfs", "xsd"))
OWN = [term for term in set(ONTOLOGY.subjects()) if isinstance(term, URIRef) and term.startswith(str(SAHEL))]
OWN_PROPERTIES = sorted(term for term in OWN if kinds(term) & PROPERTY_KINDS)


def test_no_two_terms_of_the_ontology_differ_only_in_case():
    names = [str(term) for term in OWN]
    folded = {}
    for name in names:
        folded.setdefault(name.casefold(), []).append(name)
    assert not [group for group in folded.values() if len(group) > 1]


def test_no_term_of_owl_rdf_rdfs_or_xsd_is_declared():
    assert not sorted(term for term in set(ONTOLOGY.subjects()) if str(term).startswith(RESERVED))


@pytest.mark.parametrize("prop", OWN_PROPERTIES, ids=[str(p).rsplit("#", 1)[1] for p in OWN_PROPERTIES])
def test_each_own_property_has_a_domain_and_range_or_says_why_not(prop):
    comments = " ".join(str(comment) for comment in ONTOLOGY.objects(prop, RDFS.comment))
    for axiom, word in ((RDFS.domain, "domain"), (RDFS.range, "range")):
        if OWL.AnnotationProperty in kinds(prop) and word == "range":
            assert "annotation" in comments, prop
            continue
        assert ONTOLOGY.value(prop, axiom) is not None or f"No {word}" in comments or \
            f"No domain or range" in comments, (prop, word)


def test_the_ontology_uses_only_constructs_whose_rules_the_inferred_graph_names():
    from kg.inference import unsupported_constructs
    assert unsupported_constructs(ONTOLOGY) == set()


# Terms that only `kg load` writes (its load records), not the build; and the link status kg/links.py
# gives a "rejected" row of links.csv, of which the shipped table has none.
WRITTEN_BY_LOADS = {URIRef(PREFIXES["prov"] + "generatedAtTime"), SAHEL.LinkRejected}


def test_every_declared_term_is_used(built, two_articles):
    """By some graph other than the ontology (of the shipped build or of the two-article build, whose
    invented article has a known date), or by the ontology's own axioms and annotations."""
    used = set(WRITTEN_BY_LOADS)
    for dataset in (built.dataset, two_articles.dataset):
        for s, p, o, g in dataset.quads():
            if g != URIRef(graph_iri("ontology")):
                used |= {s, p, o}
    for s, p, o in ONTOLOGY:
        used |= {p, o}
    # What `kg events load` writes (tests/test_events.py): the terms of its mapping, and the ACLED codes its
    # templates make from the table's values.
    for mapping in (paths.DATA_DIR.parent / "mappings").glob("*.ttl"):
        used |= {term for triple in Graph().parse(mapping, format="turtle") for term in triple}
    for scheme in (SAHEL.ACLEDEventTypes, SAHEL.ACLEDTimePrecisions):
        used |= set(ONTOLOGY.subjects(SKOS.inScheme, scheme))
    used |= {SAHEL.LinkExactName, SAHEL.matchScore}  # what kg/events.py gives an actor's link: status, score
    schemes = set(ONTOLOGY.subjects(RDF.type, SKOS.ConceptScheme))
    used |= {scheme for scheme in schemes if any(ONTOLOGY.subjects(SKOS.inScheme, scheme))}
    declared = {term for term in set(ONTOLOGY.subjects()) if isinstance(term, URIRef)} - {URIRef(ONTOLOGY_IRI)}
    assert sorted(declared - used) == []


# --- OWL 2 DL profile and HermiT ---------------------------------------------------------------

@pytest.fixture(scope="module")
def java():
    """The OWL checks run the OWL API and HermiT on Java: skip on a machine without it (CI installs it)."""
    if shutil.which("java") is None or shutil.which("javac") is None:
        servers.missing_service("the OWL checks need a Java 11+ JDK (java, javac)")


@pytest.fixture(scope="module")
def ontology_report(java):
    return owl_check(ONTOLOGY)


def test_the_ontology_is_in_the_owl2_dl_profile(java, ontology_report):
    assert ontology_report.axioms > 500
    assert ontology_report.violations == []
    assert ontology_report.unparsed == []
    assert ontology_report.outside_datatype_map == set()  # xsd:date ranges are rdfs:Literal, see the notes


def test_hermit_finds_the_ontology_consistent(java, ontology_report):
    assert ontology_report.consistent is True


def test_the_profile_check_finds_a_redeclared_owl_term(java):
    broken = ONTOLOGY + Graph()
    broken.add((OWL.sameAs, RDF.type, OWL.ObjectProperty))
    assert any("sameAs" in violation for violation in owl_check(broken).violations)


def test_hermit_finds_the_ontology_the_data_and_the_inferences_consistent(java, built):
    """With the data (xsd:date and xsd:gYear literals, outside the OWL 2 datatype map, taken as opaque)."""
    report = owl_check(union(built.dataset), ignore_unsupported_datatypes=True)
    assert report.axioms > 2000
    assert report.consistent is True


def test_hermit_finds_a_state_that_is_also_an_armed_group(java, built):
    broken = union(built.dataset)
    broken.add((SK.mali, RDF.type, SAHEL.JihadistGroup))
    assert owl_check(broken, ignore_unsupported_datatypes=True).consistent is False


@pytest.mark.parametrize("name", DATA_GRAPHS)
def test_every_class_and_property_is_declared(built, name):
    graph = data_graph(built.dataset, name)
    assert len(graph)
    properties = {p for p in graph.predicates() if p != RDF.type} - BUILT_IN
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


def test_kg_validate_owl_runs_the_profile_and_consistency_checks(java):
    from build_fixtures import run_kg

    result = run_kg("validate", "--owl")
    assert result.exit_code == 0, result.stdout
    assert result.stderr.startswith("conforms: no SHACL violations in the ")
    assert result.stderr.strip().endswith(" node(s) the shapes checked, OWL 2 DL, consistent")
