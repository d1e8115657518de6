"""Values a mapping made for a code-list property (sahel:eventType, sahel:datePrecision, ...) that are no
concept of that property's scheme, as the SHACL shapes say which scheme each such property takes."""

from __future__ import annotations

from functools import lru_cache

import pyoxigraph as ox

from kg import paths

# A property shape `[ sh:path P ; sh:node N ]` whose node shape N requires `skos:inScheme S` takes S's concepts.
SCHEME_CONCEPTS = """
PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?property ?concept WHERE {
  ?shape sh:path ?property ; sh:node ?node . FILTER isIRI(?property)
  ?node sh:property [ sh:path skos:inScheme ; sh:hasValue ?scheme ] .
  ?concept skos:inScheme ?scheme .
}"""


@lru_cache(maxsize=1)
def schemes() -> dict[str, frozenset[str]]:
    """Each code-list property's IRI, with the IRIs of the concepts of the scheme the shapes give it."""
    store = ox.Store()  # in memory: the shipped shapes and ontology, read once
    for file in (paths.SHAPES_FILE, paths.ONTOLOGY_FILE):
        store.load(path=str(file), format=ox.RdfFormat.TURTLE)
    taken: dict[str, set[str]] = {}
    for row in store.query(SCHEME_CONCEPTS):
        taken.setdefault(row["property"].value, set()).add(row["concept"].value)
    return {name: frozenset(concepts) for name, concepts in taken.items()}


def off_scheme(triples: list[ox.Triple]) -> list[str]:
    """Each value of a code-list property that is not a concept of its scheme, as `<subject> <predicate>
    <value> is no concept of the property's code list`."""
    taken = schemes()
    return [f"{triple.subject} {triple.predicate} {triple.object} is no concept of the property's code list"
            for triple in triples
            if triple.predicate.value in taken and triple.object.value not in taken[triple.predicate.value]]
