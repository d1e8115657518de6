"""The datasets the graph links to (Wikidata, GeoNames, DBpedia) and the URI space each mints.

Kept apart from kg.links, which builds RDF with rdflib: the server's VoID reads only these, and a server
process that never builds a graph need not hold rdflib (about 12 MB each).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TargetDataset:
    """A dataset the graph links to: a short name, its URI space (the IRIs it mints), title and homepage."""

    name: str
    uri_space: str
    title: str
    homepage: str


TARGETS = (
    TargetDataset("wikidata", "http://www.wikidata.org/entity/", "Wikidata", "https://www.wikidata.org/"),
    TargetDataset("geonames", "https://sws.geonames.org/", "GeoNames", "https://www.geonames.org/"),
    TargetDataset("dbpedia", "http://dbpedia.org/resource/", "DBpedia", "https://www.dbpedia.org/"),
)


def target_dataset(iri: str) -> TargetDataset | None:
    """The dataset whose URI space holds `iri`, or None."""
    return next((target for target in TARGETS if iri.startswith(target.uri_space)), None)
