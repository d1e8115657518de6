"""A literal or a triple term <<( … )>> as the subject of a triple in INSERT DATA or DELETE DATA, which the engine
tells as a variable ("INSERT DATA takes no variables"), at the end of the triple."""

from __future__ import annotations

from kg.errors import QuerySyntaxError
from kg.sparql_lexer import significant

# The engine's words (as kg.parse_messages gives them) for a term a data block cannot hold, said of any such term
TOLD_AS_VARIABLE = ("INSERT DATA takes no variables", "DELETE DATA takes neither variables nor blank nodes")
_LITERALS = ("string", "number")


def data_term_error(error: QuerySyntaxError, text: str) -> QuerySyntaxError | None:
    """The error to give for `error` where the engine told a literal or a triple term subject of `text`'s data as a
    variable: that term, where it is; None where it told something else, or the text holds no such subject."""
    found = data_subject_fault(text) if error.message.startswith(TOLD_AS_VARIABLE) else None
    if found is None:
        return None
    start, message = found
    return QuerySyntaxError(message, line=text.count("\n", 0, start) + 1, column=start - text.rfind("\n", 0, start))
_WORDS = ("TRUE", "FALSE")


def data_subject_fault(text: str) -> tuple[int, str] | None:
    """The offset in `text` of the first subject of a data block's triple that is a literal or a triple term, and
    what to say of it; None if there is none."""
    tokens = significant(text)
    data, subject = 0, False  # how deep inside a DATA block's braces; whether a subject comes next
    for index, (kind, value, start, _) in enumerate(tokens):
        if data == 0:
            if value == "{" and index and tokens[index - 1][1].upper() == "DATA":
                data, subject = 1, True
            continue
        if kind == "open":
            data += 1
            # GRAPH <g> { … }: its first triple's subject; <<( … )>>: the triple term's own
            subject = value == "{" or value == "(" and [token[1] for token in tokens[index - 2:index]] == ["<", "<"]
        elif kind == "close":
            data -= 1
            subject = value == "}"  # a GRAPH block's end: a triple of the default graph may follow
        elif value == "." and data >= 1:
            subject = True
        elif subject and kind == "word" and value.upper() == "GRAPH":
            subject = False  # its name is no subject; its '{' opens a block whose first term is
        elif subject:
            subject = False
            if value == "<" and [token[1] for token in tokens[index + 1:index + 3]] == ["<", "("]:
                return start, ("A triple term <<( … )>> cannot be the subject of a triple: RDF 1.2 has triple terms "
                               "only as objects. To say something of a triple, reify it: << s p o >> as the subject.")
            if kind in _LITERALS or kind == "word" and value.upper() in _WORDS:
                return start, "A literal cannot be the subject of a triple: a subject is an IRI or a blank node."
    return None
