"""Operators written as other languages write them: == for =, <> for !=, a lone & for &&. (Words such as AND are
kg.unknown_words'.)"""

from __future__ import annotations

from kg.bracket_faults import in_parentheses
from kg.triple_faults import touching

_OPERANDS = ("var", "number", "string", "langtag", "close")  # what may end the operand before an operator


def foreign_operator(tokens, index: int) -> tuple[int, str] | None:
    """Where the sign at `index` of `tokens` (significant()'s) starts and what is wrong with it, if it is an
    operator SPARQL writes otherwise; None if it is none."""
    kind, value, start, _ = tokens[index]
    if kind == "other" and value == "=" and index >= 2 and tokens[index - 1][1] == "=" and touching(tokens, index) \
            and not (tokens[index - 2][1] in "!<>=" and touching(tokens, index - 1)):
        return tokens[index - 1][2], "SPARQL compares with a single '=': ?a = ?b (and ?a != ?b for 'not equal')."
    if kind == "other" and value == "&" and not _paired(tokens, index):
        return start, "SPARQL writes 'and' as &&: ?a = 1 && ?b = 2."
    if is_not_equal(tokens, index):
        return start, "SPARQL writes 'not equal' as !=: ?a != ?b (<> is an IRI to it)."
    return None


def is_not_equal(tokens, index: int) -> bool:
    """Whether the token at `index` is <> between two operands of an expression, meant as 'not equal'."""
    return tokens[index][:2] == ("iri", "<>") and 0 < index < len(tokens) - 1 \
        and tokens[index - 1][0] in _OPERANDS and tokens[index + 1][0] in ("var", "number", "string", "iri", "pname",
                                                                            "word", "other", "open") \
        and in_parentheses(tokens, index)


def _paired(tokens, index: int) -> bool:
    """Whether the '&' at `index` is one of the two of a &&."""
    return index + 1 < len(tokens) and tokens[index + 1][1] == "&" and touching(tokens, index + 1) \
        or index and tokens[index - 1][1] == "&" and touching(tokens, index)
