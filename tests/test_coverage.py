"""The claims cover the article: every sentence that is not a heading lies mostly inside claim spans,
and every span lies inside the article and inside one of its lines."""

from __future__ import annotations

import pytest

import yaml

from build_fixtures import ARTICLE_TEXT, SECOND_ARTICLE_FILE, SECOND_CLAIMS_FILE, SHIPPED_CLAIMS
from kg.article import blocks, is_heading, read_text, sentences

MIN_COVERED = 0.6
SPANS = [(claim["start"], claim["end"]) for claim in SHIPPED_CLAIMS]
CLAIM_IDS = [claim["id"] for claim in SHIPPED_CLAIMS]


def covered_share(start: int, end: int, spans=SPANS, text: str = ARTICLE_TEXT) -> float:
    """The share of the sentence's non-space characters that lie inside some claim's span."""
    positions = [i for i in range(start, end) if not text[i].isspace()]
    inside = [i for i in positions if any(s <= i < e for s, e in spans)]
    return len(inside) / len(positions)


def body(text: str) -> list[tuple[int, int]]:
    return [(start, end) for start, end in sentences(text) if not is_heading(text, start, end)]


BODY = body(ARTICLE_TEXT)


def test_the_article_splits_into_headings_and_sentences():
    headings = [ARTICLE_TEXT[s:e] for s, e in sentences(ARTICLE_TEXT) if is_heading(ARTICLE_TEXT, s, e)]
    assert headings == ["Why the U.S. Keeps Quiet Ties with Sahel Militaries ?",
                        "A New Regional Security Architecture", "Geopolitical Complexity", "Looking Ahead",
                        "Related"]
    assert len(BODY) == len(sentences(ARTICLE_TEXT)) - len(headings)


def test_every_sentence_is_mostly_covered_by_claims():
    uncovered = [f"{covered_share(s, e):.0%} {ARTICLE_TEXT[s:e]!r}" for s, e in BODY
                 if covered_share(s, e) < MIN_COVERED]
    assert not uncovered, "sentences under 60% covered:\n" + "\n".join(uncovered)


def test_every_sentence_of_the_second_article_is_mostly_covered_by_its_claims():
    text = read_text(SECOND_ARTICLE_FILE)
    spans = [(claim["start"], claim["end"]) for claim in
             yaml.safe_load(SECOND_CLAIMS_FILE.read_text(encoding="utf-8"))["claims"]]
    assert len(body(text)) == 4
    assert [covered_share(s, e, spans, text) for s, e in body(text)] == [1.0] * 4


def test_the_measure_notices_an_uncovered_sentence():
    """Without the one claim that quotes it, a sentence is not covered at all."""
    sentence = "The region has become a focus of competing global influence."
    start = ARTICLE_TEXT.index(sentence)
    assert (start, start + len(sentence)) in BODY
    others = [span for span, claim_id in zip(SPANS, CLAIM_IDS) if claim_id != "competing-influence"]
    assert covered_share(start, start + len(sentence)) == 1
    assert covered_share(start, start + len(sentence), others) == 0


@pytest.mark.parametrize("span", SPANS, ids=CLAIM_IDS)
def test_each_claim_span_is_inside_the_article(span):
    start, end = span
    assert 0 <= start < end <= len(ARTICLE_TEXT)


@pytest.mark.parametrize("span", SPANS, ids=CLAIM_IDS)
def test_each_claim_quote_is_inside_one_line(span):
    start, end = span
    assert any(line_start <= start and end <= line_end for line_start, line_end in blocks(ARTICLE_TEXT))
    assert "\n" not in ARTICLE_TEXT[start:end]
