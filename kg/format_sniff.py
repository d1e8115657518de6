"""What RDF format the first bytes of a file or body read as, for the hint of a parse error in another format; the
compressions kg load does not read."""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.errors import ParseError
from kg.store.base import RDF_FORMATS

HEAD_BYTES = 64 << 10  # enough for a prefix block and some statements, little to read again
FORMAT_NAMES = {"turtle": "Turtle", "ntriples": "N-Triples", "nquads": "N-Quads", "trig": "TriG",
                "jsonld": "JSON-LD", "rdfxml": "RDF/XML"}
# Narrowest first: N-Triples is N-Quads is Turtle is TriG, so the first that reads is the likeliest meant.
_LINE_FORMATS = ("ntriples", "nquads", "turtle", "trig")
# A JSON object's first key, or an array of objects (or none): Turtle's "[] ex:p" and TriG's "{ [] ex:p" are not
_JSON_START = re.compile(rb"\{\s*\"|\[\s*(?:\{|\]\s*\Z)")
_BOM = b"\xef\xbb\xbf"  # the readers skip it; pyoxigraph's parsers do not
# Compressions kg load does not read (gzip it does), by file suffix: their name and first bytes.
OTHER_COMPRESSIONS = {".bz2": ("bzip2", b"BZh"), ".xz": ("xz", b"\xfd7zXZ\x00"), ".zst": ("zstd", b"\x28\xb5\x2f\xfd"),
                      ".zip": ("zip", b"PK\x03\x04")}


def unread_compression(name: str, path) -> ParseError:
    """The error for a file compressed with `name`, one of OTHER_COMPRESSIONS."""
    return ParseError(f"compressed with {name}, which kg load does not read: decompress it first (gzip is read, .gz)",
                      path=str(path))


def likely_format(head: bytes, wrong: str, *, fault_line: int | None, whole: bool,
                  base: str | None = None) -> str | None:
    """The name (a key of RDF_FORMATS) of a format other than `wrong` that reads `head`, the input's first bytes
    (all of it when `whole`), past `fault_line`, where `wrong` failed; None when none does or the bytes do not tell.
    `base` is the base IRI the input is read against: one made up would hide the fault of a relative IRI without it."""
    head = head.removeprefix(_BOM)
    start = head.lstrip()
    guessed = "rdfxml" if start.startswith((b"<?xml", b"<rdf:RDF")) else "jsonld" if _JSON_START.match(start) else None
    if guessed is not None:
        # JSON's first bytes may be Turtle's or TriG's too: a whole input is read to be sure (<?xml is XML's alone)
        if guessed == wrong or (guessed == "jsonld" and whole and not _reads(head, guessed, base)):
            return None
        return guessed
    text = head if whole else head[:head.rfind(b"\n") + 1]  # the last statement may be cut: read whole lines
    if fault_line is None or (not whole and fault_line > text.count(b"\n")):
        return None  # the fault lies past what was read: a head that reads well says nothing of it
    for name in _LINE_FORMATS:
        if name != wrong and _reads_past(text, name, fault_line, cut=not whole, base=base):
            return name
    return None


def _reads_past(text: bytes, name: str, fault_line: int, *, cut: bool, base: str | None) -> bool:
    """Whether `text` gives at least one statement in the format and reads past `fault_line` to its end (or, when
    the text was cut there, to a fault in its last line: one before it is the format's own, not the cut's)."""
    statements = 0
    try:
        for _ in ox.parse(text, format=RDF_FORMATS[name], base_iri=base):
            statements += 1
    except SyntaxError as error:
        return cut and statements > 0 and (error.lineno or 0) >= max(fault_line + 1, text.count(b"\n"))
    return statements > 0


def _reads(text: bytes, name: str, base: str | None) -> bool:
    """Whether `text` is a whole document in the format (an empty one too)."""
    try:
        for _ in ox.parse(text, format=RDF_FORMATS[name], base_iri=base):
            pass
    except SyntaxError:
        return False
    return True
