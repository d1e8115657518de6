"""The datasets the graph links to (Wikidata, GeoNames, DBpedia) and the URI space each mints.

Kept apart from kg.links, which builds RDF with rdflib: the server's VoID reads only these, and a server
process that never builds a graph need not hold rdflib (about 12 MB each).
"""

from __future__ import annotations

import re
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


# What people paste for another dataset's entity (its web page, or its IRI over the other scheme), read as the IRI
# that dataset mints: Wikidata's https://www.wikidata.org/wiki/Q912 is http://www.wikidata.org/entity/Q912.
_PAGES = (
    (re.compile(r"https?://(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/(?:Special:EntityPage/|Property:(?=P)|Lexeme:(?=L))?([QPL][0-9]+)"
                r"(?:[?#].*)?", re.ASCII), "http://www.wikidata.org/entity/{}"),
    (re.compile(r"https?://(?:www\.|sws\.)?geonames\.org/([0-9]+)(?:/.*)?", re.ASCII), "https://sws.geonames.org/{}/"),
    (re.compile(r"https?://(?:www\.)?dbpedia\.org/(?:page|resource)/([^?#]+)(?:[?#].*)?", re.ASCII),
     "http://dbpedia.org/resource/{}"),
)


def minted_iri(url: str) -> str:
    """The IRI a linked dataset mints for the entity whose page or IRI `url` is; `url` itself for any other."""
    for pattern, form in _PAGES:
        found = pattern.fullmatch(url)
        if found:
            return form.format(found.group(1))
    return url
