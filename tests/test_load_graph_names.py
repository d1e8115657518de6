"""`kg load` of a file that names its own graphs (TriG, N-Quads, JSON-LD) keeps out of the project's graphs as
--graph does: a quad into a claim's graph, the ontology, the loads record or the merge loads nothing at all
(helper-93: "Forged Mali" became the label a claim's graph gave Mali, and the next install dropped it)."""

from __future__ import annotations

import gc
import gzip

import pyoxigraph as ox
import pytest

from kg import loading
from kg.namespaces import PREFIXES, graph_iri
from kg.store.merge import MERGE_GRAPH
from test_loading import EX, GRAPH, content, kg, sample, write
from test_loading import installed, spec  # noqa: F401  (fixtures)

CLAIM_GRAPH = "https://sahel-kg.example.org/claim/aes-members"
LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
@pytest.mark.parametrize("kept", [CLAIM_GRAPH, graph_iri("ontology"), graph_iri("loads"), MERGE_GRAPH])
@pytest.mark.parametrize("large", [False, True], ids=["transaction", "bulk"])
def test_a_quad_in_a_project_graph_loads_nothing(spec, tmp_path, monkeypatch, fmt, kept, large):  # noqa: F811
    if large:  # every load takes the bulk path, which loads a copy and swaps it in
        monkeypatch.setattr(loading, "LARGE_BYTES", 0)
    forged = ox.Quad(ox.NamedNode(PREFIXES["sk"] + "mali"), LABEL, ox.Literal("Forged Mali"), ox.NamedNode(kept))
    path = write(tmp_path / f"forged.{fmt}", sample("nquads") + [forged], fmt)
    before = content(spec)
    result = kg("load", path, "--store", spec)
    status, output = result.exit_code, result.output
    del result  # its traceback holds the store, open, as the process that ran the command would not
    gc.collect()
    assert status == 1 and kept in output and "nothing was loaded" in output
    assert content(spec) == before


def test_graphs_of_ones_own_still_load_from_a_quads_file(spec, tmp_path):  # noqa: F811
    path = write(tmp_path / "mine.nq", sample("nquads"), "nquads")
    assert kg("load", path, "--store", spec).exit_code == 0
    assert any(GRAPH in line and EX in line for line in content(spec))


def test_an_export_restores_into_a_new_store_kept_empty(tmp_path, monkeypatch):
    """A writer opening a new store installed the article first, whatever INSTALL_ARTICLE said: an export of
    another build loaded there came back with the article's 2,000 and more quads beside it (helper-93)."""
    claim = ox.Quad(ox.NamedNode(PREFIXES["sk"] + "mali"), LABEL, ox.Literal("Mali"), ox.NamedNode(CLAIM_GRAPH))
    exported = write(tmp_path / "export.nq", sample("nquads") + [claim], "nquads")  # another build's claim too
    monkeypatch.setenv("SAHEL_KG_INSTALL_ARTICLE", "false")
    restored = f"oxigraph:{tmp_path / 'restored'}"
    assert kg("load", exported, "--store", restored).exit_code == 0
    loads = graph_iri("loads")
    assert {line for line in content(restored) if loads not in line} == {str(q) for q in sample("nquads") + [claim]}
    forged = ox.Quad(ox.NamedNode(EX + "s"), LABEL, ox.Literal("x"), ox.NamedNode(MERGE_GRAPH))
    path = write(tmp_path / "merge.nq", [forged], "nquads")
    result = kg("load", path, "--store", f"oxigraph:{tmp_path / 'other'}")
    assert result.exit_code == 1  # the merge: never
    # not the advice for a build's graphs, to restore into a new store kept empty: this one is that already
    assert "the merge of every graph, which kg keeps itself in any store" in result.output
    assert "INSTALL_ARTICLE" not in result.output


def test_a_failed_restore_into_a_new_store_leaves_no_store_behind(tmp_path, monkeypatch):
    """The refusal said to restore into a new store kept empty, but the failed load had made the store (the article
    installed), so the retry with INSTALL_ARTICLE=false failed as well until it was removed by hand (helper-148)."""
    claim = ox.Quad(ox.NamedNode(PREFIXES["sk"] + "mali"), LABEL, ox.Literal("Mali"), ox.NamedNode(CLAIM_GRAPH))
    exported = write(tmp_path / "export.nq", sample("nquads") + [claim], "nquads")
    store = tmp_path / "restored"
    result = kg("load", exported, "--store", f"oxigraph:{store}")
    status, output = result.exit_code, result.output
    del result  # its traceback holds the store, open, as the process that ran the command would not
    gc.collect()
    assert status == 1 and "INSTALL_ARTICLE=false" in output and not store.exists()
    monkeypatch.setenv("SAHEL_KG_INSTALL_ARTICLE", "false")
    assert kg("load", exported, "--store", f"oxigraph:{store}").exit_code == 0


def test_relative_iris_resolve_against_base_and_a_file_that_gives_nothing_is_said(tmp_path, spec):  # noqa: F811
    """JSON-LD with a relative @id, or with no @context, loaded 0 quads and exited 0 without a word (helper-93)."""
    relative = tmp_path / "relative.jsonld"
    relative.write_text('{"@id": "thing", "http://example.org/load-test/p": "x"}', encoding="utf-8")
    result = kg("load", relative, "--store", spec)
    assert result.exit_code == 0 and "warning" in result.stderr and "--base" in result.stderr
    result = kg("load", relative, "--base", EX, "--store", spec)
    assert result.exit_code == 0 and "warning" not in result.stderr
    assert any(f"<{EX}thing>" in line for line in content(spec))
    assert kg("load", relative, "--base", "not absolute", "--store", spec).exit_code == 2


def test_gzip_under_a_plain_name_is_read_as_gzip_and_not_written_so(tmp_path, spec):  # noqa: F811
    """`kg export --gzip -o x.trig` wrote gzip under a TriG name, which kg load then read as TriG (helper-93)."""
    assert kg("export", "--gzip", "-o", tmp_path / "x.trig", "--store", spec).exit_code == 2
    hidden = tmp_path / "hidden.nq"
    hidden.write_bytes(gzip.compress(ox.serialize(sample("nquads"), format=ox.RdfFormat.N_QUADS)))
    result = kg("load", hidden, "--store", spec)
    assert result.exit_code == 0 and "3 quads" in result.stderr


def test_a_compact_graph_name_is_expanded_as_queries_read_it(spec, tmp_path):  # noqa: F811
    """--graph sk:mine loaded into <sk:mine>, a graph no query names (GRAPH sk:mine is the sk: namespace's)."""
    path = write(tmp_path / "mine.nt", sample("ntriples"), "ntriples")
    assert kg("load", path, "--graph", "sk:mine", "--store", spec).exit_code == 0
    lines = content(spec)
    assert any(f"<{PREFIXES['sk']}mine>" in line for line in lines) and not any("<sk:mine>" in line for line in lines)
