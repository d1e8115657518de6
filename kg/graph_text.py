"""A graph's triples in an RDF syntax (Turtle, N-Triples, JSON-LD, RDF/XML, TriG, N-Quads), by pyoxigraph."""

from __future__ import annotations

import pyoxigraph as ox

from kg.errors import FormatError
from kg.turtle_names import plain_names
from kg.xml_check import rdfxml_can_write
from kg.xml_text import XML_REFERENCES, check_xml

GRAPH_FORMATS = {
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "rdfxml": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
    "nquads": ("application/n-quads", ox.RdfFormat.N_QUADS),
}


def cut_note(fmt: str, limit: int | None, count: int) -> bytes:
    """The comment that ends a graph answer the row cap (`limit`, reached at `count` triples) or a store's own row
    limit cut: Turtle, TriG, N-Triples and N-Quads read a line from # on as one, RDF/XML a comment after its root;
    JSON-LD has no place for it (the header says it)."""
    cap = f"the row cap of {limit} triples" if count >= (limit or 0) else "the store's own row limit"
    if fmt == "rdfxml":
        return f"\n<!-- truncated: {cap} cut this answer -->\n".encode("utf-8")
    return b"" if fmt == "jsonld" else f"# truncated: {cap} cut this answer\n".encode("utf-8")


def graph_bytes(triples, fmt: str, prefixes: dict[str, str] | None) -> bytes:
    """Triples in a graph syntax; TriG and N-Quads put them in the default graph."""
    _, rdf_format = GRAPH_FORMATS[fmt]
    if rdf_format in (ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML):  # one document, never streamed in batches
        triples = _by_subject(triples)
    if rdf_format in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
        triples = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
    if rdf_format == ox.RdfFormat.RDF_XML:
        triples = list(triples)  # read twice
        _check_predicates(triples)
    options = {"prefixes": prefixes} if prefixes and rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG) \
        else {}
    try:
        data = ox.serialize(triples, format=rdf_format, **options)
    except (OSError, ValueError) as error:  # e.g. triple terms, which JSON-LD and RDF/XML cannot carry
        raise FormatError(f"{fmt} cannot carry this result ({error}); ask for Turtle or N-Triples") from None
    if rdf_format != ox.RdfFormat.RDF_XML:
        return plain_names(data, options.get("prefixes"))
    text = data.decode("utf-8")  # pyoxigraph writes literals' CRs raw, and characters XML cannot carry
    check_xml(text, "Turtle, N-Triples or JSON-LD")  # a graph has no SPARQL JSON results to ask for
    return text.translate(XML_REFERENCES).encode("utf-8")


def _by_subject(triples) -> list:
    """The triples, each subject's together (pyoxigraph's writers group only consecutive ones: a subject met
    again got a second node object). Turtle is left as it comes: 2 us a triple, in every streamed batch."""
    groups: dict = {}
    for triple in triples:
        groups.setdefault(triple.subject, []).append(triple)
    return [triple for group in groups.values() for triple in group]


def _check_predicates(triples) -> None:
    """FormatError for a predicate RDF/XML cannot write as an element name (see rdfxml_can_write): checked
    before writing, since pyoxigraph would write malformed XML for it."""
    for iri in {triple.predicate.value for triple in triples}:
        if not rdfxml_can_write(iri):
            raise FormatError(f"RDF/XML cannot write the predicate <{iri}>, whose IRI does not end in an XML "
                              "name; ask for Turtle or N-Triples")
