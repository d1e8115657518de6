"""The SERVICE answer cache is bounded in bytes as well as in answers, gives dropped space back to the disk,
and never keeps an answer it refuses: six big answers made a 362 MB file beside the store (helper-91)."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

from kg import service_state
from kg.errors import PolicyError, ServiceFailure
from kg.service_state import ServiceState
from test_federation import endpoint, service_for  # noqa: F401  (fixtures)
from test_federation import article  # noqa: F401


def held(state: ServiceState) -> tuple[int, int]:
    with state._connection() as db:
        return db.execute("SELECT COUNT(*), COALESCE(SUM(LENGTH(body)), 0) FROM answers").fetchone()


def test_the_oldest_answers_go_past_the_byte_bound(tmp_path, monkeypatch):
    monkeypatch.setattr(service_state, "CACHE_BYTES", 10_000)
    state = ServiceState(tmp_path / "federation.sqlite")
    for n in range(8):
        state.keep(f"key{n}", "http://e.example/sparql", (bytes(3000), "application/sparql-results+json"), 300)
    assert held(state) == (3, 9000)
    assert state.answer("key7") is not None and state.answer("key0") is None  # the newest stay


def test_an_answer_past_the_answer_bound_is_not_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(service_state, "ANSWER_BYTES", 100)
    state = ServiceState(tmp_path / "federation.sqlite")
    state.keep("big", "http://e.example/sparql", (bytes(101), "application/sparql-results+json"), 300)
    assert held(state) == (0, 0)


def test_the_file_gives_the_space_of_dropped_answers_back(tmp_path):
    state = ServiceState(tmp_path / "federation.sqlite")
    for n in range(4):
        state.keep(f"key{n}", "http://e.example/sparql", (bytes(1 << 20), "application/sparql-results+json"), 1e-9)
    state.keep("last", "http://e.example/sparql", (b"{}", "application/sparql-results+json"), 300)  # drops the rest
    assert (tmp_path / "federation.sqlite").stat().st_size < 1 << 20


TWO_ROWS = {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "literal", "value": "1"}},
                                                              {"x": {"type": "literal", "value": "2"}}]}}
JSON = "application/sparql-results+json"
REFUSED = {  # an answer and its headers, the refusal it gets
    "variables the pattern does not name": ({"head": {"vars": ["x", "secret"]}, "results": {"bindings": []}}, {},
                                            ServiceFailure),
    "more rows than the cap": (TWO_ROWS, {}, PolicyError),
    "cut, its header says": (TWO_ROWS, {"X-Result-Truncated": "true"}, PolicyError),
    "cut, its last member says": ({**TWO_ROWS, "truncated": True}, {}, PolicyError),
    "cut, its XML says": ('<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
                          '<variable name="x"/></head><results></results><!-- truncated: at 0 --></sparql>',
                          {"Content-Type": "application/sparql-results+xml"}, PolicyError),
    "unreadable": ('{"head": {"vars": ["x"]}, "results": {"bindings": [{"x": 5', {}, ServiceFailure),
    "not SPARQL results": ("<html>hello</html>", {"Content-Type": "text/html"}, ServiceFailure),
    "a boolean": ({"head": {}, "boolean": True}, {}, ServiceFailure),
    "nested too deeply": ('{"head": {"vars": ["x"]}, "x": %s%s, "results": {"bindings": []}}' % ("[" * 99999, "]" * 99999),
                          {}, ServiceFailure),
}


@pytest.fixture
def answering():
    """answering(body, headers) -> (URL, list of the requests made): an endpoint answering each with them."""
    started = []

    def start(body, headers):
        class Handler(http.server.BaseHTTPRequestHandler):
            asked: list = []

            def do_GET(self):
                self.asked.append(self.path)
                self.send_response(200)
                for name, value in {"Content-Type": JSON, **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write((body if isinstance(body, str) else json.dumps(body)).encode())

            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/sparql", Handler.asked

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("kind", REFUSED)
def test_no_refused_answer_is_kept_whatever_the_refusal(article, answering, tmp_path, kind):  # noqa: F811
    """An answer refused for binding a variable its pattern does not name was kept: the same query got the cached
    answer back, not a new one, until the TTL ran out (helper-176)."""
    body, headers, refusal = REFUSED[kind]
    url, asked = answering(body, headers)
    state = tmp_path / "federation.sqlite"
    service = service_for(article, url, state_path=state, row_limit=1)
    for _ in range(2):
        with pytest.raises(refusal):
            service.query(f"SELECT * {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")
    assert held(ServiceState(state)) == (0, 0) and len(asked) == 2
    silent = service.query(f"SELECT * {{ SERVICE SILENT <{url}> {{ ?x ?p ?o }} }}")  # ignored, and not kept either
    assert len(silent.rows) == 1 and held(ServiceState(state)) == (0, 0) and len(asked) == 3


def test_a_cache_file_made_before_auto_vacuum_gets_it(tmp_path):
    """auto_vacuum takes effect in a new file only: a big file from before kept its size for good (helper-96)."""
    import sqlite3

    path = tmp_path / "federation.sqlite"
    old = sqlite3.connect(path)
    old.executescript(ServiceState.SCHEMA.replace("PRAGMA auto_vacuum = FULL;", ""))
    old.execute("INSERT INTO answers VALUES ('k', 'e', ?, 't', 0)", (bytes(4 << 20),))
    old.commit()
    old.execute("DELETE FROM answers")
    old.commit()
    old.close()
    assert path.stat().st_size > 4 << 20
    ServiceState(path).held("e")
    assert path.stat().st_size < 1 << 20
