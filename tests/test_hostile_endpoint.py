"""`kg query --endpoint` against an engine that answers its first ASK with an endless body: the console read
it whole before the query (3.5 GB in 8 s, helper-91); it reads a bounded part, hangs up and goes on. And one
that takes no POSTed query (405) is said to be likely no endpoint."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

KG = Path(sys.executable).parent / "kg"
SENT_AT_MOST = 256 << 20  # what the engine sends of its endless body, at most
PIECE = b"x" * (1 << 16)
ANSWER = json.dumps({"head": {"vars": ["x"]},
                     "results": {"bindings": [{"x": {"type": "literal", "value": "answered"}}]}}).encode()


class Endless(BaseHTTPRequestHandler):
    def do_POST(self):
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        if form.get("query") == ["ASK {}"]:
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                while self.server.sent < SENT_AT_MOST:
                    self.wfile.write(PIECE)
                    self.server.sent += len(PIECE)
            except OSError:  # the client hung up
                pass
            return
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

    def log_message(self, *args):
        pass


def test_an_endless_first_answer_is_read_only_in_part(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    server.sent = 0
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        done = subprocess.run([KG, "query", "--endpoint", url, "--format", "csv",
                               "-q", "SELECT ?x { ?x ?p ?o }"], capture_output=True, text=True, timeout=600,
                              env={"SAHEL_KG_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1] == "answered"
    assert server.sent < 64 << 20  # socket buffers aside, what the client read before it hung up


class PageOnly(BaseHTTPRequestHandler):
    """A URL that is no SPARQL endpoint (a home page, a health check): GET only."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(405)
        self.send_header("Allow", "GET")
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "20")
        self.end_headers()
        self.wfile.write(b"Method not allowed.\n")

    def log_message(self, *args):
        pass


def test_a_url_that_takes_no_posted_query_is_said_to_be_no_endpoint(tmp_path):
    """It was "URL failed: Method not allowed.", which did not say why or what to do."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), PageOnly)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        done = subprocess.run([KG, "query", "--endpoint", url, "-q", "ASK {}"], capture_output=True, text=True,
                              timeout=600, env={"SAHEL_KG_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    finally:
        server.shutdown()
    assert done.returncode == 1
    assert done.stderr == (f"error: {url} answered 405, Method Not Allowed (Method not allowed.): it takes no SPARQL "
                           "sent by POST, so it is likely no SPARQL endpoint's URL (oxigraph serve: …/query; kg serve "
                           "and Virtuoso: …/sparql)\n")
