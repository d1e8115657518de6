"""Graphs replaced in an embedded store without SPARQL text: the quads written as they are, each with its
triple in the merge, and the dropped graphs removed by a short update (kg.store.merge keeps the merge true).

An update holding every triple as text cost a 20,000-row event table 1.5 GB and most of its time, in the
lexing that the rewrite of any update needs. On disk the quads go to a staged copy (kg.store.staging); in
memory they are one transaction, and the dropped graphs are put back if it fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import pyoxigraph

from kg.store.merge import Target, rewrite

# Quads a bulk write takes at a time: the bulk loader holds a call's quads in memory (515,000 at once took
# 700 MB, 100,000 about 160 MB); fewer calls leave fewer files to compact.
CHUNK_QUADS = 100_000


def merged_quads(added: dict[str, list[pyoxigraph.Triple]]) -> Iterator[pyoxigraph.Quad]:
    """Each triple in its graph, then in the merge (Oxigraph's default graph)."""
    for iri, triples in added.items():
        graph = pyoxigraph.NamedNode(iri)
        for triple in triples:
            subject, predicate, object_ = triple.subject, triple.predicate, triple.object
            yield pyoxigraph.Quad(subject, predicate, object_, graph)
            yield pyoxigraph.Quad(subject, predicate, object_)  # no graph argument: four times faster


def drop_update(dropped: Iterable[str]) -> str | None:
    """The update dropping `dropped` and the triples of the merge that only they held; None for no graph."""
    text = " ; ".join(f"DROP SILENT GRAPH <{iri}>" for iri in dropped)
    return rewrite(text, Target()).text if text else None


def replace_in_memory(store: pyoxigraph.Store, added: dict[str, list[pyoxigraph.Triple]], dropped: list[str]) -> None:
    """Drop, then add in one transaction; should the addition fail, the dropped graphs are put back as they were."""
    update = drop_update(dropped)
    if update is None:
        store.extend(merged_quads(added))
        return
    graphs = [pyoxigraph.NamedNode(iri) for iri in dropped]
    kept = {graph.value: [quad.triple for quad in store.quads_for_pattern(None, None, None, graph)] for graph in graphs}
    existed = [graph for graph in graphs if store.contains_named_graph(graph)]
    try:  # the drop too: a Ctrl-C as it returns must find the graphs put back (what is still there is added again)
        store.update(update)
        store.extend(merged_quads(added))
    except BaseException:
        for graph in existed:  # one that existed empty, too
            store.add_graph(graph)
        store.extend(merged_quads(kept))  # the merge held each of their triples before, and holds it again
        raise
