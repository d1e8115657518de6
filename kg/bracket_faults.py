"""Brackets that do not pair up: one left open when the bracket around it closes (FILTER(regex(?o, "x") }), a
'(' open where a group opens (only EXISTS opens one inside an expression), where an expression runs into a triple
pattern (FILTER(?o = 1 ?s ?p ?o), after (… AS ?x) or where the text ends; one closing none. An AS among a
function's arguments is told as a ')' missing before it, two arguments side by side as a ',' missing, two terms side
by side in any other expression (FILTER(?a ?b)) as an operator missing. The engine says only what it expected where
it gave up."""

from __future__ import annotations

from kg.unknown_words import FUNCTIONS

PAIRS = {")": "(", "]": "[", "}": "{"}
CLOSERS = {opener: closer for closer, opener in PAIRS.items()}
_OPENING = FUNCTIONS | {"FILTER", "BIND", "HAVING"}  # words whose '(' holds an expression
_ENDS = ("var", "number", "string", "iri", "pname", "langtag")  # tokens an operand may end with
_SUBJECTS = ("var", "iri", "pname")  # what a triple pattern run into after an operand starts with


def bracket_fault(tokens, text: str) -> tuple[int, str] | None:
    """The index in `tokens` (significant()'s) of the first bracket that does not pair up, len(tokens) for the end
    of the text, and what is wrong there; None if every bracket closes the last one open, every '(' is closed by
    the text's end, and no group opens inside an expression but EXISTS's."""
    opened: list[int] = []  # indexes of the brackets still open
    expressions: set[int] = set()  # those of the '(' that hold an expression, where terms are joined by operators
    for index, (kind, value, _, _) in enumerate(tokens):
        if kind == "open":
            if value == "{" and opened and tokens[opened[-1]][1] == "(" and tokens[index - 1][1].upper() != "EXISTS":
                return index, _missing(f"before this '{value}'", tokens, opened[-1], text)
            if value == "(" and _expression(tokens, index, bool(opened) and opened[-1] in expressions):
                expressions.add(index)
            opened.append(index)
        elif value.upper() == "AS" and kind == "word" and opened and _called(tokens, opened[-1]):
            return index, _missing("before AS", tokens, opened[-1], text)  # (STR(?o AS ?x)
        elif value.upper() == "AS" and kind == "word" and opened and _named_on(tokens, index):
            # (STR(?a) AS ?b ?c): the name ends what the '(' holds
            return index + 2, _missing(f"before {tokens[index + 2][1]}", tokens, opened[-1], text)
        elif kind == "close":
            if opened and tokens[opened[-1]][1] == PAIRS[value]:
                opened.pop()
            elif opened and tokens[opened[-1]][1] == "(":
                return index, _missing(f"before this '{value}'", tokens, opened[-1], text)
            elif not any(tokens[at][1] == PAIRS[value] for at in opened):
                pair = PAIRS[value]
                return index, f"This '{value}' closes no '{pair}': it is one too many, or its '{pair}' is missing."
            else:  # the bracket open inside the one this closes is not closed
                return index, _missing(f"before this '{value}'", tokens, opened[-1], text)
        if opened and opened[-1] in expressions and _runs_into_triple(tokens, index):
            return index + 1, _missing(f"before {tokens[index + 1][1]}", tokens, opened[-1], text)
        if opened and opened[-1] in expressions and _listed(tokens, opened[-1]) and _side_by_side(tokens, index):
            called = tokens[opened[-1] - 1][1]
            return index + 1, (f"A ',' is missing before {tokens[index + 1][1]}: the arguments of {called} are "
                               "separated by commas.")
        if opened and opened[-1] in expressions and _side_by_side(tokens, index) \
                and "iri" not in (tokens[index][0], tokens[index + 1][0]):
            # not by what lexes as an IRI: in ?x<'>' || … the '<' is less-than (the lexer cannot tell), and <> is
            # kg.operator_faults' "not equal"
            return index + 1, _no_operator(tokens, index)
    if opened:  # the innermost bracket left open (a group's '{' may be closed by the '}' meant for the one round it)
        return len(tokens), _missing("at the end of the text", tokens, opened[-1], text)
    return None


def _expression(tokens, index: int, inside: bool) -> bool:
    """Whether the '(' at `index` holds an expression: after FILTER, BIND, HAVING or a function, or within an
    expression, but for a triple term's (<<( ?s ?p ?o )>>)."""
    before = tokens[index - 1] if index else None
    if before is None:
        return False
    if inside:
        return before[1] != "<"
    return before[0] == "word" and before[1].upper() in _OPENING or before[0] in ("pname", "iri") and index >= 2 \
        and tokens[index - 2][1].upper() == "FILTER"  # FILTER ex:f(?x)


def _runs_into_triple(tokens, index: int) -> bool:
    """Whether an operand ends at `index` and a triple pattern follows, with no operator between (?o = 1 ?s ?p ?o
    }): three terms, then no ')' (in (?a ?b ?c) operators are likelier missing)."""
    if index + 3 >= len(tokens):
        return False
    kind, value = tokens[index][:2]
    ended = kind in _ENDS or kind == "close" or kind == "word" and value.lower() in ("true", "false")
    subject, verb, thing = tokens[index + 1:index + 4]
    return ended and subject[0] in _SUBJECTS and (verb[0] in _SUBJECTS or verb[0] == "word" and verb[1] == "a") \
        and thing[0] in _ENDS + ("bnode",) and (index + 4 == len(tokens) or tokens[index + 4][1] != ")")


def _listed(tokens, index: int) -> bool:
    """Whether the '(' at `index` opens a list of arguments: a function's, or IN's."""
    before = tokens[index - 1]
    return before[0] == "word" and (before[1].upper() in FUNCTIONS or before[1].upper() == "IN") \
        or before[0] in ("pname", "iri")


def _side_by_side(tokens, index: int) -> bool:
    """Whether an operand ends at `index` and another starts after it, with no operator or ',' between."""
    if index + 1 >= len(tokens):
        return False
    kind, value = tokens[index][:2]
    following = tokens[index + 1]
    ended = kind in _ENDS or kind == "close" and value == ")" or kind == "word" and value.lower() in ("true", "false")
    return ended and following[0] in ("var", "number", "string", "iri", "pname")


def _no_operator(tokens, index: int) -> str:
    """That an operator is missing between the term ending at `index` and the one after it."""
    before, after = tokens[index][1], tokens[index + 1][1]
    where = f"before {after}" if tokens[index][0] == "close" else f"between {before} and {after}"
    return f"An operator is missing {where}: an expression joins its terms with one, as ?a = ?b, ?a && ?b or ?a + ?b."


def _named_on(tokens, index: int) -> bool:
    """Whether AS at `index` names a variable that is followed by something other than a bracket, where the ')'
    of its (expression AS ?x) goes."""
    return index + 2 < len(tokens) and tokens[index + 1][0] == "var" and tokens[index + 2][0] not in ("open", "close")


def in_parentheses(tokens, index: int) -> bool:
    """Whether the innermost bracket open at `index` is a '(' (an expression's, mostly; a collection's too)."""
    global _inside
    kept = _inside
    if kept[0] is not tokens:  # read once per text: a long one may hold many places to ask about
        kept = _inside = (tokens, frozenset(_parenthesised(tokens)))
    return index in kept[1]


def _parenthesised(tokens):
    """The indexes of the tokens whose innermost open bracket is a '('."""
    opened: list[str] = []
    for index, (kind, value, _, _) in enumerate(tokens):
        if opened and opened[-1] == "(":
            yield index
        if kind == "open":
            opened.append(value)
        elif kind == "close" and opened:
            opened.pop()


_inside: tuple = (None, frozenset())  # the last tokens asked about, and their indexes in_parentheses


def _called(tokens, index: int) -> bool:
    """Whether the bracket at `index` is a '(' that opens a function's arguments, among which AS has no place."""
    before = tokens[index - 1] if index else None
    return tokens[index][1] == "(" and before is not None and (
        before[0] == "word" and before[1].upper() in FUNCTIONS or before[0] in ("pname", "iri"))


def _missing(where: str, tokens, index: int, text: str) -> str:
    """That a bracket is missing `where`, to close the one at `index`, named by its place and the word or name
    before it (FILTER, regex)."""
    start = tokens[index][2]
    place = f"line {text.count(chr(10), 0, start) + 1}, column {start - text.rfind(chr(10), 0, start)}"
    before = tokens[index - 1] if index else None
    named = f" after {before[1]}" if before is not None and before[0] in ("word", "pname", "iri") else ""
    opener = tokens[index][1]
    return f"A '{CLOSERS[opener]}' is missing {where}: the '{opener}'{named} at {place} is not closed."
