"""The charset a request body's Content-Type names, read as RFC 9110 §5.6.6 writes parameters: only UTF-8 is read.

Werkzeug drops a parameter it cannot read (`charset=`, `charset= latin1`) as if it were not there, and the body
would then be read as UTF-8 without a word; here such a charset, and one that names nothing (`charset=""`), is 400.
"""

from __future__ import annotations

import re

from flask import request

from api.errors import Problem

# US-ASCII text is UTF-8 text as it is (RFC 3629): such a label is taken for a body that holds ASCII only.
ASCII_LABELS = ("us-ascii", "ascii", "iso646-us", "ansi-x3.4-1968")
UTF8_LABELS = ("utf-8", "utf8")
# One parameter (or the media type before them): quoted strings whole, so a ';' inside one splits nothing.
_PIECE = re.compile(r'(?:[^;"]|"(?:[^"\\]|\\.)*(?:"|$))*')
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')


def checked_body() -> bytes:
    """The request's body, once its Content-Type's charset is checked (check_charset)."""
    check_charset(request.content_type, request.get_data())
    return request.get_data()


def check_charset(content_type: str | None, data: bytes, sent_in: str = "the request body", **extra) -> None:
    """400 for a body whose Content-Type (`content_type`, as sent) names a charset other than UTF-8 (all that is
    read: Latin-1 read as UTF-8 would be other characters without a word), or one malformed or empty."""
    given = body_charset(content_type, sent_in, **extra)
    charset = (given or "utf-8").lower().replace("_", "-")
    if charset not in UTF8_LABELS and not (charset in ASCII_LABELS and data.isascii()):
        raise Problem(400, "Not UTF-8", f"{sent_in} must be UTF-8, not {given}", **extra)


def body_charset(content_type: str | None, sent_in: str = "the request body", **extra) -> str | None:
    """The charset `content_type` names, unquoted; None where it names none. 400, naming the parameter, for one
    with no value, an empty one, one with space around its '=' (which RFC 9110 allows none of), or two that differ."""
    found: list[str] = []
    for piece in _pieces(content_type or "")[1:]:
        name, equals, value = piece.partition("=")
        if name.strip().lower() != "charset":
            continue
        if not equals or not value or name != name.rstrip(" \t") or value != value.lstrip(" \t"):
            raise _bad(f"is written {piece.strip()!r}, which RFC 9110 does not allow: write charset=utf-8, with no "
                       "space around '=', or leave the parameter out", sent_in, extra)
        value = value.rstrip(" \t")
        quoted = _QUOTED.fullmatch(value)
        if quoted is None and not _TOKEN.fullmatch(value):
            raise _bad(f"is written {piece.strip()!r}: its value is neither a token nor a quoted string",
                       sent_in, extra)
        charset = re.sub(r"\\(.)", r"\1", quoted.group(1)) if quoted else value
        if not charset.strip():
            raise _bad("is empty, which names no character encoding: write charset=utf-8, or leave the parameter "
                       "out", sent_in, extra)
        if found and charset.lower() != found[0].lower():
            raise _bad(f"is given twice, as {found[0]!r} and {charset!r}: give one", sent_in, extra)
        found.append(charset)
    return found[0] if found else None


def _pieces(header: str) -> list[str]:
    """The media type and each parameter of a Content-Type header, split at the semicolons outside quotes."""
    pieces, at = [], 0
    while at <= len(header):
        piece = _PIECE.match(header, at)
        pieces.append(piece.group())
        at = piece.end() + 1  # past the ';' (or a stray '"', an unclosed string's trailing backslash)
    return pieces


def _bad(what: str, sent_in: str, extra: dict) -> Problem:
    where = "" if sent_in == "the request body" else f" of {sent_in}"
    return Problem(400, "Bad charset", f"the charset parameter of the Content-Type{where} {what}",
                   parameter="charset", **extra)
