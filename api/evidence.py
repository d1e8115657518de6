"""How a claim's quote is shown: in its sentence, and in the article with every claimed span marked.

Offsets are 0-based and end-exclusive in Unicode code points, as the claims' position selectors give
them (Python string indices are code points too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A sentence ends at . ? ! or … (and closing quotes) before a space and a capital, a digit or an
# opening quote, or at a line break; "U.S. programs" goes on.
_SENTENCE_END = re.compile(r"[.?!…][”’\"')\]]*\s+(?=[A-Z“\"‘(\d])|\n")


@dataclass(frozen=True)
class InSentence:
    """A quote inside its sentence: the text before it, the quote, the text after it."""

    before: str
    quote: str
    after: str


def in_sentence(text: str, start: int, end: int) -> InSentence:
    """The sentence(s) around text[start:end], cut at sentence ends and line breaks."""
    start, end = max(0, start), min(len(text), end)
    opening = 0
    for found in _SENTENCE_END.finditer(text, 0, start):
        opening = found.end()
    closing = _SENTENCE_END.search(text, max(end, start + 1) - 1 if end > start else end)
    stop = len(text) if closing is None else max(end, closing.start() + len(closing.group().rstrip()))

    return InSentence(text[opening:start].lstrip(), text[start:end], text[end:stop].rstrip())


@dataclass(frozen=True)
class Segment:
    """A stretch of the article and the claims whose quotes cover all of it (innermost first)."""

    text: str
    claims: tuple[str, ...]


def paragraphs(text: str, spans: dict[str, tuple[int, int]]) -> list[list[Segment]]:
    """The text as paragraphs of segments; a segment ends wherever any claimed span starts or ends.

    Overlapping and nested spans stay readable: each segment knows every claim covering it, listed
    from the shortest span to the longest, so the innermost claim is the one a link goes to.
    """
    result = []
    for found in re.finditer(r"\S(?:.|\n(?!\s*\n))*", text):
        low, high = found.start(), found.end()
        cuts = {low, high}
        for start, end in spans.values():
            cuts.update(point for point in (start, end) if low < point < high)
        points = sorted(cuts)
        segments = []
        for left, right in zip(points, points[1:]):
            covering = [claim for claim, (start, end) in spans.items() if start <= left and right <= end]
            covering.sort(key=lambda claim: spans[claim][1] - spans[claim][0])
            segments.append(Segment(text[left:right], tuple(covering)))
        result.append(segments)
    return result
