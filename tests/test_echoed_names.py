"""Every `kg` message that echoes a name the user gave (a file, a store, a graph) escapes its control
characters, as error lines do: a file name is data, and may hold an escape sequence or a line end."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from build_fixtures import run_kg
from test_events import FIXTURE, require_morph_kgc

HOSTILE = "x\x1b[31mred\n\u202eexe"
SHOWN = "x\\x1b[31mred\\n\\u202eexe"
SECOND_ARTICLE = Path(__file__).parent / "fixtures" / "second-article" / "sahel-patrols-invented.txt"


def said(*args, status: int = 0) -> str:
    result = run_kg(*args)
    assert result.exit_code == status, result.stderr
    assert "\x1b" not in result.stderr and "\u202e" not in result.stderr, result.stderr
    return result.stderr


def test_kg_events_load_escapes_the_tables_name_and_the_graph(tmp_path):
    require_morph_kgc()
    table = tmp_path / f"{HOSTILE}.csv"
    shutil.copy(FIXTURE, table)
    # a zero-width space: allowed in an IRI, not shown as it is (a bidirectional formatting one is refused)
    err = said("events", "load", table, "--graph", "http://example.org/graph\u200b", "--store", "memory:")
    assert f"{SHOWN}.csv: " in err and "<http://example.org/graph\\u200b>" in err
    refused = said("events", "load", table, "--graph", "http://example.org/graph\u202e", "--store", "memory:", status=2)
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE), a bidirectional formatting character" in refused


def test_kg_claims_draft_escapes_the_file_it_wrote(tmp_path):
    err = said("claims", "draft", SECOND_ARTICLE, "--id", "another-invented", "--out", tmp_path / f"{HOSTILE}.yaml")
    assert f"wrote {tmp_path}/{SHOWN}.yaml:" in err


def test_kg_build_install_escapes_the_store_it_names(tmp_path):
    store = f"oxigraph:{tmp_path / HOSTILE}"
    err = said("build", "--install", "--store", store, "--out", tmp_path / "out.trig")
    assert f"installed into oxigraph:{tmp_path}/{SHOWN}" in err


@pytest.mark.parametrize("args, status", [
    (["export", "--output", f"{HOSTILE}.txt", "--store", "memory:"], 2),  # kg's own usage error
    (["query", "--file", f"{HOSTILE}.rq", "--store", "memory:"], 2),  # click's, for a file it cannot open
    (["load", f"{HOSTILE}.ttl", "--store", "memory:"], 2),
], ids=["export", "query", "load"])
def test_usage_errors_escape_the_names_they_quote(tmp_path, monkeypatch, args, status):
    monkeypatch.chdir(tmp_path)
    assert "red" in said(*args, status=status)


NOT_UTF_8 = "x\udcffy"  # the byte 0xff, as Python holds a name or a variable that is not UTF-8


@pytest.mark.parametrize("args, variable, status", [
    (["info"], ("SAHEL_KG_STORE", f"/tmp/{NOT_UTF_8}"), 2),  # repr wrote it '/tmp/x\udcffy'
    (["export", "--output", f"/tmp/no-{NOT_UTF_8}/out.trig", "--store", "memory:"], None, 2),
    (["export", "--output", f"{NOT_UTF_8}.zzz", "--store", "memory:"], None, 2),  # printed as it was
    (["serve", "--port", "1"], ("SAHEL_KG_CORS_ORIGINS", f"http://{NOT_UTF_8}.example/"), 1),
], ids=["store setting", "folder", "suffix", "setting value"])
def test_bytes_that_are_not_utf_8_are_shown_as_xff(tmp_path, monkeypatch, args, variable, status):
    """A path or a setting's value holding a byte that is not UTF-8 was shown as \\udcff (repr's escape of the
    lone surrogate Python keeps for it, or the stream's); messages write the byte as \\xff."""
    monkeypatch.chdir(tmp_path)
    if variable:
        monkeypatch.setenv(*variable)
    err = said(*args, status=status)
    assert "\\xff" in err and "udcff" not in err, err
