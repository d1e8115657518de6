"""Blank nodes made explicit in SPARQL text: each `[ ... ]` and collection `( ... )` becomes a label and the
triples it stands for, and each reifier left unnamed (RDF 1.2) gets a label, so that two copies of a
template make the same nodes. A part of kg.store.text_edits.TextEdits (its tokens and edits)."""

from __future__ import annotations

from functools import cached_property

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
CLOSING = {"{": "}", "(": ")", "[": "]"}


class BlankNodeLabels:
    """Methods of TextEdits over its significant tokens (`sig`): bracketed groups and reifiers as labels."""

    def opens_group(self, index: int) -> bool:
        """Whether token `index` opens a blank node group: `[` or a collection's `(` (not a triple term's `<<(`)."""
        token = self.sig[index]
        return token.text == "[" or token.text == "(" and not self._glued_after(index, "<", "<")

    def _in_triple_term(self, index: int) -> bool:
        """Whether token `index` lies inside a `<< >>` or `<<( )>>`, counted from the `{` of the block around it: in
        a quad template or pattern `<<` and `>>` only open and close them (an IRI is one token), while before it
        a FILTER's `<` may have been misread."""
        return self._term_depths[index] > 0

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
                                f"{CLOSING[self.sig[opening].text]!r}.")
        if closing == opening + 1:
            self._only_spaces(opening, closing)
        if (self.sig[opening].text == "(" or closing > opening + 1) and self._in_triple_term(opening):
            raise self.error_at(self.sig[opening], "a triple term holds single terms: a collection or a [ ] with "
                                "properties cannot stand in it")
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
            pair = self.sig[opening].text + self.sig[closing].text
            raise self.error_at(self.sig[closing], f"an empty {pair} holds spaces only: a comment cannot stand inside it")

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

    def label(self) -> str:
        """A blank node label no one else uses."""
        self.fresh += 1
        return f"_:kg{self.token}n{self.fresh}"
