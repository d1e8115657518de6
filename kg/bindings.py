"""Variables of a query bound to values: a VALUES block opening its WHERE group (or ending the query, where
that group is the template too or there is none), values read from text written as in SPARQL, and error
positions mapped back to the text the user wrote."""

from __future__ import annotations

import re

import pyoxigraph as ox

from kg.errors import QuerySyntaxError
from kg.sparql_parts import leading_base, where_group_start
from kg.iri_resolution import iri_fault, resolve_iri
from kg.sparql_lexer import PNAME, VARNAME, significant, unescape_iri
from kg.sparql_text import scan


def bind(sparql: str, bindings: dict[str, object]) -> str:
    """The query with a VALUES block for `bindings` opening its WHERE group (same lines as before); for a query
    whose WHERE group is its template too (CONSTRUCT WHERE { … }) or that has none (DESCRIBE ?x), the block
    ends the query on a line of its own, as the grammar's trailing VALUES clause."""
    at = where_group_start(sparql)
    if at is not None and not _short_construct(sparql):
        return f"{sparql[:at]} {values_clause(bindings)} {sparql[at:]}"
    if scan(sparql).form not in ("CONSTRUCT", "DESCRIBE"):
        raise QuerySyntaxError("cannot bind variables: the query has no WHERE group")
    if _ends_with_values(sparql):
        raise QuerySyntaxError("cannot bind variables: the query ends with a VALUES block of its own; "
                               "add the values to it")
    return f"{sparql}\n{values_clause(bindings)}"


def _short_construct(sparql: str) -> bool:
    """Whether the query is CONSTRUCT WHERE { … }, whose group is its template: no VALUES may go inside."""
    if scan(sparql).form != "CONSTRUCT":
        return False
    tokens = significant(sparql)
    at = next(i for i, (kind, value, *_) in enumerate(tokens) if kind == "word" and value.upper() == "CONSTRUCT")
    following = (token for token in tokens[at + 1:]  # past its dataset clauses
                 if not (token[0] in ("iri", "pname") or token[0] == "word" and token[1].upper() in ("FROM", "NAMED")))
    kind, value, *_ = next(following, ("", "", 0, 0))
    return kind == "word" and value.upper() == "WHERE"


def _ends_with_values(sparql: str) -> bool:
    """Whether the query has a VALUES block outside every group (the grammar's trailing one)."""
    depth = 0
    for kind, value, *_ in significant(sparql):
        depth += (kind == "open" and value == "{") - (kind == "close" and value == "}")
        if depth == 0 and kind == "word" and value.upper() == "VALUES":
            return True
    return False


def values_clause(bindings: dict) -> str:
    """VALUES for `bindings`: names bound to one value each share a one-row block; a tuple of names bound to a list
    of rows gets a block of its own, where None leaves a variable of that row unbound (UNDEF)."""
    single = {name: value for name, value in bindings.items() if isinstance(name, str)}
    blocks = [_block(tuple(single), [tuple(single.values())])] if single else []
    blocks += [_block(names, rows) for names, rows in bindings.items() if not isinstance(names, str)]
    return " ".join(blocks)


def _block(names: tuple[str, ...], rows) -> str:
    for name in names:
        if not VARNAME.fullmatch(name):
            raise ValueError(f"not a variable name: {name!r}")
    written = " ".join("(" + " ".join("UNDEF" if value is None else _written(as_term(value)) for value in row) + ")"
                       for row in rows)
    return f"VALUES ({' '.join('?' + name for name in names)}) {{ {written} }}"


def _written(term) -> str:
    """A term as SPARQL writes it: str() of a triple term is its three terms bare, without <<( )>>."""
    return f"<<( {term} )>>" if isinstance(term, ox.Triple) else str(term)


def as_term(value) -> ox.NamedNode | ox.Literal | ox.Triple:
    """A pyoxigraph term for a Python value (terms pass through; str, int, float, bool become literals)."""
    if isinstance(value, (ox.NamedNode, ox.Literal, ox.Triple)):
        return value
    if isinstance(value, bool):
        return ox.Literal("true" if value else "false",
                          datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
    if isinstance(value, (int, float, str)):
        return ox.Literal(value)
    raise TypeError(f"cannot bind a {type(value).__name__}; pass a pyoxigraph term or str/int/float/bool")


def parse_term(value: str, prefixes: dict[str, str], base: str | None = None) -> ox.NamedNode | ox.Literal:
    """An RDF term from text written as in SPARQL: <iri>, prefix:name, "text" or 'text' (its escapes read),
    "text"@lang, "lexical"^^type, a number or true/false (typed as SPARQL types them); other text is a plain
    literal. A relative <iri>
    resolves against `base` (the query's BASE), as the engine resolves the query's own. Raises ValueError
    for a malformed IRI, a prefixed name whose prefix `prefixes` does not declare or that SPARQL reads as no name,
    and text quoted at both ends that is no SPARQL string (its language tag, datatype or escapes at fault).
    """
    from kg.results import BARE_LITERALS, XSD

    if _QUOTED.fullmatch(value):  # meant as a string
        return _string(value, prefixes, base)
    if value.startswith("<") and value.endswith(">"):
        return _iri(value[1:-1], base)
    if _TAGGED_IRI.fullmatch(value):
        raise ValueError(f"{value}: an IRI takes no language tag or datatype; for text, quote it")
    try:
        iri = _prefixed(value, prefixes)
    except ValueError as error:
        raise ValueError(f'{error} (for text, quote it: "{value}")') from None
    if iri is not None:
        return iri
    for form, datatype in BARE_LITERALS:
        if form.fullmatch(value):
            return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))
    if value.lower() in ("true", "false"):  # meant as a boolean, surely; SPARQL writes it in lower case alone
        raise ValueError(f'{value} is no SPARQL boolean: write {value.lower()}, or quote it for text: "{value}"')
    return ox.Literal(value)


def _string(value: str, prefixes: dict[str, str], base: str | None) -> ox.Literal:
    """The literal of a quoted text (see parse_term); ValueError saying what is wrong in one that SPARQL would not read."""
    typed = _STRING.fullmatch(value)
    if typed is None:
        body = _BODY.match(value)
        rest = value[body.end():] if body else ""
        if rest.startswith("@"):
            raise ValueError(f"{value}: {rest} is no language tag (letters, then subtags: @en, @en-GB)")
        if rest.startswith("^^"):
            raise ValueError(f"{value}: a datatype is written ^^<IRI> or ^^prefix:name")
        raise ValueError(f"{value} is not a SPARQL string: inside one, a quote like the outer ones and a backslash "
                         "are escaped, and only \\t \\b \\n \\r \\f \\\" \\' \\\\ \\uHHHH \\UHHHHHHHH are escapes")
    *strings, datatype, language = typed.groups()
    try:
        lexical = _ESCAPE.sub(_unescaped, next(text for text in strings if text is not None))
    except ValueError:  # chr() past U+10FFFF
        raise ValueError(f"{value} holds an escape past \\U0010FFFF, the last character") from None
    if any("\ud800" <= ch <= "\udfff" for ch in lexical):
        raise ValueError(f"{value} holds an escaped surrogate (\\uD800 to \\uDFFF), which is no character, "
                         "even in a pair: write the character, or \\U and its eight digits")
    iri = (_iri(datatype[1:-1], base) if datatype.startswith("<") and datatype.endswith(">")
           else _prefixed(datatype, prefixes)) if datatype else None
    if datatype and iri is None:
        raise ValueError(f"unknown datatype {datatype}")
    if iri is not None and iri.value in _LANGUAGE_TYPES:
        raise ValueError(f"{value}: a literal of this type has a language tag, written \"text\"@en")
    return ox.Literal(lexical, datatype=iri, language=language)


def _prefixed(value: str, prefixes: dict[str, str]) -> ox.NamedNode | None:
    """The IRI of a prefixed name, None for text that is none; ValueError if its prefix is undeclared, or if it
    starts with a declared prefix but is no name SPARQL reads (sk:a. would be a name and a full stop)."""
    prefix, colon, local = value.partition(":")
    named = re.fullmatch(PNAME, value)
    if named and prefix in prefixes:
        return ox.NamedNode(prefixes[prefix] + re.sub(r"\\(.)", r"\1", local))  # PN_LOCAL_ESC: \. is .
    if named:  # taken as text, a mistyped prefix would match nothing and say nothing
        raise ValueError(f"the prefix {prefix}: is not declared")
    if colon and prefix in prefixes and not re.search(r"\s", value):  # sk:a. or sk:a/b: no name SPARQL reads
        raise ValueError(f"{value} is not a prefixed name as SPARQL writes one (a name cannot end with '.' or "
                         "hold '/', '~' and the like unescaped: sk:a\\. is <…a.>)")
    return None


# A string as SPARQL writes one (STRING_LITERAL_LONG1/2, STRING_LITERAL1/2; escapes ECHAR and UCHAR), then a
# language tag (LANGTAG) or a datatype; and what looks meant as one, quotes at both ends, string or not.
_ESCAPES = r"""\\(?:[tbnrf"'\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})"""
_BODY_FORMS = "(?:" + "|".join([
    f"'''((?:(?:'|'')?(?:[^'\\\\]|{_ESCAPES}))*)'''",
    f'"""((?:(?:"|"")?(?:[^"\\\\]|{_ESCAPES}))*)"""',
    f"'((?:[^'\\\\\\n\\r]|{_ESCAPES})*)'",
    f'"((?:[^"\\\\\\n\\r]|{_ESCAPES})*)"']) + ")"
_BODY = re.compile(_BODY_FORMS, re.S)
_STRING = re.compile(_BODY_FORMS + r"(?:\^\^(\S+)|@([A-Za-z]+(?:-[A-Za-z0-9]+)*))?", re.S)
_QUOTED = re.compile(r"""(["']).*\1(?:\^\^.*|@.*)?""", re.S)  # a bad datatype or tag is still meant as a string
_TAGGED_IRI = re.compile(r"<[^<>]*>(?:@|\^\^).*", re.S)  # <http://a>@en: as if an IRI took a tag
_LANGUAGE_TYPES = {"http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                   "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"}
# A string's escapes, as SPARQL reads them (ECHAR, UCHAR): "say \"hi\"" is say "hi".
_ESCAPE = re.compile(r'\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|([tbnrf"\'\\]))')
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescaped(found: re.Match) -> str:
    four, eight, char = found.groups()
    return _ECHAR[char] if char else chr(int(four or eight, 16))


def _iri(text: str, base: str | None) -> ox.NamedNode:
    """The IRI `text` (escapes read), resolved against `base` if it is relative and there is one."""
    resolved = _resolved(text, base)
    try:
        return ox.NamedNode(resolved)
    except ValueError as error:
        raise ValueError(iri_fault(resolved, error, "it resolves against the query's BASE, and the query has "
                                                    "none: give it one (BASE <http://example.org/>), or write "
                                                    "the IRI whole")) from None


def _resolved(text: str, base: str | None) -> str:
    return resolve_iri(base, unescape_iri(text))


def query_base(sparql: str) -> str | None:
    """The base IRI of a query's own BASE lines, as the query service gives it to the engine (kg.sparql_parts
    .leading_base: resolved, ahead of every PREFIX), or None."""
    return leading_base(sparql, None)[1]


def declared_prefixes(sparql: str) -> dict[str, str]:
    """The prefixes a query's own PREFIX lines declare, as names to IRIs, a relative one resolved against the
    query's BASE as the engine resolves it (PREFIX ex: <ns/> under BASE <http://example.org/>)."""
    text, base = leading_base(sparql, None)  # as the engine gets it: a PREFIX under an earlier BASE written out
    tokens = significant(text)
    return {tokens[i + 1][1][:-1]: _resolved(tokens[i + 2][1][1:-1], base)
            for i, (kind, value, _, _) in enumerate(tokens[:-2])
            if kind == "word" and value.upper() == "PREFIX" and tokens[i + 1][0] == "pname"
            and tokens[i + 2][0] == "iri"}


def unbound(error: QuerySyntaxError, users: str, bound: str) -> QuerySyntaxError:
    """The error's place in the user's text where bind() added a VALUES block: its column on the block's line, the
    text's end for an error within a block put after the text."""
    added = len(bound) - len(users)
    if not added or error.line is None or error.column is None:
        return error
    last = users.count("\n") + 1
    if error.line > last:  # in the block bind() put after the text: at the text's end
        return QuerySyntaxError(error.message, line=last, column=len(users) - users.rfind("\n"))
    at = next(i for i, (a, b) in enumerate(zip(users + "\0", bound)) if a != b)  # where the block went in
    line = users.count("\n", 0, at) + 1
    column = at - users.rfind("\n", 0, at)  # 1-based
    if error.line != line or error.column <= column:
        return error
    return QuerySyntaxError(error.message, line=line, column=max(column, error.column - added))
