"""IRIs a text cannot hold as written: a relative one that no base resolves, one holding a character IRIs forbid
or one out of its place (a '%' without two hex digits, a second '#', a '[' outside a host).

The engine tells these by where its parser gave up, which depends on the IRI's place: "IRI parsing failed" after
an object, "Expected NAMED" after FROM <g>, "Expected GRAPH" in INSERT DATA, a prefix http: for <http://a b>.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kg.errors import QuerySyntaxError
from kg.iri_resolution import RELATIVE, is_absolute
from kg.parse_messages import REASONS
from kg.operator_faults import is_not_equal
from kg.sparql_parts import in_force, iri_named
from kg.sparql_lexer import bad_escape, significant
from kg.sparql_text import scan
from kg.text_places import offset_at

FORBIDDEN = ' <>"{}|^`\\'  # besides control characters (RFC 3987's IRI rules, SPARQL's IRIREF)
# An IRI the lexer could not take whole, from its '<' to a '>' on its line (a line ends at CR or LF, as the
# engine's IRIs do), relative ones too (<a b>); a '<' the engine reads as less-than is never one.
_BROKEN = re.compile(r"<([^<>\r\n]+)>")
_ESCAPE = re.compile(r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}")
# Signs of a comparison rather than an IRI between a '<' and a '>': a variable after a space, && or ||.
_COMPARISON = re.compile(r"\s[?$]\w|&&|\|\|")
_NAMES = {" ": "a space", "\t": "a tab", '"': 'a "', "\\": "a backslash"}


class IriFault(NamedTuple):
    """A faulty IRI: the error to raise, and the line and column of the IRI's '<' (the error may point inside)."""

    error: QuerySyntaxError
    opens: tuple[int, int]


def iri_fault(text: str, error: QuerySyntaxError, base: str | None, update: bool = False) -> IriFault | None:
    """The first IRI of `text` that no base resolves (`base` is the request's) or that holds a forbidden character,
    told where it is, if it comes no later than where the engine gave up (`error`) or the engine refused an IRI;
    None otherwise."""
    reach = len(text) if error.line is None else offset_at(text, error.line, error.column or 1)
    for opens, at, message in _faults(text, base, "update" if update else "query"):
        if opens > reach and not (error.message == REASONS["iri parsing failed"] and _no_iri_before(text, reach)):
            return None  # the engine refused something before (an IRI of ours it has no words for: <http://a%zz>)
        return IriFault(QuerySyntaxError(message, line=_line(text, at), column=_column(text, at)),
                        (_line(text, opens), _column(text, opens)))
    return None


def _no_iri_before(text: str, reach: int) -> bool:
    """Whether no IRI of `text` ends by `reach`: the engine's place is then in a text of its own making (COPY's,
    rewritten, is placed at 1:1), and its refused IRI is ours."""
    return not any(kind == "iri" and end <= reach for kind, _, _, end in significant(text))


def _line(text: str, at: int) -> int:
    return text.count("\n", 0, at) + 1


def _column(text: str, at: int) -> int:
    return at - text.rfind("\n", 0, at)


def _faults(text: str, base: str | None, kind: str):
    """(offset of its '<', offset of the fault, message) of each faulty IRI of `text`, in order."""
    tokens, less_than = significant(text), scan(text).less_than
    for index, (token_kind, value, start, _), _, in_base in in_force(tokens, {}, base):
        if token_kind == "iri" and (bad := _forbidden_at(value[1:-1])) is not None:
            yield start, start + 1 + bad, _forbidden(value, value[1:-1], bad)
        elif token_kind == "iri" and (misplaced := _misplaced_at(value[1:-1])) is not None:
            yield start, start + 1 + misplaced[0], misplaced[1].replace("IRI", value, 1)
        elif token_kind == "iri" and not is_absolute(iri_named("iri", value, {}, in_base)) \
                and not is_not_equal(tokens, index):  # ?a <> ?b: told as an operator (kg.operator_faults)
            yield start, start, _relative(value, index and tokens[index - 1][1].upper() == "BASE", kind)
        elif token_kind == "other" and value == "<" and start not in less_than and not _doubled(text, start):
            broken = _BROKEN.match(text, start)
            if broken is None or _COMPARISON.search(broken.group(1)):
                continue
            if (escape := bad_escape(broken.group(0))) is not None and "no escape" not in escape[1]:  # \\u12
                yield start, start + escape[0], escape[1]
            elif (bad := _forbidden_at(broken.group(1))) is not None:
                yield start, start + 1 + bad, _forbidden(broken.group(0), broken.group(1), bad)


def _doubled(text: str, at: int) -> bool:
    """Whether the '<' at `at` is the second of a '<<' that opens a triple term (in <<<a> the third opens an IRI)."""
    return text[at - 1:at] == "<" and text[at - 2:at - 1] != "<"


def _forbidden_at(inner: str) -> int | None:
    """Where in `inner` (an IRI as written, between its brackets) the first character IRIs forbid is, written
    or escaped (\\u0020 is a space too, as the engine reads it); None if it holds none."""
    at = 0
    while at < len(inner):
        escape = _ESCAPE.match(inner, at)
        char = chr(int(escape.group(0)[2:], 16)) if escape else inner[at]
        if (char in FORBIDDEN or ord(char) <= 0x20) and not (char == "\\" and inner[at + 1:at + 2] in ("u", "U")):
            return at  # a \\u that is no escape is told by kg.sparql_lexer.bad_escape, more precisely
        at = escape.end() if escape else at + 1
    return None


def _misplaced_at(inner: str) -> tuple[int, str] | None:
    """Where in `inner` (an IRI between its brackets) a character stands where IRIs (RFC 3987) refuse it, and what
    to say of it: a '%' without two hex digits, a second '#', a '[' or ']' outside an IPv6 host; None if none."""
    authority = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*", inner)
    fragment = inner.find("#")
    for at, char in enumerate(inner):
        if char == "%" and not re.match(r"%[0-9A-Fa-f]{2}", inner[at:at + 3]):
            return at, "A '%' in IRI starts an escape of two hex digits, as %20: write a '%' itself as %25."
        if char == "#" and at > fragment:
            return at, "IRI holds a second '#': one ends the IRI and starts its fragment; write another as %23."
        if char in "[]" and not (authority and at < authority.end()):
            return at, f"IRI holds a '{char}' outside a host: only an IPv6 host goes in brackets; write it as " \
                       f"{_encoded(char)}."
    return None


def _forbidden(written: str, inner: str, at: int) -> str:
    escape = _ESCAPE.match(inner, at)
    char = chr(int(escape.group(0)[2:], 16)) if escape else inner[at]
    return (f"An IRI cannot hold {_named(char)}, as {written} does (nor any of <>\"{{}}|^`\\ or a control "
            f"character): write it %-encoded, {_encoded(char)}.")


def _relative(written: str, after_base: bool, kind: str) -> str:
    if after_base:
        return f"{written} is {RELATIVE}, and BASE takes an absolute IRI, as BASE <http://example.org/>."
    return (f"{written} is {RELATIVE}, and the {kind} has no BASE to resolve it against: give it one "
            "(BASE <http://example.org/>), or write the IRI whole.")


def _named(char: str) -> str:
    return _NAMES.get(char, f"a control character (U+{ord(char):04X})" if ord(char) < 0x20 else f"a {char}")


def _encoded(char: str) -> str:
    return "".join(f"%{byte:02X}" for byte in char.encode("utf-8"))
