"""SPARQL text as tokens (kind, text, span), strings, IRIs and comments whole, as the engine's grammar reads
them; the tokens of the last few short texts kept, since a request's text is looked at several times."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice

from kg.errors import InputLimitError
from kg.last_text import CACHED_TEXT, LastText

# The name characters of the SPARQL 1.1 grammar (§19.8: PN_CHARS_BASE, PN_CHARS_U, PN_CHARS), spelt out:
# Python's \w leaves out some of them (U+00B7, combining marks), and a name the lexer ends early hides
# from it a '<' that the engine reads as less-than.
_BASE_CHARS = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
               "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_U_CHARS = _BASE_CHARS + "_"
_CHARS = _U_CHARS + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_LOCAL_ESCAPE = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_VARNAME = f"[{_U_CHARS}0-9][{_U_CHARS}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"
_VAR = f"[?$]{_VARNAME}"
VARNAME = re.compile(_VARNAME)  # a variable's name without its ? or $ (SPARQL 1.1 §19.8 VARNAME): fullmatch it
_BNODE = f"_:[{_U_CHARS}0-9](?:[{_CHARS}.]*[{_CHARS}])?"
_PNAME_NS = f"(?:[{_BASE_CHARS}](?:[{_CHARS}.]*[{_CHARS}])?)?:"  # a prefix as declared: "sahel:", ":"
PNAME = (_PNAME_NS +
         f"(?:(?:[{_U_CHARS}:0-9]|{_LOCAL_ESCAPE})(?:(?:[{_CHARS}.:]|{_LOCAL_ESCAPE})*(?:[{_CHARS}:]|{_LOCAL_ESCAPE}))?)?")
_IRI_CHARS = r"""[^<>"{}|^`\\\x00-\x20]*"""
# An IRI token, escapes whole. Written as runs of plain characters between escapes (no alternation per
# character): a 300,000-character IRI was read a character at a time, seconds per look at a lookup's text.
_IRI = r"<" + _IRI_CHARS + r"(?:(?:\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})" + _IRI_CHARS + r")*>"


def _lexer(pname: str) -> re.Pattern:
    """The lexer's pattern, `pname` its prefixed names'."""
    return re.compile(r"""
    (?P<comment>\#[^\r\n]*)
  | (?P<string>'''[^'\\]*(?:(?:\\.|'(?!''))[^'\\]*)*'''|\"\"\"[^"\\]*(?:(?:\\.|"(?!""))[^"\\]*)*\"\"\"
               |'[^'\\\r\n]*(?:\\.[^'\\\r\n]*)*'|"[^"\\\r\n]*(?:\\.[^"\\\r\n]*)*")
  | (?P<iri>""" + _IRI + r""")
  | (?P<var>""" + _VAR + r""")
  | (?P<bnode>""" + _BNODE + r""")
  | (?P<pname>""" + pname + r""")
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>\d+\.\d*[eE][+-]?\d+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<word>[A-Za-z_][\w-]*)
  | (?P<open>[{(\[])
  | (?P<close>[})\]])
  | (?P<space>\s+)
  | (?P<other>.)
""", re.X | re.S)


_TOKEN = _lexer(PNAME)
_NO_PNAME = _lexer("(?!)")  # within a run of name characters that holds no prefixed name (see _tokens)
_NAME_START = re.compile(f"[{_BASE_CHARS}]")
NAME_CHAR = re.compile(f"[{_CHARS}]")  # a character SPARQL's names may hold
_NAME_RUN = re.compile(f"[{_CHARS}.]*")

@dataclass(frozen=True)
class Token:
    """One lexical token: its kind (a group name of the lexer), its text, and its span in the source."""

    kind: str
    text: str
    start: int
    end: int


# Keywords the engine reads even when a prefixed name follows without a space ("SERVICE:x" is SERVICE :x).
_GLUED = ("SERVICE", "LOAD")


def _tokens(text: str, position: int = 0):
    """(kind, text, start, end) of every token from `position` (a token's start), a keyword glued to a
    prefixed name split off it.

    Where a prefixed name was looked for and not found, none starts before the end of that run of name
    characters and dots (its prefix would have had to end at the same ':'): it is not looked for there again,
    which would read the run from each of its words on (a.a.a… or éé…: quadratic time)."""
    plain_until = 0
    while position < len(text):
        m = (_TOKEN if position >= plain_until else _NO_PNAME).match(text, position)
        kind, value, start, end = m.lastgroup, m.group(), position, m.end()
        position = end
        # Of the other kinds, only a word or a lone character may start with a name character.
        if (kind == "word" or kind == "other") and start >= plain_until and _NAME_START.match(text, start):
            plain_until = _NAME_RUN.match(text, start).end()
        if kind == "pname":
            prefix = value.partition(":")[0]
            if prefix.upper() in _GLUED:
                yield "word", prefix, start, start + len(prefix)
                yield kind, value[len(prefix):], start + len(prefix), end
                continue
        yield kind, value, start, end


def lex(text: str) -> list[Token]:
    """Every token of `text` in order, spaces and comments included (kinds "space" and "comment")."""
    return [Token(*token) for token in _tokens(text)]


# A longer text's tokens are kept only as kg.last_text keeps them: the tokens of a text of n characters take up to
# 400n bytes (all one-character tokens), so the short ones kept stay under KEPT * 1.6 MB, and a long one is kept
# only under KEPT_TOKENS tokens.
KEPT = 16  # texts: more than a server's requests in flight
KEPT_TOKENS = 200_000


class TooManyTokens(InputLimitError):
    """A text of more tokens than a caller allows: lexing stopped there."""


_last = LastText()  # the last long text lexed: its tokens, and whether they are all of them (not cut at a limit)


def significant(text: str, most: int | None = None) -> tuple[tuple[str, str, int, int], ...]:
    """The tokens of `text` but spaces and comments, as (kind, text, start, end); TooManyTokens past `most` of them.

    A request's text is looked at by several functions (its policy, dataset, SERVICE, known terms...):
    the tokens of the last few short texts and of the last long one are kept, so each is lexed once.
    """
    if len(text) <= CACHED_TEXT:
        tokens = _significant(text)
    else:
        tokens, whole = _last.get(text) or ((), False)  # none kept: as if cut before its first token
        if not whole and (most is None or len(tokens) <= most):  # a cut list is lexed again for more tokens
            tokens = _lexed(text, most)
            whole = most is None or len(tokens) <= most
            if not whole or len(tokens) <= KEPT_TOKENS:
                _last.put(text, (tokens, whole))
    if most is not None and len(tokens) > most:
        raise TooManyTokens(f"the text has more than {most} tokens (terms, keywords and signs)")
    return tokens


def remember(text: str, tokens: tuple[tuple[str, str, int, int], ...]) -> None:
    """Keep `tokens`, all the significant tokens of `text` lexed in another process (a server's, for its query
    worker: kg.text_reading), as significant(text)'s."""
    global _handed
    if len(text) > CACHED_TEXT:
        if len(tokens) <= KEPT_TOKENS:
            _last.put(text, (tokens, True))
        return
    _handed = (text, tokens)  # what _lexed gives for that text, so that the lru_cache keeps them
    try:
        _significant(text)
    finally:
        _handed = None


_handed: tuple[str, tuple] | None = None  # see remember: the text is compared whole, so a thread gets only its own


def _lexed(text: str, most: int | None = None) -> tuple[tuple[str, str, int, int], ...]:
    """The significant tokens of `text`, or its first `most` + 1 where it has more."""
    handed = _handed
    if handed is not None and handed[0] == text:
        return handed[1]
    # Clients send the same block of PREFIX lines with every query (query editors add it): most of a short
    # query's tokens. Its tokens are kept apart, so that only the rest of a new text is lexed.
    prologue = _PROLOGUE.match(text)
    end = prologue.end() if prologue is not None and prologue.end() <= CACHED_TEXT else 0
    head = _prologue_tokens(text[:end]) if end else ()
    rest = (token for token in _tokens(text, end) if token[0] != "space" and token[0] != "comment")
    return head + tuple(rest if most is None else islice(rest, max(0, most + 1 - len(head))))


def _plain_lexed(text: str) -> tuple[tuple[str, str, int, int], ...]:
    return tuple(token for token in _tokens(text) if token[0] != "space" and token[0] != "comment")


_significant = lru_cache(maxsize=KEPT)(_lexed)
_prologue_tokens = lru_cache(maxsize=KEPT)(_plain_lexed)
# PREFIX and BASE declarations, each ending with an IRI token (its '>' ends it wherever the text goes on), and the
# spaces after them: the tokens of this much of a text are those of the same text lexed alone.
# U+1680 is a space to \s and a name character to the grammar: after a '>' it starts a prefixed name (>\u1680ex:x),
# and after PREFIX each of a run of them could start the prefix (PREFIX\u1680\u1680…: quadratic time).
_SPACE = f"[^\\S{_CHARS}]"
_PROLOGUE = re.compile(rf"(?:{_SPACE}*(?:[Pp][Rr][Ee][Ff][Ii][Xx]{_SPACE}+"
                       rf"{_PNAME_NS}{_SPACE}*{_IRI}"
                       rf"|[Bb][Aa][Ss][Ee]{_SPACE}*{_IRI}))+(?:{_SPACE}\s*)?")


def declarations_end(tokens, prefixes: dict[str, str]) -> int:
    """The index of the first of `tokens` (significant()'s) after the leading PREFIX and BASE declarations, their
    prefixes put in `prefixes` (name -> IRI, escapes decoded): most texts begin with a dozen, which hold no term."""
    index = 0
    while index + 1 < len(tokens) and tokens[index][0] == "word":
        word = tokens[index][1].upper()
        if word == "BASE" and tokens[index + 1][0] == "iri":
            index += 2
        elif word == "PREFIX" and index + 2 < len(tokens) and tokens[index + 1][0] == "pname" \
                and tokens[index + 2][0] == "iri":
            prefixes[tokens[index + 1][1].split(":", 1)[0]] = unescape_iri(tokens[index + 2][1][1:-1])
            index += 3
        else:
            break
    return index


def unescape_iri(iri: str) -> str:
    """An IRI with its \\u and \\U escapes decoded, as the engine reads it."""
    if "\\" not in iri:  # most IRIs: every PREFIX line of every request is read through here
        return iri
    return _ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), iri)


_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


# A string's escapes as SPARQL reads them (UCHAR, ECHAR), or a backslash that starts none.
_STRING_ESCAPE = re.compile(r"""\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|[tbnrf"'\\]|([uU]|.))""", re.S)


def bad_escape(string: str) -> tuple[int, str] | None:
    """The offset in a string or IRI token (quotes or brackets included) of its first escape that names no
    character, and what is wrong with it, in words; None if it has none. (The engine says only where its
    parser gave up.)"""
    for found in _STRING_ESCAPE.finditer(string):
        four, eight, other = found.groups()
        written = found.group(0)
        if other in ("u", "U"):
            digits = "four" if other == "u" else "eight"
            return found.start(), f"\\{other} takes {digits} hexadecimal digits, as \\u00E9 or \\U0001F600."
        if other is not None:
            return found.start(), (f"{written} is no escape: a string's escapes are \\t \\b \\n \\r \\f \\\" \\' "
                                   "\\\\ \\uHHHH and \\UHHHHHHHH (a backslash itself is \\\\).")
        code = int(four or eight or "0", 16)
        if 0xD800 <= code <= 0xDFFF:
            return found.start(), (f"{written} is half of a UTF-16 pair, which is no character: write the "
                                   "character itself, or \\U and its eight digits.")
        if code > 0x10FFFF:
            return found.start(), f"{written} is past \\U0010FFFF, the last character."
    return None


def unclosed_long_string(tokens) -> tuple[str, int] | None:
    """The quotes and start of a long string (\"\"\" or \'\'\') that `tokens` (significant()'s) open and never
    close: the lexer reads its opening as an empty string touching a lone quote. None if there is none."""
    for (kind, value, start, end), following in zip(tokens, tokens[1:]):
        if kind == "string" and value in ('""', "''") and following[:3] == ("other", value[0], end):
            return value[0] * 3, start
    return None


def is_iri(text: str) -> bool:
    """Whether `text` is an absolute IRI as the store (pyoxigraph) reads one."""
    import pyoxigraph  # here: the lexer itself needs no engine

    try:
        pyoxigraph.NamedNode(text)
    except ValueError:
        return False
    return True
