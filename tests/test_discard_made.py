"""A writer's discard removes only a store it made itself: one another writer made between this writer's look
at the path and its lock (two first `kg load`s at once) is closed, not removed with its stamp and views."""

from __future__ import annotations

from kg.store import oxigraph, stamp, views
from kg.store.oxigraph import OxigraphStore

EX = "http://example.org/discard/"


def test_a_store_made_by_another_writer_before_the_lock_is_not_removed(tmp_path, monkeypatch):
    path = tmp_path / "store"
    taken = oxigraph.writer_lock

    def another_writer_first(where):  # the other writer makes the store and closes just before our lock
        monkeypatch.setattr(oxigraph, "writer_lock", taken)
        with OxigraphStore(path) as other:
            other.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> <{EX}o> }} }}")
        return taken(where)

    monkeypatch.setattr(oxigraph, "writer_lock", another_writer_first)
    late = OxigraphStore(path)
    written = stamp.read(path)
    late.discard()  # as a failed first kg load does
    assert stamp.read(path) == written and views.views_dir(path).is_dir()
    with OxigraphStore(path, read_only=True) as reader:
        assert reader.query(f"ASK {{ <{EX}s> <{EX}p> <{EX}o> }}")


def test_a_store_this_writer_made_is_removed_with_what_lies_beside_it(tmp_path):
    path = tmp_path / "store"
    made = OxigraphStore(path)
    assert made.made
    made.discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == []
