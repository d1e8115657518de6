"""SELECT * lists its variables in the order the text first names them, on every engine and every answer path
(kg.star_order): the engine's own order is alphabetical, which put a CSV's or a table's columns out of order."""

from __future__ import annotations

import csv
import io

import pytest

from kg.query import QueryService
from kg.star_order import named_order, reordered
from kg.store.base import Solutions

from api_fixtures import *  # noqa: F401,F403
from test_fast_sparql import call, offered_at_once, query


@pytest.mark.parametrize("text, order", [
    ("SELECT * WHERE { ?zeta ?mid ?alpha }", ["zeta", "mid", "alpha"]),
    ("select distinct * { $b ?a ?b }", ["b", "a"]),
    ("SELECT REDUCED * WHERE { ?y ?x ?w }", ["y", "x", "w"]),
    ("PREFIX x: <http://x/>\n# SELECT ?c\nSELECT * WHERE { { SELECT ?q ?p WHERE { ?p ?q 1 } } }", ["q", "p"]),
    ("SELECT ?b ?a WHERE { ?a ?b 1 }", None),
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", None),
    ("ASK { SELECT * { ?b ?a 1 } }", None),
])
def test_the_order_is_that_of_first_mention_in_the_text(text, order):
    """(Which variables are in scope is the engine's to say: Virtuoso lists one named only in a FILTER too.)"""
    assert named_order(text) == order


def test_every_engine_lists_select_stars_variables_as_the_text_names_them(store, graph):
    g = graph()
    store.update(f"INSERT DATA {{ GRAPH <{g}> {{ <http://x/s> <http://x/p> <http://x/o> }} }}")
    service = QueryService(store)
    result = service.query(f"SELECT * WHERE {{ GRAPH <{g}> {{ ?zeta ?mid ?alpha }} }}")
    assert result.variables == ["zeta", "mid", "alpha"]
    assert [term.value for term in result.rows[0]] == ["http://x/s", "http://x/p", "http://x/o"]
    bound = service.query(f"SELECT DISTINCT * WHERE {{ GRAPH <{g}> {{ ?zeta ?mid ?alpha }} }}",
                          bindings={"alpha": "unmatched"})
    assert bound.variables == ["zeta", "mid", "alpha"] and bound.rows == []


def header(body: bytes) -> list[str]:
    return next(csv.reader(io.StringIO(body.decode("utf-8"))))


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { ?zeta a ?class } LIMIT 2",  # a lookup: on the event loop, or by the general path
    "SELECT * WHERE { ?zeta ?mid ?alpha } LIMIT 200",  # one pattern, read row by row in the server process
    "SELECT * WHERE { ?zeta a ?class . ?zeta ?mid ?alpha } LIMIT 3",  # a query worker's
])
def test_each_answer_path_over_http_lists_them_alike(make_app, text):
    app = make_app()
    status, _, body = call(app.wsgi_app, **query(text, "text/csv"))
    named = sorted({"zeta", "mid", "alpha", "class"} & set(text.replace("?", " ").split()), key=text.index)
    assert status.startswith("200") and header(body) == named
    at_once = offered_at_once(app.wsgi_app, **query(text, "text/csv"))
    if at_once is not None:
        assert at_once[0].startswith("200") and header(at_once[2]) == header(body)


def test_reordered_rows_closed_before_their_first_close_the_engines():
    """As an engine's lazy result is closed when a client goes before any row came."""

    class EngineRows:
        closed = False

        def __iter__(self):
            return iter([("b", "a")])

        def close(self):
            self.closed = True

    engine = EngineRows()
    picked = reordered(Solutions(["b", "a"], engine), ["a", "b"])
    picked.rows.close()
    assert picked.variables == ["a", "b"] and engine.closed
