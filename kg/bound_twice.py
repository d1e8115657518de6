"""A bound variable (`kg query --bind`, a page's binding) that the query itself gives a value where the bound values
go in (a BIND in the WHERE group, SELECT's or GROUP BY's (… AS ?x)): refused naming both, since the engine's
error would point at the VALUES block put into the text, which the user never wrote."""

from __future__ import annotations

from kg.bindings import bind
from kg.errors import BindingTypeError, QuerySyntaxError
from kg.rebound_variables import rebound
from kg.sparql_lexer import significant
from kg.text_places import place

# What gave the variable its value, by how kg.rebound_variables begins to say so.
_GIVERS = (("BIND", "a BIND"), ("An (expression AS", "an (expression AS ?name) of SELECT"),
           ("GROUP BY", "an (expression AS ?name) of GROUP BY"))


def check_not_given(sparql: str, bindings: dict) -> None:
    """BindingTypeError for the first bound name that `sparql` gives a value of its own where the VALUES block
    goes; a query that gives some variable two values without any binding is left to the syntax check."""
    if not bindings or _second_value(sparql, sparql) is not None:
        return
    for names, value in bindings.items():
        try:
            bound = bind(sparql, {names: value})
        except QuerySyntaxError:  # no place for the values: the query service says so when it binds them
            return
        found = _second_value(bound, sparql)
        if found is None:
            continue
        at, said = found
        giver = next((words for start, words in _GIVERS if said.startswith(start)), "the query")
        shown = " ".join(f"?{name}" for name in ((names,) if isinstance(names, str) else names))
        line, column = place(sparql, at)
        raise BindingTypeError(f"{shown} cannot be bound: the query gives it a value of its own, by {giver} at "
                               f"line {line}, column {column}; bind another variable, or give the value there")


def _second_value(text: str, users: str) -> tuple[int, str] | None:
    """Where `text` (`users` with a VALUES block put in) gives a variable a second value, as an offset in `users`
    (past the block, shifted back by its length), and what kg.rebound_variables says of it; None if nowhere."""
    tokens = significant(text)
    found = rebound(tokens, text)
    if found is None:
        return None
    at = tokens[found[0]][2]
    added = len(text) - len(users)
    if added:
        start = next((i for i, (a, b) in enumerate(zip(users, text)) if a != b), len(users))  # where it went in
        at = at - added if at >= start + added else min(at, start)
    return at, found[1]
