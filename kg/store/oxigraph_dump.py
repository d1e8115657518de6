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


def dump(engine: pyoxigraph.Store, output, *, format: str, graph: str | None = None) -> None:
    """As Store.dump, for the engine of an OxigraphStore: `output` a path or a binary file, `graph` None for the
    dataset ("" for the declared default graph)."""
    rdf_format(format, DUMP_FORMATS)
    if graph is None and format in ("turtle", "ntriples"):
        raise ValueError(f"{format} holds one graph: name it (\"\" for the default graph)")
    if not hasattr(output, "write"):  # a path: replaced only by a whole dump (kg.output_files)
        with atomic_output(Path(output)) as file:
            dump(engine, file, format=format, graph=graph)
    elif format not in ("trig", "turtle"):
        _write(engine, output, format, graph, {})
    else:
        writer = PlainNamesWriter(output, PREFIXES)
        _write(engine, writer, format, graph, {"prefixes": PREFIXES})
        writer.finish()


def _write(engine: pyoxigraph.Store, output, format: str, graph: str | None, options: dict) -> None:
    if graph is not None:
        source = _DECLARED if graph == "" else pyoxigraph.NamedNode(graph)
        engine.dump(output, rdf_format(format), from_graph=source, **options)
        return
    named = (quad for name in engine.named_graphs() for quad in engine.quads_for_pattern(None, None, None, name))
    pyoxigraph.serialize(named, output, rdf_format(format), **options)
