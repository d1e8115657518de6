"""An engine's parse messages as sentences a person can act on.

pyoxigraph's parser says what it expected where it stopped: tokens, character classes, and sometimes a
sentence of its own, for a rule that failed on meaning rather than on form ("The query limit should be
a non negative integer"). Such a sentence is the real reason, so it is told alone, in the project's
words; otherwise the tokens are named as a person names them ("a variable", "an IRI"). Other engines'
messages (Virtuoso's, a remote server's) pass through as they are.
"""

from __future__ import annotations

import re


MAX_SHOWN = 8  # keywords named before "…"
UNDECLARED = "A prefix is not declared"
# What is said where the engine only lists what it expected: the place it names is where its parser gave up,
# often further on than the fault (see is_generic).
STOPPED = "The query does not go on like this here: something before this point is unfinished or misspelt."
GROUP_STOPPED = ("The group of patterns does not go on like this here: a term of a triple pattern, a '.' between "
                 "patterns, a '}' or a keyword (FILTER, OPTIONAL, BIND, MINUS, UNION, VALUES, GRAPH, SERVICE) is "
                 "missing or misspelt.")
# Said of a \\u or \\U escape in an IRI or a string, placed past it; kg.sparql_lexer.bad_escape tells which
# escape and what is wrong with it.
ESCAPE_STOPPED = ("A \\u escape takes four hexadecimal digits and a \\U eight, naming a character: none from "
                  "\\uD800 to \\uDFFF (halves of UTF-16 pairs), none past \\U0010FFFF.")
# Said where the engine stops inside a string (its end, or an escape): kg.syntax_faults finds which, and where the
# string opened.
STRING_STOPPED = "A string is not closed before the end of its line, or holds a backslash that escapes nothing."
UNFINISHED = ("An expression is unfinished here: an operand (a variable, a value, an IRI, or a function call such "
              "as STR or COUNT), an operator or a ')' is missing.")
# Where the engine lists only ENCODE_FOR_URI, the last alternative it tried after an operand.
EXPRESSION_STOPPED = ("An expression does not go on like this here: before this point an operator (such as = or &&), "
                      "a ',' between arguments or a ')' is missing, or a name is misspelt.")

# The engine's sentences (their start, lower case) and what we say instead.
REASONS = {
    "the query limit should be a non negative integer":
        "LIMIT takes a whole number from 0 to 18446744073709551615.",
    "the query offset should be a non negative integer":
        "OFFSET takes a whole number from 0 to 18446744073709551615.",
    "the select contains a variable that is unbound":
        "SELECT names a variable that is neither grouped on nor inside an aggregate: with GROUP BY or an "
        "aggregate such as COUNT, select grouped variables or aggregates (SAMPLE(?x) for one value).",
    "the select contains an expression with a variable that is unbound":
        "An expression in SELECT uses a variable that is neither grouped on nor inside an aggregate.",
    "duplicated variable name in select": "SELECT names the same variable twice.",
    "the select overrides an existing variable using an expression":
        "An (expression AS ?name) in SELECT reuses a name the query already binds: choose another name.",
    "select * is not authorized with group by":
        "SELECT * cannot be used with GROUP BY: name the grouped variables and the aggregates.",
    "bind is overriding an existing variable":
        "BIND gives a value to a variable already bound before it in the same group: choose another name.",
    "an existing variable is overridden in the right side of lateral":
        "The right side of LATERAL binds a variable its left side already binds.",
    "iri parsing failed": "This is not a valid IRI (no spaces, and none of <>\"{}|^`\\).",
    "prefix iri parsing failed": "The IRI of this PREFIX is not valid.",
    "language tag parsing failed": "This language tag is not valid (such as en, fr or pt-BR).",
    "the only base directions allowed": "A base direction is --ltr or --rtl.",
    "the values clause rows should have exactly":
        "Each row of VALUES needs one value per variable (UNDEF where there is none).",
    "repeated variables are not allowed in values": "VALUES names the same variable twice.",
    "unexpected aggregate": "An aggregate (COUNT, SUM, …) is used where only a plain expression may be.",
    "variables are not allowed in insert data": "INSERT DATA takes no variables: use INSERT { … } WHERE { … }.",
    "variables and blank nodes are not allowed in delete data":
        "DELETE DATA takes neither variables nor blank nodes: use DELETE { … } WHERE { … }.",
    "blank nodes are not allowed in delete where": "DELETE WHERE takes no blank nodes: use variables.",
    "already used blank node id": "This blank node label is already used by another operation of the update.",
    "literals or triple terms are not allowed in subject position":
        "A literal cannot be the subject of a triple.",
    "this custom function is a regular function": "This function is not an aggregate.",
    "this custom function is an aggregate function":
        "This function is an aggregate: use it in SELECT, HAVING or ORDER BY, with GROUP BY.",
    "iris are not allowed to end with": "An IRI cannot end with a backslash.",
    "iris are only allowed to contain escape sequences":
        "In an IRI, a backslash may only start \\uXXXX or \\UXXXXXXXX.",
    "strings are not allowed to end with": "A string cannot end with a backslash.",
    "\\u escape sequence should be followed by hexadecimal digits": ESCAPE_STOPPED,
    "the character that can be escaped in strings":
        "In a string, a backslash may only escape t, b, n, r, f, \", ' or \\.",
}
# The engine's sentences for a variable bound twice or not grouped on, and for a row of VALUES of the wrong length,
# which it places at the text's end (kg.rebound_variables, kg.ungrouped and kg.values_faults find where).
UNPLACED = frozenset(REASONS[start] for start in (
    "duplicated variable name in select", "bind is overriding an existing variable",
    "the select overrides an existing variable using an expression", "the select contains a variable that is unbound",
    "the values clause rows should have exactly"))
# Tokens, as a person names them; the RDF 1.2 annotation tokens are left out (noise in nearly every list).
NAMES = {'"$"': "a variable", '"?"': "a variable", '"<"': "an IRI", '":"': "a prefixed name",
         '"\\""': "a string", "\"'\"": "a string", "\"'''\"": "a string", '"\\"\\"\\""': "a string",
         '"+"': "a number", '"-"': "a number", '"_:"': "a blank node"}
NOISE = {'"{|"', '"~"', '"<<("', '"<<"', '"|}"', '">>"'}
_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"')
# SPARQL's built-in functions and aggregates (SPARQL 1.1 §17.4, §18.5): the engine lists some of them where an
# expression may start.
_FUNCTIONS = frozenset("""ABS AVG BNODE BOUND CEIL COALESCE CONCAT CONTAINS COUNT DATATYPE DAY ENCODE_FOR_URI EXISTS
FLOOR GROUP_CONCAT HOURS IF IRI LANG LANGMATCHES LCASE MAX MD5 MIN MINUTES MONTH NOW RAND REGEX REPLACE ROUND
SAMPLE SECONDS SHA1 SHA256 SHA384 SHA512 STR STRAFTER STRBEFORE STRDT STRENDS STRLANG STRLEN STRSTARTS STRUUID
SUBSTR SUM TIMEZONE TZ UCASE URI UUID YEAR isBLANK isIRI isLITERAL isNUMERIC isURI sameTerm""".split())


def sentence(message: str) -> str:
    """`message` (an engine's parse error, without its position) as one or two sentences."""
    if "Prefix not found" in message:
        return UNDECLARED + ": declare it with PREFIX (or use one of the built-in prefixes)."
    found = re.match(r"expected (?:one of )?(.*)$", message, re.S)
    if not found:  # another engine's own words (Virtuoso's, an oxigraph serve's), passed on as they are
        return " ".join(message.split())
    tokens = _tokens(found.group(1))
    for token in tokens:
        reason = _reason(token)
        if reason:
            return reason
    if {'"\\\\u"', '"\\\\U"'} <= set(tokens):  # inside a string: its end, or an escape
        return STRING_STOPPED
    if tokens == ['">"', "[_]"]:  # inside an IRI: only its end or more of it
        return "An IRI is not closed: a '>' is missing, or the IRI holds a space (as <http://x/a b>)."
    if tokens == ["[_]"]:
        return STOPPED
    if tokens == ["OPTIONAL"]:  # the last of a group's alternatives the engine tried, not what is missing
        return GROUP_STOPPED
    if tokens == ["ENCODE_FOR_URI"]:
        return EXPRESSION_STOPPED
    if len(_FUNCTIONS.intersection(tokens)) >= 3:  # a sample of the functions an expression may start with
        return UNFINISHED
    names = []
    for token in tokens:
        name = _name(token)
        if name and name not in names:
            names.append(name)
    if not names:  # only tokens left out as noise (">>", "|}"): the engine's own words say it best
        return f"Expected {' or '.join(tokens)} here."
    keywords = [name for name in names if re.fullmatch(r"[A-Za-z_]\w*", name)]
    if len(keywords) > MAX_SHOWN:  # the engine's list of keywords is long, and partial anyway
        names = keywords[:MAX_SHOWN] + ["…"] + [name for name in names if name not in keywords]
    listed = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
    return f"Expected {listed} here."


def is_generic(message: str) -> bool:
    """Whether `message` (from sentence) only says where the engine's parser gave up, not what the fault is
    (as an invalid IRI or an unclosed string would be)."""
    return message.startswith(("Expected ", UNDECLARED)) or \
        message in (STOPPED, GROUP_STOPPED, UNFINISHED, ESCAPE_STOPPED, EXPRESSION_STOPPED, STRING_STOPPED)


def _reason(token: str) -> str | None:
    lowered = token.lower()
    for start, reason in REASONS.items():
        if lowered.startswith(start):
            return reason
    if token.startswith("[") and "'t' | 'b' | 'n'" in token:  # the escapes a string may hold
        return REASONS["the character that can be escaped in strings"]
    if " " in token and not token.startswith(("[", '"')) and re.search("[a-z]", token):
        return _sentence_case(token)  # a sentence of the engine's we have no words of our own for
    return None


def _name(token: str) -> str | None:
    if token in NOISE:
        return None
    if token.startswith("["):
        return "a number" if re.fullmatch(r"\['0' ?\.\.= ?'9'\]", token) else "a name, number or other term"
    return NAMES.get(token, token)


def _tokens(text: str) -> list[str]:
    """The items of the engine's list of what it expected, which ", " separates: quoted tokens, [character
    classes] (which may hold commas), keywords and the engine's sentences (which hold none)."""
    tokens, at = [], 0
    while at < len(text):
        if text[at] in ", \n":
            at += 1
            continue
        if text[at] == '"':
            quoted = _QUOTED.match(text, at)
            end = quoted.end() if quoted else len(text)
        elif text[at] == "[":
            end = _class_end(text, at)
        else:
            end = text.find(", ", at)
            end = len(text) if end < 0 else end
        tokens.append(text[at:end].strip())
        at = end
    return tokens


def _class_end(text: str, start: int) -> int:
    """Where the [character class] starting at `start` ends; its quoted characters may hold ] or '."""
    at, quoted = start + 1, False
    while at < len(text):
        char = text[at]
        if char == "\\" and quoted:
            at += 2
            continue
        if char == "'":
            quoted = not quoted
        elif char == "]" and not quoted:
            return at + 1
        at += 1
    return len(text)


def _sentence_case(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?", ")")) else text + "."

