"""Options that make no sense together are bad usage (exit 2, saying why), where one of them was accepted and did
nothing: --endpoint beside --store (which answers?), --wide where no table is written or no SELECT asked, --limit on
an ASK, kg build's --store without --install."""

from __future__ import annotations

import pytest

from test_loading import installed, kg, spec  # noqa: F401  (fixtures)

ENDPOINT = "http://127.0.0.1:9/sparql"  # never asked: the refusal comes before any request


@pytest.mark.parametrize("command", [["query", "-q", "ASK {}"], ["shell"]])
def test_an_endpoint_beside_a_store_given_is_refused(command):
    done = kg(*command, "--store", "memory:", "--endpoint", ENDPOINT)
    assert done.exit_code == 2, done.output
    assert "--endpoint and --store do not go together: each names what answers the quer" in done.stderr


def test_an_endpoint_beside_the_store_of_the_environment_is_taken(monkeypatch, spec):
    """SAHEL_KG_STORE names the store for every command: --endpoint given once is what the user asks for."""
    monkeypatch.setenv("SAHEL_KG_STORE", spec)
    done = kg("query", "--endpoint", ENDPOINT, "-q", "ASK {}")
    assert done.exit_code == 1 and "cannot reach" in done.stderr, done.output


@pytest.mark.parametrize("options, other", [(["--format", "csv"], "--format csv"), (["--format", "json"], "--format json"),
                                            (["-o", "out.json"], "an output that is no terminal"),
                                            ([], "an output that is no terminal")])
def test_wide_where_no_table_is_written_is_refused(spec, tmp_path, monkeypatch, options, other):
    monkeypatch.chdir(tmp_path)
    done = kg("query", "--store", spec, "--wide", *options, "-q", "ASK {}")
    assert done.exit_code == 2, done.output
    assert f"--wide and {other} do not go together: --wide shows a table's cells whole" in done.stderr
    assert not (tmp_path / "out.json").exists()


def test_wide_with_a_table_is_taken(spec):
    done = kg("query", "--store", spec, "--wide", "--format", "table", "-q", "SELECT ?s WHERE { ?s a sahel:Claim } LIMIT 1")
    assert done.exit_code == 0 and done.stdout.startswith("?s"), done.output


@pytest.mark.parametrize("options, query, said", [
    (["--wide", "--format", "table"], "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "--wide and a CONSTRUCT query"),
    (["--wide", "--format", "table"], "DESCRIBE sahel:Claim", "--wide and a DESCRIBE query"),
    (["--wide", "--format", "table"], "ASK { ?s ?p ?o }", "--wide and an ASK query"),
    (["--limit", "5"], "ASK { ?s ?p ?o }", "--limit and an ASK query"),
    (["--format", "csv", "-o", "out.csv"], "DESCRIBE sahel:Claim", "a graph result cannot be written as csv")])
def test_an_option_the_query_form_has_no_use_for_is_refused_before_it_runs(spec, tmp_path, monkeypatch, options,
                                                                            query, said):
    monkeypatch.chdir(tmp_path)
    done = kg("query", "--store", spec, *options, "-q", query)
    assert done.exit_code == 2 and said in done.stderr, done.output
    assert done.stdout == "" and "result(s)" not in done.stderr and not (tmp_path / "out.csv").exists()


def test_build_refuses_a_store_without_install(tmp_path):
    done = kg("build", "--store", f"oxigraph:{tmp_path / 'store'}", "--out", tmp_path / "out.trig")
    assert done.exit_code == 2 and "give --install, or leave --store out" in done.stderr, done.output
    assert not (tmp_path / "out.trig").exists() and not (tmp_path / "store").exists()


def test_an_update_time_limit_on_a_store_in_memory_is_refused():
    """kg update --timeout stops an update run in a process of its own (the store on disk) or a remote request; on
    memory: the update runs in kg's process, where the limit would have done nothing."""
    done = kg("update", "--store", "memory:", "--timeout", "5", "-q", "INSERT DATA { <http://a> <http://b> 1 }")
    assert done.exit_code == 2, done.output
    assert "--timeout and --store memory: do not go together" in done.stderr
