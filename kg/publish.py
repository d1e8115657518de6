"""Put the built article dataset into a store, replacing the project's previous graphs in one update."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.namespaces import DEFAULT_BASE
from kg.store.base import Store
from kg.store.merge import DEFAULT_GRAPH, MERGE_GRAPH

if TYPE_CHECKING:
    from kg.build import BuildResult


def owned_graph(iri: str, base: str = DEFAULT_BASE) -> bool:
    """True for the graphs a build writes (so a rebuild may replace them), never for loaded data or
    what clients wrote to the default graph."""
    kept = {f"{base}graph/{name}" for name in ("loads", "default", "merge")} | {DEFAULT_GRAPH, MERGE_GRAPH}
    loaded = iri.startswith(f"{base}graph/events/")  # kg events load's tables and their links
    return iri.startswith((f"{base}graph/", f"{base}claim/")) and iri not in kept and not loaded


def installed_bases(store: Store) -> set[str]:
    """The bases of the builds installed in `store` (`kg build --base`): those under which the store has all
    of a build's ontology, entities and provenance graphs ({base}graph/ontology, ...). One graph of such a
    name alone (a user's own load) makes no base."""
    graphs = set(store.graphs())
    ending = "graph/ontology"
    return {iri[:-len(ending)] for iri in graphs if iri.endswith(ending)
            and {iri[:-len(ending)] + f"graph/{name}" for name in ("entities", "provenance")} <= graphs}


def install(store: Store, result: BuildResult | None = None, *, base: str = DEFAULT_BASE) -> BuildResult:
    """Replace the project's graphs in `store` with a build (a fresh one if none given), as one update."""
    from kg.build import build, serialize  # rdflib: a server whose store is installed never loads it

    result = result or build(base=base)
    quads = ox.parse(serialize(result.dataset, "nquads"), format=ox.RdfFormat.N_QUADS)
    by_graph: dict[str, list[ox.Triple]] = defaultdict(list)
    for quad in quads:
        by_graph[quad.graph_name.value].append(quad.triple)
    stale = [iri for iri in store.graphs() if owned_graph(iri, base)]
    store.replace_graphs(dict(sorted(by_graph.items())), dropped=sorted(set(stale) | set(by_graph)))
    return result


def prepare(spec: str, *, install: bool = True) -> None:
    """Open the store `spec` names as its writer once (which makes it, recovers a bulk load a killed process left
    and adopts the dataset model) and, with `install`, install the article into it if it is empty. If another
    process writes to it now, that process has done the first already, and a store holding data needs nothing
    more: readers may start (StoreUnavailable only if it is still empty and the article was to be installed)."""
    from kg.errors import StoreUnavailable
    from kg.store import open_store

    try:
        store = open_store(spec)
    except StoreUnavailable as error:
        if "open for writing" not in str(error):
            raise
        if install:
            with open_store(spec, read_only=True) as view:
                if view.count() == 0:
                    raise
        return
    try:
        if install:
            ensure_installed(store)
    finally:
        store.close()


def ensure_installed(store: Store, *, base: str = DEFAULT_BASE) -> BuildResult | None:
    """On first use (an empty store) install the article; otherwise leave the store alone."""
    if store.count() == 0:
        return install(store, base=base)
    return None
