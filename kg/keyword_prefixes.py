"""Prefixes named after keywords (service:, load:, filter:, having:…), which a text may declare: the engine reads
service:x { … } as SERVICE :x { … } even so, and the checks refuse such names (kg.glued_keywords). Their names are
written out as full IRIs, declarations blanked, before the checks and the engine read the text."""

from __future__ import annotations

import re
from bisect import bisect_right

import pyoxigraph as ox

from kg.errors import QuerySyntaxError
from kg.text_places import offset_at, place
from kg.glued_keywords import glued
from kg.last_text import LastText
from kg.line_ends import applied, lf_ended, merged
from kg.iri_resolution import is_absolute, resolve_iri
from kg.sparql_lexer import significant, unescape_iri

_SPLIT = ("SERVICE", "LOAD")  # the lexer reads these before a ':' as the keyword (kg.sparql_lexer._tokens)
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_MAY_DECLARE = re.compile(r"PREFIX", re.IGNORECASE)
_NAMED_PLACE = re.compile(r"line (\d+), column (\d+)")  # as kg.bracket_faults and kg.rebound_variables name one
# The last long text written out, and what it gave: a query service writes its text out again after the engine
# has read the written one, which kg.sparql_lexer then keeps in its place (a long text lexed twice more).
_last = LastText()


def keyword_like(prefix: str) -> bool:
    """Whether names under `prefix` read as a keyword run into a name, to the engine or to the checks."""
    return prefix.upper() in _SPLIT or glued("pname", prefix + ":x", None)


def glued_message(name: str) -> str:
    """Why a word or prefixed name the checks read as keywords run together (kg.glued_keywords) is refused."""
    said = f"{name} reads as SPARQL keywords run together, which the engine may take apart"
    if ":" not in name:
        return said + ": put a space after each keyword"
    prefix = name.partition(":")[0]
    return f"{said}: put a space after each keyword, or declare the prefix {prefix}: (PREFIX {prefix}: <…>)"


def written_out(text: str, base: str | None = None) -> tuple[str, "Moved"]:
    """`text` with LF line ends (kg.line_ends) and the names under keyword-like prefixes it declares written as
    <IRI>s (resolved against `base` where relative), and what maps a place in that text back to `text`."""
    # Names under such a prefix that is not declared stay, for the checks to refuse; a relative prefix IRI declared
    # before any BASE resolves against `base`, though its names, written out, may stand after a later BASE.
    plain, ends = lf_ended(text)
    if not _MAY_DECLARE.search(plain):  # most texts
        return plain, Moved(text, plain, ends)
    kept = _last.get(text)
    if kept is not None and kept[0] == base:
        return kept[1]
    answer = _written_out(text, plain, ends, base)
    _last.put(text, (base, answer))
    return answer


def _written_out(original: str, text: str, ends: list, base: str | None) -> tuple[str, "Moved"]:
    """What written_out gives for `original`, whose lines `text` ends at LF alone (`ends`: the edits that did so)."""
    tokens = _names_whole(significant(text))
    declared: dict[str, str] = {}  # in force from its declaration on (an update's operations each have a prologue)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in order
    index = 0
    while index < len(tokens):
        kind, value, start, end = tokens[index]
        following = tokens[index + 1:index + 3]
        if kind == "word" and value.upper() == "BASE" and following and following[0][0] == "iri":
            base = resolve_iri(base, unescape_iri(following[0][1][1:-1]))
        if kind == "word" and value.upper() == "PREFIX" and len(following) == 2 and following[0][0] == "pname" \
                and following[1][0] == "iri" and following[0][1].endswith(":"):
            prefix = following[0][1][:-1]
            if keyword_like(prefix):
                declared[prefix] = _resolved(base, following[1][1][1:-1])
                edits.append((start, following[1][3], " " * (following[1][3] - start)))
            index += 3
            continue
        if kind == "pname" and value.partition(":")[0] in declared:
            prefix, _, local = value.partition(":")
            edits.append((start, end, "<" + declared[prefix] + _LOCAL_ESCAPE.sub(r"\1", local) + ">"))
        index += 1
    written = applied(text, edits)
    return written, Moved(original, written, merged(ends, edits))


def _resolved(base: str | None, iri: str) -> str:
    """A prefix's IRI (as written between < and >) resolved against the BASE in force where it is declared, as
    the engine resolves it: its names, written out, stand where another BASE may be in force."""
    if not is_absolute(base) or is_absolute(unescape_iri(iri)):
        return iri
    try:
        return str(ox.NamedNode(resolve_iri(base, unescape_iri(iri))))[1:-1]
    except ValueError:  # no IRI: left for the engine to report
        return iri


def _names_whole(tokens) -> list:
    """`tokens` with SERVICE or LOAD and the name after it made one prefixed name again where they touch
    (service:x), as the lexer splits them."""
    whole = []
    for token in tokens:
        if token[0] == "pname" and token[1].startswith(":") and whole and whole[-1][0] == "word" \
                and whole[-1][1].upper() in _SPLIT and whole[-1][3] == token[2]:
            word = whole.pop()
            token = ("pname", word[1] + token[1], word[2], token[3])
        whole.append(token)
    return whole


class Moved:
    """Maps places in a written-out text back to the text it was written from."""

    def __init__(self, original: str, written: str, edits: list[tuple[int, int, str]]):
        self.original, self.written = original, written
        self.starts, self.shifts, shift = [], [], 0  # where each edit starts in `written`, and the shift after it
        self.edits = edits
        for start, end, replacement in edits:
            self.starts.append(start + shift)
            shift += len(replacement) - (end - start)
            self.shifts.append(shift)

    def source(self, start: int, end: int) -> str:
        """The text that the span `start`-`end` of the written-out text was written from."""
        found = bisect_right(self.starts, start) - 1
        if found >= 0:
            edit_start, edit_end, replacement = self.edits[found]
            if start == self.starts[found] and end == start + len(replacement):  # a name written out
                return self.original[edit_start:edit_end]
            start, end = start - self.shifts[found], end - self.shifts[found]
        return self.original[start:end]

    def __call__(self, error: QuerySyntaxError) -> QuerySyntaxError:
        """`error` (of the written-out text, placed as the engine counts lines) with its place in the original
        text as an editor shows it: a line ends at CR, LF or CRLF (kg.text_places). The places its message names
        ("the '(' at line 2, column 9") are moved too."""
        if error.line is None:
            return error
        line, column = self._original(error.line, error.column)
        if error.column is None:
            column = None
        message = _NAMED_PLACE.sub(lambda found: "line {}, column {}".format(
            *self._original(int(found.group(1)), int(found.group(2)))), error.message)
        return QuerySyntaxError(message, line=line, column=column)

    def _original(self, line: int, column: int | None) -> tuple[int, int]:
        """The line and column in the original text of a place in the written-out one."""
        offset = offset_at(self.written, line, column)
        found = bisect_right(self.starts, offset) - 1
        if found >= 0:
            start, end, replacement = self.edits[found]
            inside = offset < self.starts[found] + len(replacement)
            offset = start if inside else offset - self.shifts[found]
        return place(self.original, offset)
