"""A write on disk that fails before its commit (a bulk events load, a load, an update the engine refuses) leaves the
version and the read views as they were: nothing changed, so caches keyed on the version stay good and no view is
republished. In memory, a graph replace that fails puts back the graphs it dropped."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pyoxigraph
import pytest

from kg.errors import EvaluationError
from kg.store import graph_replace, stamp, views
from kg.store.oxigraph import OxigraphStore

EX = "http://example.org/failed-bulk/"
TRIPLE = pyoxigraph.Triple(pyoxigraph.NamedNode(f"{EX}x"), pyoxigraph.NamedNode(f"{EX}p"), pyoxigraph.NamedNode(f"{EX}y"))


class Broken(Exception):
    pass


class FailingRows(list):
    """A table's triples whose reading fails after the first."""

    def __iter__(self):
        yield TRIPLE
        raise Broken()


@pytest.fixture
def writer(tmp_path):
    store = OxigraphStore(tmp_path / "store")
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> <{EX}b> }} }}")
    yield store
    store.close()


def _as_it_is(store: OxigraphStore):
    return stamp.read(store.path), sorted(os.listdir(views.views_dir(store.path))), store.count()


def test_a_failed_bulk_graph_replace_keeps_the_version_and_the_views(writer):
    before = _as_it_is(writer)
    with pytest.raises(Broken):
        writer.replace_graphs({f"{EX}g2": FailingRows()}, dropped=[f"{EX}g"], large=True)
    assert _as_it_is(writer) == before


@pytest.mark.parametrize("large", [False, True])
def test_a_failed_load_keeps_the_version_and_the_views(writer, large):
    def quads():
        yield pyoxigraph.Quad(TRIPLE.subject, TRIPLE.predicate, TRIPLE.object, pyoxigraph.NamedNode(f"{EX}g3"))
        raise Broken()

    before = _as_it_is(writer)
    with pytest.raises(Broken):
        writer.extend(quads(), large=large)
    assert _as_it_is(writer) == before
    writer.close()
    OxigraphStore(writer.path).close()  # a writer's opening republishes unless the newest view is noted current
    assert sorted(os.listdir(views.views_dir(writer.path))) == before[1]


@pytest.mark.parametrize("apart", [False, True], ids=["in process", "child process (kg update)"])
def test_an_update_the_engine_refuses_keeps_the_version_and_the_views(writer, apart):
    writer.update_apart = apart
    before = _as_it_is(writer)
    with pytest.raises(EvaluationError, match="already exists"):  # rolled back whole: nor is graph h made
        writer.update(f"CREATE GRAPH <{EX}g> ; INSERT DATA {{ GRAPH <{EX}h> {{ <{EX}c> <{EX}p> <{EX}d> }} }}")
    assert _as_it_is(writer) == before


def test_a_ctrl_c_as_the_drop_of_a_replace_in_memory_returns_puts_the_graphs_back():
    store = OxigraphStore()
    store.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> <{EX}b> }} }}")
    engine = store._store

    def interrupted(text):  # the drop done, a Ctrl-C as it returns
        engine.update(text)
        raise KeyboardInterrupt()

    seen = SimpleNamespace(update=interrupted, **{name: getattr(engine, name) for name in
                                                 ("quads_for_pattern", "contains_named_graph", "extend", "add_graph")})
    with pytest.raises(KeyboardInterrupt):
        graph_replace.replace_in_memory(seen, {f"{EX}g2": [TRIPLE]}, [f"{EX}g"])
    assert store.graphs() == [f"{EX}g"] and store.count() == 1
    assert store.query(f"ASK {{ <{EX}a> <{EX}p> <{EX}b> }}")  # in the merge again
