"""Which of the graphs a query's dataset names a remote engine has, asked in one request, so that an answer
read from graphs that are not there is warned of as the embedded store's is. A part of RemoteStore
(kg.store.remote)."""

from __future__ import annotations

from pyoxigraph import NamedNode


class DatasetGraphsHad:
    """missing_graphs, over RemoteStore's hidden_graphs, keeps_empty_graphs, dialect and _select."""

    def missing_graphs(self, iris: list[str]) -> list[str]:
        """As Store.missing_graphs: the engine's own graphs and the merge, which no query of ours reads, are
        missing; where the engine keeps no empty graph, one the store noted empty is had."""
        hidden = set(self.hidden_graphs())
        asked = [iri for iri in iris if iri not in hidden]
        if not asked:
            return list(iris)
        pattern = "GRAPH ?g {}" if self.keeps_empty_graphs else "GRAPH ?g { ?s ?p ?o }"
        noted = self.dialect.created_graph  # where the store notes the graphs left empty (see noted_empty)
        if noted and not self.keeps_empty_graphs:
            pattern = f"{{ {pattern} }} UNION {{ GRAPH {NamedNode(noted)} {{ ?g ?p ?o }} }}"
        values = " ".join(str(NamedNode(iri)) for iri in asked)
        found = {row[0].value for row in self._select(
            f"SELECT DISTINCT ?g WHERE {{ VALUES ?g {{ {values} }} {pattern} }}", hide=False)}
        return [iri for iri in iris if iri not in found]
