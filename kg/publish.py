"""Put the built article dataset into a store, replacing the project's previous graphs in one update."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.namespaces import DEFAULT_BASE, PREFIXES
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


def stale_inputs(store: Store) -> list[str]:
    """The shipped inputs (as the build names them: `entities/entities.ttl`) changed since the article installed in
    `store` was built: each one whose sha256 is not the one the build recorded in its provenance graph, and each
    claims file shipped since. [] where no build is installed; a build of other claims files (`kg build --claims`)
    is judged by the inputs it shares with the shipped ones."""
    import hashlib

    from kg.build import Inputs, input_files

    inputs = Inputs()
    shipped = {item.name: item.path for item in input_files(inputs, inputs.claims_files())}
    recorded = {name.value: sha.value for name, sha in store.query(_RECORDED_INPUTS)}
    if not recorded:
        return []
    changed = [name for name, path in shipped.items()
               if name in recorded and hashlib.sha256(path.read_bytes()).hexdigest() != recorded[name]]
    claims = {name for name in recorded if name.startswith("claims/")}
    if claims <= set(shipped):  # a build of the shipped claims: a claims file shipped since is one more article
        changed += [name for name in shipped if name not in recorded]
    return sorted(changed)


_RECORDED_INPUTS = "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in ("prov", "rdfs", "sahel")) + f"""
SELECT ?name ?sha WHERE {{ GRAPH <{DEFAULT_BASE}graph/provenance> {{
  ?input a prov:Entity ; rdfs:label ?name ; sahel:sha256 ?sha FILTER STRSTARTS(STR(?input), "{DEFAULT_BASE}build/input/")
}} }}"""


def stale_warning(names: list[str], store: str | None = None) -> str:
    """What to tell a user whose store holds a build of inputs that have changed (stale_inputs) since; `store`, the
    store's spec where it is not the default one."""
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    command = "kg build --install" + (f" --store {store}" if store else "")
    return (f"the store holds the article as built from other versions of its inputs than this checkout's ({shown}); "
            f"`{command}` replaces the project's graphs with a build of this checkout's (loaded data stays)")


def prepare(spec: str, *, install: bool = True) -> None:
    """Open the store `spec` names as its writer once (which makes it, recovers a bulk load a killed process left
    and adopts the dataset model) and, with `install`, install the article into it if it is empty. If another
    process writes to it now, that process has done the first already, and a store holding data needs nothing
    more: readers may start (StoreUnavailable only if it is still empty and the article was to be installed)."""
    from kg.errors import StoreLocked
    from kg.store import default_store_path, embedded_path, open_store, shown_spec

    try:
        store = open_store(spec)
    except StoreLocked:
        if install:
            with open_store(spec, read_only=True) as view:
                if view.count() == 0:
                    raise
        return
    try:
        stale = stale_inputs(store) if install and ensure_installed(store) is None else []
        if stale:  # the caller (kg serve) warns of it
            print(stale_warning(stale, None if embedded_path(spec) == default_store_path() else shown_spec(spec)))
    finally:
        store.close()


def ensure_installed(store: Store, *, base: str = DEFAULT_BASE) -> BuildResult | None:
    """On first use (an empty store) install the article; otherwise leave the store alone."""
    if store.count() == 0:
        return install(store, base=base)
    return None
