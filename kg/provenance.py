"""The provenance graph: each article, its claimers and time spans, every claim's attribution and quote,
what each graph holds, and the build itself as a PROV activity (software, inputs and their sha256)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, TIME, XSD

from kg import __version__
from kg.claims import ClaimSet
from kg.errors import ClaimError
from kg.inference import RULES
from kg.namespaces import DEFAULT_BASE, OA, SAHEL, SCHEMA, SK, claim_iri, graph_iri, source_iri
from kg.timespans import derive

QUOTE_CONTEXT = 32  # characters of prefix and suffix kept with each quote selector

BUILD = URIRef(f"{DEFAULT_BASE}build/activity")
SOFTWARE = URIRef(f"{DEFAULT_BASE}build/software")
UN_SAHEL_STRATEGY = URIRef("https://oses.unmissions.org/background")


@dataclass(frozen=True)
class InputFile:
    """A file the build read: what it is (ontology, claims, ...), its path, and the name to record."""

    kind: str
    path: Path
    name: str


# The project's licence covers what it made, not the articles it quotes (schema:text and every oa:exact).
ARTICLE_RIGHTS = Literal("The text is its publisher's, held here verbatim as the source of the claims; this "
                         "project's licence does not cover it.", lang="en")


def claims_provenance(graph: Graph, claim_set: ClaimSet) -> None:
    """Add an article, its claimers, time spans, and each claim's attribution and quote to `graph`."""
    add = graph.add
    article = claim_set.article
    source = URIRef(source_iri(article.id))
    add((source, RDF.type, SAHEL.SourceDocument))
    add((source, RDF.type, SCHEMA.NewsArticle))
    add((source, DCTERMS.title, Literal(article.title, lang=article.language)))
    add((source, SCHEMA.text, Literal(article.text)))
    add((source, DCTERMS.rights, ARTICLE_RIGHTS))
    add((source, SAHEL.sha256, Literal(article.sha256)))
    add((source, DCTERMS.language, Literal(article.language)))
    add((source, DCTERMS["format"], Literal("text/plain")))
    add((source, SAHEL.publicationDateKnown, Literal(article.published is not None)))
    if article.published:
        add((source, DCTERMS.issued, Literal(article.published, datatype=XSD.date)))
    if article.published_not_before:
        add((source, SAHEL.publishedNotBefore, Literal(article.published_not_before, datatype=XSD.date)))
    if article.published_not_after:
        add((source, SAHEL.publishedNotAfter, Literal(article.published_not_after, datatype=XSD.date)))

    for name, claimer in claim_set.claimers.items():
        agent = SK[name]
        add((agent, RDF.type, curie(claimer["type"])))
        add((agent, RDFS.label, Literal(claimer["label"], lang="en")))
        if "affiliated_with" in claimer:
            add((agent, SAHEL.affiliatedWith, curie(claimer["affiliated_with"])))

    for name, span in claim_set.times.items():
        _add_time_span(graph, SK[name], span, claim_set)

    for claim in claim_set.claims:
        node = URIRef(claim_iri(claim.id))
        target = URIRef(f"{node}#target")
        quote, position = URIRef(f"{node}#quote"), URIRef(f"{node}#position")
        add((node, RDF.type, SAHEL.Claim))
        add((node, RDFS.label, Literal(f"claim {claim.id}", lang="en")))
        add((node, PROV.wasDerivedFrom, source))
        add((node, PROV.wasAttributedTo, SK[claim.claimer]))
        add((node, SAHEL.modality, curie(claim_set.modalities[claim.modality])))
        add((node, SAHEL.certainty, curie(claim_set.certainties[claim.certainty])))
        add((node, SAHEL.validDuring, SK[claim.valid]))
        # The reading of the quote as this claim is the curator's, so it is an annotation apart from the
        # claim: prov:wasAttributedTo gives the claimer what is stated, not how the quote was read.
        annotation = URIRef(f"{node}#annotation")
        add((annotation, RDF.type, OA.Annotation))
        add((annotation, RDFS.label, Literal(f"reading of claim {claim.id}", lang="en")))
        add((annotation, OA.hasBody, node))
        # Web Annotation links only from the annotation; this link back lets a DESCRIBE of the claim, which
        # follows outgoing statements, reach its reading and quote.
        add((node, DCTERMS.isReferencedBy, annotation))
        add((annotation, OA.motivatedBy, OA.describing))
        add((annotation, OA.hasTarget, target))
        if claim_set.curated_by:
            add((annotation, DCTERMS.creator, curator_iri(claim_set.path)))
        if claim.interpretation:
            add((annotation, SAHEL.interpretation, Literal(claim.interpretation, lang="en")))
        add((target, RDF.type, OA.SpecificResource))
        add((target, OA.hasSource, source))
        add((target, OA.hasSelector, quote))
        add((target, OA.hasSelector, position))
        add((quote, RDF.type, OA.TextQuoteSelector))
        add((quote, OA.exact, Literal(claim.quote)))
        add((quote, OA.prefix, Literal(article.span(max(0, claim.start - QUOTE_CONTEXT), claim.start))))
        add((quote, OA.suffix, Literal(article.span(claim.end, claim.end + QUOTE_CONTEXT))))
        add((position, RDF.type, OA.TextPositionSelector))
        add((position, OA.start, Literal(claim.start, datatype=XSD.nonNegativeInteger)))
        add((position, OA.end, Literal(claim.end, datatype=XSD.nonNegativeInteger)))


def _add_time_span(graph: Graph, node: URIRef, span: dict, claim_set: ClaimSet) -> None:
    """A span with the bounds the claims file gives, tightened by what is known of the article's date."""
    add = graph.add
    article = claim_set.article
    source = URIRef(source_iri(article.id))
    add((node, RDF.type, SAHEL.TimeSpan))
    add((node, RDFS.label, Literal(str(span["label"]), lang="en")))
    add((node, SAHEL.timePrecision, curie(span["precision"])))
    bounds = derive(span, article.earliest, article.latest)
    for value, predicate in ((bounds.starts_not_before, SAHEL.startsNotBefore),
                             (bounds.starts_not_after, SAHEL.startsNotAfter),
                             (bounds.ends_not_before, SAHEL.endsNotBefore),
                             (bounds.ends_not_after, SAHEL.endsNotAfter)):
        if value is not None:
            add((node, predicate, Literal(value, datatype=XSD.date)))
    if span.get("ongoing"):
        add((node, SAHEL.ongoing, Literal(True)))
    if "relative" in span:
        add((node, SAHEL.relativeTo, source))
        add((node, SAHEL.relativePosition, curie(span["relative"])))
    if "year" in span:  # OWL-Time view: the span begins within that calendar year
        beginning = URIRef(f"{node}#beginning")
        add((node, TIME.hasBeginning, beginning))
        add((beginning, RDF.type, TIME.Instant))
        add((beginning, TIME.inXSDgYear, Literal(str(span["year"]), datatype=XSD.gYear)))


def describe_graphs(graph: Graph, sources: list[URIRef], claim_graphs: list[str]) -> None:
    """Label each fixed graph, say where its content comes from, and that the build generated it."""
    descriptions = {
        "ontology": ("Ontology", "The sahel-kg OWL ontology and its code lists.", []),
        "entities": ("Entity names", "Labels of the project's entities, as the articles name them.", []),
        "background": ("Background facts from Wikidata",
                       "Facts the articles rely on but do not state (which entities are states and regions, which "
                       "states lie in West Africa); not the articles' content. Source: Wikidata.",
                       [URIRef("http://www.wikidata.org/")]),
        "background-un-sahel": ("Background facts from the UN integrated strategy for the Sahel",
                                "Which states lie in the Sahel, as the UN integrated strategy for the Sahel "
                                "(S/2013/354) covers them, described by the UN Office of the Special Envoy for the "
                                "Sahel; not the articles' content.", [UN_SAHEL_STRATEGY]),
        "definitions": ("The project's definitions",
                        "What the project defines some entities it names to be (the United States government, "
                        "its armed forces, the Sahel's border regions); stated by no source.", []),
        "links": ("Links to other datasets",
                  "Identity and similarity links to Wikidata, GeoNames and DBpedia, each with a link record "
                  "giving its status, source and date (from kg/data/links.csv).", []),
        "same-as": ("Identity links (owl:sameAs)",
                    "owl:sameAs for the verified links only, for clients that follow owl:sameAs.", []),
        "aliases": ("Other names",
                    "Other names of entities (skos:altLabel with language tags), each with its source as a "
                    "SKOS-XL label (from kg/data/aliases.csv).", []),
        "provenance": ("Provenance", "The source articles, their claimers, time spans and every claim's quote, "
                                     "and the build that made this dataset.", sources),
        "inferred": ("Inferred (derived, stated by no source)",
                     "Entailments of the ontology over the other graphs, by the OWL 2 RL rules named with "
                     "sahel:entailmentRule; each triple is new (no graph states it).", []),
    }
    for name, (label, comment, origins) in descriptions.items():
        node = URIRef(graph_iri(name))
        graph.add((node, RDFS.label, Literal(label, lang="en")))
        graph.add((node, RDFS.comment, Literal(comment, lang="en")))
        graph.add((node, PROV.wasGeneratedBy, BUILD))
        for origin in origins:
            graph.add((node, DCTERMS.source, origin))
    inferred = URIRef(graph_iri("inferred"))
    for rule in RULES:
        graph.add((inferred, SAHEL.entailmentRule, Literal(rule)))
    for name in ["ontology", "entities", "background", "background-un-sahel", "definitions", "links", "same-as",
                 "aliases", "provenance"]:
        graph.add((inferred, PROV.wasDerivedFrom, URIRef(graph_iri(name))))
    for name in claim_graphs:
        graph.add((inferred, PROV.wasDerivedFrom, URIRef(name)))


def build_activity(graph: Graph, inputs: list[InputFile], claim_sets: list[ClaimSet]) -> None:
    """The build as a PROV activity: the software and its version, every input with its sha256, and the
    role that curated each claims file. No time is recorded, so the same inputs give the same bytes."""
    add = graph.add
    add((BUILD, RDF.type, PROV.Activity))
    add((BUILD, RDFS.label, Literal("kg build", lang="en")))
    add((BUILD, PROV.wasAssociatedWith, SOFTWARE))
    add((SOFTWARE, RDF.type, PROV.SoftwareAgent))
    add((SOFTWARE, RDFS.label, Literal(f"sahel-kg {__version__}", lang="en")))
    add((SOFTWARE, SCHEMA.softwareVersion, Literal(__version__)))
    curators = {str(claim_set.path): claim_set.curated_by for claim_set in claim_sets}
    for claim_set in claim_sets:  # the articles: their text's sha256 is on the source already
        add((BUILD, PROV.used, URIRef(source_iri(claim_set.article.id))))
    for item in inputs:
        entity = input_iri(item.name)
        add((BUILD, PROV.used, entity))
        add((entity, RDF.type, PROV.Entity))
        add((entity, RDFS.label, Literal(item.name)))
        add((entity, DCTERMS.description, Literal(item.kind, lang="en")))
        add((entity, SAHEL.sha256, Literal(hashlib.sha256(item.path.read_bytes()).hexdigest())))
        curator = curators.get(str(item.path))
        if curator:
            attribution, agent = URIRef(f"{entity}#curation"), curator_iri(item.path)
            add((entity, PROV.qualifiedAttribution, attribution))
            add((attribution, RDF.type, PROV.Attribution))
            add((attribution, PROV.agent, agent))
            add((attribution, PROV.hadRole, SAHEL.ClaimsCurator))
            add((agent, RDF.type, PROV.Agent))
            add((agent, RDFS.label, Literal(curator, lang="en")))


def input_iri(name: str) -> URIRef:
    """The IRI of a file the build read, by its recorded name (kind/file name)."""
    return URIRef(f"{DEFAULT_BASE}build/input/{name}")


def curator_iri(claims_path: Path) -> URIRef:
    """The agent who curated a claims file (its curated_by), as the build's record of that file names it."""
    return URIRef(f"{input_iri('claims/' + Path(claims_path).name)}#curator")


def curie(value: str) -> URIRef:
    """A sahel: or sk: name from a claims file as an IRI."""
    prefix, _, local = str(value).partition(":")
    namespace = {"sahel": SAHEL, "sk": SK}.get(prefix)
    if namespace is None:
        raise ClaimError(f"expected a sahel: or sk: name, got {value!r}")
    return namespace[local]
