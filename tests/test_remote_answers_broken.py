"""A remote store's broken answers are the store's failure (RemoteStoreFailure, exit 1), never a whole answer nor a
traceback: one that ends before its end (short of its Content-Length, or within a chunk: kg query --endpoint printed
the triples that came and exited 0, and -o wrote them), and one of another shape than the query asks (a boolean for a
SELECT, other variables than the store's own SELECT names: ValueError and TypeError tracebacks)."""

from __future__ import annotations

import json
import urllib.parse
from http.server import BaseHTTPRequestHandler

import pytest

from api_fixtures import origin_of, serving
from build_fixtures import run_kg
from kg.errors import RemoteStoreFailure
from kg.store.remote import RemoteStore

TRIPLES = b"<http://ex.org/a> <http://ex.org/p> 1 .\n<http://ex.org/b> <http://ex.org/p> 2 .\n"
ROWS = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [
    {"s": {"type": "uri", "value": "http://ex.org/a"}}]}}).encode()


class BrokenEndpoint(BaseHTTPRequestHandler):
    """Answers a query naming CUT-LENGTH with N-Triples short of the length it announces, one naming CUT-CHUNK with
    JSON results whose chunked body breaks off before its last chunk, a SELECT with the server's `select` answer, and
    any other (ASK) with true."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        fields = urllib.parse.parse_qs(self.rfile.read(length).decode() + "&" + urllib.parse.urlsplit(self.path).query)
        query = " ".join(fields.get("query", []))
        if "CUT-LENGTH" in query:
            self._head("application/n-triples", {"Content-Length": str(100_000)})
            self.wfile.write(TRIPLES)
        elif "CUT-CHUNK" in query:
            self._head("application/sparql-results+json", {"Transfer-Encoding": "chunked"})
            self.wfile.write(b"%x\r\n%s\r\n" % (len(ROWS), ROWS))  # and no last chunk (0)
        else:
            body = self.server.select if query.lstrip().startswith("SELECT") else b'{"head": {}, "boolean": true}'
            self._head("application/sparql-results+json", {"Content-Length": str(len(body))})
            self.wfile.write(body)
            return
        self.wfile.flush()
        self.close_connection = True

    def _head(self, media: str, headers: dict) -> None:
        self.send_response(200)
        self.send_header("Content-Type", media)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    do_GET = do_POST = _answer

    def log_message(self, *args):
        """Quiet."""


@pytest.fixture
def endpoint():
    with serving(BrokenEndpoint, select=ROWS) as server:
        yield origin_of(server) + "/sparql"


BOOLEAN = b'{"head": {}, "boolean": true}'


@pytest.mark.parametrize("select, words", [(BOOLEAN, "answered a SELECT query with a boolean"),
                                           (ROWS, "with the variables ?s, not ?g ?s ?p ?o as asked")])
def test_an_answer_of_another_shape_is_the_stores_failure(select, words, tmp_path):
    with serving(BrokenEndpoint, select=select) as server, RemoteStore(origin_of(server) + "/sparql",
                                                                        dialect="sparql11") as store:
        with pytest.raises(RemoteStoreFailure, match=words.replace("?", r"\?")):
            store.dump(tmp_path / "dump.nq", format="nquads")
        with pytest.raises(RemoteStoreFailure):
            store.count()
        done = run_kg("export", "--store", origin_of(server) + "/sparql", "-o", tmp_path / "e.nq")
        assert done.exit_code == 1 and "Traceback" not in done.stderr and words.split(" with")[0] in done.stderr
        assert not (tmp_path / "dump.nq").exists() and not (tmp_path / "e.nq").exists()


@pytest.mark.parametrize("query, words", [
    ("CONSTRUCT WHERE { ?s ?p ?o } # CUT-LENGTH", "bytes short of the length it announced"),
    ("SELECT ?s WHERE { ?s ?p ?o } # CUT-CHUNK", "broke off its answer within a chunk")])
def test_the_store_raises_rather_than_end_the_answer_there(endpoint, query, words):
    with RemoteStore(endpoint, dialect="sparql11") as store:
        result = store.query(query)
        with pytest.raises(RemoteStoreFailure, match=words):
            list(result)


@pytest.mark.parametrize("query", ["CONSTRUCT WHERE { ?s ?p ?o } # CUT-LENGTH", "SELECT ?s WHERE { ?s ?p ?o } # CUT-CHUNK"])
def test_kg_query_exits_1_and_writes_no_file(endpoint, tmp_path, query):
    out = tmp_path / ("answer.nt" if "CONSTRUCT" in query else "answer.csv")
    done = run_kg("query", "--endpoint", endpoint, "-o", out, query)
    assert done.exit_code == 1, (done.stdout, done.stderr)
    assert "nothing of it is used" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


class MovedEndpoint(BaseHTTPRequestHandler):
    """An endpoint that moved: every request is answered with the server's `status` and a Location."""

    def _answer(self):
        self.send_response(self.server.status)
        self.send_header("Location", "https://elsewhere.example/sparql")
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _answer

    def log_message(self, *args):
        """Quiet."""


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_said_with_where_it_points(status):
    """A 308 was "a web page rather than a SPARQL answer (is this a SPARQL endpoint?)", a 302 "HTTP 302": neither
    named the Location, where an endpoint moved from http:// to https:// points (helper-190)."""
    with serving(MovedEndpoint, status=status) as server:
        done = run_kg("query", "--endpoint", origin_of(server) + "/sparql", "ASK {}")
    assert done.exit_code == 1 and "Traceback" not in done.stderr
    assert f"answered {status}" in done.stderr and "redirecting to https://elsewhere.example/sparql" in done.stderr
    assert "redirects are not followed" in done.stderr


class GoneAfterOneUpdate(BrokenEndpoint):
    """Answers ASK with true and the first update with 204, then goes away: every later update's connection is
    closed with no answer, as a store killed halfway through a load."""

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        fields = urllib.parse.parse_qs(self.rfile.read(length).decode())
        self.server.updates += "update" in fields
        if "update" not in fields or self.server.updates == 1:
            body = b"" if "update" in fields else b'{"head": {}, "boolean": true}'
            self._head("application/sparql-results+json", {"Content-Length": str(len(body))})
            self.wfile.write(body)
        else:
            self.close_connection = True

    do_GET = do_POST = _answer


def test_a_remote_load_the_store_broke_off_says_what_it_wrote(tmp_path):
    """It said 'cannot reach …' alone, as if nothing were written, where 50,000 quads stayed (helper-196)."""
    import pyoxigraph as ox

    from kg.errors import KGError

    quads = [ox.Quad(ox.NamedNode(f"http://ex.org/s{n}"), ox.NamedNode("http://ex.org/p"), ox.Literal(n),
                     ox.NamedNode("http://ex.org/g")) for n in range(30_000)]
    with serving(GoneAfterOneUpdate, updates=0) as server, RemoteStore(origin_of(server) + "/sparql",
                                                                        dialect="sparql11") as store:
        with pytest.raises(KGError) as raised:
            store.extend(quads)
    assert "quads were written before it stopped, and stay" in str(raised.value)
    assert str(raised.value).split(" of the ")[0].split("; ")[-1].isdigit()


class SilentAfterOneUpdate(GoneAfterOneUpdate):
    """As GoneAfterOneUpdate, but a later update gets no answer at all until the test lets it go: a store that may
    still be applying it."""

    def _answer(self):
        if self.server.updates >= 1:
            self.server.release.wait(120)
            self.close_connection = True
            return
        super()._answer()

    do_GET = do_POST = _answer


def test_a_remote_load_whose_last_update_went_unanswered_says_at_least(tmp_path):
    """The update the store did not answer within the time limit may have gone in: the count is a floor."""
    import threading

    import pyoxigraph as ox

    from kg.errors import KGError

    quads = [ox.Quad(ox.NamedNode(f"http://ex.org/s{n}"), ox.NamedNode("http://ex.org/p"), ox.Literal(n),
                     ox.NamedNode("http://ex.org/g")) for n in range(30_000)]
    release = threading.Event()
    with serving(SilentAfterOneUpdate, updates=0, release=release) as server:
        try:
            with RemoteStore(origin_of(server) + "/sparql", dialect="sparql11", timeout=1) as store:
                with pytest.raises(KGError) as raised:
                    store.extend(quads)
        finally:
            release.set()
    assert "it may still apply it" in str(raised.value)
    assert "; at least " in str(raised.value) and "quads were written before it stopped" in str(raised.value)
