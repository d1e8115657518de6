"""`kg claims draft`: a skeleton claims file for a new article (one entry per sentence, verbatim quotes
and offsets, mentioned entities, cues), that asserts nothing; clear errors with exit 2."""

from __future__ import annotations

import shutil

import pytest
import yaml

from build_fixtures import ARTICLE_FILE, SECOND_ARTICLE_FILE, SECOND_CLAIMS_FILE, run_kg
from kg.article import read_text
from kg.build import Inputs, build
from kg.errors import ClaimError
from kg.matching import Entity, Name, find_mentions


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


def test_names_match_by_label_and_alias_as_whole_words():
    names = {"us": ["United States", "U.S.", "US", "Washington"], "sahel": ["Sahel"],
             "aes": ["Alliance of Sahel States", "AES"]}
    entities = [Entity(iri, tuple(Name(text, "label") for text in texts)) for iri, texts in names.items()]
    text = "The U.S. told us that Washington and the Alliance of Sahel States (AES) watch the Sahel."
    found = [(m.iri, m.name) for m in find_mentions(text, entities)]
    assert found == [("us", "U.S."), ("us", "Washington"), ("aes", "Alliance of Sahel States"), ("aes", "AES"),
                     ("sahel", "Sahel")]
