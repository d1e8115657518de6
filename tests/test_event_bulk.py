"""A large `kg events load` writes its quads to an embedded store in bulk (kg/store/graph_replace.py), never as an
update's text to lex, and keeps what the update did: the merge, the replacement of an earlier load, all or nothing,
the version and the read views. LARGE_TRIPLES is set to 0 here, so that the fixture takes that path."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_events import FIXTURE, edited_fixture, require_morph_kgc
from kg import events
from kg.events import load_events
from kg.store import graph_replace, text_edits
from kg.store.oxigraph import OxigraphStore

GRAPH = "http://example.org/graph/bulk-events"
ALL = "SELECT ?g ?s ?p ?o WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


@pytest.fixture(autouse=True)
def large(monkeypatch):
    require_morph_kgc()
    monkeypatch.setattr(events, "LARGE_TRIPLES", 0, raising=False)


@pytest.fixture(params=["embedded", "memory"])
def store(request, tmp_path):
    with OxigraphStore(tmp_path / "store" if request.param == "embedded" else None) as opened:
        yield opened


def everything(store) -> set[tuple]:
    """Every quad, the merge's among them (graph None)."""
    return {tuple(None if term is None else term.value for term in row) for row in store.query(ALL)}


def merge_is_the_union(store) -> bool:
    merge = {tuple(t.value for t in row) for row in store.query("SELECT ?s ?p ?o { ?s ?p ?o }")}
    union = {tuple(t.value for t in row) for row in store.query("SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } }")}
    return merge == union


def graph_triples(store, graph: str) -> set[str]:
    return set(map(str, store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")))


def test_a_large_load_lexes_no_insert_data_and_writes_what_the_update_wrote(store, monkeypatch):
    lexed = []
    lex = text_edits.lex
    monkeypatch.setattr(text_edits, "lex", lambda text, *args, **kwargs: lexed.append(text) or lex(text, *args, **kwargs))
    before = store.version()[0]
    report = load_events(store, FIXTURE, graph=GRAPH)
    assert not [text for text in lexed if "INSERT DATA" in text]
    assert store.version()[0] > before and merge_is_the_union(store) and store.count(GRAPH) == report.triples
    monkeypatch.setattr(events, "LARGE_TRIPLES", 10 ** 9)  # the same table through the update, for comparison
    with OxigraphStore() as other:
        load_events(other, FIXTURE, graph=GRAPH)
        for graph in (GRAPH, f"{GRAPH}/links"):
            assert graph_triples(store, graph) == graph_triples(other, graph)


def fatalities(store, value: str, graph: str | None = None) -> bool:
    """Whether the first row's event has `value` as a value (its fatalities), in `graph` or in the merge."""
    pattern = "?e ?p ?o FILTER (CONTAINS(STR(?e), 'FIX001') && STR(?o) = '%s')" % value
    return store.query("ASK { " + (f"GRAPH <{graph}> {{ {pattern} }}" if graph else pattern) + " }")


def test_a_large_load_replaces_an_earlier_one_and_the_merge_forgets_what_only_it_held(store, tmp_path):
    load_events(store, FIXTURE, graph=GRAPH)
    assert fatalities(store, "5") and fatalities(store, "5", GRAPH)
    changed = edited_fixture(tmp_path / "events.csv", [("fatalities", "6")])
    second = load_events(store, changed, graph=GRAPH)
    assert not fatalities(store, "5") and not fatalities(store, "5", GRAPH)
    assert fatalities(store, "6") and fatalities(store, "6", GRAPH)
    assert store.count(GRAPH) == second.triples and merge_is_the_union(store)


def test_a_large_load_that_fails_leaves_the_store_as_it_was(store, tmp_path, monkeypatch):
    load_events(store, FIXTURE, graph=GRAPH)
    before = everything(store)
    made, calls = graph_replace.merged_quads, []

    def failing(added):  # the first call fails part way; putting the dropped graphs back (in memory) does not
        calls.append(added)
        for number, quad in enumerate(made(added)):
            if number == 20 and len(calls) == 1:
                raise RuntimeError("the disk is full")
            yield quad

    monkeypatch.setattr(graph_replace, "merged_quads", failing)
    changed = edited_fixture(tmp_path / "events.csv", [("fatalities", "6")])
    with pytest.raises(RuntimeError, match="the disk is full"):
        load_events(store, changed, graph=GRAPH)
    assert everything(store) == before
    if store.path is not None:  # and no staged copy is left beside it
        assert not [path for path in Path(store.path).parent.iterdir() if path.name in (".store.staging", ".store.committed")]


def test_a_reader_sees_a_large_load_once_it_reopens(tmp_path):
    path = tmp_path / "store"
    with OxigraphStore(path) as writer:
        load_events(writer, FIXTURE, graph=GRAPH)
        reader = OxigraphStore(path, read_only=True)
        try:
            seen = reader.view_version()
            changed = edited_fixture(tmp_path / "events.csv", [("notes", "seen after reopening")])
            load_events(writer, changed, graph=GRAPH)
            assert reader.stale() and reader.reopen_if_changed() and reader.view_version() != seen
            note = "?e ?p ?o FILTER (STR(?o) = 'seen after reopening')"
            assert reader.query(f"ASK {{ GRAPH <{GRAPH}> {{ {note} }} }}") is True
            assert reader.query(f"ASK {{ {note} }}") is True
        finally:
            reader.close()


def test_blank_nodes_of_two_large_loads_are_not_shared(store, tmp_path):
    """As in an update, whose blank nodes are its own: morph-kgc labels a node by its values, the same in each run."""
    mapping = tmp_path / "blank-places.rml.ttl"
    places = 'rr:template "https://sahel-kg.example.org/place/acled/{country}/{admin1}/{location}" ;'
    text = events.DEFAULT_MAPPING.read_text(encoding="utf-8")
    assert places in text
    mapping.write_text(text.replace(places, 'rr:template "place{latitude}_{longitude}" ; rr:termType rr:BlankNode ;'),
                       encoding="utf-8")
    lines = FIXTURE.read_text(encoding="utf-8").splitlines()
    other = tmp_path / "other.csv"
    other.write_text("\n".join([lines[0], *(line.replace("FIX", "OTHER", 1) for line in lines[1:])]) + "\n",
                     encoding="utf-8")
    load_events(store, FIXTURE, mapping=mapping, graph=GRAPH)
    load_events(store, other, mapping=mapping, graph=f"{GRAPH}-other")
    place = "?p a <https://schema.org/Place> FILTER (isBlank(?p))"
    assert store.query(f"ASK {{ GRAPH <{GRAPH}> {{ {place} }} }}") is True
    assert store.query(f"ASK {{ GRAPH <{GRAPH}> {{ {place} }} GRAPH <{GRAPH}-other> {{ ?p ?q ?o }} }}") is False
