"""A result format's text made safe for a terminal in the format's own escapes, so that it stays valid:
\\uXXXX in JSON and in the Turtle family's strings and IRIs, character references (&#x9b;) in XML."""

from __future__ import annotations

import hashlib
import re

from kg.results import FormatError
from kg.invisible import plain, plain_but_layout, unsafe
from kg.table import printable

_XML_FORMATS = ("xml", "rdfxml")
_TERM_FORMATS = ("turtle", "trig", "ntriples", "nquads", "tsv")
_TAG = re.compile(r"""<(?:[^>"']|"[^"]*"|'[^']*')*>""")  # markup: a `<` in text or a value is always escaped
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")


# Where a piece may be cut without changing its escapes: after an ASCII character that is neither a CR nor
# what a keycap starts with (0-9 # *). Whether a joiner or a selector is escaped depends on the characters either
# side of it, and any other ASCII character beside it has it escaped (kg.invisible), as a piece's end does.
_SAFE = r"\x00-\x0c\x0e-\x22\x24-\x29\x2b-\x2f\x3a-\x7f"
_LAST_CUT = re.compile(rf"[{_SAFE}](?=[^{_SAFE}]*\Z)")


class CodePoints:
    """JSON and JSON-LD: TAB and LF are the format's own whitespace (values escape theirs); any other control
    can only be within a string, where \\uXXXX stands for it. The text after a piece's last safe cut is held
    for the next piece: a joiner at a piece's end is kept or escaped by what comes after it."""

    def __init__(self):
        self.pending = ""

    def feed(self, text: str) -> str:
        text = self.pending + text
        cut = _LAST_CUT.search(text)
        at = cut.end() if cut else 0
        self.pending = text[at:]
        return _code_points(text[:at].replace("\r\n", "\n"), pairs=True)

    def end(self) -> str:
        rest, self.pending = self.pending, ""
        return _code_points(rest.replace("\r\n", "\n"), pairs=True)


def _code_points(text: str, *, pairs: bool = False) -> str:
    """`text` with what unsafe() finds but TAB and LF as \\uXXXX; past U+FFFF as \\UXXXXXXXX, or with `pairs` as
    JSON writes it, the \\uXXXX of its two surrogates (JSON would read \\ue0041 as U+E004 and a 1)."""
    if plain_but_layout(text):
        return text
    return unsafe().sub(lambda found: _code_point(found.group(), pairs), text)


def _code_point(char: str, pairs: bool) -> str:
    code = ord(char)
    if char in "\t\n":
        return char
    if code < 0x10000:
        return f"\\u{code:04x}"
    high, low = divmod(code - 0x10000, 0x400)
    return f"\\u{0xd800 + high:04x}\\u{0xdc00 + low:04x}" if pairs else f"\\U{code:08x}"


# The Turtle family's tokens, enough to tell the strings, IRIs and comments (where \uXXXX may stand for a
# character) from the bare text between them: names, blank nodes, keywords, punctuation, where it may not.
# Every alternative matches a token cut short by the end of the text, up to that end.
_TOKEN = re.compile(r"""
    (?P<iri> <(?:[^<>"{}|^`\\\x00-\x20]+|\\[\s\S]?)*>? )
  | (?P<string> \"\"\"(?:[^"\\]+|\\[\s\S]?|"(?!""))*(?:\"\"\"|\Z) | '''(?:[^'\\]+|\\[\s\S]?|'(?!''))*(?:'''|\Z)
              | "(?:[^"\\\n]+|\\[\s\S]?)*"? | '(?:[^'\\\n]+|\\[\s\S]?)*'? )
  | (?P<comment> \#[^\n]* )
  | (?P<bare> (?:[^<"'\#\\]+|\\[\s\S]?)+ )
""", re.X)
_WORD = re.compile(r"[^ \t\r\n]+|\r\n?")  # a word of bare text, or a line end a terminal would act on
_DECLARING = re.compile(r"(?:^|\s)(?:@prefix|(?i:prefix))\s+([^\s:]*):\s*\Z")  # the IRI comes next
# A name within a word, with what may be glued to it: a datatype's ^^, a list's brackets, a statement's end.
_NAME = re.compile(r"(?P<lead>(?:\^\^|[(\[{])*)(?P<name>(?:[^\\]|\\[\s\S])*?)(?P<trail>[.;,)\]}]*)", re.S)
_LOCAL_ESCAPE = re.compile(r"\\(.)", re.S)


class Terms:
    """Turtle, TriG, N-Triples, N-Quads, TSV: \\uXXXX within strings and IRIs, the only places they read it; a
    prefixed name that would need it is written as its full IRI, a blank node under a label of safe characters."""

    def __init__(self, fmt: str):
        self.fmt, self.pending = fmt, ""
        self.prefixes: dict[str, str] = {}
        self.declaring: str | None = None  # the prefix an `@prefix NAME:` just before the next IRI declares

    def feed(self, text: str) -> str:
        return self._tokens(self.pending + text, final=False)

    def end(self) -> str:
        rest, self.pending = self.pending, ""
        return self._tokens(rest, final=True)

    def _tokens(self, text: str, *, final: bool) -> str:
        written, at = [], 0
        for token in _TOKEN.finditer(text):
            if token.end() == len(text) and not final:  # the next piece may go on with it
                break
            written.append(self._token(token.lastgroup, token.group()))
            at = token.end()
        self.pending = "" if final else text[at:]
        return "".join(written)

    def _token(self, kind: str, text: str) -> str:
        declaring, self.declaring = self.declaring, None
        if kind == "bare":
            declares = _DECLARING.search(text)
            self.declaring = declares.group(1) if declares else None
            return text if plain(text) else _WORD.sub(self._word, text)
        if kind == "iri" and declaring is not None and text.endswith(">"):
            self.prefixes[declaring] = text[1:-1]
        return _code_points(text)

    def _word(self, found: re.Match) -> str:
        word = found.group()
        if word.startswith("\r"):
            return "\n"
        if plain(word):
            return word
        lead, name, trail = _NAME.fullmatch(word).group("lead", "name", "trail")
        if name.startswith("_:"):  # a digest: the same label in every piece, and none the data would have
            label = hashlib.sha256(name[2:].encode("utf-8")).hexdigest()[:32]
            return f"{lead}_:u{label}{trail}"
        if name[:1] in "?$" and self.fmt == "tsv":
            raise FormatError(f"the variable {printable(name)} holds a character that would act on the terminal, "
                              "which TSV cannot escape in a name; ask for the table or JSON, or write to a file")
        prefix, colon, local = name.partition(":")
        if colon and prefix in self.prefixes:
            iri = self.prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
            return f"{lead}<{_code_points(iri)}>{trail}"
        return _code_points(word)  # nothing the formats write: escaped as it is


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
            markup = _renamed(markup)
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
        if value:
            return _references(text)
        return text if plain_but_layout(text) else unsafe().sub(
            lambda found: found.group() if found.group() in "\t\n" else _reference(found), text)


_ELEMENT = re.compile(r"<(?P<closing>/?)(?:(?P<prefix>[^\s/>:]+):)?(?P<local>[^\s/>]*)")
_NOT_NAME_START = re.compile(r"^[-.0-9\u00b7\u0300-\u036f\u203f\u2040]+")  # may go on a name, not start one


def _renamed(markup: str) -> str:
    """The tag `markup`, renamed if its name holds a character a terminal acts on (no XML name can escape it):
    by what follows that character, the rest moving into its namespace; FormatError if nothing follows."""
    element = _ELEMENT.match(markup)
    if markup.startswith(("<?", "<!")) or plain(element.group()):
        return markup
    closing, prefix, local = element.group("closing", "prefix", "local")
    tail = _NOT_NAME_START.sub("", unsafe().split(local)[-1])
    declared = re.search(rf"""\sxmlns{":" + re.escape(prefix) if prefix else ""}=("[^"]*"|'[^']*')""", markup)
    if not tail or not (closing or declared):
        raise FormatError(f"the RDF/XML element {printable(element.group()[1:])} holds a character that would act "
                          "on the terminal, which XML cannot escape in a name; ask for Turtle, or write to a file")
    rest = markup[element.end():]
    if closing:  # named as its start tag was: the same name gives the same tail
        return f"</kgesc:{tail}{rest}"
    return f'<kgesc:{tail} xmlns:kgesc="{declared.group(1)[1:-1]}{local[:-len(tail)]}"{rest}'


def _references(text: str) -> str:
    return text if plain(text) else unsafe().sub(_reference, text)


def _reference(found: re.Match) -> str:
    return f"&#x{ord(found.group()):x};"


def for_terminal(fmt: str) -> CodePoints | Terms | XmlReferences:
    """What escapes text of format `fmt` for a terminal, a piece at a time (feed each, then end)."""
    if fmt in _XML_FORMATS:
        return XmlReferences()
    return Terms(fmt) if fmt in _TERM_FORMATS else CodePoints()


def escaped(fmt: str, text: str) -> str:
    """Whole text of format `fmt`, escaped for a terminal."""
    escaper = for_terminal(fmt)
    return escaper.feed(text) + escaper.end()
