"""The source document: its verbatim text, checksum, and the sentences offsets point into."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path


@dataclass(frozen=True)
class Article:
    """A source document kept verbatim; offsets into `text` are 0-based Unicode code points."""

    id: str
    title: str
    text: str
    language: str
    published_not_before: date | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def span(self, start: int, end: int) -> str:
        """The text between two offsets (end-exclusive)."""
        return self.text[start:end]


def read_text(path: Path) -> str:
    """Read a text file exactly: no newline translation, no stripping."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


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
