"""A query's modifiers out of their order (LIMIT 10 ORDER BY ?s), given twice (ORDER BY ?a ORDER BY ?b) or inside a
group (WHERE { … LIMIT 5 }): SPARQL
takes GROUP BY, HAVING, ORDER BY, then LIMIT and OFFSET (either first), then VALUES, each once (§19.8,
SolutionModifier). The engine says only what it expected where it gave up, naming what may follow the last."""

from __future__ import annotations

RANKS = {"GROUP": 1, "HAVING": 2, "ORDER": 3, "LIMIT": 4, "OFFSET": 4, "VALUES": 5}
NAMES = {"GROUP": "GROUP BY", "ORDER": "ORDER BY"}
_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
ORDER = "a query's modifiers go in this order: GROUP BY, HAVING, ORDER BY, LIMIT and OFFSET (either first), VALUES."


def misordered(tokens, text: str) -> tuple[int, str] | None:
    """The index in `tokens` (significant()'s) of a modifier out of its order or given twice, and what to say of
    it; None if there is none."""
    seen: list[dict | None] = [None]  # for each depth of braces: the modifiers read after its query's WHERE
    for index, (kind, value, start, _) in enumerate(tokens):
        upper = value.upper() if kind == "word" else ""
        if kind == "open" and value == "{":
            seen.append(None)
        elif kind == "close" and value == "}":
            if len(seen) > 1:
                seen.pop()
        elif upper in _FORMS:
            seen[-1] = {}
        elif upper in RANKS and upper != "VALUES" and seen[-1] is None and len(seen) > 1:  # { … LIMIT 5 }
            return index, f"{NAMES.get(upper, upper)} goes after the '}}' that closes the query's WHERE: {ORDER}"
        elif upper in RANKS and seen[-1] is not None:
            modifiers = seen[-1]
            name = NAMES.get(upper, upper)
            if upper in modifiers:
                return index, f"{name} is given twice (first at {line_column(text, modifiers[upper])}): {_once(upper)}"
            later = [other for other in modifiers if RANKS[other] > RANKS[upper]]
            if later:
                return index, f"{name} comes before {NAMES.get(later[0], later[0])}: {ORDER}"
            modifiers[upper] = start
    return None


def _once(upper: str) -> str:
    if upper in ("ORDER", "GROUP"):
        return f"a query takes one {NAMES[upper]}, with all its keys: {NAMES[upper]} ?a ?b."
    return "a query takes each modifier once."


def line_column(text: str, at: int) -> str:
    """Offset `at` of `text` as a message names a place: line L, column C."""
    return f"line {text.count(chr(10), 0, at) + 1}, column {at - text.rfind(chr(10), 0, at)}"
