"""Which document a client is sent to: format= (or output=) on a thing's IRI picks it over Accept, as /sparql and
VoID read it (`/id/mali?format=nt` was sent to the Turtle document, the parameter ignored); the home page sends a
client asking for RDF to the dataset's VoID description (it answered HTML)."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import problem

NAMES = [("nt", "nt"), ("n-triples", "nt"), ("ntriples", "nt"), ("application/n-triples", "nt"),
         ("turtle", "ttl"), ("TTL", "ttl"), ("json-ld", "jsonld"), ("json", "jsonld"), ("rdf/xml", "rdf"),
         ("xml", "rdf"), ("n-quads", "nq"), ("trig", "trig"), ("html", "html"), ("text/html", "html")]


@pytest.mark.parametrize("name, ext", NAMES)
def test_format_names_the_document_a_things_iri_redirects_to(shared, name, ext):
    response = shared.get(f"/id/mali?format={name}", headers={"Accept": "text/turtle"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/id/mali.{ext}")


def test_format_any_type_leaves_the_choice_to_accept(shared):
    response = shared.get("/id/mali?format=*/*", headers={"Accept": "application/n-triples"})
    assert response.headers["Location"].endswith("/id/mali.nt")


def test_output_is_read_as_format_is(shared):
    response = shared.get("/id/mali?output=nt", headers={"Accept": "text/html"})
    assert response.headers["Location"].endswith("/id/mali.nt")


def test_a_format_that_names_no_document_is_406_listing_those_that_do(shared):
    response = shared.get("/id/mali?format=csv")
    assert response.status_code == 406 and response.mimetype == "application/problem+json"
    assert "ttl, jsonld, nt, rdf, trig, nq, html" in response.json["detail"]


def test_two_formats_that_disagree_are_400(shared):
    assert shared.get("/id/mali?format=nt&format=turtle").status_code == 400


@pytest.mark.parametrize("name, ext", NAMES)
def test_a_documents_url_takes_a_format_that_agrees_and_refuses_another(shared, name, ext):
    """/id/mali.ttl?format=jsonld was Turtle, the parameter ignored (helper-193)."""
    assert shared.get(f"/id/mali.{ext}?format={name}").status_code == 200
    other = "rdf" if ext != "rdf" else "ttl"  # a format the name does not stand for
    body = problem(shared.get(f"/claim/aes-members.{other}?output={name}"), 400)
    assert body["title"] == "Conflicting parameters" and f".{other}" in body["detail"]
    problem(shared.get("/id/mali.ttl?format=bogus"), 406)


@pytest.mark.parametrize("path", ["/id/mali.nt?format=turtle", "/id/mali.nt?format=n3"])
def test_a_documents_url_takes_a_format_its_syntax_satisfies_as_sparql_does(shared, path):
    """N-Triples is Turtle, as /sparql's format= has it (helper-197)."""
    assert shared.get(path).status_code == 200
    for asked in ("/claim/aes-members.ttl?format=trig", "/claim/aes-members.nt?format=nquads"):
        # quads asked of a triples document: it lacks what the claim's graph states (helper-198)
        assert problem(shared.get(asked), 400)["title"] == "Conflicting parameters"


def test_the_n_triples_name_is_taken_on_sparql_too(shared):
    response = shared.get("/sparql", query_string={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
                                                   "format": "N-Triples"})
    assert (response.status_code, response.mimetype) == (200, "application/n-triples")


@pytest.mark.parametrize("accept", ["text/turtle", "application/ld+json", "text/html;q=0.5, application/n-triples"])
def test_the_home_sends_a_client_asking_for_rdf_to_the_void_description(shared, accept):
    """`/` with Accept: text/turtle answered the HTML page, 200."""
    response = shared.get("/", headers={"Accept": accept})
    assert response.status_code == 303 and response.headers["Location"].endswith("/.well-known/void")
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("accept", ["*/*", "text/html", "image/png", "application/json", "text/plain", None,
                                    "text/xml", "text/xml, text/html;q=0.9"])  # text/xml: helper-209
def test_the_home_is_the_page_for_any_other_client(shared, accept):
    response = shared.get("/", headers={"Accept": accept} if accept else {})
    assert (response.status_code, response.mimetype) == (200, "text/html")
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("accept, ext", [("application/turtle", "ttl"), ("text/xml", "rdf"), ("application/x-trig", "trig"),
                                         ("text/x-nquads", "nq")])
def test_a_things_iri_takes_the_older_names_of_the_formats(shared, accept, ext):
    """The names /sparql takes: they were 406 here, as there (helper-206)."""
    response = shared.get("/id/mali", headers={"Accept": accept})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/id/mali.{ext}")
