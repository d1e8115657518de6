"""SHACL validation of a built dataset, with a report a person can read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, Literal
from rdflib.namespace import RDF, RDFS, SH

from kg import paths
from kg.errors import ParseError
from kg.namespaces import PREFIXES


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


def read_dataset(path: Path) -> Dataset:
    """Read a TriG or N-Quads file (by its extension) into a dataset."""
    fmt = "nquads" if path.suffix in (".nq", ".nquads") else "trig"
    dataset = Dataset()
    try:
        dataset.parse(path, format=fmt)
    except Exception as error:  # rdflib's parsers raise several unrelated types
        raise ParseError(f"not valid {fmt}: {str(error).strip().splitlines()[-1]}", path=str(path)) from None
    return dataset


def union(dataset: Dataset) -> Graph:
    """All of a dataset's triples in one graph (SHACL checks claims against the article across graphs)."""
    merged = Graph()
    for s, p, o, _ in dataset.quads():
        merged.add((s, p, o))
    return merged


def validate(dataset: Dataset, *, shapes: Path = paths.SHAPES_FILE) -> list[Violation]:
    """Validate the union of the dataset's graphs; an empty list means it conforms."""
    shapes_graph = Graph().parse(shapes, format="turtle")
    _, report, _ = shacl_validate(union(dataset), shacl_graph=shapes_graph, advanced=True,
                                  allow_warnings=True)
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def value(predicate):
            term = report.value(result, predicate)
            return "" if term is None else _compact(term, report)
        source_shape = report.value(result, SH.sourceShape)
        shape_name = _shape_name(source_shape, shapes_graph)
        violations.append(Violation(shape=shape_name, focus=value(SH.focusNode), path=value(SH.resultPath),
                                    message=value(SH.resultMessage) or "constraint violated",
                                    severity=value(SH.resultSeverity).removeprefix("sh:")))
    return sorted(violations, key=lambda v: (v.shape, v.focus, v.path, v.message))


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
    """A SHACL sequence path written as a / b."""
    items = list(graph.items(node))
    return " / ".join(_compact(item, graph) for item in items) if items else "_:"
