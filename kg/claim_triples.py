"""A claim's Turtle (the `triples:` of a claims file entry): parsed with the project's prefixes, and every
term checked against the ontology, each error placed on the claims file's line. A part of kg.claims."""

from __future__ import annotations

import re

from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.errors import ClaimError
from kg.namespaces import PREFIXES, SK, turtle_prefixes

_PREFIX_HEADER = turtle_prefixes()
_HEADER_LINES = _PREFIX_HEADER.count("\n")

# The characters a prefixed name may go on with (PN_CHARS, ':', '%', '\'), or a '.' followed by one.
_NAME_GOES_ON = r"(?![\w\-:%\\]|\.[\w\-:%\\])"
_NAME_CHAR_BEFORE = r"(?<![\w\-.:%\\])"

# OWL 2's own terms a claim may use though the ontology never declares them (OWL 2 DL forbids that).
OWL_BUILT_INS = {OWL.sameAs, OWL.differentFrom, RDFS.label, RDFS.comment, RDFS.seeAlso}


def defined_terms(ontology: Graph) -> set[URIRef]:
    """Every IRI the ontology says something about, and OWL's built-in terms."""
    return {subject for subject in ontology.subjects() if isinstance(subject, URIRef)} | OWL_BUILT_INS


def parse_triples(turtle: str, claim_id: str, where: str, first: int) -> Graph:
    """The claim's Turtle as a graph; `first` is the file's line of the Turtle's first line."""
    graph = Graph()
    text = _PREFIX_HEADER + turtle + "\n"  # without a final newline rdflib fails with an IndexError
    try:
        graph.parse(data=text, format="turtle")
    except Exception as error:  # rdflib raises several unrelated types for bad Turtle
        why, line = turtle_problem(error, text)
        at = first + line - 1 - _HEADER_LINES if line and line > _HEADER_LINES else first
        raise ClaimError(f"claim {claim_id}: triples are not valid Turtle: {why}", path=where, line=at) from None
    return graph


def turtle_problem(error: Exception, text: str) -> tuple[str, int | None]:
    """Why rdflib refused `text`, without its dump of the input, and the 1-based line if it says."""
    why, line = getattr(error, "_why", None), getattr(error, "lines", None)  # rdflib's BadSyntax
    if not (isinstance(why, str) and isinstance(line, int)):
        # Other errors (AssertionError, IndexError) may also end in a dump after " at ^".
        first = str(error).strip().split("\n", 1)[0].split(" at ^", 1)[0].strip()
        return first or "the Turtle parser gave no reason", None
    # BadSyntax.lines counts from 0; at the end of the text it lies past the last line with content.
    return why, min(line + 1, text.rstrip().count("\n") + 1)


def check_terms(triples: Graph, turtle: str, defined: set, claim_id: str, where: str, first: int) -> None:
    """Predicates, classes and every IRI outside the sk: entity namespace must be ontology terms."""
    for subject, predicate, obj in sorted(triples):
        undefined = [(term, "property") for term in (predicate,) if term != RDF.type and term not in defined]
        undefined += [(term, "class" if predicate == RDF.type else "term") for term in (subject, obj)
                      if isinstance(term, URIRef) and not term.startswith(str(SK)) and term not in defined]
        for term, kind in undefined:
            raise ClaimError(f"claim {claim_id}: {kind} {_compact(term)} is not defined by the ontology",
                             path=where, line=first + _line_of(turtle, _compact(term)) - 1)


def _compact(term: URIRef) -> str:
    for name, namespace in PREFIXES.items():
        if term.startswith(namespace):
            return f"{name}:{term[len(namespace):]}"
    return term.n3()


def _line_of(turtle: str, name: str) -> int:
    """1-based line of the first use of a whole name in a Turtle block (1 if not found)."""
    # Whole names only: 'sahel:Found' must not match the start of 'sahel:Founding'.
    match = re.search(_NAME_CHAR_BEFORE + re.escape(name) + _NAME_GOES_ON, turtle)
    return turtle.count("\n", 0, match.start()) + 1 if match else 1
