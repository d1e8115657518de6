"""A '.' after a query's last clause (LIMIT 5.), as Turtle ends a triple: a SPARQL query ends at its last clause. The
engine says only that the query does not go on like this, past the mark. (A ';' there is kg.syntax_faults'.)"""

from __future__ import annotations

_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
USES = {".": "separates triple patterns, inside braces"}


def trailing_mark(tokens) -> tuple[int, str] | None:
    """The index in `tokens` (significant()'s) of a '.' after the last group of a query, with what to say of it;
    None if there is none."""
    depth, query, found = 0, False, None
    for index, (kind, value, _, _) in enumerate(tokens):
        if kind == "open" and value == "{":
            if depth == 0 and found is not None and tokens[index - 1][1].upper() in ("WHERE", tokens[found][1]):
                found = None  # the WHERE follows the mark (CONSTRUCT { … } . WHERE { … }): no query's end
            depth += 1
        elif kind == "close" and value == "}":
            depth = max(depth - 1, 0)
        elif depth == 0 and kind == "word" and value.upper() in _FORMS:
            if found is not None:  # a second query follows the mark (…} LIMIT 5 ; SELECT …): its WHERE ends none
                break
            query = True
        elif depth == 0 and query and found is None and kind == "other" and value in USES \
                and any(token[:2] == ("close", "}") for token in tokens[:index]):
            found = index
    if found is None:
        return None
    mark = tokens[found][1]
    return found, f"A query takes no '{mark}' after the '}}' that closes its WHERE: a '{mark}' {USES[mark]}."
