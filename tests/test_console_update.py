"""`kg update`: a SPARQL Update on the store from the console, through the query service the HTTP API uses,
with its guards (the project's graphs, LOAD, the merge, all or nothing); `kg query` given an update and
`kg events load` refusing a graph both name it."""

from __future__ import annotations

import shlex
import uuid
from pathlib import Path

import pytest

from test_loading import content, installed, kg, spec  # noqa: F401  (fixtures)

EX = "http://example.org/console-update/"
MINE = EX + "graph"
INSERT = f"INSERT DATA {{ GRAPH <{MINE}> {{ <{EX}a> <{EX}b> 1 }} }}"
MERGE_ASK = f"ASK {{ <{EX}a> <{EX}b> 1 }}"  # the default graph: the merge of the named graphs
EVENTS = Path(__file__).parent / "fixtures" / "acled-style-events-FIXTURE.csv"


def asks(spec: str, sparql: str) -> bool:
    result = kg("query", "--store", spec, "--format", "csv", "-q", sparql)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[1] == "true"


def test_an_insert_then_a_drop_change_the_graph_and_the_merge_and_say_how(spec):
    result = kg("update", "--store", spec, INSERT)
    assert result.exit_code == 0, result.output
    assert "quads before" in result.stderr and "(+1)" in result.stderr and "dataset version" in result.stderr
    assert asks(spec, f"ASK {{ GRAPH <{MINE}> {{ <{EX}a> <{EX}b> 1 }} }}") and asks(spec, MERGE_ASK)
    result = kg("update", "--store", spec, "-q", f"DROP GRAPH <{MINE}>")
    assert result.exit_code == 0 and "(-1)" in result.stderr, result.output
    assert not asks(spec, MERGE_ASK)


def test_the_update_comes_from_a_file_or_standard_input_with_the_known_prefixes(spec, tmp_path):
    path = tmp_path / "change.ru"
    path.write_text(f"INSERT DATA {{ GRAPH <{MINE}> {{ <{EX}a> rdfs:label 'a' }} }}", encoding="utf-8")
    assert kg("update", "--store", spec, "-f", path).exit_code == 0
    assert kg("update", "--store", spec, input=f"DELETE DATA {{ GRAPH <{MINE}> {{ <{EX}a> rdfs:label 'a' }} }}"
              ).exit_code == 0
    assert not asks(spec, f"ASK {{ <{EX}a> ?p ?o }}")


@pytest.mark.parametrize("update, said", [
    ("DROP GRAPH <https://sahel-kg.example.org/graph/entities>", "one of the project's own graphs"),
    ("CLEAR ALL", "project's own graphs"),
    (INSERT + " ; DROP GRAPH <https://sahel-kg.example.org/graph/loads>", "one of the project's own graphs"),
    (f"LOAD <{EX}data.ttl> INTO GRAPH <{MINE}>", "LOAD is not allowed"),
    (INSERT + f" ; CREATE GRAPH <{MINE}>", "already exists"),  # refused by the engine after the insert ran
    # a newcomer's DROP of a graph a failed load never made: SILENT was not said (helper-199)
    (f"DROP GRAPH <{MINE}/never>", "does not exist; SILENT after the operation's keyword (DROP SILENT GRAPH <g>, "
                                   "CLEAR SILENT, MOVE SILENT …)"),
    (INSERT + f" ; CREATE GRAPH <{MINE}>", "already exists; CREATE SILENT GRAPH <g> succeeds"),
    (f"INSERT DATA {{\n  GRAPH <{MINE}> {{ <{EX}a> <{EX}b> }}\n}}", "error: line 2, column"),
    ("SELECT * WHERE { ?s ?p ?o }", "run it with `kg query`"),
], ids=["project-graph", "clear-all", "second-operation", "load", "engine-error", "drop-missing", "create-present",
        "syntax", "a-query"])
def test_a_refused_update_exits_1_says_why_and_changes_nothing(spec, update, said):
    before = content(spec)
    result = kg("update", "--store", spec, update)
    assert result.exit_code == 1 and said in result.stderr and result.stderr.startswith("error: "), result.output
    assert "Traceback" not in result.output and content(spec) == before


def test_no_update_text_is_bad_usage(spec):
    result = kg("update", "--store", spec, input="")
    assert result.exit_code == 2 and "no update" in result.stderr


def test_kg_query_given_an_update_points_to_kg_update(spec):
    result = kg("query", "--store", spec, f"DROP GRAPH <{MINE}>")
    assert result.exit_code == 1 and "`kg update`" in result.stderr, result.output


def test_the_advice_of_a_refused_events_load_is_a_command_that_works(spec, tmp_path):
    from test_events import require_morph_kgc

    require_morph_kgc()
    data = tmp_path / "mine.ttl"
    data.write_text(f"<{EX}a> <{EX}b> <{EX}c> .\n", encoding="utf-8")
    assert kg("load", "--store", spec, "--graph", MINE, data).exit_code == 0
    refused = kg("events", "load", "--store", spec, "--graph", MINE, EVENTS)
    assert refused.exit_code == 1, refused.output
    advice = refused.stderr.partition("drop the graph first: ")[2].partition(" (with the same --store)")[0]
    assert shlex.split(advice) == ["kg", "update", f"DROP GRAPH <{MINE}>"], refused.stderr
    assert kg(*shlex.split(advice)[1:], "--store", spec).exit_code == 0
    assert kg("events", "load", "--store", spec, "--graph", MINE, EVENTS).exit_code == 0


def test_on_a_remote_store_the_update_goes_to_the_update_url_with_the_same_guards(oxigraph_url, monkeypatch):
    from kg.store.remote import RemoteStore

    graph = f"{EX}{uuid.uuid4().hex}"
    update_url = oxigraph_url.rsplit("/", 1)[0] + "/update"
    monkeypatch.setenv("SAHEL_KG_STORE_UPDATE_URL", update_url)
    remote = RemoteStore(oxigraph_url, update_url=update_url)
    try:
        result = kg("update", "--store", oxigraph_url, f"INSERT DATA {{ GRAPH <{graph}> {{ <{EX}a> <{EX}b> 1 }} }}")
        assert result.exit_code == 0 and "(+1)" in result.stderr and "version" not in result.stderr, result.output
        assert remote.query(f"ASK {{ GRAPH <{graph}> {{ <{EX}a> <{EX}b> 1 }} }}") and remote.query(MERGE_ASK)
        refused = kg("update", "--store", oxigraph_url, f"LOAD <{EX}data.ttl> INTO GRAPH <{graph}>")
        assert refused.exit_code == 1 and "LOAD is not allowed" in refused.stderr, refused.output
    finally:
        remote.update(f"DROP SILENT GRAPH <{graph}>")


def test_an_update_sent_to_an_engines_query_url_is_told_of_the_update_url_setting(oxigraph_url, monkeypatch):
    """oxigraph serve answered "The URL query parameter query must be set", which names nothing the user set."""
    monkeypatch.delenv("SAHEL_KG_STORE_UPDATE_URL", raising=False)
    result = kg("update", "--store", oxigraph_url, f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}b> 1 }} }}")
    assert result.exit_code == 1 and "SAHEL_KG_STORE_UPDATE_URL" in result.stderr, result.output


def test_on_virtuoso_an_update_the_embedded_store_refuses_exits_1_where_it_says_and_writes_nothing(virtuoso_url):
    """Virtuoso's parser takes `FILTER(TRUE)`, which the embedded store's refuses: it ran the delete."""
    from kg.store.remote import RemoteStore

    graph = f"{EX}{uuid.uuid4().hex}"
    written = f"ASK {{ GRAPH <{graph}> {{ <{EX}a> <{EX}b> 1 }} }}"
    with RemoteStore(virtuoso_url) as remote:
        try:
            assert kg("update", "--store", virtuoso_url, f"INSERT {{ GRAPH <{graph}> {{ <{EX}a> <{EX}b> 1 }} }} "
                      "WHERE { }").exit_code == 0 and remote.query(written)
            last = f"WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} FILTER(TRUE) }}"
            refused = kg("update", "--store", virtuoso_url, f"DELETE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}\n{last}")
            assert refused.exit_code == 1, refused.output
            assert refused.stderr.startswith(f"error: line 2, column {last.index('TRUE') + 1}"), refused.stderr
            assert remote.query(written)
        finally:
            remote.update(f"DROP SILENT GRAPH <{graph}>")
