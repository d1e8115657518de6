"""The service description (GET /sparql without a query) takes format= and output= as VoID does: the format they
name wins over Accept, and one it does not come in is 406."""

from __future__ import annotations

import pytest

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import problem


@pytest.mark.parametrize("name, media", [("rdfxml", "application/rdf+xml"), ("ntriples", "application/n-triples"),
                                         ("jsonld", "application/ld+json"), ("turtle", "text/turtle"),
                                         ("application/n-triples", "application/n-triples")])
def test_format_names_the_syntax_of_the_description(shared, name, media):
    """It was ignored: the description came as Accept had it (Turtle by default), whatever format= said."""
    for parameter in ("format", "output"):
        described = shared.get("/sparql", query_string={parameter: name}, headers={"Accept": "text/turtle"})
        assert described.status_code == 200 and described.mimetype == media
        assert shared.get("/.well-known/void", query_string={parameter: name}).mimetype == media


def test_a_format_the_description_does_not_come_in_is_406(shared):
    problem(shared.get("/sparql", query_string={"format": "csv"}), 406)
    problem(shared.get("/sparql", query_string={"format": "trig"}), 406)


def test_without_format_accept_still_chooses_and_a_browser_gets_the_page(shared):
    assert shared.get("/sparql", headers={"Accept": "application/rdf+xml"}).mimetype == "application/rdf+xml"
    assert shared.get("/sparql", headers={"Accept": "text/html"}).mimetype == "text/html"
