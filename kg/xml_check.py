"""Well-formedness of an XML document as its bytes go by, checked with the standard library's expat.

pyoxigraph's RDF/XML parser gives no line or column for an XML fault, and takes a document cut short after
an element for a whole one; expat gives both, so RDF/XML from others passes through an XmlCheck first.
"""

from __future__ import annotations

import re
from functools import lru_cache
from xml.parsers import expat

from kg.errors import ParseError

NO_DTD = "RDF/XML with a document type declaration (<!DOCTYPE or <!ENTITY) is refused: entities are never expanded"
_CUT_SHORT = "the document ends before its root element is closed: was it cut short?"


class XmlCheck:
    """Fed a document's bytes in order, then told of its end: raises ParseError (`name` as its path, with a
    1-based line and column) at the first fault, at a DTD (so no entity is ever declared or expanded), or at
    the end of a document that is cut short."""

    def __init__(self, name: str | None = None):
        self.name, self.started, self.ended = name, False, False
        # A namespace separator makes expat check prefixes too (an unbound `zz:p` is a fault).
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._refuse_dtd
        self.parser.StartElementHandler = self._started

    def feed(self, data: bytes) -> None:
        """Check the next part of the document."""
        self._parse(data, False)

    def end(self) -> None:
        """Check that the document, as fed so far, is whole (once; later calls do nothing)."""
        if not self.ended:
            self.ended = True
            self._parse(b"", True)

    def _parse(self, data: bytes, final: bool) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as error:
            reason = expat.ErrorString(error.code)
            if final and self.started and error.code in _ENDED_EARLY:
                reason = _CUT_SHORT
            raise ParseError(f"not well-formed XML: {reason}", path=self.name, line=error.lineno,
                             column=error.offset + 1) from None

    def _refuse_dtd(self, *_):
        raise ParseError(NO_DTD, path=self.name, line=self.parser.CurrentLineNumber,
                         column=self.parser.CurrentColumnNumber + 1)

    def _started(self, *_):
        self.started = True
        self.parser.StartElementHandler = None  # one call tells it: no cost per element after the first


_ENDED_EARLY = {expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS],
                expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN],
                expat.errors.codes[expat.errors.XML_ERROR_PARTIAL_CHAR]}


# XML 1.0 (fifth edition) NameStartChar and NameChar without ':', as pyoxigraph's RDF/XML writer tests them.
_START = ("A-Z_a-z\xc0-\xd6\xd8-\xf6\xf8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d\u2070-\u218f"
          "\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff")
_NAME_CHARS = re.compile(f"[{_START}\\-.0-9\xb7\u0300-\u036f\u203f\u2040]*")
_NAME_START = re.compile(f"[{_START}]")
_XMLNS = "http://www.w3.org/2000/xmlns/"


@lru_cache(maxsize=4096)
def rdfxml_can_write(predicate: str) -> bool:
    """Whether RDF/XML can carry a predicate: as an element whose name is the IRI's ending that is an XML name
    (pyoxigraph splits it so: `http://ex/1a` is `a` in namespace `http://ex/1`). An IRI with no such ending
    (`http://ex/1`, `http://ex/`) would be written as the malformed `<oxprefix:>`; a namespace of `xmlns`
    cannot be declared; and a name that only XML's fifth edition allows (U+10000 on) expat refuses."""
    tail = _NAME_CHARS.match(predicate[::-1]).group()[::-1]  # reversed: a match, linear in the IRI's length
    start = _NAME_START.search(tail)
    if start is None:
        return False
    name = tail[start.start():]
    if predicate[:-len(name)] == _XMLNS:
        return False
    return name.isascii() or _expat_reads(name)


def _expat_reads(name: str) -> bool:
    try:
        expat.ParserCreate().Parse(f"<{name}/>".encode("utf-8"), True)
    except expat.ExpatError:
        return False
    return True
