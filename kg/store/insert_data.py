"""Quads as INSERT DATA requests for a remote store: chunks any server takes, blank nodes kept together."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph

CHUNK_QUADS = 5000  # quads per INSERT DATA request: small enough for any server's request limits
# Quads sharing blank nodes go in one request (a blank node is scoped to one operation); Virtuoso takes
# them only as an INSERT template, compiled to SQL of at most 10000 lines: so few at a time, merge copy included.
BLANK_CHUNK_QUADS = 100


def insert_data_requests(quads: list[pyoxigraph.Quad]) -> Iterator[str]:
    """INSERT DATA texts holding `quads`: CHUNK_QUADS quads without blank nodes a request, then the rest in
    groups of about BLANK_CHUNK_QUADS, quads joined through a blank node always in the same request."""
    plain = [quad for quad in quads if not _blank_nodes(quad)]
    for start in range(0, len(plain), CHUNK_QUADS):
        yield f"INSERT DATA {{ {_quads_pattern(plain[start:start + CHUNK_QUADS])} }}"
    for chunk in _chunks_keeping_blank_nodes_together([quad for quad in quads if _blank_nodes(quad)]):
        yield f"INSERT DATA {{ {_quads_pattern(chunk)} }}"


def _blank_nodes(quad: pyoxigraph.Quad) -> list:
    return [t for t in (quad.subject, quad.object, quad.graph_name) if isinstance(t, pyoxigraph.BlankNode)]


def _chunks_keeping_blank_nodes_together(quads: list) -> Iterator[list]:
    """Groups of about BLANK_CHUNK_QUADS quads, never splitting quads joined through blank nodes."""
    parent: dict = {}

    def root(node):
        while parent.setdefault(node, node) != node:
            parent[node] = node = parent[parent[node]]
        return node

    for quad in quads:  # union-find: blank nodes in one quad belong together
        first, *others = _blank_nodes(quad)
        for other in others:
            parent[root(other)] = root(first)
    components: dict = {}
    for quad in quads:
        components.setdefault(root(_blank_nodes(quad)[0]), []).append(quad)
    chunk: list = []
    for component in components.values():
        if chunk and len(chunk) + len(component) > BLANK_CHUNK_QUADS:
            yield chunk
            chunk = []
        chunk += component
    if chunk:
        yield chunk


def _quads_pattern(quads: list[pyoxigraph.Quad]) -> str:
    """Quads as an update's data, one GRAPH block per run of the same graph."""
    parts, current = [], None
    for quad in quads:
        graph = None if isinstance(quad.graph_name, pyoxigraph.DefaultGraph) else str(quad.graph_name)
        if graph != current:
            parts.append("} " if current is not None else "")
            parts.append(f"GRAPH {graph} {{ " if graph is not None else "")
            current = graph
        parts.append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    if current is not None:
        parts.append("}")
    return "".join(parts)
