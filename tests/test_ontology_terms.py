"""ontology/sahel.ttl's own terms and the terms it reuses: every term of the project's namespace (classes,
properties, individuals, concept schemes and their concepts) has one English definition and
rdfs:isDefinedBy the ontology; a term of another vocabulary is only declared, never given a domain, range,
superproperty or further type, since its meaning is its own vocabulary's (see the file's "Reused terms")."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg import paths
from kg.namespaces import ONTOLOGY_IRI, PREFIXES, SAHEL

ONTOLOGY = Graph().parse(paths.ONTOLOGY_FILE, format="turtle")
OWN = sorted({term for term in ONTOLOGY.subjects() if isinstance(term, URIRef) and term.startswith(str(SAHEL))})
FOREIGN = sorted({term for term in ONTOLOGY.subjects() if isinstance(term, URIRef)
                  and not term.startswith(str(SAHEL)) and term != URIRef(ONTOLOGY_IRI)})
DECLARATIONS = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual}


def term(curie: str) -> URIRef:
    prefix, _, local = curie.partition(":")
    return URIRef(PREFIXES[prefix] + local)


# Subclass axioms between reused classes that their own vocabularies state (schema.org through
# schema:AdministrativeArea): they place the project's classes under foaf:Agent and schema:Place.
OWNERS_SUBCLASS_AXIOMS = {(term(sub), term(sup)) for sub, sup in (
    ("org:Organization", "foaf:Agent"),                # W3C ORG
    ("org:FormalOrganization", "org:Organization"),    # W3C ORG
    ("prov:Person", "prov:Agent"),                     # PROV-O
    ("prov:SoftwareAgent", "prov:Agent"),              # PROV-O
    ("time:Interval", "time:TemporalEntity"),          # OWL-Time
    ("time:Instant", "time:TemporalEntity"),           # OWL-Time
    ("schema:Country", "schema:Place"),                # schema.org: Country < AdministrativeArea < Place
)}

# Reused properties the data gives literals that are datatype properties because their vocabulary declares
# them so in OWL; every other literal-valued reused property is an annotation property (no logical axiom).
OWNERS_DATATYPE_PROPERTIES = {term(name) for name in (
    "skos:notation", "skosxl:literalForm", "prov:generatedAtTime", "time:inXSDgYear")}


def name(iri) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def test_there_are_own_and_reused_terms():
    assert len(OWN) > 200 and len(FOREIGN) > 50


@pytest.mark.parametrize("own", OWN, ids=[name(t) for t in OWN])
def test_each_own_term_has_one_english_definition_and_is_defined_by_the_ontology(own):
    definitions = list(ONTOLOGY.objects(own, SKOS.definition))
    assert len(definitions) == 1, definitions
    assert definitions[0].language == "en" and len(str(definitions[0]).split()) >= 2
    assert list(ONTOLOGY.objects(own, RDFS.isDefinedBy)) == [URIRef(ONTOLOGY_IRI)]


def test_every_own_iri_the_ontology_mentions_is_a_term_it_defines():
    mentioned = {node for triple in ONTOLOGY for node in triple
                 if isinstance(node, URIRef) and node.startswith(str(SAHEL))}
    assert sorted(mentioned - set(OWN)) == []


@pytest.mark.parametrize("foreign", FOREIGN, ids=[name(t) for t in FOREIGN])
def test_a_reused_term_is_only_declared(foreign):
    """One declaration; besides it, only a subclass axiom its own vocabulary states."""
    statements = set(ONTOLOGY.predicate_objects(foreign))
    declarations = {(p, o) for p, o in statements if p == RDF.type}
    assert len(declarations) == 1 and next(iter(declarations))[1] in DECLARATIONS, declarations
    others = {(p, o) for p, o in statements - declarations
              if not (p == RDFS.subClassOf and (foreign, o) in OWNERS_SUBCLASS_AXIOMS)}
    assert others == set()


def test_a_reused_datatype_property_is_one_its_vocabulary_declares_so():
    assert set(ONTOLOGY.subjects(RDF.type, OWL.DatatypeProperty)) - set(OWN) == OWNERS_DATATYPE_PROPERTIES


def test_dcmi_and_web_annotation_text_properties_are_annotation_properties():
    """DCMI gives dct:language and dct:format class ranges; Web Annotation uses oa:start and oa:end on
    data as well as text selectors: neither range nor domain is this ontology's to narrow."""
    for curie in ("dct:language", "dct:format", "dct:date", "oa:exact", "oa:prefix", "oa:suffix", "oa:start",
                  "oa:end", "schema:text"):
        assert set(ONTOLOGY.objects(term(curie), RDF.type)) == {OWL.AnnotationProperty}, curie
