"""`kg claims draft`: a skeleton claims file for a new article (one entry per sentence, verbatim quotes
and offsets, mentioned entities, cues), that asserts nothing; clear errors with exit 2."""

from __future__ import annotations

import os
import shutil
import stat

import pytest
import yaml

from build_fixtures import ARTICLE_FILE, SECOND_ARTICLE_FILE, SECOND_CLAIMS_FILE, run_kg
from kg.article import read_text
from kg.build import Inputs, build
from kg.errors import ClaimError
from kg.matching import Entity, Name
from kg.mentions import find_mentions


@pytest.fixture
def article(tmp_path):
    copy = tmp_path / SECOND_ARTICLE_FILE.name
    shutil.copyfile(SECOND_ARTICLE_FILE, copy)
    return copy


def draft(article, *extra):
    return run_kg("claims", "draft", article, "--id", "sahel-patrols-invented", *extra)


def test_one_entry_per_sentence_with_verbatim_quote_and_offsets(article):
    result = draft(article)
    assert result.exit_code == 0, result.stderr
    out = article.with_name("sahel-patrols-invented.yaml")
    document = yaml.safe_load(out.read_text(encoding="utf-8"))
    text = read_text(article)
    assert document["article"]["file"] == article.name
    assert len(document["article"]["sha256"]) == 64
    assert [(entry["start"], entry["end"]) for entry in document["claims"]] == [
        (62, 135), (136, 267), (268, 334), (335, 427)]
    for entry in document["claims"]:
        assert text[entry["start"]:entry["end"]] == entry["quote"]
        assert entry["triples"].strip().startswith("#")  # asserts nothing
    assert "wrote" in result.stderr and "4 sentence entries" in result.stderr


def test_mentions_and_cues_are_comments(article):
    draft(article)
    text = article.with_name("sahel-patrols-invented.yaml").read_text(encoding="utf-8")
    assert "# mentions: sk:mali (Mali), sk:niger (Niger), sk:burkina-faso (Burkina Faso), " \
           "sk:aes (Alliance of Sahel States)" in text
    assert "# cue (attribution): according to" in text
    assert "# cue (hedge): about" in text
    assert "# cue (time): in late 2025" in text
    assert "# cue (hedge): may" in text
    assert "# cue (time): in 2023" in text


def test_a_draft_does_not_build_until_completed(article):
    draft(article)
    with pytest.raises(ClaimError):
        build(Inputs(claims=article.with_name("sahel-patrols-invented.yaml")))


def test_the_second_article_was_completed_from_its_draft(article):
    """Each claim of the fixture quotes within one drafted sentence; the article metadata are the draft's."""
    draft(article)
    drafted = yaml.safe_load(article.with_name("sahel-patrols-invented.yaml").read_text(encoding="utf-8"))
    completed = yaml.safe_load(SECOND_CLAIMS_FILE.read_text(encoding="utf-8"))
    for key in ("id", "file", "title", "sha256"):
        assert completed["article"][key] == drafted["article"][key]
    sentences = [(entry["start"], entry["end"]) for entry in drafted["claims"]]
    for claim in completed["claims"]:
        assert any(start <= claim["start"] < claim["end"] <= end for start, end in sentences), claim["id"]


def test_a_missing_article_exits_2(tmp_path):
    result = draft(tmp_path / "nothing.txt")
    assert result.exit_code == 2
    assert "no such file" in result.stderr


def test_an_article_that_is_not_utf8_exits_2(tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Mali \xff Niger.\n")
    result = draft(bad)
    assert result.exit_code == 2 and "not UTF-8" in result.stderr
    assert not (tmp_path / "sahel-patrols-invented.yaml").exists()


def test_an_article_whose_name_is_not_utf8_exits_2(tmp_path):
    """The draft names its article, and a name with the byte 0xff ended in a traceback (UnicodeEncodeError) as the
    UTF-8 claims file was written: no claims file can name it, so it is refused, shown as \\xff."""
    named = tmp_path / os.fsdecode(b"patrols-\xff.txt")
    shutil.copyfile(SECOND_ARTICLE_FILE, named)
    out = tmp_path / "draft.yaml"
    result = draft(named, "--out", out)
    assert result.exit_code == 2 and "patrols-\\xff.txt" in result.stderr and "not UTF-8" in result.stderr, \
        result.stderr
    assert not out.exists()


@pytest.mark.parametrize("text", ["", "\n  \n\n", "A Title\n\nA Heading\n"])
def test_an_article_with_no_sentence_exits_2(tmp_path, text):
    """It wrote a skeleton of no entries, which `kg build` then refused: 'claims' must be a non-empty list."""
    empty = tmp_path / "empty.txt"
    empty.write_text(text)
    result = draft(empty)
    assert result.exit_code == 2
    assert result.stderr == f"error: {empty} holds no sentence to draft a claim from (it is empty, or headings only)\n"
    assert not (tmp_path / "sahel-patrols-invented.yaml").exists()


def test_an_id_already_used_exits_2(tmp_path):
    copy = tmp_path / "article.txt"
    shutil.copyfile(ARTICLE_FILE, copy)
    result = run_kg("claims", "draft", copy, "--id", "us-sahel-quiet-ties")
    assert result.exit_code == 2 and "already used" in result.stderr
    assert not (tmp_path / "us-sahel-quiet-ties.yaml").exists()


def test_an_existing_output_is_kept_without_force(article):
    out = article.with_name("sahel-patrols-invented.yaml")
    out.write_text("mine\n", encoding="utf-8")
    result = draft(article)
    assert result.exit_code == 2 and "--force" in result.stderr
    assert out.read_text(encoding="utf-8") == "mine\n"
    assert draft(article, "--force").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith("# Claims of")


def test_a_draft_written_over_a_file_keeps_its_links_and_mode(article):
    """Written whole as every kg output file is (kg.output_files): its hard link and mode stay."""
    out, twin = article.with_name("sahel-patrols-invented.yaml"), article.with_name("twin.yaml")
    out.write_text("mine\n", encoding="utf-8")
    out.chmod(0o640)
    os.link(out, twin)
    assert draft(article, "--force").exit_code == 0
    assert twin.read_text(encoding="utf-8").startswith("# Claims of") and stat.S_IMODE(out.stat().st_mode) == 0o640


def test_an_output_in_a_folder_that_is_not_there_is_a_usage_error_naming_it(article):
    """It was a FileNotFoundError traceback, then "error: No such file or directory" and exit 1 after the work."""
    missing = article.parent / "missing" / "draft.yaml"
    result = draft(article, "--out", missing)
    assert result.exit_code == 2
    assert f"there is no folder '{missing.parent}' to write '{missing}' in; make it first" in result.stderr


def test_names_match_by_label_and_alias_as_whole_words():
    names = {"us": ["United States", "U.S.", "US", "Washington"], "sahel": ["Sahel"],
             "aes": ["Alliance of Sahel States", "AES"]}
    entities = [Entity(iri, tuple(Name(text, "label") for text in texts)) for iri, texts in names.items()]
    text = "The U.S. told us that Washington and the Alliance of Sahel States (AES) watch the Sahel."
    found = [(m.iri, m.name) for m in find_mentions(text, entities)]
    assert found == [("us", "U.S."), ("us", "Washington"), ("aes", "Alliance of Sahel States"), ("aes", "AES"),
                     ("sahel", "Sahel")]


def draft_text(tmp_path, text):
    """Draft `text` as an article; the drafted document, its text and the CLI's stderr."""
    path = tmp_path / "new.txt"
    path.write_text(text, encoding="utf-8")
    result = run_kg("claims", "draft", path, "--id", "new-article")
    assert result.exit_code == 0, result.stderr
    drafted = (tmp_path / "new-article.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(drafted), drafted, result.stderr


RUN = "Mali and Niger signed a pact in 2024, officials said. JNIM likely attacked Burkina Faso. The US may respond.\n"


def test_a_first_line_of_sentences_is_no_title_and_each_sentence_gets_an_entry(tmp_path):
    document, drafted, stderr = draft_text(tmp_path, RUN)
    assert [entry["quote"] for entry in document["claims"]] == [
        "Mali and Niger signed a pact in 2024, officials said.", "JNIM likely attacked Burkina Faso.",
        "The US may respond."]
    assert document["article"]["title"] == "TODO"  # left to the curator, not invented
    assert "# Headings" not in drafted
    assert "3 sentence entries" in stderr and "warning:" in stderr and "no title line" in stderr


@pytest.mark.parametrize("text, quotes", [
    # a short sentence ending in '.' on a line of its own
    ("Mali signed.\n\nNiger agreed to the pact.\n", ["Mali signed.", "Niger agreed to the pact."]),
    # one sentence with no final punctuation, but no blank line after it: the body runs on
    ("Mali and Niger signed a pact in 2024\nNiger agreed.\n", ["Mali and Niger signed a pact in 2024", "Niger agreed."]),
    # a line in capitals that holds two sentences
    ("MALI SIGNED. NIGER AGREED.\n\nThe US may respond.\n", ["MALI SIGNED.", "NIGER AGREED.", "The US may respond."]),
    # a question that is a sentence, not a headline
    ("Will the US respond?\n\nIt may.\n", ["Will the US respond?", "It may."]),
], ids=["short-sentence", "no-blank-line", "capitals", "question"])
def test_a_first_line_that_reads_as_sentences_is_drafted_as_entries(tmp_path, text, quotes):
    document, _, stderr = draft_text(tmp_path, text)
    assert [entry["quote"] for entry in document["claims"]] == quotes
    assert document["article"]["title"] == "TODO" and "no title line" in stderr


def test_a_headline_is_the_title_even_as_a_question(tmp_path):
    document, drafted, stderr = draft_text(tmp_path, "Will the US Respond to the AES ?\n\nIt may.\n")
    assert document["article"]["title"] == "Will the US Respond to the AES ?"
    assert [entry["quote"] for entry in document["claims"]] == ["It may."]
    assert "warning" not in stderr


def test_a_short_line_that_runs_on_into_the_next_is_no_heading(tmp_path):
    """A subheading stands apart between blank lines; a short line inside a paragraph's lines is text."""
    document, drafted, _ = draft_text(tmp_path, "Sahel Pact\n\nMali signed a pact\nNiger agreed to it.\n\nNext Steps\n\n"
                                                "The US may respond.\n")
    assert [entry["quote"] for entry in document["claims"]] == [
        "Mali signed a pact", "Niger agreed to it.", "The US may respond."]
    assert "# Headings (no entries): Sahel Pact; Next Steps" in drafted


def test_the_shipped_article_keeps_its_title_and_headings(tmp_path):
    document, drafted, stderr = draft_text(tmp_path, read_text(ARTICLE_FILE))
    assert document["article"]["title"] == "Why the U.S. Keeps Quiet Ties with Sahel Militaries ?"
    assert "# Headings (no entries): Why the U.S. Keeps Quiet Ties with Sahel Militaries ?; A New Regional Security " \
           "Architecture; Geopolitical Complexity; Looking Ahead; Related" in drafted
    assert "warning" not in stderr


def test_a_claims_folder_that_is_not_there_is_a_usage_error_naming_it(article):
    """--claims-dir missing/ was read as a folder of no claims, so any id counted as unused and the draft went on."""
    missing = article.parent / "missing"
    result = draft(article, "--claims-dir", missing)
    assert result.exit_code == 2 and f"'{missing}' does not exist" in result.stderr, result.stderr
    assert not article.with_name("sahel-patrols-invented.yaml").exists()
    result = draft(article, "--claims-dir", article)
    assert result.exit_code == 2 and f"'{article}' is a file" in result.stderr, result.stderr


def test_the_library_refuses_a_claims_folder_that_is_not_there(article):
    from kg.drafting import DraftError
    from kg.drafting import draft as write_draft
    with pytest.raises(DraftError, match="no such folder of claims files"):
        write_draft(article, "sahel-patrols-invented", out=article.with_name("x.yaml"), claims_dir=article.parent / "no")
    assert not article.with_name("x.yaml").exists()


def test_an_article_that_is_a_device_or_fifo_is_not_called_missing(tmp_path):
    """/dev/null or a FIFO was refused as 'no such file', though it is there; it is named for what it is."""
    fifo = tmp_path / "article.fifo"
    os.mkfifo(fifo)
    for article in ("/dev/null", fifo):
        result = draft(article)
        assert result.exit_code == 2
        assert result.stderr == (f"error: {article} is no regular file (a FIFO, a pipe or a device): "
                                 "save the article to a file\n")
