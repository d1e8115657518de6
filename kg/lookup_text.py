"""Lookups told by one regular expression rather than the lexer: a SELECT over one triple pattern of IRIs,
prefixed names and variables, such as an entity's description (`SELECT ?p ?o WHERE { <iri> ?p ?o }`).

The form is a narrow subset of what kg.one_pattern.single_pattern takes: whatever it declines takes that
general path, so it may decline freely, and must never take a text the engine reads otherwise. It takes no
BASE, relative IRI, escape, literal, blank node, modifier but LIMIT, nor a name outside ASCII.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kg.glued_keywords import CHECKED_IN_WORDS

# SPARQL's whitespace (§19.4) and comments, read possessively: a text that fails to match fails at once,
# never after trying every way of splitting a run of '#'.
_GAP = r"(?:[ \t\r\n]++|\#[^\r\n]*+)"
_VAR = r"[?$][A-Za-z_][A-Za-z0-9_]*+"
_IRI = r"<[^\x00-\x20<>\"{}|^`\\]*+>"
_PREFIX = r"(?:[A-Za-z][A-Za-z0-9_-]*+)?:"  # no '.': the engine would read a name ending in one otherwise
_PNAME = _PREFIX + r"(?:[A-Za-z0-9_][A-Za-z0-9_-]*+)?"
_TERM = f"(?:{_VAR}|{_IRI}|{_PNAME})"
_LOOKUP = re.compile(rf"""
    (?P<prologue>(?:{_GAP}*+(?i:PREFIX){_GAP}++{_PREFIX}{_GAP}*+{_IRI})*+)
    {_GAP}*+(?i:SELECT)(?P<projection>(?:{_GAP}++{_VAR})++|{_GAP}*+\*)
    {_GAP}*+(?:(?i:WHERE){_GAP}*+)?\{{{_GAP}*+
    (?P<s>{_TERM}){_GAP}++(?P<p>{_TERM}|a){_GAP}++(?P<o>{_TERM})(?:{_GAP}*+\.)?{_GAP}*+\}}
    (?:{_GAP}*+(?i:LIMIT){_GAP}++(?P<limit>[0-9]{{1,18}}))?{_GAP}*+
""", re.VERBOSE | re.ASCII)  # ASCII: else (?i:SELECT) takes 'ſelect' and (?i:LIMIT) 'LıMIT', which the engine refuses
# One declaration of the prologue, read from where the last one ended: a comment between two may hold text
# that looks like a declaration.
_DECLARATION = re.compile(rf"{_GAP}*+(?i:PREFIX){_GAP}++({_PREFIX}){_GAP}*+({_IRI})", re.ASCII)
_VARIABLE = re.compile(_VAR)
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# A prefix name holding a keyword the lexer looks for (kg.sparql_lexer, and kg.sparql_text's cheap first test
# for keywords run together): the lexer may read it as SERVICE or LOAD, or refuse it as glued, where the engine
# reads a name.
_MAY_BE_KEYWORDS = re.compile("|".join(sorted(CHECKED_IN_WORDS | {"SERVICE", "LOAD"})), re.IGNORECASE | re.ASCII)
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


class Lookup(NamedTuple):
    """A text of the lookup form: its pattern's three terms (an IRI, or None for a variable), its LIMIT, and
    the prefixes it uses that it does not declare (name -> IRI), which the engine must be told."""

    subject: str | None
    predicate: str | None
    object: str | None
    limit: int | None
    undeclared: dict[str, str]
    star: list[str] | None = None  # for SELECT *: the pattern's variables in its order (see kg.star_order)

    @property
    def iris(self) -> list[str]:
        """The IRIs the pattern names, in its order, once each (as kg.sparql_parts.named_iris gives them)."""
        return list(dict.fromkeys(term for term in (self.subject, self.predicate, self.object) if term is not None))

    def few_rows(self, rows: int) -> bool:
        """As kg.one_pattern.few_rows: a given subject (a few dozen statements), or a LIMIT of at most `rows`."""
        return self.subject is not None or (self.limit is not None and self.limit <= rows)


def lookup(text: str, prefixes: dict[str, str]) -> Lookup | None:
    """The Lookup of a text of that form, whose prefixed names are declared in it or in `prefixes` (the query
    service's); else None."""
    found = _LOOKUP.fullmatch(text)
    if found is None:
        return None
    declared, prologue, position = {}, found["prologue"], 0
    while position < len(prologue):
        declaration = _DECLARATION.match(prologue, position)  # the prologue is a run of them
        name, iri = declaration.groups()
        position = declaration.end()
        if not _ABSOLUTE.match(iri, 1) or _MAY_BE_KEYWORDS.search(name):
            return None
        declared[name[:-1]] = iri[1:-1]
    pattern = (found["s"], found["p"], found["o"])
    names = [term[1:] for term in pattern if term[0] in "?$"]
    if len(set(names)) < len(names):  # ?s ?p ?s filters a scan
        return None
    if found["projection"][-1] != "*":
        projected = _VARIABLE.findall(found["projection"])
        if len({name[1:] for name in projected}) < len(projected):  # the engine refuses SELECT ?x ?x
            return None
    undeclared, iris = {}, []
    for term in pattern:
        if term[0] in "?$":
            iris.append(None)
        elif term == "a":
            iris.append(RDF_TYPE)
        elif term[0] == "<":
            if not _ABSOLUTE.match(term, 1):
                return None
            iris.append(term[1:-1])
        else:
            prefix, _, local = term.partition(":")
            if _MAY_BE_KEYWORDS.search(prefix) or not local:  # named_iris takes 'x:' for no term: no warning
                return None
            namespace = declared.get(prefix)
            if namespace is None:
                namespace = undeclared[prefix] = prefixes.get(prefix)
                if namespace is None:  # the engine says it is undeclared, in the general path's words
                    return None
            iris.append(namespace + local)
    limit = None if found["limit"] is None else int(found["limit"])
    star = names if found["projection"][-1] == "*" else None
    return Lookup(*iris, limit=limit, undeclared=undeclared, star=star)
