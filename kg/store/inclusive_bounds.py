"""Inclusive comparisons written as negated strict ones, for an engine whose `<=` drops rows (Virtuoso).

Virtuoso 07.20 answers `FILTER (?d <= "2026-01-02"^^xsd:date)` (and `C >= ?d`) over an index of dates without
some dates it holds below the bound (2025-12-31), while `<`, `>` and a `<=` it computes per row (in a SELECT
expression) answer in full. `A <= B` is sent as `!(A > B)`, and `A >= B` as `!(A < B)`: the same for every pair of
values SPARQL orders, and an error where `<=` is one. (NaN alone differs: `NaN <= 1` is false, `!(NaN > 1)` true.)
"""

from __future__ import annotations

from kg.store.text_edits import TextEdits

_STRICT = {"<": ">", ">": "<"}  # the strict operator whose negation each inclusive one is
_ENDS = {",", "&", "|"}  # tokens that end an operand of a relational operator, outside brackets


def strict_bounds(text: str) -> str:
    """`text` with each `A <= B` as `!(A > B)` and each `A >= B` as `!(A < B)`; lines and columns of the rest stay."""
    if "<=" not in text and ">=" not in text:  # the operators' two characters touch: nothing to read (a load's data)
        return text
    edits = TextEdits(text)
    sig = edits.sig
    for index in range(1, len(sig) - 1):
        first, second = sig[index], sig[index + 1]
        if first.text not in _STRICT or second.text != "=" or first.end != second.start or first.kind != "other":
            continue
        left, right = _operand_start(edits, index - 1), _operand_end(edits, index + 2)
        if left is None or right is None:
            continue  # not inside an expression's brackets: left as written, for the engine to judge
        edits.insert(sig[left].start, "!(")
        edits.replace(first, _STRICT[first.text])
        edits.replace(second, " ")
        edits.insert(sig[right].end, ")")
    return edits.apply().text if edits.edits else text


def _operand_start(edits: TextEdits, index: int) -> int | None:
    """The first token of the operand that ends at token `index`: back to a bracket left open, a ',' or '&&'/'||'."""
    sig, depth, end = edits.sig, 0, index
    while index >= 0:
        token = sig[index]
        if token.kind == "close":
            depth += 1
        elif token.kind == "open" and depth > 0:
            depth -= 1
        elif depth == 0 and (token.kind == "open" or token.text in _ENDS or
                             token.text in ("=", "<", ">") and token.kind == "other"):
            return index + 1 if index < end else None
        index -= 1
    return None


def _operand_end(edits: TextEdits, index: int) -> int | None:
    """The last token of the operand that starts at token `index`: up to a bracket it did not open, a ',', '&&',
    '||' or AS."""
    sig, depth = edits.sig, 0
    for at in range(index, len(sig)):
        token = sig[at]
        if token.kind == "open":
            depth += 1
        elif token.kind == "close":
            if depth == 0:
                return at - 1 if at > index else None
            depth -= 1
        elif depth == 0 and (token.text in _ENDS or edits.word(at) == "AS" or
                             token.text in ("=", "<", ">") and token.kind == "other"):  # relational: another
            return at - 1 if at > index else None
    return None
