"""A lexical look at SPARQL text: its form, its prologue, and the operations the safety policy governs.

Strings, IRIs and comments are skipped (its tokens are kg.sparql_lexer's), so a keyword inside them never
counts. This is not a parser: the engine parses; this only finds what must be refused before the engine sees it.
"""

from __future__ import annotations

import re
from copy import copy
from dataclasses import dataclass, field
from functools import lru_cache

from kg.glued_keywords import glued
from kg.last_text import CACHED_TEXT, LastText
from kg.sparql_lexer import KEPT, declarations_end, significant, unescape_iri

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
# Operators the engine parses and evaluates recursively: long chains of them overflow its stack.
_OPERATORS = set("|/^+-*!&=<>")
UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")


@dataclass
class Shape:
    """What the lexer saw: the query form, declared prefixes, SERVICE targets, nesting, operators, patterns."""

    form: str | None = None
    prefixes: dict[str, str] = field(default_factory=dict)  # name -> IRI, as the text declares them
    services: list[str] = field(default_factory=list)
    loads: int = 0
    pragmas: int = 0
    depth: int = 0
    operators: int = 0
    patterns: int = 0  # triple patterns, groups, filters and assignments (see _scan): the engine plans them
    described: int = 0  # resources named after DESCRIBE
    variables: int = 0  # distinct variable names
    is_update: bool = False
    ambiguous: str | None = None  # an IRI the engine may read as code (see _scan)
    glued: str | None = None  # a name the engine may read as a keyword and a name (see kg.glued_keywords)
    less_than: frozenset[int] = frozenset()  # where each '<' the engine reads as less-than starts (see _scan)
    grouped_as: bool = False  # an AS among GROUP BY's keys, which kg.rebound_variables reads before the query runs


def scan(text: str) -> Shape:
    """Scan SPARQL text once and report its shape (the shapes of the last few short texts are kept: a
    request's text is scanned by the HTTP layer and by the query service)."""
    shape = _scanned(text) if len(text) <= CACHED_TEXT else _last.of(text, _scan)
    mine = copy(shape)  # the caller's own (dataclasses.replace would run __init__: three times the cost)
    mine.prefixes, mine.services = dict(shape.prefixes), list(shape.services)
    return mine


def _scan(text: str) -> Shape:
    shape = Shape()
    brackets: list[str] = []  # the open ones: "{", "{v", "[", "(" around an expression, "()" around a list
    values = False  # after VALUES (or DATA, or a template's keyword), until its block opens
    clause = None  # "select" or "modifiers" (GROUP BY... OFFSET) of a subquery: there "(" opens an expression
    outer: list[str | None] = []  # the clause around each open "{", back in force once it closes
    data = 0  # the open blocks ("{v") of VALUES, DATA and templates: terms, not patterns
    describing = False  # after DESCRIBE, until what follows its resources
    less_than = []
    tokens = significant(text)
    first = declarations_end(tokens, shape.prefixes)
    for index, (kind, value, start, _) in enumerate(tokens[first:], start=first):
        upper = value.upper() if kind == "word" else None
        if (kind == "other" and value in _OPERATORS or upper == "UNION") and not data:  # ^^ in DATA is a datatype
            shape.operators += 1
        if describing:
            describing = kind in ("iri", "pname", "var")
            shape.described += describing
        # The parts the engine plans and joins (approximate, erring high: a group's last "." counts too): a group
        # or blank node opened, a triple pattern ended or continued, a FILTER, an assignment (BIND's or SELECT's
        # AS), an item of a collection (two triple patterns each); not the terms of VALUES, DATA or a template.
        if data:  # inside VALUES, DATA or a template, a GRAPH block included: terms, not patterns
            pass
        elif kind == "open":
            shape.patterns += value == "[" or value == "{" and not values
        elif kind == "other":
            shape.patterns += value in _CONTINUING and bool(brackets) and brackets[-1] in ("{", "[")
        elif upper is not None:
            shape.patterns += upper in ("FILTER", "AS")
        elif brackets and brackets[-1] == "()" and not (data or values):
            shape.patterns += kind in _TERMS
        if upper in _TEMPLATES and index + 1 < len(tokens) and tokens[index + 1][1] == "{":
            values = True  # a template, as VALUES' block, holds no pattern to plan
        if kind == "iri" and text[start - 1:start] == "<" and text[start - 2:start - 1] != "<" \
                and _HIDING.search(value) and shape.ambiguous is None:
            # "<<" opens a triple term to the engine: what this lexer took for an IRI after a "<" is code to it
            # (<<?s#>"""… hides the rest of the line from one reader only); <<<x#y> is "<<" and an IRI to both.
            shape.ambiguous = value
        if upper in _CLAUSES:
            clause = _CLAUSES[upper]
        shape.grouped_as = shape.grouped_as or upper == "AS" and clause == "modifiers"
        if kind in ("word", "pname") and shape.glued is None \
                and glued(kind, value, tokens[index - 1] if index else None):
            shape.glued = value
        if kind == "open":
            brackets.append(_bracket(value, tokens[max(0, index - 2):index], brackets, values, clause))
            values = values and value != "{"
            data += brackets[-1] == "{v"
            if value == "{":
                outer.append(clause)
                clause = None
            shape.depth = max(shape.depth, len(brackets))
        elif kind == "close":
            if brackets:
                data -= brackets.pop() == "{v"
            if value == "}":
                clause = outer.pop() if outer else None
        elif kind == "iri" and brackets and brackets[-1] == "(" and index:
            # After a value in an expression the engine reads "<" as less-than: what this lexer took for an
            # IRI is code to it, its operators count, and a "#" or "'" in it would hide the rest of the
            # line from one reader only; brackets in it would nest past the depth counted here. Values take
            # many shapes (EXISTS {…}, <<( … )>>…), so such an IRI passes only after what cannot end one.
            if _is_operand(tokens[index - 1]):
                shape.operators += sum(character in _OPERATORS for character in value)
            if _HIDING.search(value) and not _after_operator(tokens, index) and shape.ambiguous is None:
                shape.ambiguous = value
        elif kind == "other" and value == "<" and brackets and brackets[-1] == "(" and index \
                and _is_operand(tokens[index - 1]):
            less_than.append(start)  # elsewhere a '<' opens an IRI (or, doubled, a triple term)
        elif upper in ("VALUES", "DATA"):  # INSERT DATA's block, as VALUES', holds terms: no pattern to plan
            values = True
        elif upper == "PREFIX" and index + 1 < len(tokens) and tokens[index + 1][0] == "pname":
            iri = tokens[index + 2][1] if index + 2 < len(tokens) and tokens[index + 2][0] == "iri" else "<>"
            shape.prefixes[tokens[index + 1][1].split(":", 1)[0]] = unescape_iri(iri[1:-1])
        elif upper in QUERY_FORMS and shape.form is None and not shape.is_update:
            shape.form = upper
            describing = upper == "DESCRIBE"
        elif upper in UPDATE_WORDS and shape.form is None:
            shape.is_update = True
            shape.loads += upper == "LOAD"
        elif upper == "SERVICE":
            shape.services.append(next_target(tokens, index))
        elif upper == "DEFINE" and shape.form is None:  # Virtuoso pragmas can make it fetch URLs
            shape.pragmas += 1
    shape.variables = len({value[1:] for kind, value, *_ in tokens if kind == "var"})  # ?x and $x are one
    shape.less_than = frozenset(less_than)
    return shape


_scanned = lru_cache(maxsize=KEPT)(_scan)
_last = LastText()  # the last long text scanned, and its shape

_TERMS = ("var", "iri", "pname", "string", "number", "bnode")
_CONTINUING = (".", ";", ",")
_TEMPLATES = ("CONSTRUCT", "INSERT", "DELETE")  # before "{": triples instantiated per row, not planned


def _bracket(value: str, previous, brackets: list[str], values: bool, clause: str | None) -> str:
    """What an opening bracket opens: "{" or "[" as written; "(" an expression (or a call's arguments),
    "()" a list, where the engine reads no operator (VALUES variables and rows, a collection). `previous`:
    the two tokens before it. In doubt, an expression."""
    if value != "(":
        return "{v" if value == "{" and values else value  # "{v": the data block of VALUES
    kind, before = previous[-1][:2] if previous else ("", "")
    inside = brackets[-1] if brackets else None
    if before.upper() == "VALUES" or values or inside in ("{v", "()"):  # a list holds only terms and lists
        return "()"
    if len(previous) == 2 and previous[0][1] == previous[1][1] == "<" and previous[0][3] == previous[1][2]:
        return "()"  # <<( … )>>: a triple term, which holds terms only
    if clause is not None:  # SELECT ?a (…), HAVING EXISTS {…} (…): expressions, whatever comes before
        return "("
    if inside in ("{", "[") and before in ("{", ".", "}", ",", "(", "["):  # not ")": SELECT (…) (…)
        return "()"
    # A collection as the object of a verb (?s ?p (…), ?s a (…)); but FILTER <f>(…) calls a function, and
    # in a subquery's projection or modifiers (SELECT ?a (…), GROUP BY ?a (…)) it is an expression.
    verb = kind in ("var", "iri", "pname") or kind == "word" and before == "a" or before == ")" \
        or before in ("*", "+", "?") and len(previous) == 2 and previous[0][0] in ("iri", "pname", "word", "close")
    called = len(previous) == 2 and previous[0][0] == "word" and previous[0][1].upper() == "FILTER"
    if inside in ("{", "[") and verb and not called:  # ")": after FILTER (…), BIND (…) or a path (…) ends
        return "()"
    return "("


# Words after which, until the next brace, a "(" in a group is an expression, not a collection.
_CLAUSES = {"SELECT": "select", "GROUP": "modifiers", "ORDER": "modifiers", "HAVING": "modifiers",
            "LIMIT": "modifiers", "OFFSET": "modifiers", "WHERE": None}


def _is_operand(token) -> bool:
    """Whether a token can end a value in an expression, so that a "<" after it may be less-than."""
    kind, value = token[0], token[1]
    return kind in ("var", "number", "string", "iri", "pname", "bnode", "langtag") or value in (")", "]") \
        or kind == "word" and value.upper() != "DISTINCT"  # true, false


_HIDING = re.compile(r"[#'()\[\]]")  # what in an IRI token would, read as code, hide text or nest brackets


def _after_operator(tokens, index: int) -> bool:
    """Whether the token before `index` starts an operand in an expression: "(", ",", an operator, ^^ or
    DISTINCT (a ">" after another ">" closes a triple term <<( … )>>, a value)."""
    kind, value = tokens[index - 1][:2]
    if value in ("(", ",") or kind == "word" and value.upper() == "DISTINCT":
        return True
    if kind != "other" or value not in "=!<>&|+-*/^":
        return False
    return value != ">" or index < 2 or tokens[index - 2][1] != ">"


def next_target(tokens, index) -> str:
    """What follows SERVICE [SILENT]: an IRI, prefixed name or variable, or what stands in their place ('x',
    "{"), named as written; "" at the end of the text."""
    index += 1
    if index < len(tokens) and tokens[index][0] == "word" and tokens[index][1].upper() == "SILENT":
        index += 1
    return tokens[index][1] if index < len(tokens) else ""
