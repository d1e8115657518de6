"""`kg events load --graph G` replaces G and G/links only where an earlier events load wrote them: data that a
`kg load` or an update put there is refused, nothing written, on every kind of store (kg/event_graphs.py)."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from build_fixtures import run_kg
from test_events import require_morph_kgc
from kg.errors import KGError
from kg.events import load_events
from kg.loading import load_files

FIXTURE = Path(__file__).parent / "fixtures" / "acled-style-events-FIXTURE.csv"


@pytest.fixture(autouse=True)
def morph_kgc():
    require_morph_kgc()


@pytest.fixture
def table(tmp_path) -> Path:
    """Two fixture rows under event ids no other test loads (a remote store is shared between tests)."""
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    mark = uuid.uuid4().hex[:12]
    path = tmp_path / "events.csv"
    path.write_text("\n".join([lines[0], *(line.replace("FIX", f"T{mark}-", 1) for line in lines[1:3])]) + "\n",
                    encoding="utf-8")
    return path


@pytest.fixture
def target(store, graph) -> str:
    """A graph of this test's own for the events; it and its links graph are dropped afterwards."""
    made = graph() + "events"
    yield made
    store.update(f"DROP SILENT GRAPH <{made}> ; DROP SILENT GRAPH <{made}/links>")


def data_file(tmp_path) -> Path:
    path = tmp_path / "mine.ttl"
    path.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n", encoding="utf-8")
    return path


def counts(store, target: str) -> tuple[int, int]:
    return store.count(target), store.count(f"{target}/links")


def test_a_refusal_naming_the_files_a_graph_was_loaded_from_says_how_many_it_leaves_out(store, target, table, tmp_path):
    """Four files were named as three, with no word of the fourth (helper-208)."""
    files = []
    for number in range(4):
        files.append(tmp_path / f"part{number}.ttl")
        files[-1].write_text(f"<http://example.org/a> <http://example.org/b> {number} .\n", encoding="utf-8")
    load_files(store, files, graph=target)
    with pytest.raises(KGError, match=r"loaded by `kg load` of part0.ttl, part1.ttl, part2.ttl and 1 more"):
        load_events(store, table, graph=target)


@pytest.mark.parametrize("into", ["", "/links"], ids=["graph", "links"])
def test_a_graph_holding_loaded_data_is_refused_and_kept(store, target, table, tmp_path, into):
    load_files(store, [data_file(tmp_path)], graph=target + into)
    before = counts(store, target)
    with pytest.raises(KGError) as caught:
        load_events(store, table, graph=target)
    assert counts(store, target) == before
    message = str(caught.value)
    assert f"<{target}{into}> holds 1 triple(s), loaded by `kg load` of mine.ttl" in message
    assert "nothing was loaded" in message and "another --graph" in message and "DROP GRAPH" in message


def test_an_earlier_events_load_is_replaced_but_not_what_was_added_to_it(store, target, table, tmp_path):
    first = load_events(store, table, graph=target)
    held = counts(store, target)
    assert held[0] and load_events(store, table, graph=target).graph == first.graph
    assert counts(store, target) == held
    store.update(f"INSERT DATA {{ GRAPH <{target}> {{ <http://example.org/a> <http://example.org/b> 1 }} }}")
    with pytest.raises(KGError, match="changed since"):
        load_events(store, table, graph=target)
    assert counts(store, target) == (held[0] + 1, held[1])
    store.update(f"DELETE DATA {{ GRAPH <{target}> {{ <http://example.org/a> <http://example.org/b> 1 }} }}")
    load_files(store, [data_file(tmp_path)], graph=f"{target}/links")
    with pytest.raises(KGError, match="after the last `kg events load`"):
        load_events(store, table, graph=target)
    assert counts(store, target) == (held[0], held[1] + 1)


def test_data_dropped_before_an_events_load_does_not_stop_its_reload(store, target, table, tmp_path):
    load_files(store, [data_file(tmp_path)], graph=target)
    store.update(f"DROP GRAPH <{target}>")
    load_events(store, table, graph=target)
    assert load_events(store, table, graph=target).graph == target


def test_kg_events_load_refusing_exits_1_without_a_traceback(tmp_path, table):
    store = f"oxigraph:{tmp_path / 'store'}"
    mine = "http://example.org/graph/mine"
    assert run_kg("load", data_file(tmp_path), "--graph", mine, "--store", store).exit_code == 0
    result = run_kg("events", "load", table, "--graph", mine, "--store", store)
    assert result.exit_code == 1 and result.stderr.startswith(f"error: {table}: <{mine}> holds 1 triple(s)")
    assert "Traceback" not in result.output
    count = run_kg("query", "--store", store, "--format", "csv", "-q",
                   f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{mine}> {{ ?s ?p ?o }} }}")
    assert count.stdout.splitlines()[1:] == ["1"]
