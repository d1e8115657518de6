"""The embedded store's contents written out: its named graphs (the merge in Oxigraph's default graph is derived
from them) or one graph, Turtle and TriG with the project's prefixes and plain local names."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph

from kg.namespaces import PREFIXES
from kg.store.base import DUMP_FORMATS, rdf_format
from kg.output_files import atomic_output
from kg.store.merge import DEFAULT_GRAPH
from kg.turtle_names import PlainNamesWriter

_DECLARED = pyoxigraph.NamedNode(DEFAULT_GRAPH)


def dump(engine: pyoxigraph.Store, output, *, format: str, graph: str | None = None, frozen: bool = False) -> None:
    """As Store.dump, for the engine of an OxigraphStore: `output` a path or a binary file, `graph` None for the
    dataset ("" for the declared default graph); `frozen`: no write can change the engine while it is read."""
    rdf_format(format, DUMP_FORMATS)
    if graph is None and format in ("turtle", "ntriples"):
        raise ValueError(f"{format} holds one graph: name it (\"\" for the default graph)")
    if not hasattr(output, "write"):  # a path: replaced only by a whole dump (kg.output_files)
        with atomic_output(Path(output)) as file:
            dump(engine, file, format=format, graph=graph, frozen=frozen)
    elif format not in ("trig", "turtle"):
        _write(engine, output, format, graph, {}, frozen)
    else:
        writer = PlainNamesWriter(output, PREFIXES)
        _write(engine, writer, format, graph, {"prefixes": PREFIXES}, frozen)
        writer.finish()


def write_quads(quads, output, format: str) -> None:
    """Quads (or triples) written to the binary file `output` in `format`, as the embedded store writes its own:
    Turtle and TriG with the project's prefixes and plain local names (a remote store's dump, kg.store.remote_whole)."""
    if format not in ("trig", "turtle"):
        pyoxigraph.serialize(quads, output, rdf_format(format))
        return
    writer = PlainNamesWriter(output, PREFIXES)
    pyoxigraph.serialize(quads, writer, rdf_format(format), prefixes=PREFIXES)
    writer.finish()


def _write(engine: pyoxigraph.Store, output, format: str, graph: str | None, options: dict, frozen: bool) -> None:
    if graph is not None:
        source = _DECLARED if graph == "" else pyoxigraph.NamedNode(graph)
        engine.dump(output, rdf_format(format), from_graph=source, **options)
        return
    # Each call reads its own snapshot: a graph at a time, a write that moves a triple between graphs could show
    # twice or not at all. So one iterator over everything, the merge skipped, unless no write can come (frozen),
    # where a graph at a time never reads the merge (a third less work).
    if frozen:
        named = (quad for name in engine.named_graphs() for quad in engine.quads_for_pattern(None, None, None, name))
    else:
        named = (quad for quad in engine.quads_for_pattern(None, None, None, None)
                 if not isinstance(quad.graph_name, pyoxigraph.DefaultGraph))
    pyoxigraph.serialize(named, output, rdf_format(format), **options)
