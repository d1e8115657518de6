"""The SPARQL 1.1 Service Description of /sparql, with VoID statistics of the dataset and its graphs."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, current_app, request

from api.background_counts import DONE, awaited, not_counted, request_until
from api.dataset_statistics import KINDS, statistics, whole_store
from api.errors import Problem
from api.negotiation import best_match, choose
from api.public_origin import public_url
from api.void import COMMENT, OFFER as OFFERED, void_url  # the same syntaxes as VoID's
from kg.graph_text import graph_bytes
from kg.namespaces import PREFIXES

SD = PREFIXES["sd"]
VOID = PREFIXES["void"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
FORMATS = "http://www.w3.org/ns/formats/"
RESULT_FORMATS = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads"]

# Named graphs the description lists with their counts: at 1M statements all 24,873 made 6 MB and 6 s of work
# for every request.
MOST_GRAPHS = 1000


def description_media(override: str | None) -> str | None:
    """The media type of the description: by format= or output= (`override`, api.params.format_param) where given,
    as VoID's is, else by Accept, "text/html" (the query page) among them; None when none is acceptable."""
    if override is None:
        return best_match(request.headers.get("Accept"), [media for media, _ in OFFERED] + ["text/html"])
    return choose("graph", OFFERED, override)[0]  # a format none of them is: FormatError (406)


def describe_service(media: str | None):
    """The description in `media` (one of OFFERED, as negotiated by the caller); 406 for None."""
    if media is None:
        raise Problem(406, "Not acceptable", "the service description comes as "
                      + ", ".join(m for m, _ in OFFERED) + " or text/html")
    endpoint = ox.NamedNode(public_url())
    # kg's graph writer, as for every other graph answer: Turtle with its names as rdflib reads them
    body = graph_bytes(_description(endpoint), dict(OFFERED)[media], {"sd": SD, "void": VOID})
    response = Response(body, mimetype=media)
    response.headers["Vary"] = "Accept"
    return response


def _description(endpoint: ox.NamedNode) -> list[ox.Triple]:
    settings = current_app.config
    node = ox.BlankNode("service")
    triples = [
        (node, RDF_TYPE, _sd("Service")),
        (node, _sd("endpoint"), endpoint),
        (node, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        (node, _sd("feature"), _sd("UnionDefaultGraph")),
    ]
    if settings["UPDATES_ENABLED"]:
        triples.append((node, _sd("supportedLanguage"), _sd("SPARQL11Update")))
    if settings["SERVICE_ALLOWLIST"]:
        triples.append((node, _sd("feature"), _sd("BasicFederatedQuery")))
    triples += [(node, _sd("resultFormat"), ox.NamedNode(FORMATS + name)) for name in RESULT_FORMATS]
    # The VoID description (linksets, dumps, licence) of the dataset this service serves.
    triples.append((node, ox.NamedNode(PREFIXES["rdfs"] + "seeAlso"), ox.NamedNode(void_url())))
    triples += _dataset(node)
    return [ox.Triple(*triple) for triple in triples]


def _dataset(service) -> list[tuple]:
    outcome = awaited(statistics(until=request_until()))
    dataset, default = ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [(service, _sd("defaultDataset"), dataset), (dataset, RDF_TYPE, _sd("Dataset")),
               (dataset, _sd("defaultGraph"), default), (default, RDF_TYPE, _sd("Graph")),
               (default, RDF_TYPE, ox.NamedNode(VOID + "Dataset"))]
    if outcome.state != DONE:  # counts that could not be made for this version: the description without them
        return triples + [(dataset, COMMENT, ox.Literal(
            f"No counts and no list of the named graphs: {not_counted(outcome)}.", language="en"))]
    counts, cut = outcome.value
    triples += _void(default, whole_store(counts))
    graphs = sorted(counts["triples"])
    for number, graph in enumerate(graphs[:MOST_GRAPHS], start=1):
        named, described = ox.BlankNode(f"named{number}"), ox.BlankNode(f"graph{number}")
        triples += [(dataset, _sd("namedGraph"), named), (named, RDF_TYPE, _sd("NamedGraph")),
                    (named, _sd("name"), ox.NamedNode(graph)), (named, _sd("graph"), described),
                    (described, RDF_TYPE, _sd("Graph"))]
        # A count per graph gives whole groups: a graph a cut answer left out has a count, just not given.
        triples += _void(described, {name: counts[name].get(graph, 0) for name in KINDS
                                     if graph in counts[name] or name not in cut})
    if len(graphs) > MOST_GRAPHS:
        triples.append((dataset, COMMENT, ox.Literal(
            f"{len(graphs)} named graphs: the first {MOST_GRAPHS} by IRI are listed here with their counts; a query "
            "counts them all (SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g).", language="en")))
    if cut:  # a store with a row limit of its own (another kg serve, Virtuoso) gave part of a count per graph
        triples.append((dataset, COMMENT, ox.Literal(
            f"Incomplete: the store cut its counts per graph ({', '.join(sorted(cut))}) at a row limit of its own, "
            "so the named graphs listed may be some of them, and a count a graph lacks here was cut.", language="en")))
    return triples


def _void(node, numbers: dict) -> list[tuple]:
    return [(node, ox.NamedNode(VOID + name), ox.Literal(str(value), datatype=ox.NamedNode(PREFIXES["xsd"] + "integer")))
            for name, value in numbers.items()]


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)
