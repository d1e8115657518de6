"""Quads as INSERT DATA requests for a remote store: chunks any server takes, blank nodes kept together."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph

from kg.errors import EvaluationError, QuerySyntaxError

CHUNK_QUADS = 5000  # quads per INSERT DATA request: small enough for any server's request limits
# Quads sharing blank nodes go in one request (a blank node is scoped to one operation); Virtuoso takes
# them only as an INSERT template, compiled to SQL of at most 10000 lines: so few at a time, merge copy included.
BLANK_CHUNK_QUADS = 100


@dataclass(frozen=True)
class Request:
    """An INSERT DATA text, how many quads it holds, and the most of them joined through blank nodes."""

    text: str
    quads: int
    joined: int = 0


def insert_data_requests(quads: list[pyoxigraph.Quad]) -> Iterator[Request]:
    """INSERT DATA requests holding `quads`: quads joined through a blank node always in the same request, in
    groups of about BLANK_CHUNK_QUADS, the largest group first; then CHUNK_QUADS quads without blank nodes a
    request, in their order. A group too large for the engine is so refused before anything is written, and
    what comes last (a load's record) is written only after all the rest."""
    for chunk, joined in _chunks_keeping_blank_nodes_together([quad for quad in quads if _blank_nodes(quad)]):
        yield Request(f"INSERT DATA {{ {_quads_pattern(chunk)} }}", len(chunk), joined)
    plain = [quad for quad in quads if not _blank_nodes(quad)]
    for start in range(0, len(plain), CHUNK_QUADS):
        chunk = plain[start:start + CHUNK_QUADS]
        yield Request(f"INSERT DATA {{ {_quads_pattern(chunk)} }}", len(chunk))


def unreadable(error: QuerySyntaxError) -> EvaluationError:
    """The engine's syntax error over an update made from parsed data: the data holds what the engine cannot read
    (Virtuoso: RDF 1.2 triple terms), refused as given, never told as a malformed query at a line of ours."""
    return EvaluationError(f"the store cannot read this data as the SPARQL Update it was sent in (not a query of "
                           f"yours): {error.message}")


def refusal(error: Exception, request: Request, written: int, total: int) -> str:
    """What a store's refusal of `request` says, after `written` of `total` quads went in before it."""
    said = f"{error}"
    if request.joined > BLANK_CHUNK_QUADS:
        said += (f" ({request.joined} quads joined through blank nodes go in one request, as a blank node holds "
                 "only within one: give those nodes IRIs, or load the file with the engine's own loader)")
    return said + ("; nothing was written" if written == 0 else f"; {written} of the {total} quads were written")


def _blank_nodes(quad: pyoxigraph.Quad) -> list:
    return [node for term in (quad.subject, quad.object, quad.graph_name) for node in _blank_nodes_in(term)]


def _blank_nodes_in(term) -> list:
    """The blank nodes of a term: itself, or those within a triple term, at any depth."""
    if isinstance(term, pyoxigraph.Triple):
        return [node for part in (term.subject, term.object) for node in _blank_nodes_in(part)]
    return [term] if isinstance(term, pyoxigraph.BlankNode) else []


def _chunks_keeping_blank_nodes_together(quads: list) -> Iterator[tuple[list, int]]:
    """Groups of about BLANK_CHUNK_QUADS quads, never splitting quads joined through blank nodes, the largest
    first; each with the size of its largest set of quads so joined."""
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
    joined = 0
    for component in sorted(components.values(), key=len, reverse=True):
        if chunk and len(chunk) + len(component) > BLANK_CHUNK_QUADS:
            yield chunk, joined
            chunk, joined = [], 0
        chunk += component
        joined = max(joined, len(component))
    if chunk:
        yield chunk, joined


def _quads_pattern(quads: list[pyoxigraph.Quad]) -> str:
    """Quads as an update's data, one GRAPH block per run of the same graph."""
    parts, current = [], None
    for quad in quads:
        graph = None if isinstance(quad.graph_name, pyoxigraph.DefaultGraph) else str(quad.graph_name)
        if graph != current:
            parts.append("} " if current is not None else "")
            parts.append(f"GRAPH {graph} {{ " if graph is not None else "")
            current = graph
        parts.append(f"{quad.triple} .\n")  # not its terms one by one: a triple term's own text has no <<( )>>
    if current is not None:
        parts.append("}")
    return "".join(parts)
