"""Operators written as other languages write them: == for =, <> for !=, a lone & for &&, and an operator or a comma
with nothing after it, as in FILTER(?o = ). (Words such as AND are kg.unknown_words'.)"""

from __future__ import annotations

from kg.bracket_faults import in_parentheses
from kg.triple_faults import touching

_OPERANDS = ("var", "number", "string", "langtag", "close")  # what may end the operand before an operator
_OPERATORS = {"=", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*", "/"}
_COMPARING = set("=<>!&|")  # never before a ')': + * / - may be a path's modifier or step there, as in (ex:p+)


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


def missing_operand(tokens, index: int) -> tuple[int, str] | None:
    """Where an operand is missing and what to say, if the sign at `index` of `tokens` is an operator or a comma
    between a bracket's operands with a ')' or AS straight after it: FILTER(?o = ), REGEX(?o, ), BIND(?o + AS ?x).
    The engine says so at the next token it cannot read, which may be lines further on."""
    kind, value, _, _ = tokens[index]
    if kind != "other" or index + 1 >= len(tokens) or not in_parentheses(tokens, index):
        return None
    after = tokens[index + 1]
    if after[:2] != ("close", ")") and not (after[0] == "word" and after[1].upper() == "AS"):
        return None
    arithmetic = value in "+-*/" and tokens[index - 1][0] in ("var", "number", "string", "langtag")
    if value == ",":
        return after[2], f"A value is missing after this ',': {after[1]} cannot follow it; remove the ',' or add one."
    if value in _COMPARING or arithmetic:
        sign = value
        while index > 0 and tokens[index - 1][0] == "other" and tokens[index - 1][1] in _COMPARING \
                and touching(tokens, index):
            index -= 1
            sign = tokens[index][1] + sign
        if sign.endswith("!") and (sign == "!" or sign[:-1] in _OPERATORS):  # '!', or an operator then '!' (&&!)
            return after[2], f"An operand is missing after '!': {after[1]} cannot follow it: '!' negates what comes " \
                             "after it, as !BOUND(?x)."
        if sign not in _OPERATORS:  # a triple term's brackets (<<( … )>>), or no operator SPARQL has (=>)
            return None
        return after[2], f"An operand is missing after {sign!r}: {after[1]} cannot follow it: give it a value on each side, as ?a {sign} ?b."
    return None
