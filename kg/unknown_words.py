"""What to say of a word SPARQL does not have: the keyword it is likeliest a slip for, the operator another
language spells as a word (AND for &&), the variable it names without its '?', or, where a value goes, the string
(or IRI) it was meant as."""

from __future__ import annotations

import difflib

from kg.glued_keywords import SPARQL_WORDS
from kg.triple_faults import touching

ENGINE_WORDS = frozenset({"LATERAL", "ADJUST"})  # pyoxigraph reads these beyond SPARQL 1.1 and 1.2
WORDS = SPARQL_WORDS | ENGINE_WORDS
LONGEST = max(map(len, WORDS)) + 1  # a word run into another is cut at most this far in
# Words that are followed by nothing but '(': one glued to another word (STRCONTAINS) is no two words to the engine.
FUNCTIONS = frozenset("""ABS AVG BNODE BOUND CEIL COALESCE CONCAT CONTAINS COUNT DATATYPE DAY ENCODE_FOR_URI FLOOR
GROUP_CONCAT HOURS IF IRI LANG LANGMATCHES LCASE MAX MD5 MIN MINUTES MONTH NOW RAND REGEX REPLACE ROUND SAMPLE
SECONDS SHA1 SHA256 SHA384 SHA512 STR STRAFTER STRBEFORE STRDT STRENDS STRLANG STRLEN STRSTARTS STRUUID SUBSTR SUM
TIMEZONE TZ UCASE URI UUID YEAR ISBLANK ISIRI ISLITERAL ISNUMERIC ISURI SAMETERM TRIPLE SUBJECT PREDICATE OBJECT
ISTRIPLE LANGDIR HASLANG HASLANGDIR STRLANGDIR ADJUST""".split())
# Operators other languages write as words, and the names they give SPARQL's functions.
OPERATORS = {"AND": "&&", "OR": "||"}
# SQL's words, and how SPARQL says the same.
SQL = {"LIKE": 'match text with REGEX(?x, "^Mal") or with CONTAINS, STRSTARTS or STRENDS',
       "ILIKE": 'match text with REGEX(?x, "^mal", "i")',
       "TOP": "put LIMIT 5 after the query's WHERE { … }",
       "NULL": "a variable without a value is tested with !BOUND(?x)",
       "IS": "a variable without a value is tested with !BOUND(?x), one with a value with BOUND(?x)",
       "BETWEEN": "compare twice, as ?x >= 1 && ?x <= 5"}
ALIASES = {"LENGTH": "STRLEN", "LEN": "STRLEN", "LOWER": "LCASE", "TOLOWER": "LCASE", "UPPER": "UCASE",
           "TOUPPER": "UCASE", "SUBSTRING": "SUBSTR", "STARTSWITH": "STRSTARTS", "ENDSWITH": "STRENDS"}


def unknown_word(tokens, index: int) -> tuple[int, str] | None:
    """Where the word at `index` of `tokens` (significant()'s) goes wrong and what to say of it, if it is no word of
    SPARQL's (nor two run together, which the engine reads apart); None if it is one."""
    kind, value, start, _ = tokens[index]
    upper = value.upper()
    following = tokens[index + 1][1].upper() if index + 1 < len(tokens) else ""
    misspelt = following not in WORDS and difflib.get_close_matches(following, ("EXISTS", "IN"), cutoff=0.75)
    if upper == "NOT" and not _followed_by(tokens, index, ("IN", "EXISTS")) and not misspelt:  # NOT EXIST: told next
        return start, "NOT goes only before IN or EXISTS: in an expression, 'not' is written !, as !BOUND(?x)."
    if upper in WORDS or _two_words(upper):
        return None
    if upper in OPERATORS:
        sign = OPERATORS[upper]
        return start, f"SPARQL writes '{value.lower()}' as {sign}, as ?a = 1 {sign} ?b = 2; it has no keyword {value}."
    said = f"SPARQL has no keyword or function {value}"
    if upper in ALIASES:
        return start, f"{said}; did you mean {ALIASES[upper]}?"
    if _variable_named(tokens, value) and not _followed_by(tokens, index, ("(",)):
        return start, f"{said}; a variable is written with a '?': did you mean ?{value}?"
    if upper in SQL:
        return start, f"{said}: {SQL[upper]}."
    glued = _glued_functions(upper)
    called = _followed_by(tokens, index, ("(",))  # else no function is meant: COUNTRY is no slip for COUNT
    close = difflib.get_close_matches(upper, WORDS if called else WORDS - FUNCTIONS, n=3, cutoff=0.6 if glued else 0.75)
    if close:
        return start, f"{said}; did you mean {_either(close)}?"
    if index and touching(tokens, index) and tokens[index - 1][0] == "number":  # 1e, 10x
        return tokens[index - 1][2], f"{tokens[index - 1][1]}{value} is not a number (as 1e3 or 1.5 are)."
    if called:
        return start, said + "."
    if _object(tokens, index) and tokens[index - 1][1] == "a":  # ?c a Country: a class, which no string names
        return start, (f"{said}; after 'a' comes a class, named by an IRI (<…> or a prefixed name, as the "
                       f"project's sahel:… classes are); if a variable, ?{value}.")
    if _object(tokens, index):  # ?c rdfs:label Mali
        return start, (f'{said}; if it is a text, write "{value}"; if it names a resource, an IRI (<…> or a prefixed '
                       f"name); if a variable, ?{value}.")
    if _operand(tokens, index):  # FILTER(?name = Mali)
        return start, f'{said}; if it is a text, write "{value}"; if it names a variable, ?{value}.'
    return start, f"{said}; if it names a variable, write ?{value}."


def _followed_by(tokens, index: int, words) -> bool:
    return index + 1 < len(tokens) and tokens[index + 1][1].upper() in words


def _operand(tokens, index: int) -> bool:
    """Whether the word at `index` stands where an expression takes a value: beside a comparison, or an argument
    after ','."""
    before = tokens[index - 1][1] if index else ""
    after = tokens[index + 1][1] if index + 1 < len(tokens) else ""
    return before in ("=", "<", ">", ",") or after in ("=", "!", "<", ">")


def _object(tokens, index: int) -> bool:
    """Whether the word at `index` is the object of a triple pattern: after a subject and a verb."""
    return index >= 2 and all(kind in ("var", "iri", "pname") or kind == "word" and value == "a"
                              for kind, value, *_ in tokens[index - 2:index])


def _variable_named(tokens, name: str) -> bool:
    """Whether the text uses ?name or $name: a word of that name is likeliest the variable without its sign."""
    return any(kind == "var" and value[1:] == name for kind, value, *_ in tokens)


def _two_words(word: str) -> bool:
    """Whether `word` is two keywords run together which the engine reads as two (NOTEXISTS, GROUPBY): not where the
    first is a function, which only a '(' may follow (STRCONTAINS)."""
    return len(word) < 2 * LONGEST and any(word[:cut] in WORDS and word[:cut] not in FUNCTIONS and word[cut:] in WORDS
                                           for cut in range(1, len(word)))


def _glued_functions(word: str) -> bool:
    """Whether `word` is a function's name run into another word of SPARQL's (STRCONTAINS)."""
    return any(word[:cut] in FUNCTIONS and word[cut:] in WORDS for cut in range(1, len(word)))


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]
