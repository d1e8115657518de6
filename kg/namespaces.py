"""IRIs of the project's namespaces and the prefixes every query may use without declaring them."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

DEFAULT_BASE = "https://sahel-kg.example.org/"

SAHEL = Namespace(DEFAULT_BASE + "ontology#")
SK = Namespace(DEFAULT_BASE + "id/")
ORG = Namespace("http://www.w3.org/ns/org#")
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")
VANN = Namespace("http://purl.org/vocab/vann/")

ONTOLOGY_IRI = DEFAULT_BASE + "ontology"

PREFIXES: dict[str, str] = {
    "sahel": str(SAHEL),
    "sk": str(SK),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "skosxl": "http://www.w3.org/2008/05/skos-xl#",
    "org": str(ORG),
    "prov": str(PROV),
    "time": str(TIME),
    "oa": str(OA),
    "dct": str(DCTERMS),
    "schema": str(SCHEMA),
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vann": str(VANN),
    "sh": "http://www.w3.org/ns/shacl#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "gn": "https://sws.geonames.org/",
    "dbr": "http://dbpedia.org/resource/",
}


def graph_iri(name: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of one of the dataset's named graphs, e.g. graph_iri("ontology")."""
    return f"{base}graph/{name}"


def claim_iri(claim_id: str, base: str = DEFAULT_BASE) -> str:
    """A claim's IRI, which also names the graph holding what it states."""
    return f"{base}claim/{claim_id}"


def source_iri(source_id: str, base: str = DEFAULT_BASE) -> str:
    """The IRI of a source document."""
    return f"{base}source/{source_id}"


def turtle_prefixes() -> str:
    """PREFIX lines (Turtle @prefix form) for every prefix in PREFIXES."""
    return "".join(f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items())
