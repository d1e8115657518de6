"""The quads blocks of an update's data and templates, edited for the merge: top-level triples put in the
declared graph, bracketed blank nodes made labels. A part of the update rewriter of kg.store.merge."""

from __future__ import annotations


class QuadBlocks:
    """_block and _triples, over the rewriter's tokens and edits (kg.store.text_edits) and its `target`."""

    def _block(self, opening: int, closing: int, *, wrap: bool, into: str | None = None) -> tuple[str, bool]:
        """Edit the quads block between the braces at `opening` and `closing`: top-level triples go to
        the declared graph (or `into`, an IRI as written) if `wrap`, and `[...]` and `(...)` become
        labels. Returns the block's triples as plain triples text, and whether it has blank nodes."""
        for sign in range(opening + 1, closing - 1):  # +2 in a template reads as a path on some engines
            if self.sig[sign].text == "+" and self.sig[sign + 1].kind == "number":
                self.replace_span(self.sig[sign].start, self.sig[sign + 1].end, self.signed(sign))
        flats, blank, index = [], False, opening + 1
        while index < closing:
            if self.graph_block(index):
                inner_close = self.match(index + 2)
                if inner_close is None:
                    return "", blank
                text, has_blank = self._triples(index + 3, inner_close)
                flats.append(text)
                blank |= has_blank
                index = inner_close + 1
            elif self.sig[index].text == ".":
                index += 1
            else:
                end = index
                while end < closing and not self.graph_block(end):
                    if self.sig[end].kind == "open":
                        end = self.match(end) or closing
                    end += 1
                text, has_blank = self._triples(index, end)
                flats.append(text)
                blank |= has_blank
                if wrap and text:
                    self.insert(self.sig[index].start, f"GRAPH {into or f'<{self.target.declared}>'} {{ ")
                    self.insert(self.sig[end - 1].end, " }")
                index = end
        return " . ".join(flat for flat in flats if flat), blank

    def _triples(self, first: int, end: int) -> tuple[str, bool]:
        """Triples tokens [first, end) as flat text without a trailing dot; bracketed blank nodes are
        replaced by labels in place (with the triples they stood for added at the end)."""
        while end > first and self.sig[end - 1].text == ".":
            end -= 1
        if first >= end:
            return "", False
        self.only_grammar_spaces(first, end)
        labels = self.needs_labels(first, end)
        blank = labels or any(t.kind == "bnode" for t in self.sig[first:end])
        if not labels:
            return self.flat_text(first, end, typed_signs=True), blank
        extra: list[str] = []
        main = self.labelled(first, end, extra, statements=True).strip().removesuffix(".")  # a group alone last
        text = " . ".join(part for part in [main] + extra if part.strip())
        self.replace_span(self.sig[first].start, self.sig[end - 1].end, text)
        return text, True
