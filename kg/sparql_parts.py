"""Parts of a SPARQL text, found and edited with the lexer's tokens (kg.sparql_lexer): the dataset clauses,
SERVICE clauses, the WHERE group, the leading BASE, the IRIs a query names and its LIMIT.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.iri_resolution import resolve_iri
from kg.sparql_lexer import declarations_end, significant, unescape_iri
from kg.sparql_text import QUERY_FORMS

# Keywords some functions look for: a text without the letters has none of them (a cheap first test).
_SERVICE, _FROM, _BASE = (re.compile(word, re.IGNORECASE) for word in ("service", "from", "base"))


def used_prefixes(text: str) -> list[str]:
    """The prefixes of the prefixed names the text uses, in order of first use."""
    names: list[str] = []
    for kind, value, _, _ in significant(text):
        if kind == "pname":
            name = value.split(":", 1)[0]
            if name not in names:
                names.append(name)
    return names


def where_group_start(text: str) -> int | None:
    """The offset just inside the opening brace of a query's WHERE group, or None if it has none."""
    form = None
    for kind, value, _, end in significant(text):
        if kind == "word" and form is None and value.upper() in QUERY_FORMS:
            form = value.upper()
        elif kind == "word" and value.upper() == "WHERE" and form:
            form = "WHERE"
        elif kind == "open" and value == "{" and form in ("SELECT", "ASK", "WHERE"):
            return end
        elif kind == "open" and value == "{" and form in ("CONSTRUCT", "DESCRIBE"):
            form = "TEMPLATE"  # a CONSTRUCT template; the WHERE group comes after it
    return None


def add_using(update: str, default_graphs: list[str], named_graphs: list[str]) -> str:
    """Give every DELETE/INSERT ... WHERE operation the protocol's using-graph-uri/using-named-graph-uri.

    `DELETE WHERE { P }`, which has no place for USING, becomes `DELETE { P } USING ... WHERE { P }`, what the
    shorthand stands for (SPARQL 1.1 Update §3.1.3.3), so that its pattern too is matched in those graphs.
    Raises ValueError if the update names its own dataset (USING or WITH), which the protocol forbids
    together with those parameters.
    """
    clause = " ".join([f"USING <{iri}>" for iri in default_graphs] + [f"USING NAMED <{iri}>" for iri in named_graphs])
    pieces, cursor, depth, previous = [], 0, 0, None
    shorthand = pattern_start = None  # where a DELETE WHERE's WHERE and its pattern start
    for kind, value, start, end in significant(update):
        word = value.upper() if kind == "word" else None
        if word in ("USING", "WITH"):
            raise ValueError(f"the update has its own {word} clause; it cannot be combined with "
                             "using-graph-uri or using-named-graph-uri")
        if kind == "open":
            depth += 1
            if shorthand is not None and pattern_start is None:
                pattern_start = start
        elif kind == "close":
            depth = max(0, depth - 1)
            if depth == 0 and pattern_start is not None:  # the end of a DELETE WHERE's pattern: written twice
                pieces.append(update[cursor:shorthand] + update[pattern_start:end] + f" {clause} WHERE ")
                cursor, shorthand, pattern_start = pattern_start, None, None
        elif word == "WHERE" and depth == 0 and previous == "}":  # the WHERE of a DELETE/INSERT template
            pieces.append(update[cursor:start] + clause + " ")
            cursor = start
        elif word == "WHERE" and depth == 0 and str(previous).upper() == "DELETE":
            shorthand = start
        previous = value
    return "".join(pieces) + update[cursor:]


def query_dataset(text: str, prefixes: dict[str, str], base: str | None = None):
    """The IRIs of a query's FROM and FROM NAMED clauses as (default graphs, named graphs), or None if
    it has neither. Prefixed names expand with the query's own PREFIX declarations, then `prefixes`;
    relative IRIs resolve against the query's BASE, then `base`.
    """
    default, named = [], []
    for iri, is_named, _ in _from_clauses(text, prefixes, base):
        (named if is_named else default).append(iri)
    return (default, named) if default or named else None


def from_graphs_replaced(text: str, prefixes: dict[str, str], graphs, replacement: str) -> str:
    """`text` with the target of each FROM [NAMED] clause that names one of `graphs` written as <replacement>."""
    spans = [(start, end) for iri, _, (start, end) in _from_clauses(text, prefixes) if iri in graphs]
    for start, end in reversed(spans):
        text = f"{text[:start]}<{replacement}>{text[end:]}"
    return text


def _from_clauses(text: str, prefixes: dict[str, str], base: str | None = None):
    """(IRI, named, (start, end) of its target) for each FROM [NAMED] clause of a query (see query_dataset)."""
    if not _FROM.search(text):  # most queries: nothing to look for
        return
    tokens = significant(text)
    for index, (kind, value, _, _), declared, base in in_force(tokens, prefixes, base):
        following = tokens[index + 1:index + 3]
        if kind == "word" and value.upper() == "FROM":
            # no IRI after it (`FROM <x y>` lexes as no IRI): an empty name, which no check takes for a graph IRI
            target = next((token for token in tokens[index + 1:index + 4] if token[0] in ("iri", "pname", "var")),
                          ("pname", "", 0, 0))
            iri = iri_named(target[0], target[1], declared, base) or target[1]  # an undeclared prefix: as written
            yield iri, bool(following) and following[0][1].upper() == "NAMED", (target[2], target[3])


def in_force(tokens, prefixes: dict[str, str], base: str | None):
    """(index, token, the prefixes in force there, the base in force there) for each of `tokens` (significant()'s):
    each BASE and PREFIX holds from where it stands, its IRI resolved against the BASE before it; `prefixes` and
    `base` hold before any. The prefixes are one dict, changed as the walk goes on: copy what is kept."""
    declared = dict(prefixes)
    for index, token in enumerate(tokens):
        yield index, token, declared, base
        word = token[1].upper() if token[0] == "word" else None
        following = tokens[index + 1:index + 3]
        if word == "BASE" and following and following[0][0] == "iri":
            base = iri_named("iri", following[0][1], declared, base)
        elif word == "PREFIX" and len(following) == 2 and following[0][0] == "pname" and following[1][0] == "iri":
            declared[following[0][1].split(":", 1)[0]] = iri_named("iri", following[1][1], declared, base)


def iri_named(kind: str, written: str, declared: dict[str, str], base: str | None) -> str | None:
    """The IRI a token names as the engine reads it: an <IRI> with its escapes decoded and resolved against `base`
    (RFC 3986), a prefixed name under its prefix in `declared`, its local escapes (a\\.b) read; None for any
    other token or an undeclared prefix."""
    if kind == "iri":
        return resolve_iri(base, unescape_iri(written[1:-1]))
    prefix, _, local = written.partition(":")
    if kind != "pname" or prefix not in declared:
        return None
    return declared[prefix] + (_LOCAL_ESCAPE.sub(r"\1", local) if "\\" in local else local)


@dataclass(frozen=True)
class ServiceClause:
    """One outermost `SERVICE [SILENT] target { pattern }` of a text, by character offsets."""

    start: int  # at the SERVICE keyword
    end: int  # just after the closing brace
    target: str  # the IRI, prefixed name or variable, as written
    silent: bool
    pattern: str  # the group graph pattern, braces included


def service_clauses(text: str) -> list[ServiceClause]:
    """The outermost SERVICE clauses of a query or update, in order; one nested in another stays in its
    pattern. A clause that does not close is left out (the engine reports the syntax error)."""
    if not _SERVICE.search(text):  # most texts: nothing to look for
        return []
    tokens = significant(text)
    clauses, index = [], 0
    while index < len(tokens):
        at = index
        index += 1
        if not (tokens[at][0] == "word" and tokens[at][1].upper() == "SERVICE"):
            continue
        silent = index < len(tokens) and tokens[index][0] == "word" and tokens[index][1].upper() == "SILENT"
        index += silent
        if index + 1 >= len(tokens) or tokens[index][0] not in ("iri", "pname", "var") \
                or tokens[index + 1][1] != "{":
            continue
        target, opening = tokens[index][1], index + 1
        depth = 0
        for close in range(opening, len(tokens)):
            depth += {"open": 1, "close": -1}.get(tokens[close][0], 0)
            if depth == 0:
                clauses.append(ServiceClause(tokens[at][2], tokens[close][3], target, bool(silent),
                                             text[tokens[opening][2]:tokens[close][3]]))
                index = close + 1
                break
        else:
            index = len(tokens)
    return clauses


def service_heads(text: str) -> list[tuple[int, int]]:
    """(start, end) of every `SERVICE [SILENT] target` of a text, nested ones too: from the keyword to
    the opening brace of its pattern."""
    if not _SERVICE.search(text):
        return []
    tokens = significant(text)
    heads = []
    for at, (kind, value, start, _) in enumerate(tokens):
        if kind != "word" or value.upper() != "SERVICE":
            continue
        target = at + 1 + (at + 1 < len(tokens) and tokens[at + 1][1].upper() == "SILENT")
        if target + 1 < len(tokens) and tokens[target][0] in ("iri", "pname", "var") and tokens[target + 1][1] == "{":
            heads.append((start, tokens[target + 1][2]))
    return heads


def services_masked(text: str) -> str:
    """`text` with every SERVICE head blanked, nested ones too ("SERVICE <x> { P }" parses as "{ P }", at the same
    places): the engine then calls no endpoint itself."""
    masked = list(text)
    for start, end in service_heads(text):
        masked[start:end] = [" " if text[i] != "\n" else "\n" for i in range(start, end)]
    return "".join(masked)


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_LOCAL_ESCAPE = re.compile(r"\\(.)")


def named_iris(text: str, prefixes: dict[str, str], base: str | None = None) -> list[str]:
    """The absolute IRIs a query names, in order, once each: <IRI>s, and prefixed names expanded with the
    text's own PREFIX declarations, then `prefixes`; the IRIs of PREFIX and BASE lines are not terms. Relative
    IRIs, those of PREFIX lines too, resolve as the engine resolves them: against the text's BASE, else `base`."""
    tokens = significant(text)
    declared = dict(prefixes)
    first = declarations_end(tokens, declared)
    if base is not None or any(kind == "word" and value.upper() == "BASE" for kind, value, _, _ in tokens[:first]):
        first, declared = 0, dict(prefixes)  # a base in force: each declaration is read where it stands
    rest, found = tokens[first:], {}
    words = [value.upper() if kind == "word" else "" for kind, value, _, _ in rest]  # only words are keywords
    for index, (kind, value, _, _), scope, here in in_force(rest, declared, base):
        before = words[index - 1] if index else ""
        if before in ("BASE", "PREFIX") or index >= 2 and words[index - 2] == "PREFIX" or value.endswith(":"):
            continue  # a declaration's own name and IRI
        if kind == "iri":
            iri = iri_named(kind, value, scope, here)
            if _SCHEME.match(iri):
                found.setdefault(iri)
        elif kind == "pname" and (iri := iri_named(kind, value.rstrip("."), scope, here)) is not None:
            found.setdefault(iri)  # a dot ends a triple
    return list(found)


def prologue_line(prefixes: dict[str, str], declared) -> str:
    """One line of PREFIX declarations for the prefixes the text does not declare itself."""
    return " ".join(f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items() if name not in declared)


def leading_base(text: str, base: str | None) -> tuple[str, str | None]:
    """The text with the BASE declarations of its leading prologue blanked out (same lines and columns),
    and the base IRI they make, resolved against `base`. A PREFIX IRI resolved against an earlier BASE than
    the last is written out resolved (its line's later columns move): the engine resolves it where it is declared."""
    if not _BASE.search(text):  # most texts: nothing to move
        return text, base
    tokens = significant(text)
    index, edits, relative = 0, [], []
    while index + 1 < len(tokens) and tokens[index][0] == "word":
        word = tokens[index][1].upper()
        if word == "PREFIX":
            if index + 2 < len(tokens) and tokens[index + 2][0] == "iri" and base is not None:
                relative.append((tokens[index + 2], base))
            index += 3
        elif word == "BASE" and tokens[index + 1][0] == "iri":
            base = resolve_iri(base, unescape_iri(tokens[index + 1][1][1:-1]))
            start, end = tokens[index][2], tokens[index + 1][3]
            edits.append((start, end, " " * (end - start)))
            index += 2
        else:
            break
    for (_, written, start, end), declared_under in relative:
        iri = unescape_iri(written[1:-1])
        if resolve_iri(declared_under, iri) != resolve_iri(base, iri):
            try:  # as an IRI token again, escaped where it must be
                edits.append((start, end, str(ox.NamedNode(resolve_iri(declared_under, iri)))))
            except ValueError:  # no IRI: left for the engine to report
                pass
    pieces, cursor = [], 0
    for start, end, replacement in sorted(edits):
        pieces += [text[cursor:start], replacement]
        cursor = end
    return "".join(pieces) + text[cursor:], base
