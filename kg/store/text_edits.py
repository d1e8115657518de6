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
from kg.sparql_text import Token, lex

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
_CLOSING = {"{": "}", "(": ")", "[": "]"}


@dataclass
class Rewritten:
    """The rewritten text, and a map from its positions back to the original's."""

    text: str
    original: str
    _anchors: list[tuple[int, int, int]] = field(default_factory=list)  # (out start, in start, length)

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


class TextEdits:
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
        for token in self.all[self._at(start):]:
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
            if token.text in "<>" and index and self.sig[index - 1].text == token.text \
                    and self.sig[index - 1].end == token.start:
                depth += 1 if token.text == "<" else -1
            run = run + 1 if token.kind == "other" and token.text in "!+-" else 0
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
            if depth == 0:  # a "]" closing a "(" is no match: the text is malformed, left for the engine to say
                return index if _CLOSING[self.sig[opening].text] == self.sig[index].text else None
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

    def opens_group(self, index: int) -> bool:
        """Whether token `index` opens a blank node group: `[` or a collection's `(` (not a triple term's `<<(`)."""
        token = self.sig[index]
        return token.text == "[" or token.text == "(" and not self._glued_after(index, "<", "<")

    def _in_triple_term(self, index: int) -> bool:
        """Whether token `index` lies inside a `<< >>` or `<<( )>>`, counted from the `{` of the block around it: in
        a quad template or pattern `<<` and `>>` only open and close them (an IRI is one token), while before it
        a FILTER's `<` may have been misread."""
        return self._term_depths[index] > 0

    def _at(self, offset: int) -> int:
        """The index in `all` of the first token starting at or after `offset` (a bisection, not a walk:
        the rewrite asks once per token of a template)."""
        return bisect.bisect_left(self._starts, offset)

    @cached_property
    def _starts(self) -> list[int]:
        return [token.start for token in self.all]

    @cached_property
    def _term_depths(self) -> list[int]:
        """Per significant token, how many triple terms are open before it in its block (one pass, kept)."""
        depths: list[int] = []
        blocks: list[int] = []  # the depth outside each open `{`
        depth, at = 0, 0
        while at < len(self.sig):
            token = self.sig[at]
            following = self.sig[at + 1] if at + 1 < len(self.sig) else None
            if token.text in ("<", ">") and following is not None and following.text == token.text \
                    and following.start == token.end:
                depths += [depth, depth]
                depth += 1 if token.text == "<" else -1
                at += 2
                continue
            depths.append(depth)
            if token.text == "{":
                blocks.append(depth)
                depth = 0
            elif token.text == "}":
                depth = blocks.pop() if blocks else 0
            at += 1
        return depths

    def _glued_after(self, index: int, *texts: str) -> bool:
        """Whether the tokens right before `index` are `texts`, with no space between any of them."""
        first = index - len(texts)
        if first < 0:
            return False
        run = self.sig[first:index + 1]
        return [t.text for t in run[:-1]] == list(texts) and all(a.end == b.start for a, b in zip(run, run[1:]))

    def needs_labels(self, first: int, end: int) -> bool:
        """Whether tokens [first, end) make blank nodes of their own: a group, or a reifier left unnamed."""
        return any(self.opens_group(index) or self._reifies(index) for index in range(first, end))

    def _reifies(self, index: int) -> bool:
        """Whether token `index` may stand for a reifier: `~`, an annotation's `{|`, a `<<` or `>>` (RDF 1.2)."""
        text = self.sig[index].text
        return text == "~" or text == "|" and self._glued_after(index, "{") or \
            text in ("<", ">") and self._glued_after(index, text)

    def labelled(self, first: int, end: int, extra: list[str], *, statements: bool = False) -> str:
        """Text of tokens [first, end) with each bracketed group replaced by a blank node label, and each
        reifier left unnamed (`<< s p o >>`, `{| ... |}`, a bare `~`) given a label, so that a copy of the
        text makes the same blank nodes. With `statements` (triples separated by dots), a group that is a
        statement by itself (`( 1 2 )`, `[ :p 1 ]`) leaves only its triples, in `extra`."""
        parts, index = [], first
        reified: list[bool] = []  # per open `<<`: a reifier is named (True); None for a triple term `<<(`
        while index < end:
            token = self.sig[index]
            if self.opens_group(index):
                alone = statements and (index == first or self.sig[index - 1].text == ".") \
                    and self.match(index) != index + 1  # an empty () or [] alone is no statement: the engine says so
                label, index = self.group(index, extra)
                if alone and (index >= end or self.sig[index].text == "."):
                    index += 1  # and its dot
                    continue
                parts.append(f" {label} ")
                continue
            if token.text == "<" and index + 1 < end and self._glued_after(index + 1, "<"):  # `<<` or `<<(`
                term = index + 2 < end and self._glued_after(index + 2, "<", "<") and self.sig[index + 2].text == "("
                reified.append(None if term else False)
                width = 3 if term else 2
                parts.append(self.flat_text(index, index + width) + self.gap(index + width - 1))
                index += width
                continue
            if token.text == "~" and reified and reified[-1] is False:
                reified[-1] = True
            if token.text == "~" and not self._names_reifier(index + 1, end):
                parts.append(f"~ {self.label()} ")  # `~` alone: an anonymous reifier
                index += 1
                continue
            if token.text == "{" and index + 1 < end and self.sig[index + 1].text == "|" \
                    and self._glued_after(index + 1, "{") and not self._after_reifier(index):
                parts.append(f" ~ {self.label()} ")  # an annotation with no reifier before it
            if token.text == ">" and index + 1 < end and self.sig[index + 1].text == ">" \
                    and self._glued_after(index + 1, ">") and reified:
                if reified.pop() is False:
                    parts.append(f" ~ {self.label()} ")
                parts.append(">>" + self.gap(index + 1))
                index += 2
                continue
            if token.text == "+" and index + 1 < end and self.sig[index + 1].kind == "number":
                parts.append(self.signed(index) + self.gap(index + 1))
                index += 2
                continue
            parts.append(self.flat_text(index, index + 1) + self.gap(index))
            index += 1
        return "".join(parts).strip()

    def _names_reifier(self, index: int, end: int) -> bool:
        """Whether a reifier's name starts at token `index`: an IRI, a blank node (`_:b` or `[]`) or a variable."""
        return index < end and (self.sig[index].kind in ("iri", "pname", "bnode", "var") or self._anon(index, end))

    def _anon(self, index: int, end: int) -> bool:
        return index + 1 < end and self.sig[index].text == "[" and self.sig[index + 1].text == "]"

    def _after_reifier(self, index: int) -> bool:
        """Whether the tokens before the `{|` at `index` are a reifier (`~`, `~ id` or `~ []`)."""
        return index >= 1 and self.sig[index - 1].text == "~" or \
            index >= 2 and self.sig[index - 2].text == "~" and self._names_reifier(index - 1, index) or \
            index >= 3 and self.sig[index - 3].text == "~" and self._anon(index - 2, index)

    def group(self, opening: int, extra: list[str]) -> tuple[str, int]:
        """The label of the `[...]` or `(...)` at `opening`, its triples added to `extra`; and the index after it."""
        closing = self.match(opening)
        if closing is None:
            raise self.error_at(self.sig[opening], f"This {self.sig[opening].text!r} is not closed by "
                                f"{_CLOSING[self.sig[opening].text]!r}.")
        if closing == opening + 1:
            self._only_spaces(opening, closing)
        if (self.sig[opening].text == "(" or closing > opening + 1) and self._in_triple_term(opening):
            line, column = _line_column(self.text, self.sig[opening].start)
            raise QuerySyntaxError("a triple term holds single terms: a collection or a [ ] with properties "
                                   "cannot stand in it", line=line, column=column)
        if self.sig[opening].text == "[":
            label = self.label()
            if closing > opening + 1:
                extra.append(f"{label} {self.labelled(opening + 1, closing, extra)}")
            return label, closing + 1
        members, index = [], opening + 1
        while index < closing:  # a collection: one member per term (a literal or a triple may span tokens)
            if self.opens_group(index):
                member, index = self.group(index, extra)
            else:
                start, index = index, self._term_end(index, closing)
                # A literal or signed number is written glued ("w"^^<dt>): some engines (Virtuoso) read the
                # spaced form the grammar allows as a path.
                if self.sig[start].text == "<":
                    member = self.labelled(start, index, extra)
                elif self.sig[start].text == "+" and index == start + 2:
                    member = self.signed(start)
                else:
                    member = "".join(token.text for token in self.sig[start:index])
            members.append(member)
        if not members:
            return f"<{RDF}nil>", closing + 1
        labels = [self.label() for _ in members]
        for number, (label, member) in enumerate(zip(labels, members)):
            rest = labels[number + 1] if number + 1 < len(labels) else f"<{RDF}nil>"
            extra.append(f"{label} <{RDF}first> {member} ; <{RDF}rest> {rest}")
        return labels[0], closing + 1

    def _only_spaces(self, opening: int, closing: int) -> None:
        """QuerySyntaxError if an empty `[]` or `()` holds a comment: the grammar's ANON and NIL hold spaces only,
        and the engine refuses the text where the rewrite would have written a blank node or rdf:nil."""
        inside = self.text[self.sig[opening].end:self.sig[closing].start]
        if not inside.isspace() and inside:
            line, column = _line_column(self.text, self.sig[closing].start)
            pair = self.sig[opening].text + self.sig[closing].text
            raise QuerySyntaxError(f"an empty {pair} holds spaces only: a comment cannot stand inside it",
                                   line=line, column=column)

    def _term_end(self, index: int, closing: int) -> int:
        """The index after the term starting at token `index`, within a collection ending at `closing`: a
        literal with its language tag (and direction) or datatype, a signed number, a `<< >>` triple or
        `<<( )>>` triple term (nested ones included), or else the one token."""
        token = self.sig[index]
        if token.text == "<" and index + 1 < closing and self._glued_after(index + 1, "<"):
            depth, index = 0, index
            while index < closing:  # `<<` opens, `>>` closes, each two glued tokens
                if index + 1 < closing and self._glued_after(index + 1, "<") and self.sig[index].text == "<":
                    depth, index = depth + 1, index + 2
                elif index + 1 < closing and self._glued_after(index + 1, ">") and self.sig[index].text == ">":
                    depth, index = depth - 1, index + 2
                    if depth == 0:
                        return index
                else:
                    index += 1
            return closing
        index += 1
        if token.kind == "string" and index < closing:
            if self.sig[index].kind == "langtag":
                index += 1
                if index + 2 < closing and self._glued_after(index + 2, "-", "-") and self.sig[index - 1].end == \
                        self.sig[index].start:  # a base direction: "x"@en--ltr
                    index += 3
            elif self.sig[index].text == "^" and index + 2 < closing and self._glued_after(index + 1, "^"):
                index += 3  # "x"^^<datatype>
        elif token.text in ("+", "-") and index < closing and self.sig[index].kind == "number":
            index += 1
        return index

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

    def label(self) -> str:
        """A blank node label no one else uses."""
        self.fresh += 1
        return f"_:kg{self.token}n{self.fresh}"

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
