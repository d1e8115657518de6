"""User information in a SERVICE endpoint's URL (a mirror's credentials, as the README advises) is sent as HTTP Basic
credentials: urllib took "user:secret@host" for the host's name, so the call failed and the resolver was asked for
the secret (helper-176)."""

from __future__ import annotations

import base64
import http.server
import json
import socket
import threading

import pytest

from test_federation import service_for
from test_federation import article  # noqa: F401  (fixture)

WDQS = "http://query.wikidata.org/sparql"


class Answering(http.server.BaseHTTPRequestHandler):
    """An endpoint answering one blank node, recording each request's headers."""

    seen: list

    def do_GET(self):
        self.seen.append(dict(self.headers))
        body = {"head": {"vars": ["x"]}, "results": {"bindings": [{"x": {"type": "bnode", "value": "b0"}}]}}
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(json.dumps(body).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def answering():
    handler = type("Handler", (Answering,), {"seen": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], handler.seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def resolved(monkeypatch):
    """The names the resolver is asked for."""
    asked, real = [], socket.getaddrinfo

    def resolving(host, *args, **kwargs):
        asked.append(host)
        return real(host, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", resolving)
    return asked


def test_a_mirrors_credentials_are_sent_as_basic_authorization(article, answering, resolved):  # noqa: F811
    port, seen = answering
    service = service_for(article, f"{WDQS}>http://reader:s%40cret%3A1@127.0.0.1:{port}/sparql")
    assert len(service.query(f"SELECT * {{ SERVICE <{WDQS}> {{ ?x ?p ?o }} }}").rows) == 1
    assert seen[0]["Authorization"] == "Basic " + base64.b64encode(b"reader:s@cret:1").decode()
    assert seen[0]["Host"] == f"127.0.0.1:{port}"
    assert not any("cret" in name for name in resolved)


def test_credentials_of_an_allowed_endpoint_go_into_no_answer(article, answering):  # noqa: F811
    """A blank node of its answer became <http://reader:secret@host/.well-known/genid/...>."""
    port, seen = answering
    endpoint = f"http://reader:secret@127.0.0.1:{port}/sparql"
    rows = service_for(article, endpoint).query(f"SELECT * {{ SERVICE <{endpoint}> {{ ?x ?p ?o }} }}").rows
    assert rows[0][0].value.startswith(f"http://127.0.0.1:{port}/.well-known/genid/")
    assert seen[0]["Authorization"] == "Basic " + base64.b64encode(b"reader:secret").decode()
