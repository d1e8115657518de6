"""Content negotiation: Accept with q-values, a format= override, 406 when nothing fits."""

from __future__ import annotations

from flask import request

from api.errors import Problem

# Offered media types per result kind, best default first; each maps to a kg.results format name.
SOLUTIONS = [
    ("application/sparql-results+json", "json"), ("application/json", "json"),
    ("application/sparql-results+xml", "xml"), ("application/xml", "xml"), ("text/xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"),
]
GRAPHS = [
    ("text/turtle", "turtle"), ("application/x-turtle", "turtle"),
    ("application/n-triples", "ntriples"), ("text/plain", "ntriples"),
    ("application/ld+json", "jsonld"), ("application/json", "jsonld"),
    ("application/rdf+xml", "rdfxml"), ("application/xml", "rdfxml"),
    ("application/trig", "trig"), ("application/n-quads", "nquads"),
]
# What format=/output= may say, by result kind; SPARQLWrapper sends json or xml for every query form,
# and n3 or rdf+xml for graphs (Turtle is N3 too).
_SHORT = {
    "solutions": {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "srj": "json", "srx": "xml"},
    "graph": {"turtle": "turtle", "ttl": "turtle", "ntriples": "ntriples", "nt": "ntriples", "jsonld": "jsonld",
              "json-ld": "jsonld", "json": "jsonld", "rdfxml": "rdfxml", "xml": "rdfxml", "rdf": "rdfxml",
              "rdf+xml": "rdfxml", "n3": "turtle", "trig": "trig", "nquads": "nquads", "nq": "nquads"},
}


def choose(kind: str, offered: list[tuple[str, str]] | None = None) -> tuple[str, str]:
    """(media type, format name) for a 'solutions' or 'graph' result, from format= or Accept."""
    offered = offered or (GRAPHS if kind == "graph" else SOLUTIONS)
    override = request.values.get("format") or request.values.get("output")
    if override:
        return _by_override(override.strip(), offered, _SHORT[kind])
    if not request.accept_mimetypes:
        return offered[0]
    best = request.accept_mimetypes.best_match([media for media, _ in offered])
    if best is None:
        raise Problem(406, "Not acceptable", f"none of the accepted types can carry this result; offered: "
                      f"{', '.join(media for media, _ in offered)}")
    return best, dict(offered)[best]


def _by_override(value: str, offered, short) -> tuple[str, str]:
    by_media = dict(offered)
    if value in by_media:
        return value, by_media[value]
    names = {fmt for _, fmt in offered}
    name = short.get(value.lower())
    if name not in names:
        raise Problem(406, "Not acceptable", f"format {value!r} cannot carry this result; use one of: "
                      f"{', '.join(sorted(key for key, fmt in short.items() if fmt in names))}")
    return next(media for media, fmt in offered if fmt == name), name
