"""VALUES written as a list elsewhere is: commas between its values, or a row of (…) holding more or fewer values than
it names variables (SPARQL 1.1 §10.2). The engine says it expected UNDEF or a ')' where it gave up."""

from __future__ import annotations

_VALUES = ("iri", "pname", "string", "number", "word")  # what a value starts with (UNDEF, true and false are words)


def values_fault(tokens) -> tuple[int, str] | None:
    """The index in `tokens` (significant()'s) of a ',' in a VALUES block or of a row with too many or too few
    values, and what to say of it; None if there is none."""
    index = 0
    while index < len(tokens):
        if tokens[index][0] == "word" and tokens[index][1].upper() == "VALUES":
            found, index = _block(tokens, index + 1)
            if found is not None:
                return found
        else:
            index += 1
    return None


def _block(tokens, index: int) -> tuple[tuple[int, str] | None, int]:
    """What is wrong in the VALUES whose variables start at `index`, and where to read on from."""
    names = 0
    bracketed = index < len(tokens) and tokens[index][1] == "("
    index += bracketed
    while index < len(tokens) and tokens[index][0] == "var":
        names, index = names + 1, index + 1
    index += bracketed and index < len(tokens) and tokens[index][1] == ")"
    if index >= len(tokens) or tokens[index][1] != "{" or not names:
        return None, index
    row, count = None, 0  # where the row being read opened, and how many values it holds so far
    for at in range(index + 1, len(tokens)):
        kind, value = tokens[at][:2]
        if value == ",":
            return (at, "The values of VALUES are separated by spaces, not commas."), at
        if value == "}" or value in "{[]<>" or value == "(" and (row is not None or not bracketed):
            return None, at  # its end, or what is not a plain value (a triple term): not read further
        if value == "(":
            row, count = at, 0
        elif value == ")" and row is not None:
            if count != names:
                return (row, f"Each row of VALUES needs one value per variable, {names} here (UNDEF where there is "
                        f"none): this row has {count}."), at
            row = None
        elif kind in _VALUES and not _continued(tokens, at) or value in ("+", "-") and _signed(tokens, at):
            count += 1
    return None, len(tokens)


def _continued(tokens, at: int) -> bool:
    """Whether the token at `at` goes on the value before it: a number after its sign, a datatype after ^^, a base
    direction after its tag's -- ("a"@en--ltr)."""
    return tokens[at - 1][1] in ("+", "-", "^")


def _signed(tokens, at: int) -> bool:
    """Whether the '+' or '-' at `at` is a number's sign, which starts a value."""
    return at + 1 < len(tokens) and tokens[at + 1][0] == "number"
