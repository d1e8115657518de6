"""Places in a query's text as a person's editor shows them: line and column.

The engine (and so this project's lexer, which must agree with it) counts lines at LF alone, so a text whose
lines end at CR alone (an old Mac editor, some terminals' pastes) is all one line to it. SPARQL's grammar
ends a line (a comment, its white space) at CR or LF, and editors end one at CR, LF or CRLF: the line and
column told to a person count each of those as one line end.
"""

from __future__ import annotations

import re

_LINE_END = re.compile(r"\r\n|\r|\n")
_BYTE_LINE_END = re.compile(rb"\r\n|\r|\n")


def offset_at(text: str, line: int, column: int | None) -> int:
    """The offset in `text` of a 1-based line and column counted as the engine counts them (lines at LF)."""
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            break
        start = found + 1
    return start + (column or 1) - 1


def place(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset` in `text`, a line ending at CR, LF or CRLF."""
    line, start = 1, 0
    for found in _LINE_END.finditer(text, 0, offset):
        line, start = line + 1, found.end()
    return line, offset - start + 1


def line_around(text: str, at: int) -> str:
    """The line of `text` that holds offset `at`, without its end (CR, LF or CRLF)."""
    first = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    last = _LINE_END.search(text, at)
    return text[first:last.start() if last else len(text)]


def line_pieces(reader, number: int, size: int = 1 << 16):
    """The bytes of line `number` (1-based) of a binary reader, in pieces of at most `size` bytes, a line ending at
    CR, LF or CRLF: read `size` bytes at a time, so a line of gigabytes (a gzip of zeros) is never held whole."""
    line, after_cr = 1, False
    while chunk := reader.read(size):
        start = 1 if after_cr and chunk.startswith(b"\n") else 0  # the LF of a CRLF split between two reads
        for end in _BYTE_LINE_END.finditer(chunk, start):
            if line == number:
                yield chunk[start:end.start()]
                return
            line, start = line + 1, end.end()
        after_cr = chunk.endswith(b"\r")
        if line == number and start < len(chunk):
            yield chunk[start:]
