"""How a claim's quote is shown: in its sentence, and in the article with every claimed span marked.

Offsets are 0-based and end-exclusive in Unicode code points, as the claims' position selectors give
them (Python string indices are code points too).
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.article import blocks, sentences


@dataclass(frozen=True)
class InSentence:
    """A quote inside its sentence: the text before it, the quote, the text after it."""

    before: str
    quote: str
    after: str


def in_sentence(text: str, start: int, end: int) -> InSentence:
    """The sentence(s) around text[start:end], as kg.article splits the text into sentences."""
    start, end = max(0, start), min(len(text), end)
    around = [(low, high) for low, high in sentences(text) if low < max(end, start + 1) and high > start]
    opening = min([start] + [low for low, _ in around])
    closing = max([end] + [high for _, high in around])
    return InSentence(text[opening:start], text[start:end], text[end:closing].rstrip())


@dataclass(frozen=True)
class Segment:
    """A stretch of the article and the claims whose quotes cover all of it (innermost first)."""

    text: str
    claims: tuple[str, ...]


def paragraphs(text: str, spans: dict[str, tuple[int, int]]) -> list[list[Segment]]:
    """The text's lines as paragraphs of segments; a segment ends wherever a claimed span starts or ends.

    Overlapping and nested spans stay readable: each segment knows every claim covering it, listed
    from the shortest span to the longest, so the innermost claim is the one a link goes to.
    """
    result = []
    for low, high in blocks(text):
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
