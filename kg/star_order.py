"""SELECT *'s variables in the order the text first names them, as Jena, RDF4J and Virtuoso list them; the
engine (pyoxigraph, and `oxigraph serve`) lists them alphabetically, which reorders the columns of a table or CSV.
"""

from __future__ import annotations

from operator import itemgetter

from kg.sparql_lexer import significant
from kg.store.base import Solutions


def named_order(text: str) -> list[str] | None:
    """The variable names of `text` in order of first mention if its query is a SELECT *, else None."""
    tokens = significant(text)
    depth = 0
    for index, (kind, value, _, _) in enumerate(tokens):
        if kind == "open" and value == "{":
            depth += 1
        elif kind == "close" and value == "}":
            depth -= 1
        elif kind == "word" and depth == 0 and value.upper() == "SELECT":
            following = tokens[index + 1:index + 3]
            modified = following[:1] and following[0][1].upper() in ("DISTINCT", "REDUCED")
            star = following[1 if modified else 0:][:1]
            if not star or star[0][1] != "*":
                return None
            return list(dict.fromkeys(value[1:] for kind, value, _, _ in tokens if kind == "var"))
    return None


def reordered(solutions: Solutions, order: list[str] | None) -> Solutions:
    """`solutions` with its variables (and each row's terms) in `order`; those `order` lacks come last, as given."""
    if order is None or len(solutions.variables) < 2:
        return solutions
    listed = set(solutions.variables)
    variables = [name for name in order if name in listed]
    variables += [name for name in solutions.variables if name not in set(variables)]
    if variables == solutions.variables:
        return solutions
    where = {name: at for at, name in enumerate(solutions.variables)}
    pick = itemgetter(*(where[name] for name in variables))
    # the same result: a remote engine's own cut (.cut) may be known only once the rows are read
    solutions.variables, solutions.rows = variables, _picked(solutions.rows, pick)
    return solutions


class _picked:
    """Each row's terms picked anew; closing this closes `rows` (a lazy engine's result stops there), read or not."""

    def __init__(self, rows, pick):
        self.rows, self.reading, self.pick = rows, iter(rows), pick

    def __iter__(self):
        return self

    def __next__(self):
        return self.pick(next(self.reading))

    def close(self) -> None:
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()
