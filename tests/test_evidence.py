"""A quote shown in its sentence; the article cut into segments that know the claims covering them."""

from api.evidence import in_sentence, paragraphs

TEXT = "Title line\n\nFirst sentence here. The U.S. keeps ties with Mali, says Bamako. Last one?\n\nNext paragraph."


def test_a_quote_is_shown_in_its_whole_sentence():
    start = TEXT.index("ties with")
    shown = in_sentence(TEXT, start, start + len("ties with Mali"))
    assert (shown.before, shown.quote, shown.after) == ("The U.S. keeps ", "ties with Mali", ", says Bamako.")


def test_a_sentence_stops_at_a_line_break():
    shown = in_sentence(TEXT, 0, 5)
    assert shown.before == "" and shown.after == " line"


def test_overlapping_and_nested_spans_cut_segments_that_name_every_covering_claim():
    a = (TEXT.index("The U.S."), TEXT.index("Mali") + 4)
    b = (TEXT.index("keeps"), TEXT.index("says Bamako."))
    c = (TEXT.index("ties"), TEXT.index("ties") + 4)
    found = paragraphs(TEXT, {"a": a, "b": b, "c": c})
    assert [("".join(segment.text for segment in paragraph)) for paragraph in found] == \
        ["Title line", "First sentence here. The U.S. keeps ties with Mali, says Bamako. Last one?", "Next paragraph."]
    covering = {segment.text: segment.claims for segment in found[1]}
    assert covering["The U.S. "] == ("a",)
    assert covering["ties"] == ("c", "b", "a")  # innermost first
    assert covering[", "] == ("b",)
    assert covering["First sentence here. "] == ()


def test_the_article_is_split_into_sentences_once_for_every_quote_in_it(monkeypatch):
    """An entity page shows each claim's quote in its sentence: splitting the article anew for each (pysbd,
    13 times on Mali's page) took 180 ms of its 190."""
    import pysbd

    from kg.article import _sentences, blocks, sentences

    _sentences.cache_clear()  # a test run earlier in this process may have split this text
    text = TEXT + "\n\nA line of its own, new to this test."
    split, segment = [], pysbd.Segmenter.segment
    monkeypatch.setattr(pysbd.Segmenter, "segment", lambda self, part: split.append(part) or segment(self, part))
    first = sentences(text)
    quotes = [in_sentence(text, text.index(word), text.index(word) + 4) for word in ("ties", "Next", "line")]
    assert len(split) == len(blocks(text)) == 4  # one call per line, for the first split only
    assert [quote.quote for quote in quotes] == ["ties", "Next", "line"]
    first.append((0, 1))  # a caller's own list: the next caller gets the split as it was
    assert sentences(text) == first[:-1]
