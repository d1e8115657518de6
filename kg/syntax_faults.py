"""Where a refused SPARQL text goes wrong, found with the lexer's tokens (kg.sparql_lexer).

pyoxigraph's parser reports the furthest place any of its alternatives reached: often the end of the pattern or of
the text, with a list of what it expected there ("expected OPTIONAL"). For the commonest slips the tokens tell the
place and the fault: a prefix never declared, a word SPARQL does not have (LIMT), ORDER or GROUP without BY, commas
between the variables of SELECT, an expression of SELECT without AS, a '.' missing between two triple patterns or a
pattern cut short, a string left open (told where it opens), LIMIT or OFFSET without a whole number, a ')' or an
operator missing (kg.bracket_faults), AND for && or a variable without its '?' (kg.unknown_words), == or <> for = or
!= and an operand missing before ')' (kg.operator_faults), a '.' or ';' after the query's last clause
(kg.query_end), a PREFIX or BASE between an update's operations (kg.update_prologue), a variable bound twice
(kg.rebound_variables), one SELECT names that its grouping does not keep (kg.ungrouped), an expression FILTER,
HAVING or ORDER BY take without brackets (kg.bare_constraints), modifiers out of their order (kg.modifier_order),
commas or rows of the wrong length in VALUES (kg.values_faults), 1. for 1.0 where no triple pattern ends
(kg.number_faults), a group without its braces (kg.group_keywords), a ';' ending a query, a comment opened with
'--', LIMIT 10, 20 and commas between the keys of ORDER BY or GROUP BY, as in SQL; a quote inside a string closing
it ('Côte d'Ivoire'), a typographic quote (“…”).
"""

from __future__ import annotations

from typing import NamedTuple

from kg.bare_constraints import bare_constraint
from kg.bracket_faults import bracket_fault, in_parentheses
from kg.errors import QuerySyntaxError
from kg.group_keywords import group_keyword_fault
from kg.modifier_order import line_column, misordered
from kg.number_faults import unfinished_decimal
from kg.operator_faults import foreign_operator, missing_operand
from kg.query_end import trailing_mark
from kg.rebound_variables import rebound
from kg.sparql_lexer import NAME_CHAR, bad_escape, declarations_end, significant, unclosed_long_string
from kg.sparql_text import QUERY_FORMS
from kg.text_places import line_around
from kg.triple_faults import TERMS, touching, triple_fault
from kg.ungrouped import ungrouped
from kg.update_prologue import late_declaration
from kg.unknown_words import LONGEST, WORDS, unknown_word
from kg.values_faults import values_fault

CASED = frozenset({"A", "TRUE", "FALSE"})  # pyoxigraph reads these only in lower case
TYPOGRAPHIC_QUOTES = "“”„‟‘’‚‛«»"


class Fault(NamedTuple):
    """A fault in a text: what it is, in a sentence, and where (line and column from 1)."""

    message: str
    line: int
    column: int


def first_fault(text: str, prefixes, *, update: bool = False) -> Fault | None:
    """The first of the slips above in `text`, whose known prefixes are `prefixes`; None if it has none. In a
    query (not an `update`, whose operations a ';' separates), a ';' outside every bracket is one."""
    tokens = significant(text)
    unfinished = triple_fault(tokens, prefixes)
    opened = unclosed_long_string(tokens)
    unpaired = bracket_fault(tokens, text)
    rebinding = rebound(tokens, text)
    ungrouping = ungrouped(tokens)
    bare = bare_constraint(tokens, text)
    disorder = misordered(tokens, text)
    listed = values_fault(tokens)
    decimal = unfinished_decimal(tokens)
    ending = trailing_mark(tokens)
    late = late_declaration(tokens)
    in_select, depth, named = False, 0, False  # named: an AS since SELECT's last '(' at depth 0
    nesting, form = 0, False  # brackets of every kind open here; whether a query form has begun outside them
    for index, (kind, value, start, _) in enumerate(tokens):
        upper = value.upper() if kind == "word" else ""
        message = None
        nesting += 1 if kind == "open" else -1 if kind == "close" else 0
        form = form or (nesting <= 0 and upper in QUERY_FORMS)  # a query's, not an update's (whose ';' is its own)
        if opened is not None and start == opened[1]:  # it may span lines: only the text's end is too late
            message = (f"The long string opened with {opened[0]} at {line_column(text, start)} is never closed: it "
                       f"ends at the next {opened[0]}, and none comes before the end of the text.")
        elif kind == "other" and value == ";" and nesting <= 0 and form and not update:  # SQL's habit: `LIMIT 10;`
            message = ("A ';' cannot end a query: SPARQL has no statement separator (send one query at a time), and a "
                       "';' goes only between the predicate-object pairs of one subject, inside braces. Remove it.")
        elif kind == "other" and value == "-" and _sql_comment(tokens, index):
            message = "A comment starts with '#' in SPARQL, not with SQL's '--'."
        elif kind in ("string", "iri") and (escape := bad_escape(value)) is not None:
            start, message = start + escape[0], escape[1]
        elif kind == "other" and value in "\"'" and _odd_quotes(text, start):
            message = (f"The string opened with {value} at {line_column(text, start)} is never closed: its closing "
                       f"{value} is missing before the end of its line (only a long string, in {value * 3}, may span "
                       "lines).")
        elif upper in ("LIMIT", "OFFSET") and not _whole_number_after(tokens, index):
            message = f"{upper} takes a whole number from 0, as {upper} 10."
            start = tokens[index + 1][2] if index + 1 < len(tokens) else tokens[index][3]
        elif upper == "LIMIT" and index + 2 < len(tokens) and tokens[index + 2][1] == ",":  # MySQL's LIMIT 10, 20
            start, message = tokens[index + 2][2], _limit_pair(tokens, index)
        elif kind in ("other", "iri") and (sign := foreign_operator(tokens, index)):
            start, message = sign
        elif kind == "other" and not (listed is not None and index == listed[0]) \
                and (gap := missing_operand(tokens, index)):  # VALUES' own comma is told as such below
            start, message = gap
        elif kind == "other" and value in TYPOGRAPHIC_QUOTES:  # pasted from a word processor or a web page
            message = (f"{value} is a typographic quote, which SPARQL does not read: a string is quoted with straight "
                       "quotes, \"…\" or '…'.")
        elif decimal is not None and index == decimal[0]:
            message = decimal[1]
        elif kind == "other" and not value.isascii() and NAME_CHAR.match(value):
            message = _stray_letter(tokens, index)
        elif kind == "pname" and value.split(":", 1)[0] not in prefixes and not _after_keyword(value, prefixes) \
                and not (index and _named(tokens, index - 1)):
            name = value.split(":", 1)[0]
            close = _closest_prefix(name, prefixes)
            known = f"did you mean {close}:?" if close else f"known: {', '.join(sorted(prefixes))}"
            message = f"The prefix {name}: is not declared: declare it with PREFIX {name}: <…> ({known})."
        elif kind == "word" and index and tokens[index - 1][1].upper() == "PREFIX" and not _named(tokens, index):
            message = f"The name of a prefix ends with a colon: PREFIX {value}: <…>."
        elif kind == "word" and upper in CASED and value != value.lower():  # the engine takes these in lower case
            message = f"{value} is written in lower case: {value.lower()}."
        elif kind == "word" and index and tokens[index - 1][0] == "string" and touching(tokens, index) \
                and upper not in WORDS:  # 'Côte d'Ivoire': the string closed at its own apostrophe
            start, message = tokens[index - 1][3] - 1, _closed_early(tokens[index - 1][1], value)
        elif kind == "word" and not _direction(tokens, index) and (unknown := unknown_word(tokens, index)):
            start, message = unknown
        elif disorder is not None and index == disorder[0]:
            message = disorder[1]
        elif listed is not None and index == listed[0]:
            message = listed[1]
        elif ending is not None and index == ending[0]:
            message = ending[1]
        elif late is not None and index == late[0]:
            message = late[1]
        elif kind == "word" and (grouping := group_keyword_fault(tokens, index)):
            start, message = grouping
        elif upper in ("ORDER", "GROUP"):
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            misspelt = following is not None and (following[0] == "word" and following[1].upper() not in WORDS
                                                  or following[0] == "other" and NAME_CHAR.match(following[1]))
            if (following is None or following[1].upper() != "BY") and not misspelt:  # BYY: told as a word next
                message = f"{upper} must be followed by BY: {upper} BY ?x."
        elif in_select and depth == 0 and (kind == "word" and upper not in ("DISTINCT", "REDUCED") and index + 1 < len(
                tokens) and tokens[index + 1][1] == "(" or kind == "other" and value in "+-/=<>!&|"):
            # SELECT COUNT(?s), SELECT ?a + ?b: told where the expression starts, not at the ')' or past it
            start = start if kind == "word" else tokens[index - 1][2]
            shown = f"{value}(…)" if kind == "word" else f"{tokens[index - 1][1]} {value} …"
            message = f"An expression in SELECT goes in brackets, with AS and a name: SELECT ({shown} AS ?name)."
        elif kind == "other" and value == "," and in_select and depth == 0:
            message = "The variables and expressions of SELECT are separated by spaces, not commas."
        elif kind == "other" and value == "," and not in_parentheses(tokens, index) \
                and (clause := _keys_clause(tokens, index)):  # ORDER BY ?a, ?b as in SQL
            message = f"The keys of {clause} are separated by spaces, not commas: {clause} ?a ?b."
        elif kind == "var" and in_select and depth == 1 and not named and index + 1 < len(tokens) \
                and tokens[index + 1][1] == ")" and tokens[index - 1][0] in ("close", "langtag", *TERMS):
            # (COUNT(?s) ?n), (?x ?n); not (STR(?a) AS ?b ?c), where a ')' is missing (the engine says so)
            message = f"AS is missing before {value}: SELECT (expression AS {value})."
        elif value == ")" and in_select and depth == 1 and not named and index >= 3 and tokens[index - 1][0] == "var" \
                and tokens[index - 2][1] == "(" and tokens[index - 3][1].upper() in ("DISTINCT", "REDUCED"):
            # SQL's SELECT DISTINCT(?s): the ')' is where the engine gives up
            word, name = tokens[index - 3][1].upper(), tokens[index - 1][1]
            start = tokens[index - 2][2]
            message = f"{word} applies to whole rows and takes no brackets: SELECT {word} {name}."
        elif value == ")" and in_select and depth == 1 and not named:
            message = "AS and a name are missing before this ')': SELECT (expression AS ?name)."
        elif unpaired is not None and index == unpaired[0]:
            message = unpaired[1]
        elif rebinding is not None and index == rebinding[0]:
            message = rebinding[1]
        elif ungrouping is not None and index == ungrouping[0]:
            message = ungrouping[1]
        elif bare is not None and index == bare[0]:
            message = bare[1]
        elif unfinished is not None and index == unfinished[0]:
            message = unfinished[1]
        if message:
            return Fault(message, text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start))
        if upper == "SELECT":
            in_select, depth = True, 0
        elif upper == "WHERE" or kind == "open" and value == "{":
            in_select = False
        elif kind == "open" and value == "(":
            named = named and depth != 0
            depth += 1
        elif upper == "AS":
            named = True
        elif kind == "close" and value == ")":
            depth -= 1
    if unpaired is not None and tokens:  # a '(' open at the text's end
        end = tokens[-1][3]
        return Fault(unpaired[1], text.count("\n", 0, end) + 1, end - text.rfind("\n", 0, end))
    return None


def not_a_query(text: str, prefixes, update: bool = False) -> QuerySyntaxError:
    """The error for a text with no query form: the slip in its first word where it has one (SELÅECT), else that
    it is no query (`update`: that it is an update)."""
    tokens = significant(text)
    first = declarations_end(tokens, {})
    # The slips at a word are told from it and the token after it: the rest of a long text is not read again.
    head = text[:tokens[min(first + 1, len(tokens) - 1)][3]] if first < len(tokens) else ""
    fault = first_fault(head, prefixes) if first < len(tokens) and tokens[first][0] in ("word", "other") else None
    if fault is not None and fault.line == 1 + text.count("\n", 0, tokens[first][2]) \
            and fault.column == tokens[first][2] - text.rfind("\n", 0, tokens[first][2]):
        return QuerySyntaxError(fault.message, line=fault.line, column=fault.column)
    return QuerySyntaxError("not a query: expected SELECT, ASK, CONSTRUCT or DESCRIBE"
                            + (" (this is a SPARQL Update)" if update else ""), line=1, column=1)


def _keys_clause(tokens, index: int) -> str | None:
    """ORDER BY or GROUP BY where the ',' at `index` follows that clause's keys, else None."""
    inside = 0  # the brackets of a key (DESC(?x), STR(?x)) between the ',' and the clause
    for at in range(index - 1, 0, -1):
        kind, value = tokens[at][:2]
        if kind == "close" and value == ")" or kind == "open" and value == "(":
            inside += 1 if value == ")" else -1
        elif inside == 0 and kind in ("open", "close"):
            return None
        elif inside == 0 and kind == "word" and value.upper() == "BY":
            before = tokens[at - 1][1].upper()
            return f"{before} BY" if before in ("ORDER", "GROUP") else None
        elif inside == 0 and kind == "word" and value.upper() in WORDS and value.upper() not in ("ASC", "DESC") \
                and not (at + 1 < len(tokens) and tokens[at + 1][1] == "("):  # a clause's keyword, not a function
            return None
    return None


def _closed_early(string: str, word: str) -> str:
    """That `string` (a string token) was closed by a quote meant to be in it, before `word`."""
    quote = string[-1]
    other = '"' if quote == "'" else "'"
    return (f"This {quote} closes the string {string} before {word}: a {quote} inside a string is written \\{quote}, "
            f"or the string is quoted with {other} instead.")


def _limit_pair(tokens, index: int) -> str:
    """What SQL's LIMIT offset, count at `index` is in SPARQL."""
    first = tokens[index + 1][1]
    count = tokens[index + 3][1] if index + 3 < len(tokens) and tokens[index + 3][0] == "number" else None
    shown = f": SQL's LIMIT {first}, {count} is OFFSET {first} LIMIT {count} in SPARQL" if count else ""
    return f"LIMIT takes one number{shown}."


def _sql_comment(tokens, index: int) -> bool:
    """Whether the '-' at `index` and one touching it are SQL's comment: outside brackets, where no expression is (in
    one, ?a --1 subtracts -1), and not a literal's base direction ("x"@en--ltr)."""
    if index + 1 >= len(tokens) or tokens[index + 1][1] != "-" or not touching(tokens, index + 1):
        return False
    after_tag = index > 0 and tokens[index - 1][0] == "langtag" and touching(tokens, index)
    return not after_tag and not in_parentheses(tokens, index)


def _stray_letter(tokens, index: int) -> str:
    """What is wrong with a letter outside any name, string or IRI (ÅSELECT: Å, then the keyword)."""
    letter = tokens[index][1]
    following = tokens[index + 1] if index + 1 < len(tokens) and touching(tokens, index + 1) else None
    word = following[1] if following is not None and following[0] == "word" else ""
    hint = f" ({letter}{word}: did you mean {word}?)" if word.upper() in WORDS else ""
    return (f"{letter} stands outside a name, a string or an IRI{hint}: SPARQL's keywords are written in ASCII "
            "letters, and other letters go in a prefixed name (ex:…), a variable, a string or an IRI.")


def _odd_quotes(text: str, at: int) -> bool:
    """Whether the line of the quote at `at` holds an odd number of that quote, unescaped: one is unclosed. (A
    quote the lexer leaves alone may be no slip: in ?x<'>' || ?x = '<<' it took <'> for an IRI.) A line ends at CR,
    LF or CRLF, as a string does."""
    line = line_around(text, at)
    return (line.count(text[at]) - line.count("\\" + text[at])) % 2 == 1


def _whole_number_after(tokens, index: int) -> bool:
    """Whether the token after `index` is a whole number written as digits alone (LIMIT's and OFFSET's)."""
    return index + 1 < len(tokens) and tokens[index + 1][0] == "number" and tokens[index + 1][1].isdigit()


def _named(tokens, index: int) -> bool:
    """Whether the word at `index` is a prefix's name after all, its colon next to it (PREFIX service: <…>)."""
    return index + 1 < len(tokens) and tokens[index + 1][1] == ":" and touching(tokens, index + 1)


def _closest_prefix(name: str, prefixes) -> str | None:
    """The known prefix `name` is likeliest a slip for (a letter missing, added, changed or two swapped), or None."""
    from rapidfuzz.distance import OSA  # here: only a refused text comes this way

    ranked = sorted((OSA.distance(name, known), abs(len(known) - len(name)), known) for known in prefixes)
    return ranked[0][2] if ranked and ranked[0][0] <= max(1, len(name) // 3) else None


def _after_keyword(name: str, prefixes) -> bool:
    """Whether a prefixed name is a keyword run into a known one, which the engine reads as two (GRAPHsk:x,
    asahel:C)."""
    prefix = name.split(":", 1)[0]
    return any(prefix[:cut].upper() in WORDS and prefix[cut:] in prefixes
               for cut in range(1, min(len(prefix), LONGEST)))


def _direction(tokens, index: int) -> bool:
    """Whether the word at `index` is the base direction of a literal ("x"@en--ltr: a tag, '-', '-', ltr)."""
    return index >= 3 and tokens[index - 3][0] == "langtag" and tokens[index - 2][1] == tokens[index - 1][1] == "-" \
        and all(touching(tokens, at) for at in range(index - 2, index + 1))
