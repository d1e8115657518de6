"""The source document: its verbatim text, checksum, and the sentences offsets point into."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
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
    return list(_sentences(text, language))


@lru_cache(maxsize=16)  # an entity page asks for the article's sentences once per claim: 13 splits, 180 ms
def _sentences(text: str, language: str) -> tuple[tuple[int, int], ...]:
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
    return tuple(spans)


def is_heading(text: str, start: int, end: int) -> bool:
    """The title (see `title_span`), or a short line set apart with no final punctuation."""
    if (start, end) == title_span(text):
        return True
    part = text[start:end]
    return _set_apart(text, start, end) and len(part.split()) <= HEADING_MAX_WORDS and \
        part.rstrip()[-1] not in ".!?:;,\u201d\"'"


# Small words a headline leaves in lower case ("Why the U.S. Keeps Quiet Ties with Sahel Militaries ?").
_SMALL_WORDS = frozenset("a an and as at but by for from in into nor of on or over the to via vs with".split())


def title_span(text: str) -> tuple[int, int] | None:
    """The offsets of the title: the first line, if it is one sentence set apart from the body by a blank
    line and does not end as a sentence does ('.', ',', ':', ';', a closing quote; '?' or '!' only in a
    headline's capitals). None if the first line is a run of sentences, which all need entries."""
    lines = blocks(text)
    if len(lines) < 2 or not _set_apart(text, *lines[0]):
        return None
    start, end = lines[0]
    end = start + len(text[start:end].rstrip())
    if sentences(text[:end]) != [(start, end)]:
        return None  # more than one sentence
    last = text[end - 1]
    if last in ".:;,\u201d\"'" or last in "?!" and not _headline_case(text[start:end]):
        return None
    return start, end


def _headline_case(line: str) -> bool:
    """Every word but the small ones begins with a capital (or is no word)."""
    return all(not word[0].isalpha() or word[0].isupper() for word in line.split()
               if word.lower() not in _SMALL_WORDS)


def _set_apart(text: str, start: int, end: int) -> bool:
    """The span is a whole line with a blank line (or the text's start or end) before and after it."""
    before, after = text[:start], text[end:]
    return (not before.strip() or bool(re.search(r"\n[ \t\r]*\n[ \t\r]*$", before))) and \
        (not after.strip() or bool(re.match(r"[ \t\r]*\n[ \t\r]*\n", after)))
