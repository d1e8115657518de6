"""An expression that FILTER, HAVING, ORDER BY or GROUP BY take without its brackets (FILTER ?x = 1, HAVING COUNT(?x)
> 1, ORDER BY ?x DESC): they take a variable or a function call bare, anything more in brackets (SPARQL 1.1 §19.8,
Constraint, OrderCondition, GroupCondition). The engine says only that an expression is unfinished, past it."""

from __future__ import annotations

_SIGNS = frozenset("=!<>&|+-*/")  # the tokens an operator starts with
_STARTS = {"FILTER": "FILTER", "HAVING": "HAVING"}  # and ORDER BY, GROUP BY
# Words a '(' may follow that end the keys being read (GROUP BY ?s HAVING(…)) or start no key.
_CLAUSES = frozenset({"HAVING", "ORDER", "GROUP", "LIMIT", "OFFSET", "VALUES", "FILTER", "BIND", "OPTIONAL", "MINUS",
                      "GRAPH", "SERVICE", "UNION", "SELECT", "WHERE", "ASK", "CONSTRUCT", "DESCRIBE"})


def bare_constraint(tokens, text: str) -> tuple[int, str] | None:
    """The index in `tokens` (significant()'s) where an expression stands bare that needs brackets, and what to say
    of it; None if there is none."""
    clause = None  # the keyword whose keys are being read
    pending = None  # where a key that opens a bracket started (DESC, a function's name, NOT EXISTS)
    start = closing = None  # where the bracketed key being read started, and the depth it closes at
    depth = 0
    for index, (kind, value, _, _) in enumerate(tokens):
        upper = value.upper() if kind == "word" else ""
        following = tokens[index + 1][1] if index + 1 < len(tokens) else ""
        depth += (kind == "open") - (kind == "close")
        if closing is not None:
            if depth == closing:  # the key's bracket closes here
                closing = None
                if _operator(tokens, index + 1):
                    return start, _bracketed(clause, tokens, start, index + 1, text)
                clause = None if clause == "FILTER" else clause
            continue
        if clause is not None:
            if kind == "open":
                start, closing, pending = index if pending is None else pending, depth - 1, None
                continue
            if upper in ("ASC", "DESC") and clause == "ORDER BY" or _called(kind, upper, following):
                if upper in ("ASC", "DESC") and following != "(":
                    key = tokens[index - 1][1] if tokens[index - 1][0] == "var" else "?x"
                    return index, f"{upper} takes its key in brackets, after it: ORDER BY {upper}({key})."
                pending = index if pending is None else pending
                continue
            if kind == "var" and clause != "FILTER":
                if _operator(tokens, index + 1):
                    return index, _bracketed(clause, tokens, index, index + 1, text)
                continue
            if clause == "FILTER" and (kind in ("var", "number", "string") or value == "!"):
                shown = value if value == "!" else value + " "
                return index, f"FILTER takes its condition in brackets: FILTER({shown}…)."
            clause = None
        if upper in _STARTS:
            clause = _STARTS[upper]
        elif upper == "BY" and index and tokens[index - 1][1].upper() in ("ORDER", "GROUP"):
            clause = tokens[index - 1][1].upper() + " BY"
    return None


def _called(kind: str, upper: str, following: str) -> bool:
    """Whether a token starts a key that brackets its own arguments: a function's name, EXISTS or NOT EXISTS."""
    return kind in ("pname", "iri") and following == "(" or upper in ("NOT", "EXISTS") \
        or kind == "word" and following == "(" and upper not in _CLAUSES


def _operator(tokens, index: int) -> bool:
    """Whether the token at `index` is an operator, which only an expression in brackets may hold here."""
    if index >= len(tokens):
        return False
    kind, value = tokens[index][:2]
    return kind == "other" and value in _SIGNS or kind == "word" and value.upper() in ("IN", "NOT")


def _bracketed(clause: str, tokens, start: int, operator: int, text: str) -> str:
    """What to say where `clause` takes the key at `start` bare, an operator at `operator` after it."""
    key = text[tokens[start][2]:tokens[operator - 1][3]]
    key = key if len(key) <= 30 else key[:29] + "…"
    sign = tokens[operator][1] + (tokens[operator + 1][1] if operator + 1 < len(tokens) and tokens[
        operator + 1][1] in _SIGNS and tokens[operator + 1][2] == tokens[operator][3] else "")
    if clause in ("FILTER", "HAVING"):
        return f"{clause} takes a function call bare, anything more in brackets: {clause}({key} {sign} …)."
    return f"{clause} takes a variable or a function call bare, anything more in brackets: {clause} ({key} {sign} …)."
