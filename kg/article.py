"""The source document: its verbatim text, checksum, and the sentences offsets point into."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kg.errors import ClaimError


@dataclass(frozen=True)
class Article:
    """A source document kept verbatim; offsets into `text` are 0-based Unicode code points."""

    id: str
    title: str
    text: str
    language: str
    published_not_before: date | None = None
    published: date | None = None  # None: the publication date is unknown

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def span(self, start: int, end: int) -> str:
        """The text between two offsets (end-exclusive)."""
        return self.text[start:end]


def read_text(path: Path) -> str:
    """Read a UTF-8 text file exactly: no newline translation, no stripping; ClaimError if not UTF-8."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        column = len(data[line_start:error.start].decode("utf-8")) + 1  # the bytes before are valid
        raise ClaimError(f"not UTF-8: byte 0x{data[error.start]:02x} cannot be decoded", path=str(path),
                         line=data.count(b"\n", 0, error.start) + 1, column=column) from None


_SENTENCE_END = re.compile(r"(?<=[.!?])[”\"']?(?=\s)")
_INITIALISM = re.compile(r"\b(?:[A-Z]\.)+$")  # "U.S." ends no sentence


def blocks(text: str) -> list[tuple[int, int]]:
    """The offsets of the text's non-empty lines (paragraphs and headings)."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def sentences(text: str) -> list[tuple[int, int]]:
    """Split each line of the text into sentences; returns (start, end) offsets."""
    spans = []
    for start, end in blocks(text):
        cursor = start
        for match in _SENTENCE_END.finditer(text, start, end):
            if _INITIALISM.search(text, start, match.end()):
                continue
            spans.append((cursor, match.end()))
            cursor = match.end()
            while cursor < end and text[cursor].isspace():
                cursor += 1
        if cursor < end:
            spans.append((cursor, end))
    return spans
