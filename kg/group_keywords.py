"""A keyword that takes a group without its braces (MINUS ?s a ?c, FILTER NOT EXISTS ?s a ?c, ?a ?b ?c UNION ?d ?e ?f)
or GRAPH without its graph's name (GRAPH { … }). The engine says only that the group does not go on, past it."""

from __future__ import annotations

_GROUPED = ("OPTIONAL", "MINUS", "EXISTS")  # keywords whose group follows at once


def group_keyword_fault(tokens, index: int) -> tuple[int, str] | None:
    """Where the keyword at `index` of `tokens` (significant()'s) lacks the braces or name it takes, and what to say
    of it; None if it has them, or is no such keyword."""
    upper = tokens[index][1].upper()
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if upper in _GROUPED and following is not None and following[1] != "{" and following[0] in (
            "var", "iri", "pname", "bnode"):
        return following[2], f"{upper} takes a group in braces: {upper} {{ {following[1]} … }}."
    if upper == "GRAPH" and following is not None and following[1] == "{":
        return following[2], "GRAPH names its graph before the group, with a variable or an IRI: GRAPH ?g { … }."
    if upper == "UNION" and (index == 0 or tokens[index - 1][1] != "}" or following is None or following[1] != "{"):
        return tokens[index][2], "UNION joins groups in braces: { ?a ?b ?c } UNION { ?d ?e ?f }."
    return None
