"""A result format's text made safe for a terminal in the format's own escapes, so that it stays valid:
\\uXXXX in JSON, TSV and the Turtle family, character references (&#x9b;) in XML."""

from __future__ import annotations

import re

from kg.table import UNSAFE

_XML_FORMATS = ("xml", "rdfxml")
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")  # markup: a `<` in text or a value is always escaped
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")


class CodePoints:
    """JSON, JSON-LD, TSV and the Turtle family escape TAB, LF and CR within values themselves, so those are
    the format's own whitespace; any other control can only be within a string or an IRI, where \\uXXXX
    stands for it."""

    def feed(self, text: str) -> str:
        return UNSAFE.sub(_code_point, text.replace("\r\n", "\n"))

    def end(self) -> str:
        return ""


def _code_point(found: re.Match) -> str:
    char = found.group()
    return char if char in "\t\n" else f"\\u{ord(char):04x}"


class XmlReferences:
    """XML: a control within an element's text or an attribute's value becomes a character reference (the
    same value to an XML reader); the whitespace between elements is the format's own and stays. Text is
    held until the markup after it shows whether it is a value (`<literal>TEXT</`) or layout."""

    def __init__(self):
        self.pending = ""
        self.opened = False  # the last tag opened an element: text after it, up to a closing tag, is its value

    def feed(self, text: str) -> str:
        text, written, at = self.pending + text, [], 0
        for tag in _TAG.finditer(text):
            markup = tag.group()
            written.append(self._text(text[at:tag.start()], value=self.opened and markup.startswith("</")))
            written.append(_QUOTED.sub(lambda quoted: _references(quoted.group()), markup))
            self.opened = not markup.startswith(("</", "<?", "<!")) and not markup.endswith("/>")
            at = tag.end()
        self.pending = text[at:]
        return "".join(written)

    def end(self) -> str:
        rest, self.pending = self.pending, ""
        return self._text(rest, value=False)

    @staticmethod
    def _text(text: str, *, value: bool) -> str:
        return _references(text) if value else UNSAFE.sub(
            lambda found: found.group() if found.group() in "\t\n" else _reference(found), text)


def _references(text: str) -> str:
    return UNSAFE.sub(_reference, text)


def _reference(found: re.Match) -> str:
    return f"&#x{ord(found.group()):x};"


def for_terminal(fmt: str) -> CodePoints | XmlReferences:
    """What escapes text of format `fmt` for a terminal, a piece at a time (feed each, then end)."""
    return XmlReferences() if fmt in _XML_FORMATS else CodePoints()


def escaped(fmt: str, text: str) -> str:
    """Whole text of format `fmt`, escaped for a terminal."""
    escaper = for_terminal(fmt)
    return escaper.feed(text) + escaper.end()
