"""Well-formedness of an XML document as its bytes go by, checked with the standard library's expat.

pyoxigraph's RDF/XML parser gives no line or column for an XML fault, and takes a document cut short after
an element for a whole one; expat gives both, so RDF/XML from others passes through an XmlCheck first.
"""

from __future__ import annotations

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
