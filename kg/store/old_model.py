"""Stores written before the merge model (kg.store.merge): client triples in the default graph proper, no merge."""

from __future__ import annotations

import pyoxigraph

from kg.store.merge import DEFAULT_GRAPH

_DEFAULT = pyoxigraph.DefaultGraph()
_DECLARED = pyoxigraph.NamedNode(DEFAULT_GRAPH)


def detected(store: pyoxigraph.Store) -> bool:
    """Whether the default graph is not the merge of the named graphs, judged by one triple of each:
    a default-graph triple that no named graph holds, or a named-graph triple missing from it."""
    first = next(iter(store.quads_for_pattern(None, None, None, _DEFAULT)), None)
    if first is not None and not any(not isinstance(q.graph_name, pyoxigraph.DefaultGraph) for q in
                                     store.quads_for_pattern(first.subject, first.predicate, first.object, None)):
        return True
    for name in store.named_graphs():
        quad = next(iter(store.quads_for_pattern(None, None, None, name)), None)
        if quad is not None:
            return next(iter(store.quads_for_pattern(quad.subject, quad.predicate, quad.object, _DEFAULT)),
                        None) is None
    return False


def migrated(store: pyoxigraph.Store):
    """The quads of an old-model `store` in the merge model: its default graph's triples in the declared
    default graph, and every named graph's triples in the default graph (the merge) too."""
    for quad in store.quads_for_pattern(None, None, None, _DEFAULT):
        yield pyoxigraph.Quad(quad.subject, quad.predicate, quad.object, _DECLARED)
    for name in list(store.named_graphs()):
        for quad in store.quads_for_pattern(None, None, None, name):
            yield pyoxigraph.Quad(quad.subject, quad.predicate, quad.object)  # the default graph
