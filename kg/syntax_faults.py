"""Where a refused SPARQL text goes wrong, found with the lexer's tokens (kg.sparql_text).

pyoxigraph's parser reports the furthest place any of its alternatives reached: often the end of the
pattern or of the text, with a list of what it expected there ("expected OPTIONAL"). For the commonest
slips the tokens tell the place and the fault: a prefix never declared, a word SPARQL does not have
(LIMT), ORDER or GROUP without BY, commas between the variables of SELECT.
"""

from __future__ import annotations

import difflib
from typing import NamedTuple

from kg.sparql_text import SPARQL_WORDS, significant

# Words pyoxigraph reads beyond SPARQL 1.1 and 1.2 (its LATERAL join, ADJUST for dates).
ENGINE_WORDS = frozenset({"LATERAL", "ADJUST"})
WORDS = SPARQL_WORDS | ENGINE_WORDS
CASED = frozenset({"A", "TRUE", "FALSE"})  # pyoxigraph reads these only in lower case


class Fault(NamedTuple):
    """A fault in a text: what it is, in a sentence, and where (line and column from 1)."""

    message: str
    line: int
    column: int


def first_fault(text: str, prefixes) -> Fault | None:
    """The first of the slips above in `text`, whose known prefixes are `prefixes`; None if it has none."""
    tokens = significant(text)
    in_select, depth = False, 0
    for index, (kind, value, start, _) in enumerate(tokens):
        upper = value.upper() if kind == "word" else ""
        message = None
        if kind == "pname" and value.split(":", 1)[0] not in prefixes:
            name = value.split(":", 1)[0]
            message = (f"The prefix {name}: is not declared: declare it with PREFIX {name}: <…> "
                       f"(built in: {', '.join(sorted(prefixes))}).")
        elif kind == "word" and index and tokens[index - 1][1].upper() == "PREFIX":
            message = f"The name of a prefix ends with a colon: PREFIX {value}: <…>."
        elif kind == "word" and upper in CASED and value != value.lower():  # the engine takes these in lower case
            message = f"{value} is written in lower case: {value.lower()}."
        elif kind == "word" and upper not in WORDS and not _direction(tokens, index):
            close = difflib.get_close_matches(upper, WORDS, n=1, cutoff=0.75)
            message = f"SPARQL has no keyword or function {value}" + (f"; did you mean {close[0]}?" if close else ".")
            if not close and index and _touching(tokens, index) and tokens[index - 1][0] == "number":  # 1e, 10x
                start = tokens[index - 1][2]
                message = f"{tokens[index - 1][1]}{value} is not a number (as 1e3 or 1.5 are)."
        elif upper in ("ORDER", "GROUP"):
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            misspelt = following is not None and following[0] == "word" and following[1].upper() not in WORDS
            if (following is None or following[1].upper() != "BY") and not misspelt:  # BYY: told as a word next
                message = f"{upper} must be followed by BY: {upper} BY ?x."
        elif kind == "other" and value == "," and in_select and depth == 0:
            message = "The variables and expressions of SELECT are separated by spaces, not commas."
        if message:
            return Fault(message, text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start))
        if upper == "SELECT":
            in_select, depth = True, 0
        elif upper == "WHERE" or kind == "open" and value == "{":
            in_select = False
        elif kind == "open" and value == "(":
            depth += 1
        elif kind == "close" and value == ")":
            depth -= 1
    return None


def _touching(tokens, index: int) -> bool:
    """Whether the token at `index` follows the one before it with no space between."""
    return tokens[index - 1][3] == tokens[index][2]


def _direction(tokens, index: int) -> bool:
    """Whether the word at `index` is the base direction of a literal ("x"@en--ltr: a tag, '-', '-', ltr)."""
    return index >= 3 and tokens[index - 3][0] == "langtag" and tokens[index - 2][1] == tokens[index - 1][1] == "-" \
        and all(_touching(tokens, at) for at in range(index - 2, index + 1))
