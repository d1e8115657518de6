"""Reading RDF that others wrote: no DTD in RDF/XML, no remote JSON-LD context, bounded size and time.

pyoxigraph's RDF/XML parser expands the entities a document declares in its DTD (so a few hundred bytes
can become gigabytes), gives no position for an XML fault and loads the first part of a document cut short,
and deeply nested RDF/XML costs it time that grows with the square of the depth; its JSON-LD parser refuses
remote contexts unless given a loader, and we give none. So every byte a parser reads passes through
GuardedReader, which checks RDF/XML with expat (kg.xml_check: no DTD, well-formed, whole) and stops a read
past a size or a deadline.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import re
import time
from typing import BinaryIO, Callable

from kg.errors import InputLimitError, ParseError
from kg.iri_resolution import NO_BASE, NO_SCHEME, iri_words
from kg.text_places import line_pieces
from kg.xml_check import XmlCheck

# A byte-order mark: editors on Windows start UTF-8 files with one. No syntax has it as text, so a
# leading one is dropped; anywhere else it stays, for the parser to refuse.
BOM = "\ufeff"
_BOM = BOM.encode("utf-8")
_NOT_UTF8 = "Invalid UTF-8"  # how pyoxigraph's messages for bytes that are no UTF-8 begin
_REMOTE_CONTEXT = "LoadDocumentCallback"  # pyoxigraph's message when a JSON-LD document names a remote context
_CODE_POINT = "Invalid IRI code point"
NO_REMOTE_CONTEXT = "a JSON-LD document's remote @context is never fetched: put the context inline"
# How to make plain JSON into JSON-LD: a context that maps its keys to IRIs (an "@id" names each object, else each
# is a blank node)
CONTEXT_REMEDY = ('add an @context that maps its keys to IRIs ({"@context": {"@vocab": "https://schema.org/"}, …} '
                  'maps every key) and an "@id" IRI to each object, or send it in another RDF format')
# pyoxigraph's Turtle and JSON-LD parsers take time (JSON-LD also memory) growing with the square of the
# nesting, all after the last read, and overflow the stack (killing the process) past a few thousand levels.
MAX_NESTING = 64
# What may hold a bracket that is not one: strings, IRIs, comments (each string an unrolled loop: linear), and
# outside them a prefixed name's escape (ex:a\# or ex:a\( is no comment, string or bracket: helper-91).
_TURTLE_SKIP = re.compile(b"|".join([
    rb"\\.",
    rb"'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''",
    rb'"""[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*"""',
    rb"'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'",
    rb'"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*"',
    rb'<[^<>"{}|^`\\\x00-\x20]*(?:(?:\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})[^<>"{}|^`\\\x00-\x20]*)*>',  # escapes whole
    rb"#[^\r\n]*",
]), re.S)
_JSON_SKIP = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)
_OPENING, _CLOSING = b"([{", b")]}"
_NOT_BRACKETS = bytes(set(range(256)) - set(_OPENING + _CLOSING))


class GuardedReader(io.RawIOBase):
    """A binary reader over `raw` that raises InputLimitError past `max_bytes` or `seconds` (counted from
    its creation), and ParseError where `xml` and the bytes are not one whole, well-formed XML document
    without a DTD. `name` goes into the errors as their path."""

    def __init__(self, raw, *, xml: bool = False, max_bytes: int | None = None,
                 seconds: float | None = None, name: str | None = None):
        self.raw, self.max_bytes, self.seconds, self.name = raw, max_bytes, seconds, name
        self.deadline = None if seconds is None else time.monotonic() + seconds
        self.count = 0
        self.xml = XmlCheck(name) if xml else None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise InputLimitError(f"parsing took more than {self.seconds:g}s; send the data in smaller parts",
                                  path=self.name)
        count = self.raw.readinto(buffer) or 0
        self.count += count
        if self.max_bytes is not None and self.count > self.max_bytes:
            raise InputLimitError(f"the data is over {self.max_bytes} bytes", path=self.name)
        if self.xml is not None:  # before the RDF parser sees these bytes
            if count:
                self.xml.feed(bytes(memoryview(buffer)[:count]))
            else:
                self.xml.end()
        return count


def guard(source, *, format: str, max_bytes: int | None = None, seconds: float | None = None,
          name: str | None = None, buffer: int = 1 << 16):
    """`source` (a binary reader) read through a GuardedReader for RDF in `format` (a kg format name)."""
    reader = GuardedReader(source, xml=format == "rdfxml", max_bytes=max_bytes, seconds=seconds, name=name)
    return io.BufferedReader(reader, buffer)


def refuse_deep(data: bytes, *, format: str, name: str | None = None) -> None:
    """Raise InputLimitError if Turtle or JSON-LD `data` nests brackets more than MAX_NESTING levels deep."""
    skip = {"turtle": _TURTLE_SKIP, "jsonld": _JSON_SKIP}.get(format)
    if skip is None or sum(data.count(bytes([opening])) for opening in _OPENING) <= MAX_NESTING:
        return  # most data: too few brackets to nest that deep
    depth = 0
    for byte in skip.sub(b" ", data).translate(None, _NOT_BRACKETS):
        depth += 1 if byte in _OPENING else -1
        if depth > MAX_NESTING:
            raise InputLimitError(f"the data nests more than {MAX_NESTING} levels deep", path=name)


def jsonld_dropped(data: bytes) -> str | None:
    """Why JSON-LD `data` that gave no statements holds more than an empty document (`{}`, `[]`, a context alone, an
    empty @graph), in words that say how to mend it; None where it holds nothing, or is no JSON (the parser judged)."""
    try:
        value = json.loads(without_bom(data))
    except ValueError:
        return None
    if not _holds_data(value):
        return None
    objects = [value] if isinstance(value, dict) else [item for item in value if isinstance(item, dict)] \
        if isinstance(value, list) else []
    if not objects:  # 42, "text", [1, 2]: JSON, but no JSON-LD document or node
        return (f"this is a JSON {_json_kind(value)}, not JSON-LD, so it gives no statements: a JSON-LD document is an "
                "object (or a list of objects) whose keys an @context maps to IRIs, such as "
                '{"@context": {"@vocab": "https://schema.org/"}, "@id": "http://example.org/mali", "name": "Mali"}')
    context, keys = _contexts_and_keys(objects)
    if not context:
        named = f" ({', '.join(keys[:3])}{', …' if len(keys) > 3 else ''})" if keys else ""
        return (f"this is plain JSON, not JSON-LD: it has no @context, so its keys{named} name no property and it "
                f"gives no statements; {CONTEXT_REMEDY}")
    return ("the JSON-LD gave no statements though it holds data: its @context maps none of its keys to an absolute "
            "IRI, or its @id values are relative with no base to resolve them (JSON-LD drops both, and values outside "
            "an object); map each key to an IRI in the @context, and give absolute @id IRIs")


def _contexts_and_keys(objects: list) -> tuple[bool, list[str]]:
    """Whether any of a document's objects, or of their @graph, has an @context; and their keys, sorted."""
    todo, context, keys = list(objects), False, set()
    while todo:
        item = todo.pop()
        context = context or "@context" in item
        keys.update(key for key in item if not key.startswith("@"))
        nested = item.get("@graph")
        todo.extend(found for found in (nested if isinstance(nested, list) else [nested]) if isinstance(found, dict))
    return context, sorted(keys)


def _json_kind(value) -> str:
    return {bool: "boolean", str: "string", list: "list of values", type(None): "null"}.get(type(value), "number")


def _holds_data(value) -> bool:
    if isinstance(value, list):
        return any(_holds_data(member) for member in value)
    if isinstance(value, dict):
        return any(key != "@context" and (key != "@graph" or _holds_data(member)) for key, member in value.items())
    return True  # a number, string, boolean or null: JSON, but no JSON-LD document or node


def explained(error: ParseError) -> ParseError:
    """A parse error with pyoxigraph's words for a remote JSON-LD context, or a relative IRI, made plain."""
    if _REMOTE_CONTEXT in error.message:
        return ParseError(NO_REMOTE_CONTEXT, path=error.path, line=error.line, column=error.column)
    if error.message.startswith(NO_SCHEME):  # a relative IRI where no base resolves it
        return ParseError(NO_BASE, path=error.path, line=error.line, column=error.column)
    if error.message.startswith(_CODE_POINT):
        return ParseError(iri_words(error.message), path=error.path, line=error.line, column=error.column)
    return error


def reread(path, look: Callable[[BinaryIO], ParseError], *, gzipped: bool = False) -> ParseError:
    """`look(reader)` on the file at `path` opened anew (through gzip if `gzipped`), or on no bytes where the path
    is no regular file: a pipe's bytes are gone once read, and opening a FIFO anew waits for a writer."""
    if not os.path.isfile(path):
        return look(io.BytesIO())
    with open(path, "rb") as again:
        return look(gzip.GzipFile(fileobj=again) if gzipped else again)


def undecodable(error: ParseError, lines=None, *, path=None) -> ParseError:
    """A parse error for bytes that are no UTF-8 saying which byte, as `kg claims draft` does, rather than
    pyoxigraph's index into its own buffer; `lines` is the input (a binary reader), or the file at `path` is
    read anew, up to the error's line (a line ends at CR, LF or CRLF, as the parsers count them)."""
    if not error.message.startswith(_NOT_UTF8):
        return error
    if path is not None:
        return reread(path, lambda again: undecodable(error, again))
    found, hint, decoder = "a byte here", "", codecs.getincrementaldecoder("utf-8")()
    try:
        for piece in line_pieces(lines, error.line) if error.line else ():
            decoder.decode(piece)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as bad:  # its object is what the decoder held, with the piece that failed
        found = f"byte 0x{bad.object[bad.start]:02x}"
        if error.line == 1 and bad.start == 0 and bad.object[:2] in (b"\xff\xfe", b"\xfe\xff"):
            hint = "; it is UTF-16's byte-order mark: convert the file to UTF-8 (iconv -f UTF-16 -t UTF-8)"
    return ParseError(f"not UTF-8: {found} cannot be decoded{hint}", path=error.path, line=error.line,
                      column=error.column)


def character_column(error: ParseError, lines=None, *, path=None) -> ParseError:
    """`error` with its column counted in characters where the parser counted bytes (pyoxigraph's JSON-LD
    parser: "伦敦" before a fault moved it four columns on); `lines` and `path` as for undecodable."""
    if error.line is None or error.column is None:
        return error
    if path is not None:
        return reread(path, lambda again: character_column(error, again))
    wanted, characters, found = error.column - 1, 0, False
    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    # Only the bytes before the column are read: a line may be endless (a gzip of zeros has no line end).
    for piece in line_pieces(skip_bom(lines) if error.line == 1 else lines, error.line):
        found, piece = True, piece[:max(wanted, 0)]
        characters, wanted = characters + len(decoder.decode(piece)), wanted - len(piece)
        if wanted <= 0:
            break
    if not found:
        return error
    characters += len(decoder.decode(b"", final=True))
    return ParseError(error.message, path=error.path, line=error.line, column=characters + 1)


def without_bom(data: bytes) -> bytes:
    """`data` without a leading UTF-8 byte-order mark."""
    return data.removeprefix(_BOM)


def skip_bom(reader):
    """`reader` (binary) past a leading UTF-8 byte-order mark, looking ahead without reading the rest.

    The same reader where it can peek; else one that gives back the bytes read to look."""
    if hasattr(reader, "peek"):
        head = reader.peek(len(_BOM))[:len(_BOM)]
        if len(head) == len(_BOM) or not _BOM.startswith(head):  # else a short peek: look by reading
            if head == _BOM:
                reader.read(len(_BOM))
            return reader
    head = b""
    while len(head) < len(_BOM) and (more := reader.read(len(_BOM) - len(head))):
        head += more
    if head == _BOM or not head:
        return reader
    return io.BufferedReader(_GivenBack(head, reader), 1 << 16)


class _GivenBack(io.RawIOBase):
    """A reader giving `head` first, then what `raw` gives."""

    def __init__(self, head: bytes, raw):
        self.head, self.raw = head, raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self.head:
            count = min(len(buffer), len(self.head))
            buffer[:count] = self.head[:count]
            self.head = self.head[count:]
            return count
        data = self.raw.read(len(buffer)) or b""
        buffer[:len(data)] = data
        return len(data)
