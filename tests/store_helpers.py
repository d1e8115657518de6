"""Reading an embedded store's raw quads in tests: its dataset is its named graphs, the default graph their merge."""

from __future__ import annotations

import pyoxigraph as ox

from kg.store.merge import DEFAULT_GRAPH


def dataset_quads(store) -> set[ox.Quad]:
    """The quads of an OxigraphStore's named graphs, after checking that its default graph is their merge."""
    quads, merge = set(), set()
    for quad in store._store:
        if isinstance(quad.graph_name, ox.DefaultGraph):
            merge.add(ox.Triple(quad.subject, quad.predicate, quad.object))
        else:
            quads.add(quad)
    assert merge == {ox.Triple(q.subject, q.predicate, q.object) for q in quads}, "the default graph is no merge"
    return quads


def as_stored(quads) -> set[ox.Quad]:
    """Quads as the store keeps them: those of the default graph in the declared graph DEFAULT_GRAPH."""
    declared = ox.NamedNode(DEFAULT_GRAPH)
    return {ox.Quad(q.subject, q.predicate, q.object, declared) if isinstance(q.graph_name, ox.DefaultGraph) else q
            for q in quads}
