"""Graphs a query's dataset names (FROM, FROM NAMED, or the protocol's default-graph-uri and named-graph-uri)
that the store does not have: SPARQL reads each as empty, so the answer is empty there and callers warn."""

from __future__ import annotations

from kg.sparql_parts import query_dataset
from kg.text_reading import Reading


class DatasetGraphs:
    """What kg.query.QueryService knows of its dataset's graphs: it has the `store` and `prefixes` these read."""

    def absent_graphs(self, reading: Reading, default_graphs=None, named_graphs=None) -> list[str]:
        """The graphs of the dataset the store does not have, each once, the default graph's first. A dataset given
        (the protocol's) replaces the text's FROM clauses, as the engine does; a query naming none asks nothing."""
        if default_graphs is None and named_graphs is None:
            # most queries name no dataset: a search for the word FROM is all they cost
            dataset = query_dataset(reading.written, self.prefixes, reading.base)
            if dataset is None:
                return []
            default_graphs, named_graphs = dataset
        named = list(dict.fromkeys([*(default_graphs or ()), *(named_graphs or ())]))
        return self.store.missing_graphs(named) if named else []
