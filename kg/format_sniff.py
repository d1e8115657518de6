"""What RDF format the first bytes of a file or body read as, for the hint of a parse error in another format."""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.store.base import RDF_FORMATS

HEAD_BYTES = 64 << 10  # enough for a prefix block and some statements, little to read again
FORMAT_NAMES = {"turtle": "Turtle", "ntriples": "N-Triples", "nquads": "N-Quads", "trig": "TriG",
                "jsonld": "JSON-LD", "rdfxml": "RDF/XML"}
# Narrowest first: N-Triples is N-Quads is Turtle is TriG, so the first that reads is the likeliest meant.
_LINE_FORMATS = ("ntriples", "nquads", "turtle", "trig")
# JSON's { or [ then a string, an object or array, or its end; TriG's "{ <s>" and Turtle's "[ ex:p" are not
_JSON_START = re.compile(rb"[{\[]\s*[\"{\[\]}]")
_SNIFF_BASE = "http://sniff.invalid/"  # a relative IRI is no sign of a wrong format


def likely_format(head: bytes, wrong: str, *, fault_line: int | None, whole: bool) -> str | None:
    """The name (a key of RDF_FORMATS) of a format other than `wrong` that reads `head`, the input's first bytes
    (all of it when `whole`), past `fault_line`, where `wrong` failed; None when none does or the bytes do not tell."""
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if start.startswith((b"<?xml", b"<rdf:RDF")):
        return None if wrong == "rdfxml" else "rdfxml"
    if _JSON_START.match(start):
        return None if wrong == "jsonld" else "jsonld"
    text = head if whole else head[:head.rfind(b"\n") + 1]  # the last statement may be cut: read whole lines
    if fault_line is None or (not whole and fault_line > text.count(b"\n")):
        return None  # the fault lies past what was read: a head that reads well says nothing of it
    for name in _LINE_FORMATS:
        if name != wrong and _reads_past(text, name, fault_line, cut=not whole):
            return name
    return None


def _reads_past(text: bytes, name: str, fault_line: int, *, cut: bool) -> bool:
    """Whether `text` gives at least one statement in the format and reads past `fault_line` (to its end, or to a
    fault in the last line read when the text was cut there)."""
    statements = 0
    try:
        for _ in ox.parse(text, format=RDF_FORMATS[name], base_iri=_SNIFF_BASE):
            statements += 1
    except SyntaxError as error:
        return cut and statements > 0 and (error.lineno or 0) > fault_line
    return statements > 0
