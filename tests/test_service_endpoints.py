"""Which URL a SERVICE call goes to: the cache and holds follow the URL asked (a mirror's), one endpoint may
have one mirror only, and an allowed endpoint matches however its scheme and host are cased, nothing else."""

from __future__ import annotations

import http.server
import json
import socket
import threading

import pytest

from kg.errors import ConfigError, PolicyError, ServiceBusy, ServiceFailure, ServiceTimeout
from kg.federation import split_allowlist
from kg.settings import resolve
from test_federation import endpoint, service_for  # noqa: F401  (fixtures)
from test_federation import article  # noqa: F401

WDQS = "http://query.wikidata.org/sparql"
ASK = "SELECT * WHERE {{ SERVICE <{}> {{ ?x ?p ?o }} }}"


def test_a_new_mirror_is_asked_not_served_the_old_mirrors_answer(article, endpoint, tmp_path):  # noqa: F811
    """The cache was keyed on the SERVICE IRI: with the mirror changed, the old one's answer came back for 300 s."""
    old, _ = endpoint("two-rows")
    new, asked = endpoint("429")
    state = tmp_path / "federation.sqlite"
    assert len(service_for(article, f"{WDQS}>{old}", state_path=state).query(ASK.format(WDQS)).rows) == 2
    with pytest.raises(ServiceBusy):
        service_for(article, f"{WDQS}>{new}", state_path=state).query(ASK.format(WDQS))
    assert len(asked) == 1


def test_a_hold_asked_by_an_old_mirror_does_not_hold_the_new_one(article, endpoint, tmp_path):  # noqa: F811
    busy, _ = endpoint("429")
    free, asked = endpoint("two-rows")
    state = tmp_path / "federation.sqlite"
    with pytest.raises(ServiceBusy):
        service_for(article, f"{WDQS}>{busy}", state_path=state).query(ASK.format(WDQS))
    assert len(service_for(article, f"{WDQS}>{free}", state_path=state).query(ASK.format(WDQS)).rows) == 2
    assert len(asked) == 1


@pytest.mark.parametrize("entries", [
    ["http://q.example/sparql>http://127.0.0.1:9/a", "http://q.example/sparql>http://127.0.0.1:9/b"],
    ["http://q.example/sparql", "http://q.example/sparql>http://127.0.0.1:9/b"],
    ["HTTP://Q.example/sparql>http://127.0.0.1:9/a", "http://q.example/sparql>http://127.0.0.1:9/b"],
])
def test_one_endpoint_given_two_mirrors_is_a_config_error_naming_both(entries):
    with pytest.raises(ConfigError) as error:
        resolve({"SERVICE_ALLOWLIST": " ".join(entries)}, environ={})
    said = str(error.value)
    assert "SERVICE_ALLOWLIST" in said and "entries 1 (" in said and " and 2 (" in said
    assert "127.0.0.1" not in said  # a mirror's URL may hold credentials: never shown
    with pytest.raises(ConfigError):
        split_allowlist(entries)


@pytest.mark.parametrize("entries", [
    ["http://q.example/sparql", "http://q.example/sparql"],
    ["http://q.example/sparql>http://m.example/s", "HTTP://q.EXAMPLE/sparql>http://M.example/s"],
    ["http://q.example/sparql", "http://q.example/sparql>http://Q.example/sparql"],
])
def test_the_same_endpoint_sent_to_the_same_url_twice_is_taken(entries):
    assert resolve({"SERVICE_ALLOWLIST": " ".join(entries)}, environ={})["SERVICE_ALLOWLIST"] == tuple(entries)


@pytest.mark.parametrize("written", ["HTTP://Query.Wikidata.org/sparql", "http://QUERY.WIKIDATA.ORG/sparql",
                                     "hTtP://query.wikidata.ORG/sparql"])
def test_scheme_and_host_match_in_any_case_and_the_listed_endpoint_is_called(article, endpoint, written):  # noqa: F811
    url, asked = endpoint("two-rows")
    assert len(service_for(article, f"{WDQS}>{url}").query(ASK.format(written)).rows) == 2
    assert len(asked) == 1
    listed_upper = service_for(article, f"HTTP://Query.Wikidata.ORG/sparql>{url}")
    assert len(listed_upper.query(ASK.format(WDQS)).rows) == 2


def test_a_nested_service_goes_to_the_outer_endpoint_as_the_list_writes_it(article, endpoint):  # noqa: F811
    url, asked = endpoint("two-rows")
    outer = "http://outer.example/sparql"
    service = service_for(article, f"{outer}>{url}", WDQS)
    service.query(f"SELECT * {{ SERVICE <HTTP://OUTER.example/sparql> {{ SERVICE <HTTP://Query.Wikidata.org/sparql> "
                  "{ ?x ?p ?o } } }")
    assert "Query.Wikidata" not in asked[0]["path"] and "query.wikidata.org" in asked[0]["path"]


@pytest.mark.parametrize("written", [
    "http://query.wikidata.org:8080/sparql",  # another port
    "http://query.wikidata.org:80/sparql",  # the same port, written: not what the list says, so not taken
    "http://query.wikidata.org@evil.example/sparql",  # the allowed host as user information of another
    "http://evil.example@query.wikidata.org/sparql",  # user information the list does not give
    "http://query.wikidata.org%40evil.example/sparql",  # escapes are never undone
    "http://query%2Ewikidata.org/sparql",
    "http://query.wi\u212aidata.org/sparql",  # the Kelvin sign, which str.lower() makes a 'k'
    "http://query.wikidata.org./sparql",
    "http://query.wikidata.org.evil.example/sparql",
    "https://query.wikidata.org/sparql",  # another scheme
    "http://query.wikidata.org/SPARQL",  # a path is case-sensitive
])
def test_what_only_looks_like_an_allowed_endpoint_is_refused(article, endpoint, written):  # noqa: F811
    url, asked = endpoint("two-rows")
    with pytest.raises(PolicyError, match="is not allowed"):
        service_for(article, f"{WDQS}>{url}").query(ASK.format(written))
    assert asked == []


class Dripping(http.server.BaseHTTPRequestHandler):
    """An endpoint that sends its headers a line at a time, each well within a socket's timeout, then a whole
    answer: each read was timely, so the call read on for as long as the endpoint liked (8 s for a 1 s limit)."""

    protocol_version = "HTTP/1.0"
    release: threading.Event
    ended: threading.Event
    sent: list

    def do_GET(self):
        try:
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/sparql-results+json\r\n")
            for _ in range(3000):  # five minutes of headers: past the limit on any machine
                self.wfile.write(b"X-Padding: 1\r\n")
                self.wfile.flush()
                if self.release.wait(0.1):  # the endpoint's slowness, not a wait for the test
                    return
            self.wfile.write(b'\r\n{"head": {"vars": ["x"]}, "results": {"bindings": []}}')
            self.wfile.flush()
            self.sent.append("all")
        except OSError:  # the caller shut the connection
            self.sent.append("cut")
        finally:
            self.ended.set()

    def log_message(self, *args):
        pass


@pytest.fixture
def dripping():
    handler = type("Handler", (Dripping,), {"release": threading.Event(), "ended": threading.Event(), "sent": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sparql", handler
    handler.release.set()
    server.shutdown()
    server.server_close()


def test_an_endpoint_dripping_its_answer_is_cut_at_the_calls_time_limit(article, dripping):  # noqa: F811
    url, handler = dripping
    with pytest.raises(ServiceTimeout, match="did not answer within 1s"):
        service_for(article, url, timeout=1.0).query(ASK.format(url))
    assert handler.ended.wait(60) and handler.sent == ["cut"]  # the call let go of it, not read it to its end


class Answering(http.server.BaseHTTPRequestHandler):
    """An endpoint that answers every request with `body` (SPARQL JSON)."""

    body = b""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def answering():
    started = []

    def start(body: bytes) -> str:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (Answering,), {"body": body}))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/sparql"

    yield start
    for server in started:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("labels", [("a b", "a_b"), ("nodeID://b1", "nodeID:__b1"), ("x.y", "x_y"), ("", "b")])
def test_blank_nodes_with_labels_that_differ_stay_two_nodes(article, answering, labels):  # noqa: F811
    """Every character a label may not hold was made "_": "a b" and "a_b" became one node, and joined as one."""
    rows = [{"x": {"type": "bnode", "value": label}} for label in labels]
    url = answering(json.dumps({"head": {"vars": ["x"]}, "results": {"bindings": rows}}).encode())
    result = service_for(article, url).query(f"SELECT (COUNT(DISTINCT ?x) AS ?n) {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")
    assert result.rows[0][0].value == "2"


def test_an_answer_binding_a_variable_its_pattern_never_names_is_refused(article, answering):  # noqa: F811
    """Joined where the clause stands, an endpoint's ?secret bound the query's own ?secret: one endpoint's answer
    set the outcome of another part of the query."""
    body = {"head": {"vars": ["x", "secret"]}, "results": {"bindings": [
        {"x": {"type": "literal", "value": "1"}, "secret": {"type": "literal", "value": "injected"}}]}}
    url = answering(json.dumps(body).encode())
    query = f'SELECT ?secret {{ BIND("mine" AS ?secret) SERVICE <{url}> {{ ?x ?p ?o }} }}'
    with pytest.raises(ServiceFailure, match=r"variables its pattern does not name: \?secret"):
        service_for(article, url).query(query)
    silent = service_for(article, url).query(query.replace("SERVICE", "SERVICE SILENT"))
    assert [row[0].value for row in silent.rows] == ["mine"]
    named = service_for(article, url).query(f"SELECT ?secret {{ SERVICE <{url}> {{ ?x ?p ?secret }} }}")
    assert [row[0].value for row in named.rows] == ["injected"]


def test_an_answer_past_the_row_cap_is_refused_without_reading_it_whole(article, answering):  # noqa: F811
    """An endpoint that ignored the LIMIT sent had its whole answer (up to 64 MiB) made terms before the cap
    refused it: the rows past the cap, garbage here, are now never read."""
    rows = ", ".join(['{"x": {"type": "literal", "value": "%d"}}' % n for n in range(3)])
    url = answering(('{"head": {"vars": ["x"]}, "results": {"bindings": [%s, {"x": 5 GARBAGE' % rows).encode())
    with pytest.raises(PolicyError, match="more than 2 solutions"):
        service_for(article, url, row_limit=2).query(ASK.format(url))
    with pytest.raises(ServiceFailure, match="unreadable"):  # within the cap, the garbage is read and said
        service_for(article, url, row_limit=5).query(ASK.format(url))


@pytest.mark.parametrize("entry", ["{url}#part", "http://q.example/sparql#part>{url}#x", "http://q.example/s>{url}?a=1#x"])
def test_an_endpoint_with_a_fragment_gets_the_query(article, endpoint, entry):  # noqa: F811
    """The query was added after the fragment ("/sparql#part?query=..."), which is never sent: the endpoint got none."""
    url, asked = endpoint("two-rows")
    entry = entry.format(url=url)
    iri = entry.partition(">")[0]
    assert len(service_for(article, entry).query(ASK.format(iri)).rows) == 2
    assert "query=SELECT" in asked[0]["path"] and asked[0]["path"].startswith("/sparql?")


class Redirecting(http.server.BaseHTTPRequestHandler):
    """An endpoint that redirects to a long Location."""

    def do_GET(self):
        self.send_response(307)
        self.send_header("Location", "http://elsewhere.example/" + "x" * 5000)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_redirect_is_reported_with_its_location_cut_as_an_error_line(article):  # noqa: F811
    """The Location went whole into the message (and the 502's detail): 5,000 characters from the endpoint."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirecting)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        with pytest.raises(ServiceFailure, match="redirected to http://elsewhere.example/x") as failure:
            service_for(article, url).query(ASK.format(url))
        assert len(str(failure.value)) < 400
    finally:
        server.shutdown()
        server.server_close()


class RedirectingWithCredentials(http.server.BaseHTTPRequestHandler):
    """An endpoint (or a mirror) that redirects to an absolute Location holding user information."""

    def do_GET(self):
        self.send_response(301)
        self.send_header("Location", f"http://moved:s3cret@127.0.0.1:{self.server.server_address[1]}/sparql/")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.parametrize("mirrored", [False, True])
def test_a_redirect_shows_no_credentials_nor_a_mirror_s_address(article, mirrored):  # noqa: F811
    """The Location went into the message (and the 502 a client reads) as sent: its user:password@ (moved:s3cret),
    and for a mirror its address, which the allow-list keeps from every answer."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RedirectingWithCredentials)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        iri, entry = ("http://mirrored.example/sparql", f"http://mirrored.example/sparql>{url}") if mirrored else (url, url)
        with pytest.raises(ServiceFailure, match="redirected") as failure:
            service_for(article, entry).query(ASK.format(iri))
        message = str(failure.value)
        assert "s3cret" not in message and "moved" not in message
        if mirrored:
            assert "127.0.0.1" not in message
        else:
            assert f"redirected to http://…@127.0.0.1:{server.server_address[1]}/sparql/;" in message
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def raw_endpoint():
    """raw_endpoint(reply) -> URL of an endpoint that sends `reply` (bytes) to each request and hangs up."""
    listeners = []

    def start(reply: bytes) -> str:
        listener = socket.create_server(("127.0.0.1", 0))
        listeners.append(listener)

        def serve():
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:  # closed by the test
                    return
                with connection:
                    connection.recv(1 << 16)
                    connection.sendall(reply)
        threading.Thread(target=serve, daemon=True).start()
        return f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"

    yield start
    for listener in listeners:
        listener.close()


@pytest.mark.parametrize("chunks", [b"50\r\nab", b"zz\r\n"])  # a chunk cut short; a chunk size that is no number
def test_an_error_answer_cut_short_is_the_endpoints_failure(article, raw_endpoint, chunks):  # noqa: F811
    """Its body was read outside the handling of the call's failures: http.client's IncompleteRead came out of the
    query as it was, a 500 with a traceback."""
    url = raw_endpoint(b"HTTP/1.1 500 Oops\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)
    with pytest.raises(ServiceFailure, match="answered 500 Oops"):
        service_for(article, url).query(ASK.format(url))


def test_an_answer_short_of_its_content_length_is_refused_not_used_as_whole(article, raw_endpoint, tmp_path):  # noqa: F811
    """A TSV answer cut at the end of a row read as a whole answer of fewer rows, and was cached as one."""
    url = raw_endpoint(b"HTTP/1.1 200 OK\r\nContent-Type: text/tab-separated-values\r\nContent-Length: 5000\r\n\r\n"
                       b'?x\n"1"\n')
    service = service_for(article, url, state_path=tmp_path / "federation.sqlite")
    for _ in range(2):  # refused each time: nothing was kept
        with pytest.raises(ServiceFailure, match="short of the length it announced"):
            service.query(ASK.format(url))
