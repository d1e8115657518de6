"""kg.claims: the shipped claims file loads, and every problem in a claims file is a ClaimError that
names the file and the 1-based line to look at, with a one-line message."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from rdflib import Graph

from build_fixtures import (ARTICLE_TEXT, CLAIMS_TEXT, broken_claims, claim_block, copy_inputs, line_of,
                            replace_once)
from kg import paths
from kg.claim_triples import _line_of
from kg.claims import load_claims
from kg.errors import ClaimError

ONTOLOGY = Graph().parse(paths.ONTOLOGY_FILE, format="turtle")


def load(path):
    return load_claims(path, ontology=ONTOLOGY)


def load_error(path) -> ClaimError:
    with pytest.raises(ClaimError) as caught:
        load(path)
    return caught.value


def assert_plain(error: ClaimError, path, line: int, *fragments: str, column: int | None = None):
    """The error names the file and line (and column), and its message is one readable line."""
    assert (error.path, error.line, error.column) == (str(path), line, column), str(error)
    assert "\n" not in error.message and error.message.strip() == error.message
    for fragment in fragments:
        assert fragment in error.message
    where = f"{path}:{line}" + (f":{column}" if column else "")
    assert str(error) == f"{where}: {error.message}"


# --- the shipped file -------------------------------------------------------------------------

def test_the_shipped_claims_file_loads():
    claim_set = load(paths.CLAIMS_FILE)
    assert len(claim_set.claims) >= 32
    assert len({claim.id for claim in claim_set.claims}) == len(claim_set.claims)
    assert claim_set.article.text == ARTICLE_TEXT
    for claim in claim_set.claims:
        assert claim.quote == ARTICLE_TEXT[claim.start:claim.end], claim.id
        assert len(claim.triples) > 0, claim.id
        assert CLAIMS_TEXT.splitlines()[claim.line - 1] == f"  - id: {claim.id}"


def test_a_copy_of_the_shipped_files_loads(tmp_path):
    """The baseline for the broken copies below: copying alone breaks nothing."""
    assert len(load(copy_inputs(tmp_path)).claims) == len(load(paths.CLAIMS_FILE).claims)


# --- one string replaced in a copy: the error and the line it points at -----------------------

@dataclass(frozen=True)
class Broken:
    old: str
    new: str
    at: str  # the error's line is the first line of this text in the broken file (in `claim`)
    message: tuple[str, ...]
    claim: str | None = "aes-formed-2023"


REQUIRED_KEYS = ("quote", "start", "end", "claimer", "modality", "valid", "triples")
TEXT_LENGTH = len(ARTICLE_TEXT)

BROKEN = {
    "quote shifted": Broken(
        "start: 448\n    end: 471", "start: 449\n    end: 472", "quote:",
        ("claim aes-formed-2023: quote is not verbatim at 449..472", "'he AES, formed in 2023,'",
         "the quote occurs at 448..471")),
    "quote not in the article": Broken(
        "quote: The AES, formed in 2023", "quote: The AES, founded in 2023", "quote:",
        ("quote is not verbatim at 448..471", "does not occur anywhere in the article")),
    "end past the text": Broken(
        "end: 471", "end: 99999", "start:", (f"start/end must be offsets with 0 <= start < end <= {TEXT_LENGTH}",)),
    "start after end": Broken("start: 448", "start: 480", "start:", ("0 <= start < end",)),
    "negative start": Broken("start: 448", "start: -1", "start:", ("0 <= start < end",)),
    "start a boolean": Broken("start: 448", "start: true", "start:", ("0 <= start < end",)),  # true == 1
    "quote a boolean": Broken("quote: The AES, formed in 2023\n", "quote: yes\n", "quote:",
                              ("quote must be text",)),
    "end not a number": Broken("end: 471", "end: late", "start:", ("0 <= start < end",)),
    **{f"missing {key}": Broken(f"    {key}: ", f"    {key}_: ", "  - id: aes-formed-2023",
                                (f"claim is missing '{key}'",)) for key in REQUIRED_KEYS},
    "missing id": Broken("  - id: aes-formed-2023\n", "  - name: aes-formed-2023\n", "  - name: aes-formed-2023",
                         ("claim is missing 'id'",), claim=None),
    "unknown claimer": Broken("claimer: article-voice", "claimer: pundits", "claimer:",
                              ("claimer 'pundits' is not one of the declared claimers: analysts, article-voice",)),
    "unknown modality": Broken("modality: asserted", "modality: rumoured", "modality:",
                               ("modality 'rumoured' is not one of the declared modalities",)),
    "unknown valid time": Broken("valid: year-2023", "valid: year-2022", "valid:",
                                 ("valid 'year-2022' is not one of the declared times",)),
    "claimer a list": Broken("claimer: article-voice", "claimer: [article-voice]", "claimer:",
                             ("claimer ['article-voice'] is not one of the declared claimers",)),
    "unknown certainty": Broken("certainty: likely", "certainty: certain", "certainty:",
                                ("certainty 'certain' is not one of the declared certainties",),
                                claim="forecast-us-approach"),
    "duplicate id": Broken("  - id: aes-autonomy-push\n", "  - id: aes-formed-2023\n",
                           "  - id: aes-formed-2023\n    quote: The AES, formed in 2023, reflects",
                           ("claim id 'aes-formed-2023' is used twice",), claim=None),
    "undefined property": Broken("sahel:founded sk:aes", "sahel:foundedBy sk:aes", "sahel:foundedBy",
                                 ("claim aes-formed-2023: property sahel:foundedBy is not defined by the ontology",)),
    "undefined class": Broken("a sahel:Founding", "a sahel:Foundation", "sahel:Foundation",
                              ("class sahel:Foundation is not defined by the ontology",)),
    "undefined term": Broken("sahel:mission sahel:CrossBorderCounterInsurgency", "sahel:mission sahel:SelfReliance",
                             "sahel:SelfReliance", ("term sahel:SelfReliance is not defined by the ontology",),
                             claim="joint-force-mission"),
    "undefined term in another vocabulary": Broken(
        "sk:aes a sahel:Alliance .", "sk:aes a sahel:Alliance ; owl:sameAs wd:Q0 .", "wd:Q0",
        ("term wd:Q0 is not defined by the ontology",)),
    "undefined term in one-line triples": Broken(
        "triples: |\n      sk:aes-joint-force sahel:mission sahel:CrossBorderCounterInsurgency .\n",
        "triples: sk:aes-joint-force sahel:mission sahel:SelfReliance .\n", "triples:",
        ("term sahel:SelfReliance is not defined by the ontology",), claim="joint-force-mission"),
    "one-line triples without a final full stop": Broken(
        "triples: |\n      sk:aes-joint-force sahel:mission sahel:CrossBorderCounterInsurgency .\n",
        "triples: sk:aes-joint-force sahel:mission sahel:CrossBorderCounterInsurgency\n", "triples:",
        ("claim joint-force-mission: triples are not valid Turtle: EOF found after object",),
        claim="joint-force-mission"),
    "empty triples": Broken("      sk:aes-joint-force sahel:mission sahel:CrossBorderCounterInsurgency .\n",
                            "      # to do\n", "triples:", ("claim joint-force-mission: triples are empty",),
                            claim="joint-force-mission"),
    "empty triples string": Broken(
        "triples: |\n      sk:aes-joint-force sahel:mission sahel:CrossBorderCounterInsurgency .\n",
        "triples: ''\n", "triples:", ("triples are empty",), claim="joint-force-mission"),
    "article file not found": Broken("file: us-sahel-quiet-ties.txt", "file: missing.txt", "file:",
                                     ("article file 'missing.txt' not found beside the claims file",), claim=None),
    "article file a number": Broken("file: us-sahel-quiet-ties.txt", "file: 2023", "file:",
                                    ("article: file must be a file name; put it in quotes",), claim=None),
    "article without title": Broken("  title: Why", "  headline: Why", "  id: us-sahel-quiet-ties",
                                    ("article: missing 'title'",), claim=None),
    "publication bound not a date": Broken(
        "published_not_before: 2025-09-01", "published_not_before: late 2025", "published_not_before:",
        ("published_not_before must be a date",), claim=None),
    **{f"publication date {kind}": Broken("published: unknown\n", f"published: {value}\n", "published:",
                                          ("article: published must be a date (YYYY-MM-DD) or 'unknown'",), claim=None)
       for kind, value in (("a word", "soon"), ("empty", ""), ("with a time", "2025-10-03T09:00:00Z"))},
    "publication date before its lower bound": Broken(
        "published: unknown", "published: 2025-08-31", "published:",
        ("article: published 2025-08-31 is before published_not_before 2025-09-01",), claim=None),
}


@pytest.mark.parametrize("case", BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_claims_file_names_the_file_and_line(tmp_path, case):
    claims_file = broken_claims(tmp_path, case.old, case.new, claim=case.claim)
    broken_text = claims_file.read_text(encoding="utf-8")
    line = line_of(broken_text, case.at, claim=None if case.claim is None else case.claim)
    assert_plain(load_error(claims_file), claims_file, line, *case.message)


def test_the_article_file_is_missing(tmp_path):
    claims_file = copy_inputs(tmp_path)
    (tmp_path / "us-sahel-quiet-ties.txt").unlink()
    assert_plain(load_error(claims_file), claims_file, line_of(CLAIMS_TEXT, "  file: us-sahel-quiet-ties.txt"),
                 "article file 'us-sahel-quiet-ties.txt' not found beside the claims file")


def test_invalid_yaml_gives_line_and_column(tmp_path):
    claims_file = broken_claims(tmp_path, "    claimer: article-voice\n", "    claimer: article-voice: yes\n",
                                claim="aes-formed-2023")
    text = claims_file.read_text(encoding="utf-8")
    line = line_of(text, "article-voice: yes")
    column = text.splitlines()[line - 1].index(": yes") + 1
    assert_plain(load_error(claims_file), claims_file, line, "not valid YAML: mapping values are not allowed here",
                 column=column)


def test_a_document_that_is_not_a_mapping(tmp_path):
    claims_file = copy_inputs(tmp_path, "- just\n- a list\n")
    assert_plain(load_error(claims_file), claims_file, 1, "must be a mapping with 'article' and 'claims'")


def test_an_empty_claims_list(tmp_path):
    claims_file = copy_inputs(tmp_path, CLAIMS_TEXT[:CLAIMS_TEXT.index("claims:\n")] + "claims: []\n")
    assert load_error(claims_file).message == "'claims' must be a non-empty list"


# --- bad Turtle: the line points into the claim's triples block -------------------------------

TURTLE_CLAIM = "aes-formed-2023"
BAD_TURTLE = {  # the bad text replaces `old`; the problem is on the line holding `new`
    "double comma": ("a sahel:Founding ;", "a sahel:Founding ,, ;"),
    "missing object": ("sahel:founded sk:aes ;", "sahel:founded ;"),
    "unterminated string": ("sahel:occurredDuring sk:year-2023 .", 'sahel:occurredDuring "2023 .'),
    "undeclared prefix": ("sk:aes a sahel:Alliance .", "sk:aes a un:Alliance ."),
}


def turtle_error(tmp_path, old, new):
    claims_file = broken_claims(tmp_path, old, new, claim=TURTLE_CLAIM)
    text = claims_file.read_text(encoding="utf-8")
    bad_line = line_of(text, new, claim=TURTLE_CLAIM)
    key_line = line_of(text, "triples:", claim=TURTLE_CLAIM)
    last_line = text.count("\n", 0, claim_block(text, TURTLE_CLAIM)[1])
    return claims_file, load_error(claims_file), bad_line, range(key_line, last_line + 1)


TURTLE_AT_THE_END = {  # rdflib notices only at the end of the text, past the block's last line
    "missing final full stop": ("sahel:occurredDuring sk:year-2023 .", "sahel:occurredDuring sk:year-2023"),
}


@pytest.mark.parametrize("old, new", [*BAD_TURTLE.values(), *TURTLE_AT_THE_END.values()],
                         ids=[*BAD_TURTLE, *TURTLE_AT_THE_END])
def test_bad_turtle_points_at_the_bad_line(tmp_path, old, new):
    """rdflib counts lines from 0; at the end of the text the line is the block's last."""
    claims_file, error, bad_line, block = turtle_error(tmp_path, old, new)
    assert error.path == str(claims_file)
    assert error.message.startswith(f"claim {TURTLE_CLAIM}: triples are not valid Turtle: ")
    assert error.line == bad_line
    assert error.line in block


@pytest.mark.parametrize("name, why", [("double comma", "objectList expected"),
                                       ("undeclared prefix", 'Prefix "un:" not bound')])
def test_bad_turtle_message_is_plain(tmp_path, name, why):
    """rdflib's reason alone, without its dump of the text around the error."""
    claims_file, error, bad_line, _ = turtle_error(tmp_path, *BAD_TURTLE[name])
    assert_plain(error, claims_file, bad_line, f"claim {TURTLE_CLAIM}: triples are not valid Turtle: {why}")
    assert "b'" not in error.message and "@prefix" not in error.message


def test_an_undefined_term_that_prefixes_a_defined_one_points_at_its_own_line(tmp_path):
    """'sahel:Found' is not found inside 'sahel:Founding' on the line above."""
    claims_file = broken_claims(tmp_path, "sahel:founded sk:aes", "sahel:Found sk:aes", claim="aes-formed-2023")
    line = line_of(claims_file.read_text(encoding="utf-8"), "sahel:Found sk:aes")
    assert_plain(load_error(claims_file), claims_file, line, "property sahel:Found is not defined by the ontology")


def test_an_undefined_term_is_found_as_a_whole_name():
    """Names end before a final '.', go on through '-', ':' and an inner '.'."""
    turtle = ("sk:a sahel:Found-ing sk:b .\nsk:a sahel:Found:x sk:b .\nsk:a sahel:Found.x sk:b .\n"
              "xsahel:Found sk:b .\nsk:a a sahel:Found.\n")
    assert _line_of(turtle, "sahel:Found") == 5
    assert _line_of(turtle, "sahel:Lost") == 1


def test_a_quote_that_is_not_text(tmp_path):
    """YAML reads `quote: 2023` as a number."""
    claims_file = broken_claims(tmp_path, "quote: The AES, formed in 2023\n", "quote: 2023\n",
                                claim="aes-formed-2023")
    assert_plain(load_error(claims_file), claims_file, line_of(CLAIMS_TEXT, "quote:", claim="aes-formed-2023"),
                 "claim aes-formed-2023: quote must be text; put it in quotes")


def test_a_claim_that_is_not_a_mapping(tmp_path):
    claims_file = broken_claims(tmp_path, "claims:\n", "claims:\n  - just a string\n")
    error = load_error(claims_file)
    assert error.message == "each claim must be a mapping"
    assert error.line == line_of(CLAIMS_TEXT, "claims:\n") + 1


SECTIONS_NOT_MAPPINGS = {
    "certainties": ("certainties:\n  unhedged: sahel:Unhedged\n  likely: sahel:Likely\n",
                    "certainties: [unhedged, likely]\n"),
    "claims": (CLAIMS_TEXT[CLAIMS_TEXT.index("claims:\n"):], "claims: none\n"),
    "article": (CLAIMS_TEXT[CLAIMS_TEXT.index("article:\n"):CLAIMS_TEXT.index("claimers:\n")], "article: x\n\n"),
}


@pytest.mark.parametrize("name", SECTIONS_NOT_MAPPINGS)
def test_a_section_of_the_wrong_kind_points_at_its_key(tmp_path, name):
    claims_file = broken_claims(tmp_path, *SECTIONS_NOT_MAPPINGS[name])
    error = load_error(claims_file)
    assert name in error.message
    assert error.line == line_of(claims_file.read_text(encoding="utf-8"), f"\n{name}:") + 1


# --- files that are not text YAML can read ----------------------------------------------------

def test_a_claims_file_that_is_not_utf8(tmp_path):
    """A Latin-1 byte: the error names the line and the column of the character it stands for."""
    claims_file = copy_inputs(tmp_path)
    claims_file.write_bytes(CLAIMS_TEXT.encode("utf-8").replace(b"label: experts", b"label: exp\xe9rts"))
    line = line_of(CLAIMS_TEXT, "label: experts")
    column = CLAIMS_TEXT.splitlines()[line - 1].index("experts") + 4
    assert_plain(load_error(claims_file), claims_file, line, "not UTF-8: byte 0xe9 cannot be decoded", column=column)


def test_an_article_file_that_is_not_utf8(tmp_path):
    claims_file = copy_inputs(tmp_path)
    article = tmp_path / "us-sahel-quiet-ties.txt"
    article.write_bytes(ARTICLE_TEXT.encode("utf-8") + b"\n\xff\n")
    line = ARTICLE_TEXT.count("\n") + 2
    assert_plain(load_error(claims_file), article, line, "not UTF-8: byte 0xff cannot be decoded", column=1)


def test_a_character_yaml_refuses(tmp_path):
    claims_file = broken_claims(tmp_path, "label: experts", "label: exp\x07erts")
    assert_plain(load_error(claims_file), claims_file, line_of(CLAIMS_TEXT, "label: experts"),
                 "not valid YAML: special characters are not allowed (character #x0007)")


# --- the publication date ---------------------------------------------------------------------

@pytest.mark.parametrize("old, new, published", [
    ("published: unknown\n", "published: unknown\n", None),
    ("  published: unknown\n", "", None),  # not given: unknown
    ("published: unknown\n", "published: 'unknown'\n", None),
    ("published: unknown\n", "published: 2025-10-03\n", date(2025, 10, 3)),
])
def test_the_publication_date(tmp_path, old, new, published):
    claim_set = load(copy_inputs(tmp_path, replace_once(CLAIMS_TEXT, old, new)))
    assert claim_set.article.published == published
    assert claim_set.article.published_not_before == date(2025, 9, 1)


def test_replace_once_refuses_an_ambiguous_edit():
    """The helper must not silently edit a different claim than the one a case names."""
    with pytest.raises(AssertionError):
        replace_once(CLAIMS_TEXT, "claimer: article-voice", "claimer: x")


@pytest.mark.parametrize("old, new, message", [
    ("    type: sahel:CollectiveSource\n    label: experts\n", "    label: experts\n", "claimers: experts needs type"),
    ("    label: late 2025\n    precision: sahel:PartOfYearPrecision\n", "    label: late 2025\n",
     "times: late-2025 needs precision"),
])
def test_a_claimer_or_time_span_without_a_required_key_is_refused_on_its_line(tmp_path, old, new, message):
    path = broken_claims(tmp_path, old, new)
    key = message.split(": ")[1].split(" ")[0]
    assert_plain(load_error(path), path, line_of(path.read_text(encoding="utf-8"), f"  {key}:"), message)
