"""The type a query declares for a variable that may be bound, in a comment line `# binding: ?name default
VALUE` (VALUE's datatype, or an IRI), and the check that a bound value has it: a date bound as plain text, or
as no day of the calendar, compares with nothing, and the query answers blanks without a word."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.bindings import as_term, declared_prefixes, parse_term
from kg.bound_twice import check_not_given
from kg.errors import BindingTypeError
from kg.sparql_lexer import lex
from kg.table_checks import XSD, misfit
from kg.text_places import place

# The value after `default`, up to the `;` before `also` (a string holding ';' is no declaration then).
DECLARATION = re.compile(r"#[ \t]*binding:[ \t]*[?$]([A-Za-z_][A-Za-z0-9_]*)[ \t]+default[ \t]+([^;]+?)[ \t]*(?:;.*)?")
# Numbers of any of these types compare with one another in SPARQL (§17.3 operator mapping, numeric type
# promotion): a numeric default takes any of them. Durations alike: the two kinds are durations too.
NUMBERS = {XSD + name for name in ("decimal", "integer", "nonNegativeInteger", "positiveInteger", "nonPositiveInteger",
                                   "negativeInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
                                   "unsignedShort", "unsignedByte", "double", "float")}
DURATIONS = {XSD + name for name in ("duration", "dayTimeDuration", "yearMonthDuration")}
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
IRI = None  # the declared "type" of a variable whose default is an IRI


@dataclass(frozen=True)
class Declared:
    """A variable's declared type: a datatype IRI, or IRI (None) for an IRI; and the line that declares it."""

    datatype: str | None
    line: int


def declared_types(sparql: str, prefixes: dict[str, str]) -> dict[str, Declared]:
    """The variables the query's `# binding:` comment lines declare, each with its default's type; a line
    whose default does not read as a term declares nothing."""
    if "binding:" not in sparql:  # most queries declare nothing: they are not lexed for it
        return {}
    known = {**prefixes, **declared_prefixes(sparql)}
    found = {}
    for token in lex(sparql):
        declaration = DECLARATION.fullmatch(token.text) if token.kind == "comment" else None
        if declaration is None:
            continue
        try:
            default = parse_term(declaration[2], known)
        except ValueError:
            continue
        datatype = default.datatype.value if isinstance(default, ox.Literal) else IRI
        found[declaration[1]] = Declared(datatype, place(sparql, token.start)[0])
    return found


def check_bindings(sparql: str, bindings: dict, prefixes: dict[str, str]) -> None:
    """BindingTypeError for the first value of `bindings` (as QueryService.query takes them) that is not of
    the type the query declares for its variable: of another type, or of that type but no valid value of it
    (a lexical form such as "2025-02-30"^^xsd:date), or bound where the query gives it a value of its own
    (kg.bound_twice). Variables with no declared type take any value of any type."""
    check_not_given(sparql, bindings)
    types = declared_types(sparql, prefixes)
    if not types:
        return
    for names, value in bindings.items():
        pairs = [(names, value)] if isinstance(names, str) else \
            [(name, cell) for row in value for name, cell in zip(names, row) if cell is not None]
        for name, cell in pairs:
            if name in types:
                _check(name, as_term(cell), types[name], prefixes)


def _check(name: str, term, declared: Declared, prefixes: dict[str, str]) -> None:
    expected = "an IRI" if declared.datatype is IRI else f"an {_name(declared.datatype, prefixes)}"
    given = _shown(term, prefixes)
    if declared.datatype is IRI:
        fault = None if isinstance(term, ox.NamedNode) else "which is no IRI"
    elif not isinstance(term, ox.Literal):
        fault = "which is no literal"
    elif term.datatype.value != declared.datatype and not _comparable(term.datatype.value, declared.datatype):
        plain = term.datatype.value == XSD + "string"
        fault = "a plain string" if plain else f"an {_name(term.datatype.value, prefixes)}"
        if plain and declared.datatype == LANG_STRING:  # no ^^ writes one: its type is its tag
            fault += f": write it with a language tag, {_shown(term, prefixes)}@…"
        elif plain and not misfit(typed := ox.Literal(term.value, datatype=ox.NamedNode(declared.datatype))):
            fault += f": write it {_shown(typed, prefixes)}"  # the right text, written without its type
    else:
        fault = f"which is no valid {_name(declared.datatype, prefixes)}" if misfit(term) else None
    if fault:
        raise BindingTypeError(f"?{name} takes {expected} (the query's `# binding:` line {declared.line}), "
                               f"but was given {given}, {fault}")


def _comparable(given: str, declared: str) -> bool:
    """Whether a value of datatype `given` compares in SPARQL as one of `declared` would: numbers with numbers."""
    return any(given in family and declared in family for family in (NUMBERS, DURATIONS))


def _shown(term, prefixes: dict[str, str]) -> str:
    """A term as SPARQL writes it, its datatype by prefix where one is known (xsd:date)."""
    if not isinstance(term, ox.Literal):
        return str(term)
    text = str(ox.Literal(term.value))  # the lexical form quoted and escaped
    if term.language:
        return f"{text}@{term.language}"
    return text if term.datatype.value == XSD + "string" else f"{text}^^{_name(term.datatype.value, prefixes)}"


def _name(iri: str, prefixes: dict[str, str]) -> str:
    """`iri` as prefix:name under the longest namespace of `prefixes` it is in, else <iri>."""
    from kg.table import compact_iri  # here: only a refusal needs it, and the table's module loads wcwidth

    return compact_iri(iri, prefixes)
