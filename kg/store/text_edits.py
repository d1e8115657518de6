"""Editing SPARQL text token by token, with a map from the edited text back to the text as written.

Edits are insertions and replacements at offsets of the original; everything else is copied. Nothing
inserted holds a newline, so lines stay where they were, and an engine's error position maps back to
the user's line and column through `Rewritten.position`.
"""

from __future__ import annotations

import bisect
import uuid
from dataclasses import dataclass, field
from functools import cached_property

from kg.errors import QuerySyntaxError
from kg.store.blank_labels import CLOSING, BlankNodeLabels
from kg.sparql_lexer import Token, lex

XSD = "http://www.w3.org/2001/XMLSchema#"


@dataclass
class Rewritten:
    """The rewritten text, and a map from its positions back to the original's."""

    text: str
    original: str
    _anchors: list[tuple[int, int, int]] = field(default_factory=list)  # (out start, in start, length)
    rest: str | None = None  # operations left to send once these ran (kg.store.merge_presence), as written

    def position(self, line: int | None, column: int | None) -> tuple[int | None, int | None]:
        """The original (line, column), both 1-based, of a position an engine reports in `text`."""
        if line is None:
            return None, None
        offset = _offset(self.text, line, column or 1)
        starts = [anchor[0] for anchor in self._anchors]
        at = bisect.bisect_right(starts, offset) - 1
        if at >= 0 and offset < self._anchors[at][0] + self._anchors[at][2]:
            source = self._anchors[at][1] + offset - self._anchors[at][0]
        else:  # inside inserted text: the next original token, which is what the engine was reading
            source = self._anchors[at + 1][1] if at + 1 < len(self._anchors) else len(self.original)
            while source < len(self.original) and self.original[source].isspace():
                source += 1
        found_line, found_column = _line_column(self.original, source)
        return found_line, (found_column if column is not None else None)


class TextEdits(BlankNodeLabels):
    """The tokens of a text (`all`, and `sig` without spaces and comments) and the edits made to it."""

    def __init__(self, text: str):
        self.text = text
        self.all = lex(text)
        self.sig = [t for t in self.all if t.kind not in ("space", "comment")]
        self.edits: list[tuple[int, int, int, str]] = []  # (start, end, order, text)
        self.token = uuid.uuid4().hex[:12]  # makes blank node labels of ours unlike anyone's
        self.fresh = 0

    def only_grammar_spaces(self, first: int, end: int) -> None:
        """QuerySyntaxError at the first space between tokens [first, end) that the grammar has not (it has
        space, tab, CR and LF; the lexer, as Python's \\s, takes every Unicode space). Called on what the rewrite
        writes anew, quad templates and data, which hold no expression the lexer could misread: there the space
        would be dropped, and an update the engine refuses taken."""
        if first >= end:
            return
        start, stop = self.sig[first].start, self.sig[end - 1].end
        for at in range(self._at(start), len(self.all)):  # not a slice: a copy of the rest of the text's tokens
            token = self.all[at]  # for each operation made the rewrite of n operations take time in n²
            if token.start >= stop:
                break
            if token.kind == "space" and token.text.strip(" \t\r\n"):
                offset = token.start + next(at for at, character in enumerate(token.text) if character not in " \t\r\n")
                line, column = _line_column(self.text, offset)
                raise QuerySyntaxError(f"U+{ord(self.text[offset]):04X} is not a space SPARQL allows between terms "
                                       "(space, tab, CR and LF are)", line=line, column=column)

    def word(self, index: int) -> str | None:
        """The keyword at significant token `index`, upper-cased; None for anything else."""
        if 0 <= index < len(self.sig) and self.sig[index].kind == "word":
            return self.sig[index].text.upper()
        return None

    def graph_block(self, index: int) -> bool:
        """Whether token `index` starts a GRAPH <g> { ... } block."""
        return self.word(index) == "GRAPH" and index + 2 < len(self.sig) and self.sig[index + 2].text == "{"

    def error_at(self, token: Token, message: str) -> QuerySyntaxError:
        """A QuerySyntaxError at `token`'s line and column in the text."""
        line, column = _line_column(self.text, token.start)
        return QuerySyntaxError(message, line=line, column=column)

    def depth(self) -> int:
        """How deep the text nests: brackets, `<<` triple terms, and runs of operators such as `!!!x`, each a
        level to a recursive parser (comments and strings are not counted)."""
        depth = deepest = run = 0
        for index, token in enumerate(self.sig):
            depth += (token.kind == "open") - (token.kind == "close")
            if token.text in ("<", ">") and index and self.sig[index - 1].text == token.text \
                    and self.sig[index - 1].end == token.start:
                depth += 1 if token.text == "<" else -1
            run = run + 1 if token.kind == "other" and token.text in ("!", "+", "-") else 0
            deepest = max(deepest, depth, run)
        return deepest

    def match(self, opening: int) -> int | None:
        """The index of the bracket closing the one at `opening`, or None."""
        if opening >= len(self.sig) or self.sig[opening].kind != "open":
            return None
        depth = 0
        for index in range(opening, len(self.sig)):
            kind = self.sig[index].kind
            depth += kind == "open"
            depth -= kind == "close"
            if depth == 0:  # a "]" closing a "(" is no match: the text is malformed
                return index if CLOSING[self.sig[opening].text] == self.sig[index].text else None
        return None

    def insert(self, at: int, text: str) -> None:
        """Insert `text` at offset `at` of the original (after earlier insertions there)."""
        self.edits.append((at, at, len(self.edits), text))

    def replace(self, token: Token, text: str) -> None:
        """Put `text` in place of `token`."""
        self.replace_span(token.start, token.end, text)

    def replace_span(self, start: int, end: int, text: str) -> None:
        """Put `text` in place of the original's offsets [start, end)."""
        self.edits.append((start, end, len(self.edits), text))

    def flat_text(self, first: int, end: int, *, typed_signs: bool = False) -> str:
        """The source of tokens [first, end) on one line: spaces and comments become one space. With
        `typed_signs`, a number written with a plus sign (+2) is written as a typed literal: copied from
        a quad pattern into a WHERE, `<p> +2` would read as the path <p>+ and the object 2."""
        if first >= end:
            return ""
        start, stop = self.sig[first].start, self.sig[end - 1].end
        pieces, skip = [], None
        for position in range(self._at(start), len(self.all)):
            token = self.all[position]
            if token.start >= stop:
                break
            if position == skip:
                continue
            if typed_signs and token.text == "+" and position + 1 < len(self.all) \
                    and self.all[position + 1].kind == "number" and self.all[position + 1].text.isascii():
                pieces.append(typed_number("+" + self.all[position + 1].text))
                skip = position + 1
                continue
            pieces.append(" " if token.kind in ("space", "comment") else token.text)
        return "".join(pieces)

    def gap(self, index: int) -> str:
        """A space if the source has one between token `index` and the next."""
        if index + 1 < len(self.sig) and self.sig[index + 1].start > self.sig[index].end:
            return " "
        return ""

    def _at(self, offset: int) -> int:
        """The index in `all` of the first token starting at or after `offset` (a bisection, not a walk:
        the rewrite asks once per token of a template)."""
        return bisect.bisect_left(self._starts, offset)

    @cached_property
    def _starts(self) -> list[int]:
        return [token.start for token in self.all]

    def signed(self, index: int) -> str:
        """The number at sig[index + 1] with the plus sign at `index`, as its typed literal; QuerySyntaxError
        where the sign stands apart (the grammar has `+2` as one token; an engine may read `+ 2` as a path)."""
        sign, number = self.sig[index], self.sig[index + 1]
        if sign.end != number.start or not number.text.isascii():
            line, column = _line_column(self.text, sign.start)
            message = "a number's sign is written against its digits (+2, not + 2)" if number.text.isascii() \
                else f"a number is written with the digits 0-9, not {number.text}"
            raise QuerySyntaxError(message, line=line, column=column)
        return typed_number("+" + number.text)

    def apply(self) -> Rewritten:
        """The text with every edit made, and the map back to the original."""
        out, anchors, cursor = [], [], 0
        length = 0
        for start, end, _, text in sorted(self.edits, key=lambda e: (e[0], e[0] != e[1], e[2])):
            if start < cursor:  # overlapping edits never happen by construction; keep the first
                continue
            if start > cursor:
                anchors.append((length, cursor, start - cursor))
                out.append(self.text[cursor:start])
                length += start - cursor
            out.append(text)
            length += len(text)
            cursor = end
        if cursor < len(self.text):
            anchors.append((length, cursor, len(self.text) - cursor))
            out.append(self.text[cursor:])
        return Rewritten("".join(out), self.text, anchors)


def typed_number(text: str) -> str:
    """A signed number (+2, +2.5, +1e3) as the typed literal it stands for (SPARQL 1.1 §19.8)."""
    kind = "double" if "e" in text.lower() else "decimal" if "." in text else "integer"
    return f'"{text}"^^<{XSD}{kind}>'


def _offset(text: str, line: int, column: int) -> int:
    """The offset of a 1-based (line, column) in `text`."""
    offset = 0
    for _ in range(line - 1):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return min(len(text), offset + column - 1)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1
