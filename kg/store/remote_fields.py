"""The SPARQL Protocol fields a remote store sends for a query: the text as the engine must read it, the dataset
and the engine's own time-limit parameter (kg.store.dialects says what differs by engine)."""

from __future__ import annotations

import uuid

from kg.namespaces import PREFIXES
from kg.select_limit import limited
from kg.sparql_parts import from_graphs_replaced, query_dataset
from kg.sparql_text import scan
from kg.store.dialects import Dialect
from kg.store.graph_guard import guard_graph_variables, merge_dataset, values_inside
from kg.store.inclusive_bounds import strict_bounds


def protocol_fields(sparql: str, rows: int | None, dialect: Dialect, default_graphs: list[str] | None,
                    named_graphs: list[str] | None, seconds: float | None, *,
                    hidden: tuple[str, ...] | None) -> list[tuple[str, str]]:
    """(name, value) pairs for `sparql`: its text, at most `rows` rows of a SELECT, the dataset, the time limit in
    `seconds`. With `hidden` (graph IRIs: the merge, the engine's own), no part of the query reaches those graphs."""
    own = query_dataset(sparql, PREFIXES)  # FROM in the text: the engine reads it
    describe = scan(sparql).form == "DESCRIBE"
    text = limited(sparql, rows) if rows is not None else sparql
    if not dialect.trailing_values:
        text = values_inside(text)
    if not dialect.inclusive_bounds:
        text = strict_bounds(text)
    if hidden is not None:  # the engine's own graphs and the merge are nowhere, however a dataset names them
        default_graphs, named_graphs = _unhidden(default_graphs, hidden), _unhidden(named_graphs, hidden)
        if own and set(own[0] + own[1]) & set(hidden):  # Virtuoso reads FROM before the protocol's dataset
            text = from_graphs_replaced(text, PREFIXES, hidden, _nowhere())
    if hidden is not None and named_graphs is None:  # GRAPH ?g: never the merge, nor the engine's own graphs
        text = guard_graph_variables(text, hidden, spell_out=not dialect.enumerates_graphs).text
    if default_graphs is None and named_graphs is None and dialect.merge_graph and own is None:
        # The merge as the default graph: through GRAPH, but for a DESCRIBE that names no graph (merge_dataset)
        text, default_graphs = merge_dataset(text, dialect.merge_graph, describe=describe)
    if describe:
        text = dialect.describe_prologue + text
    fields = [("query", text)]
    fields += [("default-graph-uri", iri) for iri in _or_no_graph(default_graphs)]
    fields += [("named-graph-uri", iri) for iri in _or_no_graph(named_graphs)]
    if dialect.timeout_parameter and seconds:
        fields.append((dialect.timeout_parameter, str(max(1, int(seconds * 1000)))))
    return fields


def _nowhere() -> str:
    """The IRI of a graph no store holds."""
    return f"urn:uuid:{uuid.uuid4()}"


def _unhidden(graphs: list[str] | None, hidden: tuple[str, ...]) -> list[str] | None:
    """`graphs`, a hidden one as a graph that is nowhere (as the embedded store has no such graph)."""
    return None if graphs is None else [_nowhere() if iri in hidden else iri for iri in graphs]


def _or_no_graph(iris) -> list[str]:
    """Protocol parameters for a list of graph IRIs. No parameter at all would leave the dataset to the
    server, so an empty list (an empty default graph, or no named graphs) names a graph that is nowhere."""
    if iris is None:
        return []
    return list(iris) or [_nowhere()]
