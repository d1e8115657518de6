"""A PREFIX or BASE between an update's operations (INSERT DATA { … } ; PREFIX ex: <…> INSERT …): SPARQL 1.1 allows
it, but the embedded engine takes declarations only before the first operation, and says only which keywords it
expected after the declaration's keyword."""

from __future__ import annotations


def late_declaration(tokens) -> tuple[int, str] | None:
    """The index in `tokens` (significant()'s) of the first PREFIX or BASE after a ';' between operations, with
    what to say of it; None if there is none."""
    depth, operations = 0, False
    for index, (kind, value, _, _) in enumerate(tokens):
        if kind == "open" and value == "{":
            depth += 1
        elif kind == "close" and value == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and kind == "other" and value == ";":
            operations = True
        elif depth == 0 and operations and kind == "word" and value.upper() in ("PREFIX", "BASE"):
            word = value.upper()
            return index, (f"The store's engine takes {word} only at the start of an update, before its first "
                           f"operation, though SPARQL allows it between operations: move this {word} there (a "
                           "prefix declared twice keeps its last IRI for the whole update).")
    return None
