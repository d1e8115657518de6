"""A resource's documents as quads (.trig, .nq): each statement in the named graphs that state it, and a
graph's content when the IRI names one (a claim's statements were on its page only, helper-92); an
ontology's version IRI served as the ontology (it gave one triple)."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import build_app
from kg.namespaces import PREFIXES

SK, SAHEL, ORG = PREFIXES["sk"], PREFIXES["sahel"], PREFIXES["org"]
CLAIM = "https://sahel-kg.example.org/claim/aes-members"
INFERRED = ox.NamedNode("https://sahel-kg.example.org/graph/inferred")
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
SEE_ALSO = ox.NamedNode(PREFIXES["rdfs"] + "seeAlso")
BASE = "https://sahel-kg.example.org/"


def quads(client, path: str, rdf_format=ox.RdfFormat.TRIG) -> set[ox.Quad]:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return set(ox.parse(response.data, format=rdf_format))


@pytest.mark.parametrize("accept, document", [("application/trig", "/id/jnim.trig"),
                                              ("application/n-quads", "/id/jnim.nq")])
def test_an_iri_answers_303_to_its_quads_when_accept_asks_for_them(shared, accept, document):
    response = shared.get("/id/jnim", headers={"Accept": accept})
    assert response.status_code == 303 and response.headers["Location"] == document
    assert shared.get(document).mimetype == accept


def test_a_claims_quads_hold_what_the_claim_states_in_its_graph(shared):
    found = quads(shared, "/claim/aes-members.trig")
    members = {q.object.value for q in found if q.graph_name == ox.NamedNode(CLAIM) and q.predicate.value == ORG + "member"}
    assert members == {SK + "mali", SK + "niger", SK + "burkina-faso"}
    annotation, target = ox.NamedNode(CLAIM + "#annotation"), ox.NamedNode(CLAIM + "#target")
    assert any(q.triple == ox.Triple(annotation, ox.NamedNode(PREFIXES["oa"] + "hasBody"), ox.NamedNode(CLAIM))
               for q in found)
    assert any(q.triple == ox.Triple(annotation, ox.NamedNode(PREFIXES["oa"] + "hasTarget"), target) for q in found)
    assert any(q.subject == ox.NamedNode(CLAIM + "#quote") and q.predicate.value == PREFIXES["oa"] + "exact"
               for q in found)


def test_an_entitys_quads_tell_inferred_and_claimed_statements_apart(shared):
    found = quads(shared, "/id/jnim.nq", ox.RdfFormat.N_QUADS)
    jnim = ox.NamedNode(SK + "jnim")
    assert ox.Quad(jnim, RDF_TYPE, ox.NamedNode(PREFIXES["foaf"] + "Agent"), INFERRED) in found
    targets = [q for q in found if q.predicate.value == SAHEL + "targets" and q.object == jnim]
    assert targets and all(q.graph_name.value.startswith("https://sahel-kg.example.org/claim/") for q in targets)


@pytest.mark.parametrize("stem", ["/id/jnim", "/claim/aes-members", "/ontology", "/graph/background"])
def test_the_quads_hold_every_triple_of_the_description_and_the_triples_document_names_them(shared, stem):
    response = shared.get(stem + ".ttl")
    described = {q.triple for q in ox.parse(response.data, format=ox.RdfFormat.TURTLE)}
    held = {q.triple for q in quads(shared, stem + ".trig")}
    # the document names its twin in RDF too, for a crawler that reads triples, not headers (helper-193)
    twin = ox.Triple(ox.NamedNode(BASE + stem.lstrip("/")), SEE_ALSO, ox.NamedNode(BASE + stem.lstrip("/") + ".trig"))
    assert twin in described and described - {twin} and described - {twin} <= held
    assert f'<{stem}.trig>; rel="alternate"; type="application/trig"' in response.headers["Link"]
    for ext, rdf_format in (("nt", ox.RdfFormat.N_TRIPLES), ("jsonld", ox.RdfFormat.JSON_LD),
                            ("rdf", ox.RdfFormat.RDF_XML)):
        assert twin in {q.triple for q in ox.parse(shared.get(f"{stem}.{ext}").data, format=rdf_format)}


def test_the_ontologys_version_iri_serves_the_ontology(shared):
    response = shared.get("/ontology/0.1.0", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    version = {q.triple for q in ox.parse(shared.get(response.headers["Location"]).data, format=ox.RdfFormat.TURTLE)}
    current = {q.triple for q in ox.parse(shared.get("/ontology.ttl").data, format=ox.RdfFormat.TURTLE)}
    twins = {triple for triple in version | current if triple.predicate == SEE_ALSO and triple.object.value.endswith(".trig")}
    assert version - twins == current - twins and len(current) > 500  # each names its own URL's quads twin
    assert ox.Triple(ox.NamedNode(SAHEL[:-1]), RDF_TYPE, ox.NamedNode(PREFIXES["owl"] + "Ontology")) in version
    assert "Classes" in shared.get("/ontology/0.1.0.html").get_data(as_text=True)  # the documentation page


SEED = """@prefix sk: <https://sahel-kg.example.org/id/> . @prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://example.org/mine> {
  sk:jnim <http://example.org/q> <<( <http://example.org/a> <http://example.org/b> "c" )>> ;
      <http://example.org/r> "مرحبا"@ar--rtl .
  <http://example.org/evil> a owl:Ontology ; owl:versionIRI sk:mali ; rdfs:label "EVIL" .
}"""


@pytest.fixture
def seeded(tmp_path, article_store):  # noqa: F811
    return build_app(tmp_path / "store", article=article_store, seed=SEED).test_client()


def test_the_quads_keep_triple_terms_and_directions(seeded):
    """Both were lost: a triple term gave a 500, a directional string lost its direction (helper-96)."""
    found = quads(seeded, "/id/jnim.trig") | quads(seeded, "/id/jnim.nq", ox.RdfFormat.N_QUADS)
    assert any(isinstance(q.object, ox.Triple) for q in found)
    assert any(isinstance(q.object, ox.Literal) and q.object.direction is not None for q in found)


def test_only_the_projects_ontology_graph_makes_an_iri_a_version_of_an_ontology(seeded):
    """Any graph's owl:versionIRI made /id/mali.ttl describe another resource (helper-96)."""
    triples = {q.triple for q in ox.parse(seeded.get("/id/mali.ttl").data, format=ox.RdfFormat.TURTLE)}
    label = ox.NamedNode(PREFIXES["rdfs"] + "label")
    assert ox.Triple(ox.NamedNode(SK + "mali"), label, ox.Literal("Mali", language="en")) in triples
    assert ox.Triple(ox.NamedNode("http://example.org/evil"), label, ox.Literal("EVIL")) not in triples
    page = seeded.get("/id/mali.html", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert re.search(r"<h1>(<bdi[^>]*>)?Mali(</bdi>)?</h1>", page)
