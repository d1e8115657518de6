"""The VoID description of the dataset at /.well-known/void (RFC 8615; VoID section 7.2): the dataset, its
access points, vocabularies, statistics, and one void:Linkset per dataset it links to, with counts
computed from the data (ontology/queries/linkset-counts.rq) each time the dataset's version changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pyoxigraph as ox
from flask import Blueprint, Response, current_app

from api.background_counts import DONE, Outcome, awaited, counts, not_counted, request_until, values
from api.conditional import conditional
from api.dataset_statistics import statistics, whole_store
from api.negotiation import GRAPH_ALIASES, choose
from api.params import format_param, request_params
from api.public_origin import public_url
from kg.graph_text import graph_bytes
from kg.link_targets import TARGETS
from kg.namespaces import PREFIXES
from kg.paths import QUERIES_DIR

bp = Blueprint("void", __name__)

VOID, DCT, FOAF, XSD = PREFIXES["void"], PREFIXES["dct"], PREFIXES["foaf"], PREFIXES["xsd"]
FORMATS = "http://www.w3.org/ns/formats/"
OFFER = [("text/turtle", "turtle"), ("application/ld+json", "jsonld"), ("application/rdf+xml", "rdfxml"),
         ("application/n-triples", "ntriples")]
OFFER += [(media, fmt) for media, fmt in GRAPH_ALIASES if fmt in {name for _, name in OFFER}]  # their other names
LICENSE = "https://opensource.org/licenses/MIT"  # the ontology's dct:license; the article text keeps its own
EXAMPLES = ("aes", "jnim", "mali")
VOCABULARIES = ("sahel", "org", "prov", "time", "oa", "skos", "skosxl", "dct", "schema", "foaf")
# VoID's own count beside the statistics' triples, classes and properties (api.dataset_statistics)
SUBJECTS = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }"
COMMENT = ox.NamedNode(PREFIXES["rdfs"] + "comment")


def void_url() -> str:
    """Where this service's VoID description is."""
    return public_url("/.well-known/void")


@bp.route("/.well-known/void", methods=["GET", "HEAD"])
def describe():
    """The VoID description, in Turtle (default), JSON-LD, RDF/XML or N-Triples by Accept or format=."""
    media, fmt = choose("graph", OFFER, format_param(request_params()))
    # waited for within the request's time limit (503 while still being made): a description without them, saying
    # why, only where they could not be made for this version
    outcome = _outcome(request_until())
    return conditional(("void", public_url("/"), media, outcome.state), lambda: _serialized(media, fmt, outcome),
                       media, negotiated=True)


def _outcome(until: float | None) -> Outcome:
    """The statistics and VoID's own counts as one outcome, (statistics, linksets, cut) once both are done; the
    first not done otherwise. Each is waited for until `until` (503 where still being made, see awaited)."""
    statistics()  # asked for before VoID's own are waited for: the one counting thread makes both in turn
    own = awaited(counts().outcome("void", _count, until=until))
    shared = awaited(statistics(until=until))
    if shared.state != DONE or own.state != DONE:
        return shared if shared.state != DONE else own
    subjects, linksets, cut = own.value
    return replace(own, value=({**whole_store(shared.value[0]), "distinctSubjects": subjects}, linksets, cut))


def _serialized(media: str, fmt: str, outcome: Outcome) -> Response:
    triples = [ox.Triple(*triple) for triple in _description(outcome)]
    prefixes = {name: PREFIXES[name] for name in ("void", "dct", "foaf", "skos", "owl", "rdfs", "sk")}
    body = graph_bytes(triples, fmt, prefixes)  # kg's graph writer, as every graph answer has
    return Response(body, mimetype=media)


def _description(outcome: Outcome) -> list[tuple]:
    document = ox.NamedNode(void_url())
    dataset = ox.NamedNode(void_url() + "#sahel-kg")
    statistics, linksets, cut = outcome.value if outcome.state == DONE else ({}, {}, True)
    out = [
        (document, _rdf("type"), _void("DatasetDescription")),
        (document, _dct("title"), ox.Literal("A VoID description of sahel-kg", language="en")),
        (document, ox.NamedNode(FOAF + "primaryTopic"), dataset),
        (dataset, _rdf("type"), _void("Dataset")),
        (dataset, _dct("title"), ox.Literal("sahel-kg", language="en")),
        (dataset, _dct("description"), ox.Literal(
            "Security relationships in the Sahel as stated by the sourced claims of a news article, with "
            "links to Wikidata, GeoNames and DBpedia.", language="en")),
        (dataset, _dct("license"), ox.NamedNode(LICENSE)),
        (dataset, _dct("rights"), ox.Literal(
            "The data this project made is under the MIT licence. The text of each source article (the "
            "schema:text of its document, and the quotes of the claims) is its publisher's, and not covered "
            "by it.", language="en")),
        (dataset, _void("sparqlEndpoint"), ox.NamedNode(public_url("/sparql"))),
        (dataset, _void("uriSpace"), ox.Literal(current_app.config["IRI_BASE"])),  # /id/, /claim/, /source/...
        (dataset, _void("feature"), ox.NamedNode(FORMATS + "TriG")),
        (dataset, _void("feature"), ox.NamedNode(FORMATS + "N-Quads")),
    ]
    out += [(dataset, _void("dataDump"), ox.NamedNode(public_url("/" + name)))
            for name in ("dump.trig.gz", "dump.nq.gz")]
    out += [(dataset, _void("exampleResource"), ox.NamedNode(PREFIXES["sk"] + name)) for name in EXAMPLES]
    out += [(dataset, _void("vocabulary"), ox.NamedNode(PREFIXES[name])) for name in VOCABULARIES]
    out += [(dataset, _void(name), _integer(value)) for name, value in statistics.items()]
    version = current_app.extensions["sahel-kg"].version()
    if version is not None:
        when = datetime.fromtimestamp(version.modified, timezone.utc).isoformat()
        out.append((dataset, _dct("modified"), ox.Literal(when, datatype=ox.NamedNode(XSD + "dateTime"))))
    for target in TARGETS:
        out += _linkset(dataset, target, None if cut else linksets.get(target.name, {}))
    if outcome.state != DONE:
        out.append((dataset, COMMENT, ox.Literal(
            f"No statistics and no counts of links: {not_counted(outcome)}.", language="en")))
    elif cut:  # a store with a row limit of its own below the dozen rows of the counts (another kg serve)
        out.append((dataset, COMMENT, ox.Literal(
            "The store cut the counts of links at a row limit of its own: the linksets are given without them.",
            language="en")))
    return out


def _linkset(dataset, target, by_predicate: dict[str, int] | None) -> list[tuple]:
    """The target dataset, one linkset to it with the total, and a sub-linkset per link predicate; the
    linkset alone, without a count, for None (counts the store cut)."""
    other = ox.NamedNode(f"{void_url()}#{target.name}")
    linkset = ox.NamedNode(f"{void_url()}#links-to-{target.name}")
    out = [(other, _rdf("type"), _void("Dataset")),
           (other, _dct("title"), ox.Literal(target.title)),
           (other, ox.NamedNode(FOAF + "homepage"), ox.NamedNode(target.homepage)),
           (other, _void("uriSpace"), ox.Literal(target.uri_space)),
           (dataset, _void("subset"), linkset)]
    if by_predicate is None:
        return out + _linkset_core(linkset, dataset, other, None)
    out += _linkset_core(linkset, dataset, other, sum(by_predicate.values()))
    for predicate, count in sorted(by_predicate.items()):
        part = ox.NamedNode(f"{linkset.value}-{predicate.rsplit('#', 1)[-1]}")
        out += [(linkset, _void("subset"), part), (part, _void("linkPredicate"), ox.NamedNode(predicate))]
        out += _linkset_core(part, dataset, other, count)
    return out


def _linkset_core(node, subjects, objects, count: int | None) -> list[tuple]:
    out = [(node, _rdf("type"), _void("Linkset")), (node, _void("subjectsTarget"), subjects),
           (node, _void("objectsTarget"), objects)]
    return out if count is None else out + [(node, _void("triples"), _integer(count))]


def _count(query) -> tuple[int, dict[str, dict[str, int]], bool]:
    """The dataset's distinct subjects, the links per target dataset and predicate, and whether the store cut
    those; made in the background once per version (api.background_counts), all within one time limit."""
    subjects = int(values(query(SUBJECTS), "n")[0][0])
    links = query((QUERIES_DIR / "linkset-counts.rq").read_text(encoding="utf-8"))
    linksets: dict[str, dict[str, int]] = {}
    for dataset, predicate, count in values(links, "dataset", "predicate", "links"):
        linksets.setdefault(dataset, {})[predicate] = int(count)
    return subjects, linksets, links.truncated


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _void(name: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + name)


def _dct(name: str) -> ox.NamedNode:
    return ox.NamedNode(DCT + name)


def _rdf(name: str) -> ox.NamedNode:
    return ox.NamedNode(PREFIXES["rdf"] + name)
