"""The VoID description at /.well-known/void: dataset, licence, dumps, examples, vocabularies, and one
linkset per target dataset whose counts follow the data; the service description points at it."""

from __future__ import annotations

import csv
from collections import Counter

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS, OWL

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, WRITABLE
from kg import paths
from kg.link_targets import target_dataset

VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
HOST = "http://localhost/"
DOCUMENT = URIRef(HOST + ".well-known/void")
DATASET = URIRef(HOST + ".well-known/void#sahel-kg")
PREDICATES = {"exactMatch": SKOS.exactMatch, "closeMatch": SKOS.closeMatch, "seeAlso": RDFS.seeAlso}


def void_of(app, **headers) -> Graph:
    response = app.test_client().get("/.well-known/void", headers=headers)
    assert response.status_code == 200
    formats = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/rdf+xml": "xml",
               "application/n-triples": "nt"}
    return Graph().parse(data=response.get_data(), format=formats[response.mimetype])


def expected_links() -> Counter:
    """Links per (target dataset, predicate), counted from the links table by hand of this test."""
    counted = Counter()
    with open(paths.LINKS_FILE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["status"] == "rejected":
                continue
            name = target_dataset(row["target"]).name
            counted[name, PREDICATES[row["relation"]]] += 1
            if row["status"] == "verified":
                counted[name, OWL.sameAs] += 1
    return counted


def linksets(graph: Graph) -> dict:
    """{(target title, predicate or None for the whole linkset): triples}."""
    found = {}
    for linkset in graph.subjects(RDF.type, VOID.Linkset):
        assert graph.value(linkset, VOID.subjectsTarget) == DATASET
        target = graph.value(linkset, VOID.objectsTarget)
        key = (str(graph.value(target, DCTERMS.title)), graph.value(linkset, VOID.linkPredicate))
        found[key] = int(graph.value(linkset, VOID.triples))
    return found


def test_the_dataset_its_licence_access_points_and_vocabularies(shared_app):
    graph = void_of(shared_app)
    assert (DOCUMENT, FOAF.primaryTopic, DATASET) in graph
    assert (DATASET, RDF.type, VOID.Dataset) in graph
    assert graph.value(DATASET, DCTERMS.license) == URIRef("https://opensource.org/licenses/MIT")
    assert graph.value(DATASET, VOID.sparqlEndpoint) == URIRef(HOST + "sparql")
    dumps = set(graph.objects(DATASET, VOID.dataDump))
    assert dumps == {URIRef(HOST + "dump.trig.gz"), URIRef(HOST + "dump.nq.gz")}
    client = shared_app.test_client()
    assert all(client.head(str(dump).removeprefix(HOST[:-1])).status_code == 200 for dump in dumps)
    examples = set(graph.objects(DATASET, VOID.exampleResource))
    assert URIRef("https://sahel-kg.example.org/id/jnim") in examples
    ask = client.get("/sparql", query_string={"query": "ASK { <https://sahel-kg.example.org/id/jnim> ?p ?o }"})
    assert ask.get_json()["boolean"] is True  # an example resource is in the data
    assert URIRef("https://sahel-kg.example.org/ontology#") in set(graph.objects(DATASET, VOID.vocabulary))
    assert graph.value(DATASET, VOID.uriSpace) == Literal("https://sahel-kg.example.org/")  # every IRI it mints
    assert "not covered" in str(graph.value(DATASET, DCTERMS.rights))  # the articles' text is its publisher's
    assert int(graph.value(DATASET, VOID.triples)) > 2000


def distinct_triples(app) -> int:
    """The dataset's distinct triples, counted from its named graphs by this test."""
    text = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = app.test_client().get("/sparql", query_string={"query": text}, headers={"Accept": "text/csv"})
    return response.get_data().count(b"\r\n") - 1  # the header line


def test_the_triples_are_counted_once_whatever_graphs_state_them(make_app):
    app = make_app(WRITABLE)
    triples = int(void_of(app).value(DATASET, VOID.triples))
    assert triples == distinct_triples(app)
    # a link the data already holds, stated again by another graph: one more quad, no more triples or links
    found = app.test_client().get("/sparql", query_string={
        "query": "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2004/02/skos/core#exactMatch> ?o } LIMIT 1"})
    (row,) = found.get_json()["results"]["bindings"]
    subject, target = row["s"]["value"], row["o"]["value"]
    before = linksets(void_of(app))
    update = (f"INSERT DATA {{ GRAPH <http://example.org/again> {{ <{subject}> "
              f"<http://www.w3.org/2004/02/skos/core#exactMatch> <{target}> }} }}")
    assert app.test_client().post("/sparql", data={"update": update}, headers=AUTH).status_code in (200, 204)
    assert int(void_of(app).value(DATASET, VOID.triples)) == triples
    assert linksets(void_of(app)) == before


def test_one_linkset_per_target_with_computed_counts(shared_app):
    found = linksets(void_of(shared_app))
    expected = expected_links()
    titles = {"wikidata": "Wikidata", "geonames": "GeoNames", "dbpedia": "DBpedia"}
    for (name, predicate), count in expected.items():
        assert found[titles[name], predicate] == count
    for name, title in titles.items():  # the whole linkset to a target: the sum of its parts
        assert found[title, None] == sum(n for (target, _), n in expected.items() if target == name)
    assert found["Wikidata", SKOS.exactMatch] == 7 and found["Wikidata", SKOS.closeMatch] == 2


def test_the_counts_follow_the_data(make_app):
    app = make_app(WRITABLE)
    before = linksets(void_of(app))
    update = ("INSERT DATA { GRAPH <http://example.org/more> { <https://sahel-kg.example.org/id/aes> "
              "<http://www.w3.org/2004/02/skos/core#closeMatch> <http://www.wikidata.org/entity/Q1> } }")
    assert app.test_client().post("/sparql", data={"update": update}, headers=AUTH).status_code in (200, 204)
    after = linksets(void_of(app))
    assert after["Wikidata", SKOS.closeMatch] == before["Wikidata", SKOS.closeMatch] + 1
    assert after["Wikidata", None] == before["Wikidata", None] + 1


@pytest.mark.parametrize("accept", ["application/ld+json", "application/rdf+xml", "application/n-triples"])
def test_other_formats_say_the_same(shared_app, accept):
    assert linksets(void_of(shared_app, Accept=accept)) == linksets(void_of(shared_app))


@pytest.mark.parametrize("path, labelled", [
    ("/.well-known/void", "text/n3"), ("/sparql", "text/n3"),  # the service description
    ("/id/mali", "text/turtle"), ("/ontology", "text/turtle"),  # a linked-data document: its .ttl
])
def test_every_rdf_description_answers_an_n3_client_with_turtle(shared_app, path, labelled):
    response = shared_app.test_client().get(path, headers={"Accept": "text/n3"}, follow_redirects=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == labelled
    assert len(Graph().parse(data=response.get_data(as_text=True), format="n3")) > 0


@pytest.mark.parametrize("path", ["/.well-known/void", "/sparql"])
@pytest.mark.parametrize("accept, syntax", [("application/json", "json-ld"), ("application/xml", "xml"),
                                            ("text/plain", "nt"), ("application/x-turtle", "turtle")])
def test_the_descriptions_take_the_aliases_graph_answers_take(shared_app, path, accept, syntax):
    # A CONSTRUCT, a graph of /store and /id/x all answer application/json with JSON-LD (and the other aliases
    # alike); VoID and the service description were a 406 to them.
    response = shared_app.test_client().get(path, headers={"Accept": accept})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == accept
    assert len(Graph().parse(data=response.get_data(as_text=True), format=syntax)) > 0


def test_the_service_description_points_at_the_void(shared_app):
    response = shared_app.test_client().get("/sparql", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(), format="turtle")
    service = next(graph.subjects(RDF.type, SD.Service))
    assert (service, RDFS.seeAlso, DOCUMENT) in graph


def test_a_server_without_a_time_limit_describes_itself(make_app):
    """QUERY_TIMEOUT none (no limit, refused only on a public server): VoID and the service description did not
    wait for their counts, then failed formatting the limit in their 503, and answered 500."""
    client = make_app({"QUERY_TIMEOUT": None}).test_client()
    for path in ("/.well-known/void", "/sparql"):
        answer = client.get(path, headers={"Accept": "text/turtle"})
        assert answer.status_code == 200 and "void:triples" in answer.get_data(as_text=True), path


@pytest.mark.parametrize("path", ["/.well-known/void", "/sparql"])
@pytest.mark.parametrize("asked", [{"headers": {"Accept": "application/x-trig"}}, {"headers": {"Accept": "text/x-nquads"}},
                                   {"query_string": "format=trig"}])
def test_the_descriptions_take_no_other_name_of_a_format_they_are_not_in(shared_app, path, asked):
    """TriG's and N-Quads' older names got VoID in TriG, which its own type did not (helper-209)."""
    assert shared_app.test_client().get(path, **asked).status_code == 406
