"""Ontology + claims + background + links -> one RDF dataset, the same bytes for the same inputs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, TIME, XSD

from kg import paths
from kg.claims import ClaimSet, load_claims, turtle_problem
from kg.errors import ClaimError, ParseError
from kg.links import aliases_graph, links_graph, read_aliases, read_links, same_as_graph
from kg.namespaces import DEFAULT_BASE, OA, PREFIXES, SAHEL, SCHEMA, SK, VANN, claim_iri, graph_iri, source_iri

QUOTE_CONTEXT = 32  # characters of prefix and suffix kept with each quote selector

FORMATS = {"nquads": "nquads", "trig": "trig", "turtle": "turtle", "jsonld": "json-ld"}

@dataclass(frozen=True)
class Inputs:
    """The files a build reads; defaults are the ones shipped with the package."""

    ontology: Path = paths.ONTOLOGY_FILE
    claims: Path = paths.CLAIMS_FILE
    entities: Path = paths.ENTITIES_FILE
    background: Path = paths.BACKGROUND_FILE
    links: Path = paths.LINKS_FILE
    aliases: Path = paths.ALIASES_FILE


@dataclass(frozen=True)
class BuildResult:
    """The built dataset and what it holds."""

    dataset: Dataset
    claims: int

    @property
    def triples(self) -> int:
        """Distinct triples over all graphs: a triple stated in several graphs counts once."""
        return len(self.dataset)

    @property
    def quads(self) -> int:
        """Quads: one for each graph a triple is in, as many as the N-Quads output has lines."""
        return sum(1 for _ in self.dataset.quads())

    @property
    def graphs(self) -> int:
        return sum(1 for graph in self.dataset.graphs() if len(graph))

    @property
    def summary(self) -> str:
        """The one line `kg build` reports."""
        return (f"built {self.claims} claims: {self.quads} quads ({self.triples} distinct triples) "
                f"in {self.graphs} graphs")


def build(inputs: Inputs = Inputs(), *, base: str = DEFAULT_BASE) -> BuildResult:
    """Check every input and build the dataset; raise ClaimError or ParseError before building anything."""
    ontology = _parse_turtle(inputs.ontology)
    claim_set = load_claims(inputs.claims, ontology=ontology)
    entities = _parse_turtle(inputs.entities)
    background = _parse_turtle(inputs.background)
    links = read_links(inputs.links)
    aliases = read_aliases(inputs.aliases)
    article = URIRef(source_iri(claim_set.article.id))

    dataset = Dataset()
    _add(dataset, graph_iri("ontology"), ontology)
    _add(dataset, graph_iri("entities"), entities)
    _add(dataset, graph_iri("background"), background)
    _add(dataset, graph_iri("links"), links_graph(links))
    _add(dataset, graph_iri("same-as"), same_as_graph(links))
    _add(dataset, graph_iri("aliases"), aliases_graph(aliases, article))
    for claim in claim_set.claims:
        _add(dataset, claim_iri(claim.id), claim.triples)
    _add(dataset, graph_iri("provenance"), _provenance(claim_set))
    if base != DEFAULT_BASE:
        dataset = _rebase(dataset, base)
    for name, namespace in PREFIXES.items():  # serialisations then write sahel:, sk:, ... not ns1:
        dataset.bind(name, namespace.replace(DEFAULT_BASE, base), override=True, replace=True)
    return BuildResult(dataset=dataset, claims=len(claim_set.claims))


def serialize(dataset: Dataset, fmt: str) -> bytes:
    """The dataset in one of FORMATS; N-Quads is sorted so that equal datasets give equal bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == "nquads":
        lines = dataset.serialize(format="nquads", encoding="utf-8").decode("utf-8").splitlines()
        return "".join(line + "\n" for line in sorted(set(lines)) if line.strip()).encode("utf-8")
    if fmt == "turtle":  # Turtle has no graphs: the union is written, graph names dropped
        union = Graph()
        for prefix, namespace in dataset.namespaces():
            union.bind(prefix, namespace)
        for s, p, o, _ in dataset.quads():
            union.add((s, p, o))
        return union.serialize(format="turtle", encoding="utf-8")
    return dataset.serialize(format=FORMATS[fmt], encoding="utf-8")


def _parse_turtle(path: Path) -> Graph:
    graph = Graph()
    try:
        graph.parse(path, format="turtle")
    except Exception as error:  # rdflib's Turtle parser raises several unrelated types
        why, line = turtle_problem(error, path.read_text(encoding="utf-8", errors="replace"))
        raise ParseError(f"not valid Turtle: {why}", path=str(path), line=line) from None
    _refuse_blank_nodes(graph, path)
    return graph


# Turtle's blank-node syntax, found past the strings, IRIs and comments that may hold the same characters.
_BLANK_SYNTAX = re.compile(r"""
    \"\"\"[\s\S]*?\"\"\" | '''[\s\S]*?''' | "(?:[^"\\\n]|\\.)*" | '(?:[^'\\\n]|\\.)*'  # strings
    | <[^>\s]*> | \#[^\n]*                                                     # IRIs, comments
    | (?P<blank> \[ | \((?!\s*\)) | (?<![\w.:-])_: )  # '[', a list that is not '()', a '_:label'
""", re.VERBOSE)


def _refuse_blank_nodes(graph: Graph, path: Path) -> None:
    """Blank nodes would make the output depend on parser labels: name a triple with one, and its line."""
    blank = [triple for triple in graph if any(isinstance(term, BNode) for term in triple)]
    if blank:
        # Prefer a triple with a named subject: the reader can find that in the file.
        shown = min((isinstance(triple[0], BNode), _show(triple, graph)) for triple in blank)[1]
        line = _blank_node_line(path.read_text(encoding="utf-8", errors="replace"))
        raise ParseError(f"blank nodes are not allowed in build inputs; give the node an IRI (in: {shown})",
                         path=str(path), line=line)


def _show(triple: tuple, graph: Graph) -> str:
    """A triple in the file's prefixes, blank nodes as [] (the parser's labels are random)."""
    return " ".join("[]" if isinstance(term, BNode) else term.n3(graph.namespace_manager) for term in triple)


def _blank_node_line(text: str) -> int | None:
    """The 1-based line of the first blank node in Turtle text."""
    found = next((match for match in _BLANK_SYNTAX.finditer(text) if match.group("blank")), None)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _add(dataset: Dataset, name: str, graph: Graph) -> None:
    target = dataset.graph(URIRef(name))
    for triple in graph:
        target.add(triple)


def _provenance(claim_set: ClaimSet) -> Graph:
    """The article, its claimers, time spans, each claim's attribution and quote, and graph labels."""
    graph = Graph()
    add = graph.add
    article = claim_set.article
    source = URIRef(source_iri(article.id))
    add((source, RDF.type, SAHEL.SourceDocument))
    add((source, RDF.type, SCHEMA.NewsArticle))
    add((source, DCTERMS.title, Literal(article.title, lang=article.language)))
    add((source, SCHEMA.text, Literal(article.text)))
    add((source, SAHEL.sha256, Literal(article.sha256)))
    add((source, DCTERMS.language, Literal(article.language)))
    add((source, DCTERMS["format"], Literal("text/plain")))
    add((source, SAHEL.publicationDateKnown, Literal(article.published is not None)))
    if article.published:
        add((source, DCTERMS.issued, Literal(article.published, datatype=XSD.date)))
    if article.published_not_before:
        add((source, SAHEL.publishedNotBefore, Literal(article.published_not_before, datatype=XSD.date)))

    for name, claimer in claim_set.claimers.items():
        agent = SK[name]
        add((agent, RDF.type, _curie(claimer["type"])))
        add((agent, RDFS.label, Literal(claimer["label"], lang="en")))
        if "affiliated_with" in claimer:
            add((agent, SAHEL.affiliatedWith, _curie(claimer["affiliated_with"])))

    for name, span in claim_set.times.items():
        _add_time_span(graph, SK[name], span, source)

    for claim in claim_set.claims:
        node = URIRef(claim_iri(claim.id))
        target = URIRef(f"{node}#target")
        quote, position = URIRef(f"{node}#quote"), URIRef(f"{node}#position")
        add((node, RDF.type, SAHEL.Claim))
        add((node, RDFS.label, Literal(f"claim {claim.id}", lang="en")))
        add((node, PROV.wasDerivedFrom, source))
        add((node, PROV.wasAttributedTo, SK[claim.claimer]))
        add((node, SAHEL.modality, _curie(claim_set.modalities[claim.modality])))
        add((node, SAHEL.certainty, _curie(claim_set.certainties[claim.certainty])))
        add((node, SAHEL.validDuring, SK[claim.valid]))
        add((node, OA.motivatedBy, OA.describing))
        add((node, OA.hasTarget, target))
        if claim.interpretation:
            add((node, SAHEL.interpretation, Literal(claim.interpretation, lang="en")))
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

    _describe_graphs(graph, source)
    return graph


def _add_time_span(graph: Graph, node: URIRef, span: dict, source: URIRef) -> None:
    add = graph.add
    add((node, RDF.type, SAHEL.TimeSpan))
    add((node, RDFS.label, Literal(str(span["label"]), lang="en")))
    add((node, SAHEL.timePrecision, _curie(span["precision"])))
    for key, predicate in (("starts_not_before", SAHEL.startsNotBefore), ("starts_not_after", SAHEL.startsNotAfter),
                           ("ends_not_before", SAHEL.endsNotBefore), ("ends_not_after", SAHEL.endsNotAfter)):
        if key in span:
            add((node, predicate, Literal(span[key], datatype=XSD.date)))
    if span.get("ongoing"):
        add((node, SAHEL.ongoing, Literal(True)))
    if "relative" in span:
        add((node, SAHEL.relativeTo, source))
        add((node, SAHEL.relativePosition, _curie(span["relative"])))
    if "year" in span:  # OWL-Time view: the span begins within that calendar year
        beginning = URIRef(f"{node}#beginning")
        add((node, TIME.hasBeginning, beginning))
        add((beginning, RDF.type, TIME.Instant))
        add((beginning, TIME.inXSDgYear, Literal(str(span["year"]), datatype=XSD.gYear)))


def _describe_graphs(graph: Graph, source: URIRef) -> None:
    descriptions = {
        "ontology": ("Ontology", "The sahel-kg OWL ontology and its code lists.", None),
        "entities": ("Entity names", "Labels of the project's entities, as the article names them.", None),
        "background": ("Background facts",
                       "Facts the article relies on but does not state (states, regions); not the article's content.",
                       URIRef("http://www.wikidata.org/")),
        "links": ("Links to other datasets",
                  "Identity and similarity links to Wikidata, GeoNames and DBpedia, each with a link record "
                  "giving its status, source and date (from kg/data/links.csv).", None),
        "same-as": ("Identity links (owl:sameAs)",
                    "owl:sameAs for the verified links only, for clients that follow owl:sameAs.", None),
        "aliases": ("Other names",
                    "Other names of entities (skos:altLabel with language tags), each with its source as a "
                    "SKOS-XL label (from kg/data/aliases.csv).", None),
        "provenance": ("Provenance", "The source article, its claimers, time spans and every claim's quote.",
                       source),
    }
    for name, (label, comment, origin) in descriptions.items():
        node = URIRef(graph_iri(name))
        graph.add((node, RDFS.label, Literal(label, lang="en")))
        graph.add((node, RDFS.comment, Literal(comment, lang="en")))
        if origin is not None:
            graph.add((node, DCTERMS.source, origin))


def _curie(value: str) -> URIRef:
    prefix, _, local = str(value).partition(":")
    namespace = {"sahel": SAHEL, "sk": SK}.get(prefix)
    if namespace is None:
        raise ClaimError(f"expected a sahel: or sk: name, got {value!r}")
    return namespace[local]


def _rebase(dataset: Dataset, base: str) -> Dataset:
    """Move every IRI under the default base to the configured one, and the ontology's namespace IRI,
    which vann:preferredNamespaceUri gives as a literal; no other literal changes."""
    def move(term):
        if isinstance(term, URIRef) and term.startswith(DEFAULT_BASE):
            return URIRef(base + term[len(DEFAULT_BASE):])
        return term

    def move_object(predicate, obj):
        if predicate == VANN.preferredNamespaceUri and isinstance(obj, Literal) and obj.startswith(DEFAULT_BASE):
            return Literal(base + obj[len(DEFAULT_BASE):], lang=obj.language, datatype=obj.datatype)
        return move(obj)

    moved = Dataset()
    for s, p, o, g in dataset.quads():
        graph = moved.graph(move(g.identifier if isinstance(g, Graph) else g))
        graph.add((move(s), move(p), move_object(p, o)))
    return moved
