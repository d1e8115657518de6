"""Text written into XML: what XML 1.0 cannot carry is refused, what a reader would change is a reference."""

from __future__ import annotations

import re

from kg.errors import FormatError

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Characters an XML reader would change if written raw: it reads a CR as LF (line-end normalisation), and
# an XML 1.1 reader does the same with NEL and LINE SEPARATOR. As character references they stay.
XML_REFERENCES = str.maketrans({"\r": "&#13;", "\x85": "&#133;", "\u2028": "&#8232;"})
# Written here, not by xml.sax.saxutils, which imports urllib.request (an HTTP client, about 4 MB a process).
_MARKUP = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_TEXT = {**str.maketrans(_MARKUP), **XML_REFERENCES}
_ATTRIBUTE = str.maketrans({**_MARKUP, '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})


def xml_text(text: str) -> str:
    """Escaped text for XML 1.0, which has no way at all to carry most control characters."""
    check_xml(text)
    return text.translate(_TEXT)


def xml_attribute(value: str) -> str:
    """`value` as a quoted attribute value (what a reader's attribute normalisation would change, as references)."""
    return '"' + value.translate(_ATTRIBUTE) + '"'


def check_xml(text: str, instead: str = "JSON") -> None:
    """FormatError if `text` holds a character XML 1.0 cannot carry, even as a reference; it names `instead`, a
    format of the same answer that can."""
    if _NOT_XML.search(text):
        raise FormatError(f"the result holds control characters that XML cannot carry; ask for {instead}")
