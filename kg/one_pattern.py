"""Queries over one triple pattern, and DESCRIBE of named resources: the ones a server may answer in its own
process, row by row, where stopping between rows bounds the work (kg.nearby), found with the lexer's tokens
(kg.sparql_lexer)."""

from __future__ import annotations

from functools import lru_cache

from kg.sparql_lexer import CACHED_TEXT, KEPT, significant

_PATTERN_TERMS = ("var", "iri", "pname", "string")
# Resources of a DESCRIBE answered in process (more go to a worker): the engine plans a DESCRIBE in time growing
# with the square of their number, before any row, so no time limit holds (2,000: 0.7 s), and overflows its
# stack past about 2,800 (8 MiB; fewer on a smaller thread stack), which would end the server.
MOST_DESCRIBED = 100


def single_pattern(text: str) -> bool:
    """Whether a query is SELECT or ASK over one triple pattern and nothing else (no FROM, FILTER,
    paths, expressions, a variable used twice, modifiers but LIMIT), or DESCRIBE of IRIs with no WHERE.

    Every row of such a query is the next entry of one index range, so stopping between rows bounds
    its work: it can run where a time limit cannot kill it. (OFFSET would skip rows inside one step.)
    DESCRIBE reads each resource's statements, then those of the blank nodes among their objects: a
    step per triple given, so the work read stays within the rows read.
    """
    return _one_pattern_of(text) is not None


def few_rows(text: str, rows: int) -> bool:
    """Whether a one-pattern query (single_pattern) asks for few rows: ASK, a LIMIT of at most `rows`, or
    given subjects' statements (a SELECT of one, or DESCRIBE: a few dozen an entity; the row cap bounds the rest)."""
    found = _one_pattern_of(text)
    if found is None:
        return False
    form, pattern, limit = found
    return form != "SELECT" or (limit is not None and limit <= rows) or pattern[0][0] != "var"


def _one_pattern_of(text: str):
    """_one_pattern's answer; those of the last few short texts are kept (a lookup asks three times)."""
    return _one_pattern_kept(text) if len(text) <= CACHED_TEXT else _one_pattern(text)


def _one_pattern(text: str):
    """(form, the pattern's three tokens, its LIMIT or None) of a single_pattern query, else None."""
    tokens = significant(text)
    index, form = 0, None
    while index < len(tokens):  # the prologue: BASE <iri>, PREFIX p: <iri>
        kind, value, _, _ = tokens[index]
        word = value.upper() if kind == "word" else None
        if word == "BASE" and index + 1 < len(tokens) and tokens[index + 1][0] == "iri":
            index += 2
        elif word == "PREFIX" and index + 2 < len(tokens) and tokens[index + 1][0] == "pname" \
                and tokens[index + 2][0] == "iri":
            index += 3
        else:
            break
    if index < len(tokens) and tokens[index][0] == "word" and tokens[index][1].upper() in ("SELECT", "ASK", "DESCRIBE"):
        form = tokens[index][1].upper()
        index += 1
    if form is None:
        return None
    if form == "DESCRIBE":  # named resources and nothing after them: no WHERE, FROM or modifier
        named = tokens[index:]
        # FROM:g is FROM :g to the engine (its prefix undeclared): a dataset, each graph looked in for each resource
        described = named and len(named) <= MOST_DESCRIBED and all(
            kind == "iri" or kind == "pname" and not value.upper().startswith("FROM") for kind, value, _, _ in named)
        return (form, None, None) if described else None
    while form == "SELECT" and index < len(tokens) and (tokens[index][0] == "var" or tokens[index][1] == "*"):
        index += 1
    if index < len(tokens) and tokens[index][0] == "word" and tokens[index][1].upper() == "WHERE":
        index += 1
    body = tokens[index:]
    if len(body) < 5 or body[0][1] != "{":
        return None
    pattern, rest = body[1:4], body[4:]
    if rest and rest[0][1] == ".":
        rest = rest[1:]
    if not rest or rest[0][1] != "}":
        return None
    terms_ok = all(kind in _PATTERN_TERMS or (kind == "word" and value == "a" and position == 1)
                   for position, (kind, value, _, _) in enumerate(pattern))
    if not terms_ok or pattern[1][0] == "string" or pattern[0][0] == "string":
        return None
    variables = [value[1:] for kind, value, _, _ in pattern if kind == "var"]
    if len(set(variables)) < len(variables):  # ?s ?p ?s filters a scan: rows may be far apart
        return None
    modifiers = rest[1:]  # LIMIT n
    for kind, value, _, _ in modifiers:
        if not (kind == "word" and value.upper() == "LIMIT" or kind == "number" and value.isdigit()):
            return None
    numbers = [int(value) for kind, value, _, _ in modifiers if kind == "number"]
    return form, pattern, min(numbers) if numbers else None


_one_pattern_kept = lru_cache(maxsize=KEPT)(_one_pattern)
