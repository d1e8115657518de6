"""The dataset's statistics: triples, classes and properties per named graph and in the whole store, counted in
the background once per dataset version (api.background_counts); the service description, VoID and the home
page read the same counts."""

from __future__ import annotations


from api.background_counts import Outcome, counts, values

KINDS = ("triples", "classes", "properties")  # what is counted, per named graph and in the whole store
STATISTICS = {
    "triples": "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "classes": "SELECT ?g (COUNT(DISTINCT ?c) AS ?n) WHERE { GRAPH ?g { ?s a ?c } } GROUP BY ?g",
    "properties": "SELECT ?g (COUNT(DISTINCT ?p) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    # The default graph as queries see it: the merge of every named graph (each triple once).
    "all-triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "all-classes": "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
    "all-properties": "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
}


def statistics(until: float | None = None) -> Outcome:
    """Where the counts per named graph (and overall under None) of the dataset's version stand, with the names
    of those the store cut, as (counts, cut) once done; waited for until the time.monotonic() `until` at most."""
    return counts().outcome("statistics", _count, until=until)


def whole_store(found: dict[str, dict]) -> dict[str, int]:
    """The whole store's triples, classes and properties of the statistics' counts `found`."""
    return {name: found[f"all-{name}"].get(None, 0) for name in KINDS}


def _count(query) -> tuple[dict[str, dict], frozenset[str]]:
    found, cut = {}, set()
    for name, sparql in STATISTICS.items():
        answer = query(sparql)
        found[name] = {graph: int(count) for graph, count in values(answer, "g", "n")}
        if answer.truncated:
            cut.add(name)
    return found, frozenset(cut)
