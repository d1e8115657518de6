"""Inputs that end never or late, or hold an endless line: kg load stops with one line, never hangs or runs out."""

from __future__ import annotations

import io

import pytest

from kg.errors import ParseError
from kg.untrusted import character_column, undecodable

ENOUGH = 1 << 20  # far past any line end the search for a place needs, far below what a gzip bomb gives


class _Zeros(io.RawIOBase):
    """Endless NUL bytes after `head`, as a gzip of zeros gives; reading past ENOUGH fails the test."""

    def __init__(self, head: bytes = b""):
        self.head, self.given = head, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        assert self.given < ENOUGH, "read on along an endless line"
        data = (self.head + bytes(len(buffer)))[:len(buffer)]
        self.head = self.head[len(data):]
        buffer[:len(data)] = data
        self.given += len(data)
        return len(data)


@pytest.mark.parametrize("place, said", [
    (lambda reader: undecodable(ParseError("Invalid UTF-8 here", line=1, column=4), reader),
     "1:4: not UTF-8: byte 0xff cannot be decoded"),
    (lambda reader: character_column(ParseError("Unexpected char", line=1, column=5), reader), "1:3: Unexpected char"),
], ids=["undecodable", "character column"])
def test_the_place_of_a_fault_on_an_endless_line_is_found_reading_a_little(place, said):
    """kg load of a gzip of 10 GB of zeros as JSON-LD read the whole line anew, in memory, to count its characters
    (2 GB of memory for 1 GB of zeros): only the bytes up to the fault are read now."""
    assert str(place(io.BufferedReader(_Zeros("伦".encode() + b"\xff")))) == said
