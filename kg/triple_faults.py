"""A triple pattern with no '.' before the next one, or cut short, found with the lexer's tokens: where the
engine only says where its parser gave up (kg.syntax_faults tells the other slips)."""

from __future__ import annotations

TERMS = ("var", "iri", "pname", "string", "number", "bnode")
# Where a run of triple patterns is: at a subject, a predicate, an object, after a whole triple, after a ';'
# (a triple may end there); or not within one, as far as the tokens tell (an expression, a VALUES block...).
SUBJECT, VERB, OBJECT, WHOLE, MORE_VERBS, AT_REST = range(6)
_NEXT = {SUBJECT: VERB, VERB: OBJECT, MORE_VERBS: OBJECT, OBJECT: WHOLE}
_NO_DOT = ("The triple pattern before this has no '.' after it: a '.' goes between two patterns (a ';' goes on with "
           "the same subject, a ',' with the same predicate).")
_NO_REIFIER = "A reifier (after '~') is a variable, an IRI or a blank node, not a literal."


def triple_fault(tokens, prefixes) -> tuple[int, str] | None:
    """(index, message) of the first triple pattern with no '.' before the next, or cut short; None.

    Read from each '{', '.' or '}' on: subject, predicate (a path of '/', '|', '^', '!' and modifiers), object (with
    its language tag or ^^datatype), then ';' or ','; a [blank node], (list) or SPARQL 1.2's << triple >> and
    <<( triple term )>> stand for a term, and so does a (path) for a predicate; a ~reifier and {| annotations |}
    go on the triple before. Whatever else comes (a keyword, an expression) stops the reading until the next of
    those three: no fault is told where it cannot be sure, nor after a name of an unknown prefix (the engine
    reads asahel:Claim as a sahel:Claim)."""
    place, glued, block, index = AT_REST, False, False, 0
    while index < len(tokens):
        kind, value, _, _ = tokens[index]
        term = kind in TERMS or kind == "word" and value in ("a", "true", "false")
        if kind == "pname" and value.split(":", 1)[0] not in prefixes:
            place, term = AT_REST, False
        if value in (".", "}") and place in (VERB, OBJECT):
            return index, ("The triple pattern before this is unfinished: a pattern is a subject, a predicate "
                           "and an object.")
        bracketed = value in ("[", "(") and place in (SUBJECT, OBJECT) or value == "(" and place in (VERB, MORE_VERBS)
        if bracketed and not glued:
            closing = _closing(tokens, index)
            if closing is None:
                return None
            # An object; a subject, which may stand alone ([ :p 1 ] .); or a predicate's path in brackets.
            place = {OBJECT: WHOLE, SUBJECT: MORE_VERBS}.get(place, OBJECT)
            index = closing + 1
            continue
        opens = place in (SUBJECT, OBJECT, WHOLE) and not glued and _pair(tokens, index, "<")
        closing = _triple_term_end(tokens, index) if opens else None
        if opens and closing is None:  # a << never closed: nothing after it can be read surely (and looking
            return None  # again from each later one read the rest of the text each time)
        if closing is not None and place == WHOLE:
            return index, _NO_DOT
        if closing is not None:  # << s p o >> (a reified triple, which may stand alone) or <<( s p o )>>
            alone = place == SUBJECT and tokens[index + 2][1] != "("
            place = {OBJECT: WHOLE, SUBJECT: MORE_VERBS if alone else VERB}[place]
            index = closing + 1
            continue
        if place == WHOLE and value == "~":  # a reifier, named by the term after it or left blank
            following = tokens[index + 1] if index + 1 < len(tokens) else (None, "")
            if following[0] in ("string", "number") or following[0] == "word" and following[1] in ("true", "false"):
                return index + 1, _NO_REIFIER
            empty = following[1] == "[" and index + 2 < len(tokens) and tokens[index + 2][1] == "]"  # ~ []
            index += 3 if empty else 2 if following[0] in ("var", "iri", "pname", "bnode") else 1
            continue
        if place == WHOLE and value == "{" and index + 1 < len(tokens) and tokens[index + 1][1] == "|" \
                and touching(tokens, index + 1):  # {| annotations |} of the triple before
            closing = _closing(tokens, index)
            if closing is None:
                return None
            index = closing + 1
            continue
        if value == "{":
            place, glued, block = (AT_REST if block else SUBJECT), False, False
        elif value in (".", "}"):
            place, glued = SUBJECT, False
        elif place == AT_REST:
            block = block or kind == "word" and value.upper() == "VALUES"  # its data are terms in a row
        elif term and glued:
            glued = False
        elif term and place == WHOLE:
            return index, _NO_DOT
        elif term:
            place = _NEXT[place]
        elif value in ("/", "|") and place == OBJECT or value == "^" and place != SUBJECT:
            glued = place in (OBJECT, WHOLE)  # a path's next step, or a ^^datatype; ^ before a predicate inverts it
        elif value == "!" and (place in (VERB, MORE_VERBS) or glued):
            pass  # a negated property set: the IRI or (list) after it is the predicate, or the path's step
        elif value in ("*", "+", "?", "-") and place == OBJECT or kind == "langtag" and place == WHOLE:
            pass  # a path's modifier, a number's sign
        elif value == ";" and place in (WHOLE, MORE_VERBS):
            place = MORE_VERBS
        elif value == "," and place == WHOLE:
            place = OBJECT
        else:
            place = AT_REST
            block = kind == "word" and value.upper() == "VALUES"
        index += 1
    return None


def _triple_term_end(tokens, index: int) -> int | None:
    """The index of the last '>' of the << … >> or <<( … )>> that opens at `index`, or None if none opens there."""
    if not _pair(tokens, index, "<"):
        return None
    depth, at = 0, index
    while at + 1 < len(tokens):
        if _pair(tokens, at, "<"):
            depth, at = depth + 1, at + 2
        elif _pair(tokens, at, ">"):
            depth, at = depth - 1, at + 2
            if depth == 0:
                return at - 1
        else:
            at += 1
    return None


def _pair(tokens, index: int, sign: str) -> bool:
    """Whether the tokens at `index` and after it are `sign` twice, touching (<< or >>)."""
    return index + 1 < len(tokens) and tokens[index][1] == tokens[index + 1][1] == sign \
        and tokens[index][0] == "other" and touching(tokens, index + 1)


def _closing(tokens, index: int) -> int | None:
    """The index of the bracket that closes the one at `index`, or None if none does."""
    depth = 0
    for at in range(index, len(tokens)):
        if tokens[at][0] == "open":
            depth += 1
        elif tokens[at][0] == "close":
            depth -= 1
            if depth == 0:
                return at
    return None


def touching(tokens, index: int) -> bool:
    """Whether the token at `index` follows the one before it with no space between."""
    return tokens[index - 1][3] == tokens[index][2]
