"""IRIs of the project's namespaces and the prefixes every query may use without declaring them."""

from __future__ import annotations

DEFAULT_BASE = "https://sahel-kg.example.org/"
ONTOLOGY_IRI = DEFAULT_BASE + "ontology"

PREFIXES: dict[str, str] = {
    "sahel": DEFAULT_BASE + "ontology#",
    "sk": DEFAULT_BASE + "id/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "skosxl": "http://www.w3.org/2008/05/skos-xl#",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
    "dct": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vann": "http://purl.org/vocab/vann/",
    "sh": "http://www.w3.org/ns/shacl#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "void": "http://rdfs.org/ns/void#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "gn": "https://sws.geonames.org/",
    "dbr": "http://dbpedia.org/resource/",
}

# rdflib Namespace objects of these, made on first use (PEP 562): the query workers need only the strings,
# and importing rdflib would cost each of them about 20 MB and 40 ms at start.
_NAMESPACES = {"SAHEL": "sahel", "SK": "sk", "ORG": "org", "OA": "oa", "SCHEMA": "schema", "VANN": "vann"}


def __getattr__(name: str):
    if name not in _NAMESPACES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from rdflib import Namespace

    namespace = globals()[name] = Namespace(PREFIXES[_NAMESPACES[name]])
    return namespace


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
