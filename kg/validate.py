"""SHACL validation of a built dataset, with a report a person can read."""

from __future__ import annotations

import contextlib
import gzip
import io
import logging
import warnings
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS, SH

from kg import paths
from kg.errors import ParseError
from kg.format_sniff import FORMAT_NAMES, HEAD_BYTES, likely_format
from kg.iri_resolution import NO_BASE, NO_SCHEME, RELATIVE
from kg.namespaces import PREFIXES
from kg.store.base import parser_message, term_too_long
from kg.table_checks import misfit
from kg.untrusted import undecodable, without_bom
from kg.waiting_input import GZIP_MAGIC, read_whole


@dataclass(frozen=True)
class Violation:
    """One SHACL result, with terms compacted by the project's prefixes."""

    shape: str
    focus: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        where = f" {self.path}" if self.path else ""
        return f"{self.severity}: {self.focus}{where}: {self.message} [{self.shape}]"


def read_dataset(path: Path, fmt: str | None = None, name: str | None = None) -> tuple[Dataset, list[Violation]]:
    """Read a TriG, N-Quads, Turtle or N-Triples file (in `fmt`, else by its name, else TriG), gzipped or not, into a
    dataset, with a violation for each literal whose lexical form, as written, is not a value of its XSD datatype
    ("many" as an xsd:nonNegativeInteger; the types kg.table_checks knows), which SHACL's datatype checks do not reach
    where no shape names the property. Errors name the file `name` (standard input's copy has none), else `path`."""
    data = _contents(path, name or str(path))
    found = set()
    for quad in _quads(path, fmt, data, name or str(path)):  # pyoxigraph first: it says where a syntax error is
        kind = misfit(quad.object)
        if kind:
            found.add(Violation(shape="datatype", focus=_name(quad.subject), path=_name(quad.predicate),
                                message=f'"{quad.object.value}" is not a valid xsd:{kind}', severity="Violation"))
    dataset = Dataset()
    with _quiet(logging.getLogger("rdflib.term")), warnings.catch_warnings():  # rdflib logs each ill-typed
        warnings.simplefilter("ignore", UserWarning)  # literal with a traceback, or warns ("weird boolean")
        dataset.parse(data=data, format=fmt or format_of(path))
    return dataset, sorted(found, key=lambda v: (v.focus, v.path, v.message))


# The formats a file is read in, by its name (after any .gz); any other name is read as TriG.
FORMATS = {".trig": "trig", ".nq": "nquads", ".nquads": "nquads", ".ttl": "turtle", ".turtle": "turtle",
           ".nt": "nt"}
SHOWN_FORMATS = {"trig": ("TriG", pyoxigraph.RdfFormat.TRIG), "nquads": ("N-Quads", pyoxigraph.RdfFormat.N_QUADS),
                 "turtle": ("Turtle", pyoxigraph.RdfFormat.TURTLE), "nt": ("N-Triples", pyoxigraph.RdfFormat.N_TRIPLES)}


def format_of(path: Path) -> str:
    """The format a file is read in by its name (FORMATS, a .gz aside), TriG where the name says none."""
    inner = path.with_suffix("") if path.suffix.lower() == ".gz" else path
    return FORMATS.get(inner.suffix.lower(), "trig")


def without_graphs(path: Path, fmt: str | None = None) -> str | None:
    """The name of the file's syntax (`fmt`, else its name's) where it holds no named graphs (Turtle, N-Triples)."""
    fmt = fmt or format_of(path)
    return SHOWN_FORMATS[fmt][0] if fmt in ("turtle", "nt") else None


def _contents(path: Path, name: str) -> bytes:
    """The file's bytes, gunzipped where it starts as gzip or is named .gz (as kg load reads it); errors name it."""
    data = read_whole(path)  # a read error names the file
    if data.startswith(GZIP_MAGIC) or path.suffix.lower() == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as error:  # click would say a bare EOFError as "Aborted!"
            raise ParseError(f"cannot read the file: {error}", path=name) from None
        if data.startswith(GZIP_MAGIC):
            raise ParseError("gzipped twice: unpack it once (gunzip), then validate it", path=name)
    return without_bom(data)


def _quads(path: Path, given: str | None, data: bytes, name: str):
    fmt = given or format_of(path)
    shown, parsed_as = SHOWN_FORMATS[fmt]
    try:
        yield from pyoxigraph.parse(data, format=parsed_as)
    except SyntaxError as error:
        why = undecodable(ParseError(_relative_iri(parser_message(error), fmt), line=error.lineno),
                          io.BytesIO(data)).message
        why += _named_otherwise(data, fmt, error.lineno, given is not None)
        read_as = "" if given else _read_as(path)
        raise ParseError(f"not valid {shown}{read_as}: {why}", path=name, line=error.lineno,
                         column=error.offset) from None
    except MemoryError as error:
        raise term_too_long(error, name) from None


def _relative_iri(message: str, fmt: str) -> str:
    """pyoxigraph's "No scheme found in an absolute IRI", said of a relative one, in words that say what to do."""
    if not message.startswith(NO_SCHEME):
        return message
    if fmt in ("nt", "nquads"):  # their grammars have no relative IRIs
        return f"{RELATIVE}: N-Triples and N-Quads take only absolute IRIs"
    return f"{NO_BASE}: declare one in the file (@base <http://…/>) or write the IRI whole"


def _named_otherwise(data: bytes, fmt: str, line: int | None, given: bool) -> str:
    """What to add to a parse error where the data reads in another format: the --format (where one was `given`)
    or the name that reads it so."""
    # the first bytes, as kg load reads them: three more parses of a whole big file would cost more than the hint
    other = likely_format(data[:HEAD_BYTES], "ntriples" if fmt == "nt" else fmt, fault_line=line,
                          whole=len(data) <= HEAD_BYTES)
    if other is None:
        return ""
    suffix = next((suffix for suffix, name in FORMATS.items() if name == other.replace("ntriples", "nt")), None)
    said = f"; it reads as {FORMAT_NAMES[other]}"
    if given and suffix:
        return f"{said}: give --format {other}"
    return f"{said}: name the file {suffix}" if suffix else f"{said}, which kg validate does not read"


def _read_as(path: Path) -> str:
    """Why a file was read as TriG when its name does not say so: kg validate's default."""
    inner = path.with_suffix("") if path.suffix.lower() == ".gz" else path
    if inner.suffix.lower() in FORMATS:
        return ""
    return f" (what a name ending in none of {', '.join(FORMATS)} is read as)"


def _name(term) -> str:
    return f"_:{term.value}" if isinstance(term, pyoxigraph.BlankNode) else _compact(URIRef(term.value), Graph())


@contextlib.contextmanager
def _quiet(logger: logging.Logger):
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def union(dataset: Dataset) -> Graph:
    """All of a dataset's triples in one graph (SHACL checks claims against the article across graphs)."""
    merged = Graph()
    for s, p, o, _ in dataset.quads():
        merged.add((s, p, o))
    return merged


SHAPES = Namespace("https://sahel-kg.example.org/shapes#")


def with_graph_sizes(dataset: Dataset) -> Graph:
    """The union, and for each named graph `name shapes:graphTriples N`: SHACL sees one graph, yet a claim
    must state something in the graph its IRI names."""
    merged = union(dataset)
    sizes = Counter(name for _, _, _, name in dataset.quads()
                    if isinstance(name, URIRef) and name != DATASET_DEFAULT_GRAPH_ID)
    for name, size in sizes.items():
        merged.add((name, SHAPES.graphTriples, Literal(size)))
    return merged


def validate(dataset: Dataset, *, shapes: Path = paths.SHAPES_FILE) -> list[Violation]:
    """Validate the union of the dataset's graphs; an empty list means it conforms."""
    shapes_graph = Graph().parse(shapes, format="turtle")
    _, report, _ = shacl_validate(with_graph_sizes(dataset), shacl_graph=shapes_graph, advanced=True,
                                  allow_warnings=True)
    violations = set()  # a property shape with two failing constraints reports its message twice
    for result in report.objects(None, SH.result):  # not the sh:detail results nested in them
        def value(predicate):
            term = report.value(result, predicate)
            return "" if term is None else _compact(term, report)
        source_shape = report.value(result, SH.sourceShape)
        shape_name = _shape_name(source_shape, shapes_graph)
        violations.add(Violation(shape=shape_name, focus=value(SH.focusNode), path=value(SH.resultPath),
                                 message=value(SH.resultMessage) or "constraint violated",
                                 severity=value(SH.resultSeverity).removeprefix("sh:")))
    return sorted(violations, key=lambda v: (v.shape, v.focus, v.path, v.message))


def checked_nodes(dataset: Dataset, *, shapes: Path = paths.SHAPES_FILE) -> tuple[int, list[str]]:
    """How many nodes of the dataset the shapes target (SHACL §2.1.3: instances of a target class through
    rdfs:subClassOf, subjects of a target property), and the labels of the shapes that target any."""
    shapes_graph, data = Graph().parse(shapes, format="turtle"), union(dataset)
    found, labels = set(), []
    for shape in sorted(set(shapes_graph.subjects(SH.targetClass, None)) | set(shapes_graph.subjects(
            SH.targetSubjectsOf, None)), key=str):
        labels.append(str(shapes_graph.value(shape, RDFS.label) or _compact(shape, shapes_graph)))
        for kind in shapes_graph.objects(shape, SH.targetClass):
            for sub in data.transitive_subjects(RDFS.subClassOf, kind):
                found.update(data.subjects(RDF.type, sub))
        for predicate in shapes_graph.objects(shape, SH.targetSubjectsOf):
            found.update(data.subjects(predicate, None))
    return len(found), sorted(labels)


def _shape_name(shape, shapes_graph: Graph) -> str:
    """The labelled node shape a (possibly blank) property shape belongs to."""
    for owner in [shape, *shapes_graph.subjects(SH.property, shape), *shapes_graph.subjects(SH.sparql, shape)]:
        label = shapes_graph.value(owner, RDFS.label)
        if label:
            return str(label)
    return "shape"


def _compact(term, graph: Graph) -> str:
    if isinstance(term, Literal):
        return str(term)
    text = str(term)
    for name, namespace in PREFIXES.items():
        if text.startswith(namespace):
            return f"{name}:{text[len(namespace):]}"
    if term.__class__.__name__ == "BNode":
        return _path_text(term, graph)
    return f"<{text}>"


def _path_text(node, graph: Graph) -> str:
    """A SHACL sequence path written as a / b, an inverse path as ^a, as in SPARQL."""
    inverse = graph.value(node, SH.inversePath)
    if inverse is not None:
        return "^" + _compact(inverse, graph)
    items = list(graph.items(node))
    return " / ".join(_compact(item, graph) for item in items) if items else "_:"
