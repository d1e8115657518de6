"""SPARQL JSON results read as a stream: one binding at a time, so memory stays flat whatever the size.

`read(chunks)` takes the answer's bytes in pieces and returns the variables (or the ASK boolean) at once
and the rows lazily; whoever stops reading early reads no more of the answer. Bindings become pyoxigraph
terms, Virtuoso's legacy "typed-literal" included. A document that is no SPARQL JSON (cut short,
malformed, not UTF-8, a lone surrogate in a literal) raises MalformedAnswer at the point where it fails.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterable, Iterator

import pyoxigraph



class JSONNumber(str):
    """A JSON number as its text: an engine that writes a literal's value as a number (1.50, 1.0) means that text,
    which a float would change (1.5, or 1 for 1.0)."""


_DECODER = json.JSONDecoder(parse_int=JSONNumber, parse_float=JSONNumber, parse_constant=JSONNumber)
# A bare number's datatype as SPARQL and Turtle read it: an exponent makes a double, a point a decimal
_DOUBLE, _DECIMAL = re.compile(r"[^eE]*[eE]"), re.compile(r"[^.]*\.")
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SPACE = re.compile(r"[ \t\n\r]*")
_VARNAME = re.compile(r"[\w\u00B7\u0300-\u036F\u203F-\u2040]+")  # SPARQL's VARNAME, near enough: no space nor sign


class MalformedAnswer(ValueError):
    """The bytes are no SPARQL JSON results document; the message says what was wrong, and `text` holds
    the tail that was read (an engine may end a cut-off answer with its reason)."""

    def __init__(self, message: str, text: str = ""):
        super().__init__(message)
        self.text = text


class _Buffer:
    """Text decoded from the chunks, read from a position; more is fetched only when needed."""

    def __init__(self, chunks: Iterable[bytes]):
        self.chunks = iter(chunks)
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.text, self.at, self.done = "", 0, False

    def more(self) -> bool:
        if self.done:
            return False
        try:
            chunk = next(self.chunks)
        except StopIteration:
            self.done = True
            chunk = b""
        try:
            added = self.decoder.decode(chunk, final=self.done)
        except UnicodeDecodeError as error:
            raise MalformedAnswer(f"the answer is not UTF-8: {error.reason}", self.text[-200:]) from None
        self.text = self.text[self.at:] + added  # drop what was read: memory holds one row or so
        self.at = 0
        return True

    def skip_space(self) -> None:
        while True:
            self.at = _SPACE.match(self.text, self.at).end()
            if self.at < len(self.text) or not self.more():
                return

    def peek(self) -> str:
        self.skip_space()
        return self.text[self.at:self.at + 1]

    def expect(self, char: str) -> None:
        if self.peek() != char:
            found = self.text[self.at:self.at + 40] or "the end"
            raise MalformedAnswer(f"expected {char!r} in the SPARQL JSON answer, found {found!r}",
                                  self.text[self.at:self.at + 500])
        self.at += 1

    def value(self):
        """The next JSON value, whole (an object of one row, a string, a number...)."""
        self.skip_space()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.at)
            except json.JSONDecodeError:
                if self.more():
                    continue
                raise MalformedAnswer("the SPARQL JSON answer is cut short or malformed",
                                      self.text[self.at:self.at + 500]) from None
            except RecursionError:  # [[[[...: the decoder recurses once a level; no term is nested so
                raise MalformedAnswer("the SPARQL JSON answer holds values nested too deeply",
                                      self.text[self.at:self.at + 500]) from None
            # a number at the very end of what was read so far may go on in the next chunk
            if end == len(self.text) and not self.done and isinstance(value, JSONNumber) and self.more():
                continue
            self.at = end
            return value


def read(chunks: Iterable[bytes], term: Callable[[dict], object] | None = None, members: dict | None = None):
    """(variables, rows) for a SELECT answer, or (boolean, None) for ASK; rows are tuples of terms. The
    document's other members, in any order (an extension's, as kg serve's "truncated"), go into `members`:
    those after "results" once the rows are read, the document being read to its end."""
    term = term or binding_term
    members = {} if members is None else members
    buffer = _Buffer(chunks)
    buffer.expect("{")
    variables, pending = None, None
    while buffer.peek() != "}":
        key = buffer.value()
        buffer.expect(":")
        if key == "head":
            variables = _variables(buffer.value(), buffer)
        elif key == "boolean":
            answer = buffer.value()
            if not isinstance(answer, bool):  # "false", a string, is no answer of false (nor true)
                raise MalformedAnswer(f"the SPARQL JSON boolean is {answer!r:.100}, not true or false", buffer.text[-500:])
            return answer, None
        elif key == "results" and variables is not None:
            return variables, _rows(buffer, variables, term, members)
        elif key == "results":  # results before head: keep them until the head says the variables
            pending = list(_bindings(buffer))
        else:
            members[key] = buffer.value()
        _comma(buffer)
    _end(buffer)
    if variables is None:
        raise MalformedAnswer("the SPARQL JSON answer has no head", buffer.text[-500:])
    return variables, iter([_row(binding, variables, term) for binding in pending or []])


def _comma(buffer: _Buffer) -> None:
    if buffer.peek() == ",":
        buffer.at += 1


def _end(buffer: _Buffer) -> None:
    """The document's closing brace, and nothing after it but space."""
    buffer.expect("}")
    if buffer.peek():
        raise MalformedAnswer("text follows the SPARQL JSON answer", buffer.text[buffer.at:buffer.at + 500])


def _variables(head, buffer: _Buffer) -> list[str]:
    """The head's vars: a list of distinct variable names (none when it has no vars)."""
    names = head.get("vars", []) if isinstance(head, dict) else None
    if not isinstance(names, list) or not all(type(name) is str and _VARNAME.fullmatch(name) for name in names) \
            or len(set(names)) != len(names):
        raise MalformedAnswer(f"the SPARQL JSON head's vars are no list of distinct variable names: {names!r:.100}",
                              buffer.text[-500:])
    return names


def _rows(buffer: _Buffer, variables: list[str], term, members: dict) -> Iterator[tuple]:
    """The rows, then the members that follow "results" (into `members`) to the document's end."""
    for binding in _bindings(buffer):
        yield _row(binding, variables, term)
    _comma(buffer)
    while buffer.peek() != "}":
        key = buffer.value()
        buffer.expect(":")
        members[key] = buffer.value()
        _comma(buffer)
    _end(buffer)


def _bindings(buffer: _Buffer) -> Iterator[dict]:
    """The objects of results.bindings, one at a time; the rest of the document is checked as read."""
    buffer.expect("{")
    while buffer.peek() != "}":
        key = buffer.value()
        buffer.expect(":")
        if key != "bindings":
            buffer.value()
        else:
            buffer.expect("[")
            while buffer.peek() != "]":
                binding = buffer.value()
                if not isinstance(binding, dict):
                    raise MalformedAnswer("a binding of the SPARQL JSON answer is no object")
                yield binding
                if buffer.peek() == ",":
                    buffer.at += 1
            buffer.expect("]")
        if buffer.peek() == ",":
            buffer.at += 1
    buffer.expect("}")


def _row(binding: dict, variables: list[str], term) -> tuple:
    try:
        return tuple(term(binding[name]) if name in binding else None for name in variables)
    except (KeyError, TypeError, ValueError, UnicodeError) as error:
        raise MalformedAnswer(f"a binding of the SPARQL JSON answer is no RDF term: {error}") from None


_DIRECTIONS = {"ltr": pyoxigraph.BaseDirection.LTR, "rtl": pyoxigraph.BaseDirection.RTL}


def binding_term(binding: dict):
    """A pyoxigraph term from one SPARQL JSON binding, including Virtuoso's legacy "typed-literal"."""
    kind, value = binding["type"], binding.get("value")
    numbers = [key for key in ("type", "datatype", "xml:lang", "its:dir") if isinstance(binding.get(key), JSONNumber)]
    if numbers or isinstance(value, JSONNumber) and kind not in ("literal", "typed-literal"):
        raise TypeError(f"its {(numbers or ['value'])[0]} is a number, where a string goes")
    if isinstance(value, bool):  # SPARQL JSON writes every value as a string; a JSON true means "true"
        value = "true" if value else "false"
    if isinstance(value, str):
        value.encode("utf-8")  # a lone surrogate ("\ud800") is no text: UnicodeEncodeError
    if kind == "uri":
        return pyoxigraph.NamedNode(value)
    if kind == "bnode":
        # Labels like Virtuoso's "nodeID://b10000" are no valid blank node label; keep them apart, stably: each
        # other character (and "_", so that "a b" and "a_b" stay two nodes) as "_" and its code in hex and "_".
        return pyoxigraph.BlankNode(re.sub(r"[^A-Za-z0-9-]", lambda m: f"_{ord(m[0]):x}_", value) or "_")
    if kind in ("literal", "typed-literal"):
        if "xml:lang" in binding:
            direction = binding.get("its:dir")  # SPARQL 1.2: a directional string ("ltr" or "rtl")
            return pyoxigraph.Literal(value, language=binding["xml:lang"],
                                      direction=_DIRECTIONS[direction] if direction in _DIRECTIONS else None)
        if "datatype" in binding:
            return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(binding["datatype"]))
        if isinstance(value, JSONNumber):  # its text kept, and typed as the same number written in SPARQL is
            return pyoxigraph.Literal(str(value), datatype=pyoxigraph.NamedNode(_XSD + _number_type(value)))
        if isinstance(binding["value"], bool):
            return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(_XSD + "boolean"))
        return pyoxigraph.Literal(value)
    if kind == "triple":
        return pyoxigraph.Triple(*(binding_term(value[part]) for part in ("subject", "predicate", "object")))
    raise ValueError(f"unknown binding type {kind!r}")


def _number_type(text: str) -> str:
    """The XSD datatype of a JSON number's text, as SPARQL reads the same text (NaN and Infinity: double)."""
    if _DOUBLE.match(text) or not text.lstrip("-").replace(".", "").isdigit():
        return "double"
    return "decimal" if _DECIMAL.match(text) else "integer"
