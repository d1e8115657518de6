"""Brackets that do not pair up: a '(' left open when a '}' or ']' closes (FILTER(regex(?o, "x") }), a group
opens (only EXISTS opens one inside an expression) or the text ends; a ')' with no '(' to close. The engine says
only what it expected where it gave up."""

from __future__ import annotations

PAIRS = {")": "(", "]": "[", "}": "{"}


def bracket_fault(tokens, text: str) -> tuple[int, str] | None:
    """The index in `tokens` (significant()'s) of the first bracket that does not pair up, len(tokens) for the end
    of the text, and what is wrong there; None if every '(' is closed before its group's end and every ')' opened."""
    opened: list[int] = []  # indexes of the brackets still open
    for index, (kind, value, _, _) in enumerate(tokens):
        inside = bool(opened) and tokens[opened[-1]][1] == "("
        if kind == "open":
            if value == "{" and inside and tokens[index - 1][1].upper() != "EXISTS":
                return index, _missing(f"before this '{value}'", tokens, opened[-1], text)
            opened.append(index)
        elif kind == "close":
            if opened and tokens[opened[-1]][1] == PAIRS[value]:
                opened.pop()
            elif inside:
                return index, _missing(f"before this '{value}'", tokens, opened[-1], text)
            elif value == ")":
                return index, "This ')' closes no '(': it is one too many, or its '(' is missing."
    if opened and tokens[opened[-1]][1] == "(":
        return len(tokens), _missing("at the end of the text", tokens, opened[-1], text)
    return None


def in_parentheses(tokens, index: int) -> bool:
    """Whether the innermost bracket open at `index` is a '(' (an expression's, mostly; a collection's too)."""
    opened: list[str] = []
    for kind, value, _, _ in tokens[:index]:
        if kind == "open":
            opened.append(value)
        elif kind == "close" and opened:
            opened.pop()
    return bool(opened) and opened[-1] == "("


def _missing(where: str, tokens, index: int, text: str) -> str:
    """That a ')' is missing `where`, to close the '(' at `index`, named by its place and the word or name before
    it (FILTER, regex)."""
    start = tokens[index][2]
    place = f"line {text.count(chr(10), 0, start) + 1}, column {start - text.rfind(chr(10), 0, start)}"
    before = tokens[index - 1] if index else None
    named = f" after {before[1]}" if before is not None and before[0] in ("word", "pname", "iri") else ""
    return f"A ')' is missing {where}: the '('{named} at {place} is not closed."
