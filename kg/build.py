"""Ontology + claims + background + links -> one RDF dataset, the same bytes for the same inputs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Dataset, Graph, Literal, URIRef

from kg import paths
from kg.claim_triples import turtle_problem
from kg.claims import ClaimSet, load_claims
from kg.errors import ClaimError, ParseError, quoted
from kg.inference import entailments
from kg.links import aliases_graph, check_entities, links_graph, read_aliases, read_links, same_as_graph
from kg.namespaces import DEFAULT_BASE, PREFIXES, SK, VANN, claim_iri, graph_iri, source_iri
from kg.provenance import InputFile, build_activity, claims_provenance, describe_graphs

FORMATS = {"nquads": "nquads", "trig": "trig", "jsonld": "json-ld"}  # each keeps the named graphs (Turtle has none)

@dataclass(frozen=True)
class Inputs:
    """The files a build reads; defaults are the ones shipped with the package.

    `claims` is a claims file, a directory whose *.yaml files are claims files (one per article), or a
    tuple of either.
    """

    ontology: Path = paths.ONTOLOGY_FILE
    claims: Path | tuple[Path, ...] = paths.CLAIMS_DIR
    entities: Path = paths.ENTITIES_FILE
    background: Path = paths.BACKGROUND_FILE
    un_sahel: Path = paths.UN_SAHEL_FILE
    definitions: Path = paths.DEFINITIONS_FILE
    links: Path = paths.LINKS_FILE
    aliases: Path = paths.ALIASES_FILE

    def claims_files(self) -> list[Path]:
        """Every claims file, directories expanded to their *.yaml files in name order."""
        given = self.claims if isinstance(self.claims, tuple) else (self.claims,)
        files = []
        for path in map(Path, given):
            files.extend(claims_in(path) if path.is_dir() else [path])
        if not files:
            raise ClaimError("no claims files (*.yaml) found", path=", ".join(map(str, given)))
        return files


def claims_in(folder: Path) -> list[Path]:
    """The claims files of a folder (its *.yaml files, one per article), in name order."""
    return sorted(Path(folder).glob("*.yaml"))


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
    files = inputs.claims_files()
    claim_sets = [load_claims(path, ontology=ontology) for path in files]
    _check_apart(claim_sets)
    entities = _parse_turtle(inputs.entities)
    background = _parse_turtle(inputs.background)
    un_sahel = _parse_turtle(inputs.un_sahel)
    definitions = _parse_turtle(inputs.definitions)
    links = read_links(inputs.links)
    aliases = read_aliases(inputs.aliases)
    described = _entity_names(entities, claim_sets)
    check_entities(links, described, inputs.links)
    check_entities(aliases, described, inputs.aliases)

    dataset = Dataset()
    _add(dataset, graph_iri("ontology"), ontology)
    _add(dataset, graph_iri("entities"), entities)
    _add(dataset, graph_iri("background"), background)  # one graph per source: each graph names its own
    _add(dataset, graph_iri("background-un-sahel"), un_sahel)
    _add(dataset, graph_iri("definitions"), definitions)
    _add(dataset, graph_iri("links"), links_graph(links))
    _add(dataset, graph_iri("same-as"), same_as_graph(links))
    # The aliases table's source "article" is the first claims file's article (the shipped one).
    _add(dataset, graph_iri("aliases"), aliases_graph(aliases, URIRef(source_iri(claim_sets[0].article.id))))
    claim_graphs = []
    for claim_set in claim_sets:
        for claim in claim_set.claims:
            claim_graphs.append(claim_iri(claim.id))
            _add(dataset, claim_graphs[-1], claim.triples)
    provenance = Graph()
    for claim_set in claim_sets:
        claims_provenance(provenance, claim_set)
    describe_graphs(provenance, [URIRef(source) for source in sorted(_sources(claim_sets))], claim_graphs)
    build_activity(provenance, input_files(inputs, files), claim_sets)
    _add(dataset, graph_iri("provenance"), provenance)
    asserted = Graph()
    for s, p, o, g in dataset.quads():
        if g != URIRef(graph_iri("ontology")):
            asserted.add((s, p, o))
    _add(dataset, graph_iri("inferred"), entailments(ontology, asserted))
    if base != DEFAULT_BASE:
        dataset = _rebase(dataset, base)
    for name, namespace in PREFIXES.items():  # serialisations then write sahel:, sk:, ... not ns1:
        dataset.bind(name, namespace.replace(DEFAULT_BASE, base), override=True, replace=True)
    return BuildResult(dataset=dataset, claims=sum(len(claim_set.claims) for claim_set in claim_sets))


def _entity_names(entities: Graph, claim_sets: list[ClaimSet]) -> set[str]:
    """The local names of the entities the entities file and the claims describe (subjects under sk:)."""
    graphs = [entities] + [claim.triples for claim_set in claim_sets for claim in claim_set.claims]
    return {str(subject)[len(SK):] for graph in graphs for subject in graph.subjects(unique=True)
            if isinstance(subject, URIRef) and str(subject).startswith(SK)}


def _sources(claim_sets: list[ClaimSet]) -> set[str]:
    return {source_iri(claim_set.article.id) for claim_set in claim_sets}


def _check_apart(claim_sets: list[ClaimSet]) -> None:
    """Articles, claims, claimers and time spans are named once across all claims files."""
    seen: dict[tuple[str, str], ClaimSet] = {}
    for claim_set in claim_sets:
        names = [("article", claim_set.article.id, 1)]
        names += [("claim", claim.id, claim.line) for claim in claim_set.claims]
        names += [(section, name, 1) for section in ("claimers", "times") for name in getattr(claim_set, section)]
        for kind, name, line in names:
            other = seen.setdefault((kind, name), claim_set)
            if other is not claim_set:
                raise ClaimError(f"{kind} {name!r} is also declared in {other.path}; names are shared by all "
                                 "claims files, so each must be unique", path=str(claim_set.path), line=line)


def input_files(inputs: Inputs, claims_files: list[Path]) -> list[InputFile]:
    """The files the build read, each named by its kind and file name (not its folder, so that the same
    files give the same record wherever they lie)."""
    given = [("ontology", inputs.ontology), ("entities", inputs.entities), ("background", inputs.background),
             ("background", inputs.un_sahel), ("definitions", inputs.definitions), ("links", inputs.links), ("aliases", inputs.aliases)] + [("claims", path) for path in claims_files]
    files = [InputFile(kind=kind, path=Path(path), name=f"{kind}/{Path(path).name}") for kind, path in given]
    names = [item.name for item in files]
    for item in files:
        if names.count(item.name) > 1:
            raise ClaimError(f"two claims files are named {Path(item.path).name}; give each its own name",
                             path=str(item.path))
    return files


def serialize(dataset: Dataset, fmt: str) -> bytes:
    """The dataset in one of FORMATS; N-Quads is sorted so that equal datasets give equal bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {quoted(fmt)}; choose one of {', '.join(FORMATS)}")
    if fmt == "nquads":
        # Lines end at LF only: splitlines() would also cut at a U+2028 or U+0085 inside a literal.
        lines = dataset.serialize(format="nquads", encoding="utf-8").decode("utf-8").split("\n")
        return "".join(line + "\n" for line in sorted(set(lines)) if line.strip()).encode("utf-8")
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
