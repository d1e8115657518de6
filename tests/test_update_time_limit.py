"""An update the store stops at its time limit says so as a query does, with the limit in seconds: it was told as
"query stopped at the store's time limit", calling the update a query and giving no limit."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

import pytest

from api_fixtures import origin_of, serving
from kg.errors import QueryTimeout
from kg.store.remote import RemoteStore
from test_loading import kg

CANCELLED = b"The SPARQL operation has been cancelled"  # oxigraph serve's words at its --timeout-s
EMPTY = b'{"head": {"vars": []}, "results": {"bindings": []}}'
FALSE = b'{"head": {}, "boolean": false}'  # an ASK answered with a table is refused as no answer to it
NONE_COUNTED = (b'{"head": {"vars": ["n"]}, "results": {"bindings": [{"n": {"type": "literal", "value": "0", '
                b'"datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]}}')


class StoppingEngine(BaseHTTPRequestHandler):
    """An Oxigraph that counts nothing, answers ASK false and every other query with no rows, and stops every update
    at its time limit."""

    def version_string(self):
        return "Oxigraph/0.4.0"

    def do_POST(self):
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        query = form.get("query", [""])[0]
        found = NONE_COUNTED if "COUNT" in query else FALSE if query.lstrip().startswith("ASK") else EMPTY
        self.answer(*((500, CANCELLED, "text/plain") if "update" in form else
                      (200, found, "application/sparql-results+json")))

    def answer(self, status: int, body: bytes, media: str):
        self.send_response(status)
        self.send_header("Content-Type", media)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST

    def log_message(self, *args):
        """Quiet."""


@contextmanager
def stopping_engine():
    with serving(StoppingEngine) as server:
        yield origin_of(server) + "/sparql"


def test_a_remote_update_stopped_by_the_engine_names_its_limit():
    with stopping_engine() as url:
        store = RemoteStore(url, dialect="oxigraph", timeout=7)
        with pytest.raises(QueryTimeout) as stopped:
            store.update("INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }")
        store.close()
    assert str(stopped.value) == "update stopped after its time limit of 7s"


def test_kg_update_says_the_same(monkeypatch, tmp_path):
    monkeypatch.setenv("SAHEL_KG_HOME", str(tmp_path))
    with stopping_engine() as url:
        done = kg("update", "--store", url, "-q", "INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }")
    assert done.exit_code == 1
    # the console gives a remote store no limit of its own (README): the engine's stop is its own limit's
    assert "error: update stopped at the store's time limit" in done.stderr, done.stderr



def test_over_http_the_problem_names_the_limit():
    import api
    from api_fixtures import AUTH, WRITABLE

    with stopping_engine() as url:
        app = api.create_app({"STORE": url, **WRITABLE, "INSTALL_ARTICLE": False, "METRICS": False,
                              "QUERY_TIMEOUT": 7})
        try:
            answer = app.test_client().post("/sparql", headers=AUTH, data={
                "update": "INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }"})
        finally:
            app.extensions["sahel-kg"].close()
    assert answer.status_code == 503, answer.get_data(as_text=True)
    assert answer.json["detail"] == "update stopped after its time limit of 7s"


def test_over_http_the_problem_title_calls_it_an_update():
    """The title was "Query timeout", the same as a query's, for an update the engine stopped at its limit."""
    import api
    from api_fixtures import AUTH, WRITABLE

    with stopping_engine() as url:
        app = api.create_app({"STORE": url, **WRITABLE, "INSTALL_ARTICLE": False, "METRICS": False,
                              "QUERY_TIMEOUT": 7})
        try:
            client = app.test_client()
            answer = client.post("/sparql", headers=AUTH, data={
                "update": "INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }"})
            written = client.put("/store?graph=http://example.org/g", headers={
                **AUTH, "Content-Type": "text/turtle"}, data="<http://example.org/a> <http://example.org/p> 1 .")
            read = client.get("/problems/update-timeout", headers={"Accept": "application/json"})
        finally:
            app.extensions["sahel-kg"].close()
    for problem in (answer, written):
        assert (problem.status_code, problem.json["title"]) == (503, "Update timeout"), problem.get_data(as_text=True)
        assert problem.json["type"].endswith("/problems/update-timeout")
    assert read.status_code == 200, read.get_data(as_text=True)


class StoppingSahelKg(StoppingEngine):
    """A kg serve in front of the store, which stops every update at its limit with a problem document."""

    title = "Query timeout"

    def version_string(self):
        return "granian"

    def do_POST(self):
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        if "update" not in form:
            return self.answer(200, NONE_COUNTED if "COUNT" in form["query"][0] else EMPTY,
                               "application/sparql-results+json")
        self.answer(503, json.dumps({"title": self.title, "status": 503,
                                     "detail": "update stopped after its time limit of 3s"}).encode(),
                    "application/problem+json")

    do_GET = do_POST


@pytest.mark.parametrize("title", ["Query timeout", "Update timeout"])
def test_a_remote_sahel_kg_that_stops_an_update_is_told_as_an_update_stopped(title):
    """Its 503 "Query timeout" (as an older one titles it) or "Update timeout" to an update is the update's."""
    from kg.errors import UpdateTimeout

    handler = type("Stopping", (StoppingSahelKg,), {"title": title})
    with serving(handler) as server:
        store = RemoteStore(origin_of(server) + "/sparql", timeout=7)
        with pytest.raises(UpdateTimeout) as stopped:
            store.update("INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }")
        store.close()
    assert stopped.value.message == "update stopped after its time limit of 3s"


def test_a_query_the_store_makes_for_an_update_times_out_as_the_update():
    """A remote store asks queries of its own on an update's behalf (which graphs exist): stopped at the limit,
    the client, who sent an update, was told "query stopped" under the title "Query timeout"."""
    from kg.errors import UpdateTimeout
    from kg.query import Policy, QueryService
    from kg.store import open_store

    class Stopping:
        def __init__(self, store):
            self.store = store

        def __getattr__(self, name):
            return getattr(self.store, name)

        def update(self, sparql):
            raise QueryTimeout.stopped(7)

    service = QueryService(Stopping(open_store("memory:")), policy=Policy(allow_update=True))
    with pytest.raises(UpdateTimeout) as stopped:
        service.update("INSERT DATA { <http://example.org/a> <http://example.org/p> 1 }")
    assert stopped.value.message == "update stopped after its time limit of 7s"
