"""A number written with a '.' and no digit after it (`1.`) where no triple pattern can end: in brackets (FILTER,
BIND, a function's arguments, a collection) or in a VALUES block. The lexer reads it as 1 and a '.', and the engine
says what it expected past the '.', not that a decimal needs a digit after its point."""

from __future__ import annotations

_CLOSING = {"(": ")", "[": "]", "{": "}"}


def unfinished_decimal(tokens) -> tuple[int, str] | None:
    """The index in `tokens` (significant()'s) of the first number followed at once by a '.' that ends nothing there,
    and what to say of it; None if there is none."""
    opened: list[tuple[str, bool]] = []  # the brackets open here, and for each '{' whether it holds VALUES' data
    for index, (kind, value, start, end) in enumerate(tokens):
        if kind == "open":
            opened.append((value, value == "{" and _values_data(tokens, index)))
        elif kind == "close" and opened:
            opened.pop()
        elif kind == "number" and value.isascii() and value.isdigit() and index + 1 < len(tokens) \
                and tokens[index + 1][1] == "." and tokens[index + 1][2] == end and opened \
                and (opened[-1][0] in "([" or opened[-1][1]):  # 1e5. or 1.5. is no decimal cut short
            where = "in a VALUES block" if opened[-1][1] else f"inside {opened[-1][0]} … {_CLOSING[opened[-1][0]]}"
            return index, (f"{value}. is no number: a decimal needs a digit after its point ({value}.0); a '.' after "
                           f"a number would end a triple pattern, and none ends {where}.")
    return None


def _values_data(tokens, index: int) -> bool:
    """Whether the '{' at `index` opens the data of a VALUES block (VALUES ?a { … }, VALUES (?a ?b) { … })."""
    at = index - 1
    if at >= 0 and tokens[at][1] == ")":  # VALUES (?a ?b) or VALUES ()
        at -= 1
        while at >= 0 and tokens[at][0] == "var":
            at -= 1
        if at < 0 or tokens[at][1] != "(":
            return False
        at -= 1
    elif at >= 0 and tokens[at][0] == "var":
        at -= 1
    else:
        return False
    return at >= 0 and tokens[at][0] == "word" and tokens[at][1].upper() == "VALUES"
