"""A query read by the embedded store's parser before a remote engine sees it, so that a syntax error is told in
the same words, line and column on every store, and text only some engine takes (SELECT ?s, ?p) is refused."""

from __future__ import annotations

import pyoxigraph

from kg.store.base import faults_within, syntax_error
from kg.store.text_edits import TextEdits
from kg.text_places import offset_at

# Put at the end of the WHERE group for the plan: the engine folds that group to nothing, so neither a sort, an
# aggregate nor an ASK computes any row of it (an ORDER BY over VALUES alone would, even on an empty store).
_EMPTIED = " FILTER(false) "
_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def check_query_syntax(text: str) -> None:
    """Raise QuerySyntaxError where the embedded store's parser rejects the query `text`, placed as that store
    places it. Nothing is evaluated: the text is parsed made never valid (faults_within),
    then planned on an empty store with its WHERE group emptied, which finds the faults the parser tells at the
    text's end too (a text cut short, a variable neither grouped nor aggregated)."""
    faults_within(pyoxigraph.Store().query, text)
    end = _group_end(text)
    planned = text if end is None else text[:end] + _EMPTIED + text[end:]
    try:
        pyoxigraph.Store().query(planned)
    except SyntaxError as error:
        found = syntax_error(str(error))
        if found.line is None or end is None:
            raise found from None
        at = offset_at(planned, found.line, found.column)
        if end <= at < end + len(_EMPTIED):  # a failing reading ran into the FILTER (FILTER(TRUE) before it): the
            _parsed(text)  # text alone fails too, as a FILTER may end any group that is well formed, and runs nothing
        at = at - len(_EMPTIED) if at >= end + len(_EMPTIED) else at
        line, column = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
        raise type(found)(found.message, line=line, column=column if found.column else None) from None


def _group_end(text: str) -> int | None:
    """The offset of the '}' ending the WHERE group the answer comes from (a sub-SELECT's, where that group holds
    one alone); None where no group may take a FILTER (CONSTRUCT WHERE's template, a DESCRIBE without a WHERE)."""
    edits = TextEdits(text)
    sig = edits.sig
    at = next((i for i in range(len(sig)) if edits.word(i) in _FORMS), None)
    closing = None
    while at is not None:
        if edits.word(at) == "CONSTRUCT" and edits.word(at + 1) == "WHERE":
            return None
        opening = _opening(edits, at + 1, template=edits.word(at) == "CONSTRUCT")
        closing = edits.match(opening) if opening is not None else None
        if closing is None:
            return None
        at = opening + 1 if edits.word(opening + 1) == "SELECT" else None
    return sig[closing].start if closing is not None else None


def _opening(edits: TextEdits, first: int, *, template: bool) -> int | None:
    """The index of the '{' opening the WHERE group from token `first` on: outside brackets (an EXISTS in a
    SELECT's expression), past a CONSTRUCT's `template`; None where the query goes on without one."""
    depth, index = 0, first
    while index < len(edits.sig):
        token = edits.sig[index]
        if depth == 0 and edits.word(index) in ("VALUES", "GROUP", "HAVING", "ORDER", "LIMIT", "OFFSET"):
            return None  # past the head of a DESCRIBE without a WHERE group
        if token.text == "{" and depth == 0:
            if not template:
                return index
            template, index = False, (edits.match(index) or len(edits.sig)) + 1
            continue
        depth += (token.text in "([") - (token.text in ")]")
        index += 1
    return None


def _parsed(text: str) -> None:
    """Raise the embedded store's QuerySyntaxError of `text`, known not to be a query it takes."""
    try:
        pyoxigraph.Store().query(text)
    except SyntaxError as error:
        raise syntax_error(str(error)) from None
