"""Variables of a query bound to values: a VALUES block opening its WHERE group, and error positions
mapped back to the text the user wrote."""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.errors import QuerySyntaxError
from kg.sparql_parts import where_group_start


def bind(sparql: str, bindings: dict[str, object]) -> str:
    """The query with a VALUES block for `bindings` opening its WHERE group (same lines as before)."""
    at = where_group_start(sparql)
    if at is None:
        raise QuerySyntaxError("cannot bind variables: the query has no WHERE group")
    return f"{sparql[:at]} {values_clause(bindings)} {sparql[at:]}"


def values_clause(bindings: dict[str, object]) -> str:
    """A one-row VALUES block binding each variable to its value, written as an RDF term."""
    names, terms = [], []
    for name, value in bindings.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"not a variable name: {name!r}")
        names.append(f"?{name}")
        terms.append(str(as_term(value)))
    return f"VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}"


def as_term(value) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A pyoxigraph term for a Python value (terms pass through; str, int, float, bool become literals)."""
    if isinstance(value, (ox.NamedNode, ox.Literal)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false",
                          datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, (int, float, str)):
        return ox.Literal(value)
    raise TypeError(f"cannot bind a {type(value).__name__}; pass a pyoxigraph term or str/int/float/bool")


def unbound(error: QuerySyntaxError, users: str, bound: str) -> QuerySyntaxError:
    """The error's column in the user's text where bind() added a VALUES block on its line (None past it)."""
    added = len(bound) - len(users)
    if not added or error.line is None or error.column is None:
        return error
    at = next(i for i, (a, b) in enumerate(zip(users + "\0", bound)) if a != b)  # where the block went in
    line = users.count("\n", 0, at) + 1
    column = at - users.rfind("\n", 0, at)  # 1-based
    if error.line != line or error.column <= column:
        return error
    return QuerySyntaxError(error.message, line=line, column=max(column, error.column - added))
