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
    published_not_after: date | None = None

    @property
    def earliest(self) -> date | None:
        """The earliest date the article can have been published (its date, if known)."""
        return self.published or self.published_not_before

    @property
    def latest(self) -> date | None:
        """The latest date the article can have been published (its date, if known)."""
        return self.published or self.published_not_after

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


HEADING_MAX_WORDS = 5


def blocks(text: str) -> list[tuple[int, int]]:
    """The offsets of the text's non-empty lines (paragraphs and headings)."""
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def sentences(text: str, language: str = "en") -> list[tuple[int, int]]:
    """Split each line of the text into sentences with pysbd (a rule-based sentence boundary detector);
    returns (start, end) offsets, trailing spaces left out."""
    import pysbd

    segmenter = pysbd.Segmenter(language=language, clean=False, char_span=True)
    spans = []
    for start, end in blocks(text):
        for span in segmenter.segment(text[start:end]):
            first, last = start + span.start, start + span.end
            while last > first and text[last - 1].isspace():
                last -= 1
            if last > first:
                spans.append((first, last))
    return spans


def is_heading(text: str, start: int, end: int) -> bool:
    """The title (the first line), or a short line with no final punctuation."""
    lines = blocks(text)
    if lines and start == lines[0][0]:
        return True
    part = text[start:end]
    return (start, end) in lines and len(part.split()) <= HEADING_MAX_WORDS and \
        part.rstrip()[-1] not in ".!?:;,\u201d\"'"
