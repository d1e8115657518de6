"""Where granian meets the app (api/rsgi.py): what granian answers itself, a bare status without a body,
and what reaches the app and gets its problem document; no answer names the software that gives it."""

from __future__ import annotations

import asyncio
import contextvars
import json
import re
import socket
import urllib.parse
from types import SimpleNamespace

import pytest

from api import rsgi
from api.access_log import AccessLog
from api.metrics import Metrics
from api.ops import Accounting
from api.query_warnings import as_uri
from api.rsgi import BATCH_BYTES, RSGIApp
from live_server import kg_server
from raw_http import http, problem, raw_request


@pytest.fixture(scope="module")
def edge(tmp_path_factory):
    with kg_server(tmp_path_factory.mktemp("edge"), store="memory:") as url:
        yield url


def head(target: bytes, lines: bytes = b"", method: bytes = b"GET") -> bytes:
    return method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + lines + b"\r\n"


POST = b"Content-Type: application/sparql-query\r\n"
# Refused by hyper, the HTTP library inside granian, before any app code runs (hyper src/proto/h1/role.rs,
# Server::on_error: a malformed method, URI, version or header is 400, a URI over 65,534 bytes (the http
# crate's Uri limit, u16::MAX - 1) is 414, a head past granian's buffer or over 100 header lines is 431).
BARE = {
    "not HTTP": (b"NOT HTTP AT ALL\r\n\r\n", 400),
    "an unknown HTTP version": (b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", 400),
    "an HTTP/2 request line": (b"GET /healthz HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n", 400),
    "a bad character in the method": (head(b"/sparql", method=b"G(ET"), 400),
    "a control byte in the URI": (head(b"/spa\x01rql"), 400),
    "a space in the URI": (head(b"/sparql?query=ASK {}"), 400),
    "a raw byte that is not UTF-8 in the URI": (head(b"/sparql?query=\xff"), 400),
    # characters a URI never holds unescaped (RFC 3986 §2): a query typed by hand with its IRI's brackets (helper-200)
    "a '<' in the URI": (head(b"/sparql?query=ASK{<a:b>?p?o}"), 400),
    "a '\"' in the URI": (head(b'/search?q=a"b'), 400),
    "a '`' in the path": (head(b"/id/a`"), 400),
    "a header line without a colon": (head(b"/healthz", b"NoColon\r\n"), 400),
    "a space in a header name": (head(b"/healthz", b"X Note: a\r\n"), 400),
    "a folded header line": (head(b"/healthz", b"X-Note: a\r\n b\r\n"), 400),
    "a NUL in a header": (head(b"/healthz", b"X-Note: a\x00b\r\n"), 400),
    "a control byte in a header": (head(b"/healthz", b"X-Note: a\x01b\r\n"), 400),
    "Content-Length \u00b2": (head(b"/sparql", POST + "Content-Length: \u00b2\r\n".encode(), b"POST"), 400),
    "Content-Length -1": (head(b"/sparql", POST + b"Content-Length: -1\r\n", b"POST"), 400),
    "Content-Length +6": (head(b"/sparql", POST + b"Content-Length: +6\r\n", b"POST"), 400),
    "two Content-Lengths": (head(b"/sparql", POST + b"Content-Length: 6\r\nContent-Length: 7\r\n", b"POST"), 400),
    "a URI of 65,535 bytes": (head(b"/sparql?query=" + b"x" * (65535 - 14)), 414),
    "101 header lines": (head(b"/healthz", b"".join(b"X-%d: a\r\n" % n for n in range(99))), 431),
    # granian's buffer is 1 MiB; reading HTTP/1.1 alone, hyper takes a head of up to about 1.8 MiB into it
    "a head over 2 MiB": (head(b"/healthz", b"X-Big: " + b"a" * (2 << 20) + b"\r\n"), 431),
}


@pytest.mark.parametrize("request_bytes, status", BARE.values(), ids=BARE.keys())
def test_what_granian_refuses_itself_is_a_bare_answer(edge, request_bytes, status):
    got, headers, body = raw_request(edge, request_bytes)
    assert (got, body) == (status, b"") and "server" not in headers, (got, headers, body[:200])
    assert http(edge + "/healthz")[0] == 200


def test_http_2_is_not_served(edge):
    """HTTP/2 with prior knowledge (h2c) was served, where the documents say HTTP/1.x alone is taken: the adapter's
    backpressure and its cut of a failed answer's connection are per connection, which HTTP/2 shares between
    streams. Its preface now gets no answer, and an upgrade to h2c is answered in HTTP/1.1."""
    host, port = urllib.parse.urlsplit(edge).hostname, urllib.parse.urlsplit(edge).port
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        assert sock.recv(65536) == b""  # closed: no SETTINGS frame
    status, headers, _ = raw_request(edge, head(b"/healthz", b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n"))
    assert status == 200 and "upgrade" not in headers


@pytest.mark.parametrize("size", [8191, 65534])
def test_a_uri_granian_reads_that_is_over_the_apps_cap_is_its_414(edge, size):
    """From 8,191 bytes (the app's cap) to 65,534 (hyper's) the app answers, with a problem document."""
    target = b"/sparql?query=" + b"x" * (size - 14)
    assert len(target) == size
    status, headers, body = raw_request(edge, head(target))
    assert "POST" in problem(status, {"Content-Type": headers.get("content-type")}, body, 414)["detail"]
    assert headers["server"] == "sahel-kg"


def test_every_answer_of_the_app_names_the_service_not_its_software(edge):
    """granian adds `server: granian` to an answer that has no Server header (src/rsgi/types.rs,
    headers_from_py!, entry(SERVER).or_insert); the adapter sends its own, naming the service only."""
    query = urllib.parse.quote("ASK {}")
    answers = [http(f"{edge}/sparql?query={query}"), http(edge + "/nowhere"), http(edge + "/sparql", method="DELETE"),
               raw_request(edge, head(b"/healthz", b"X-Note: caf\xc3\xa9\r\n"))]
    for status, headers, _ in answers:
        assert headers.get("Server", headers.get("server")) == "sahel-kg", (status, dict(headers))


@pytest.mark.parametrize("request_bytes, says", [
    (b"GET sparql HTTP/1.1\r\nHost: example.org\r\nConnection: close\r\n\r\n", b"origin form"),  # was a 308
    (b"GET * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", b"origin form"),
    (b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", b"Host header"),  # was a 200
    # granian withholds a value outside ASCII: it was told as no Host header at all (helper-200)
    (b"GET /healthz HTTP/1.1\r\nHost: \xc3\xa9vil\r\nConnection: close\r\n\r\n", b"Host header has bytes outside ASCII"),
])
def test_a_request_head_http_refuses_is_400_with_a_problem(edge, request_bytes, says):
    """RFC 9112 §3.2: a request target not in origin form (but OPTIONS *), and an HTTP/1.1 request without
    Host, are 400. 'GET sparql' was redirected to a Location built from a Host header that is not loopback."""
    status, headers, body = raw_request(edge, request_bytes)
    assert says in body and "location" not in {name.lower() for name in headers}
    problem(status, headers, body, 400)


def test_options_asterisk_reaches_the_app_and_gets_the_servers_allow(edge):
    """granian passes the target `*` through; the app answered it as the IRI /* (Allow: GET, HEAD, OPTIONS)."""
    status, headers, body = raw_request(edge, head(b"*", method=b"OPTIONS"))
    assert (status, body) == (200, b"") and "POST" in headers["allow"] and "content-type" not in headers


def refusals_counted(edge) -> float:
    """The 400s sahel_kg_http_requests_total counts under (no route), summed over methods."""
    metrics = http(edge + "/metrics")[2].decode()
    return sum(float(value) for value in re.findall(
        r'^sahel_kg_http_requests_total\{[^}]*route="\(no route\)",status="400"\} (\S+)$', metrics, re.MULTILINE))


def test_only_the_refusals_the_adapter_makes_are_counted_under_no_route(edge):
    """The README said a bad head refused before the app is counted under (no route); those granian refuses
    (a control character in a header, a line without a colon, HTTP/0.9) never reach the app and are not."""
    before = refusals_counted(edge)
    unseen = [head(b"/healthz", b"X-Note: a\x01b\r\n"), head(b"/healthz", b"NoColon\r\n"), b"GET /healthz\r\n\r\n"]
    for request_bytes in unseen:
        status, _, body = raw_request(edge, request_bytes)
        assert (status, body) == (400, b""), request_bytes
    assert refusals_counted(edge) == before
    adapters = [b"GET sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
                b"GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"]
    for request_bytes in adapters:
        assert raw_request(edge, request_bytes)[0] == 400
    assert refusals_counted(edge) == before + len(adapters)


def test_an_http_1_0_request_needs_no_host(edge):
    status, _, body = raw_request(edge, b"GET /healthz HTTP/1.0\r\n\r\n")
    assert status == 200, body


async def stays() -> None:
    """A fake protocol's client_disconnect: a client that stays to the end."""
    await asyncio.Event().wait()


def test_content_length_is_ascii_digits_only():
    """granian refuses any other Content-Length itself (above); another RSGI server might pass one on, and
    the adapter then answers 400 with a problem document rather than reading a body of unknown length.
    No server here sends one, so the scope is made by hand."""
    answers = []
    protocol = SimpleNamespace(response_bytes=lambda status, headers, body: answers.append((status, headers, body)))
    app = RSGIApp(lambda environ, start_response: pytest.fail("the app was called"), threads=1, max_body=100)
    for length in ["\u00b2", "\u0663", "1\u00b2", "+6", "6 "]:
        scope = SimpleNamespace(proto="http", method="POST", path="/sparql", query_string="", scheme="http",
                                http_version="1.1", server="127.0.0.1:8000", client="127.0.0.1:5000",
                                headers={"content-length": length, "content-type": "application/sparql-query"})
        asyncio.run(app.__rsgi__(scope, protocol))
    assert len(answers) == 5
    for status, headers, body in answers:
        problem(status, dict(headers), body, 400)


def test_what_the_adapter_refuses_itself_is_counted_and_logged(tmp_path, monkeypatch):
    """A bad head (400) and a body that does not come (408) are answered on the loop, the app never called:
    they once went uncounted in sahel_kg_http_requests and unlogged, where the app's own refusals are both."""
    monkeypatch.setattr(rsgi, "BODY_READ_SECONDS", 0.05)
    log = tmp_path / "access.log"
    registry = Metrics()
    accounting = Accounting(registry, AccessLog(str(log)), ())
    adapter = RSGIApp(lambda environ, start_response: pytest.fail("the app was called"), threads=1, max_body=100,
                      refused=accounting.refused_by_server)

    class Silent(SimpleNamespace):  # a client that sends its head and never its body
        def __aiter__(self):
            return self

        async def __anext__(self):
            await asyncio.sleep(10)

    statuses = []
    protocol = Silent(response_bytes=lambda status, headers, body: statuses.append(status))
    for length in ("+6", "6"):
        asyncio.run(adapter.__rsgi__(SimpleNamespace(
            proto="http", method="POST", path="/sparql", query_string="", scheme="http", http_version="1.1",
            server="127.0.0.1:8000", client="127.0.0.1:5000",
            headers={"host": "127.0.0.1", "content-length": length, "content-type": "application/sparql-query"}),
            protocol))
    adapter.pool.shutdown()
    assert statuses == [400, 408]
    counted = {(sample.name, tuple(sorted(sample.labels.items()))): sample.value for metric in registry.registry.collect()
               for sample in metric.samples if sample.name.endswith("_total")}
    for status, reason in (("400", "bad_request"), ("408", "body_timeout")):
        assert counted[("sahel_kg_http_requests_total",
                        (("method", "POST"), ("route", "(no route)"), ("status", status)))] == 1
        assert counted[("sahel_kg_rejections_total", (("reason", reason),))] == 1
    accounting.log.close()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(line["status"], line["route"], line["client"]) for line in lines] == [
        (400, "(no route)", "127.0.0.1"), (408, "(no route)", "127.0.0.1")]
    assert lines[1]["duration"] >= 0.05


def test_the_path_is_percent_decoded_once(edge):
    """granian decodes the path; the adapter once decoded it again, so /id/a%2541 was /id/aA and a
    literal "%00" in a name (sent as %2500) was refused as a NUL byte."""
    for sent, meant in (("a%2541", "a%41"), ("a%2500b", "a%00b"), ("caf%C3%A9", "café")):
        status, headers, body = http(f"{edge}/id/{sent}", headers={"Accept": "application/json"})
        looked_for = problem(status, headers, body, 404)["detail"].split("; did you mean ")[0]
        assert looked_for.endswith(f"{as_uri('/id/' + meant)}>"), looked_for


@pytest.mark.parametrize("method", [b"get", b"Get", b"FOO"])
def test_a_method_the_server_does_not_know_is_501_case_and_all(edge, method):
    # RFC 9110 §9.1: the method is case-sensitive, so `get` is not GET; §15.6.2: an unknown method is 501.
    got, headers, body = raw_request(edge, head(b"/sparql?query=ASK%7B%7D", method=method))
    document = problem(got, {"content-type": headers.get("content-type")}, body, 501)
    assert method.decode() in document["detail"]
    assert raw_request(edge, head(b"/sparql?query=ASK%7B%7D", method=b"PATCH"))[0] == 405  # known, not taken


def test_every_step_of_a_streamed_answer_sees_its_own_requests_context():
    """The adapter reads an answer a batch at a time on whichever request thread is free: each batch once ran
    in that thread's own context (contextvars), where the request's variables were missing or another
    request's, so Flask's stream_with_context cut concurrent dumps (LookupError, 'created in a different
    Context'). Six answers of many batches each, on four threads, each chunk checking the request's own value."""
    mine = contextvars.ContextVar("request_name")
    seen: dict[str, set] = {}

    def app(environ, start_response):
        name = environ["PATH_INFO"]
        mine.set(name)
        start_response("200 OK", [("Content-Type", "text/plain")])

        def chunks():
            for _ in range(8):
                seen.setdefault(name, set()).add(mine.get(None))
                yield b"x" * BATCH_BYTES  # one batch each: the next may be read on another thread
        return chunks()

    class Stream:
        async def send_bytes(self, chunk):
            await asyncio.sleep(0)  # lets the other answers take the threads between batches

    protocol = SimpleNamespace(response_stream=lambda status, headers: Stream(), client_disconnect=stays)
    adapter = RSGIApp(app, threads=4, max_body=100)

    async def ask_all():
        await asyncio.gather(*[adapter.__rsgi__(SimpleNamespace(
            proto="http", method="GET", path=f"/answer-{number}", query_string="", scheme="http",
            http_version="1.1", server="127.0.0.1:8000", client="127.0.0.1:5000", headers={"host": "127.0.0.1"}),
            protocol)
            for number in range(6)])

    asyncio.run(ask_all())
    adapter.pool.shutdown()
    assert seen == {f"/answer-{number}": {f"/answer-{number}"} for number in range(6)}


def test_a_request_with_a_body_is_offered_at_once_and_a_thread_then_reads_the_whole_body():
    """A posted query is offered on the loop as a GET is (api.fast_sparql answers a posted lookup there); one
    declined there reaches a request thread with its body still whole."""
    calls = []

    def app(environ, start_response):
        calls.append((bool(environ.get(rsgi.AT_ONCE)), environ["wsgi.input"].read()))
        if environ.get(rsgi.AT_ONCE) and environ["PATH_INFO"] == "/declined":
            raise rsgi.NotAtOnce
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    class Protocol:
        client_disconnect = staticmethod(stays)

        def __init__(self):
            self.sent = []

        def __aiter__(self):
            return self._chunks()

        async def _chunks(self):
            yield b"ASK "
            yield b"{}"

        def response_bytes(self, status, headers, body):
            self.sent.append((status, body))

    adapter = RSGIApp(app, threads=1, max_body=100, at_once=lambda environ: True)
    for path in ("/answered", "/declined"):
        protocol = Protocol()
        asyncio.run(adapter.__rsgi__(SimpleNamespace(
            proto="http", method="POST", path=path, query_string="", scheme="http", http_version="1.1",
            server="127.0.0.1:8000", client="127.0.0.1:5000",
            headers={"host": "127.0.0.1", "content-type": "application/sparql-query", "content-length": "6"}),
            protocol))
        assert protocol.sent == [(200, b"ok")]
    adapter.pool.shutdown()
    assert calls == [(True, b"ASK {}"), (True, b"ASK {}"), (False, b"ASK {}")]


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_body_that_breaks_off_is_never_taken_for_the_whole(tmp_path, framing):
    """granian ends a request body whose client stopped sending half-way (and shut its side of the connection)
    as if it were whole: a Graph Store PUT of 100 triples replaced the graph with the first 50 and said 201."""
    triples = b"".join(b'<http://example.org/s%d> <http://example.org/p> "%d" .\n' % (n, n) for n in range(100))
    half = triples[:triples.index(b"<http://example.org/s50>")]
    graph = "http://example.org/broken-off"
    with kg_server(tmp_path, store="memory:", enable_updates=True, env={"SAHEL_KG_UPDATE_TOKEN": "t"}) as base:
        address = urllib.parse.urlsplit(base)
        framed = b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n" % (len(half), half) if framing == "chunked" \
            else b"Content-Length: %d\r\n\r\n%s" % (len(triples), half)
        with socket.create_connection((address.hostname, address.port), timeout=60) as client:
            client.sendall(f"PUT /store?graph={graph} HTTP/1.1\r\nHost: {address.netloc}\r\nAuthorization: Bearer t"
                           "\r\nContent-Type: application/n-triples\r\n".encode() + framed)
            client.shutdown(socket.SHUT_WR)  # no more is coming
            answer = client.makefile("rb").read()
        assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
        assert b"broke off" in answer
        count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <%s> { ?s ?p ?o } }" % graph
        status, _, body = http(base + "/sparql?" + urllib.parse.urlencode({"query": count}),
                               headers={"Accept": "application/json"})
        assert status == 200 and json.loads(body)["results"]["bindings"][0]["n"]["value"] == "0"


@pytest.mark.parametrize("made", [[], [b"row 1\n"], [b"x" * BATCH_BYTES, b"row 2\n"]],
                         ids=["nothing", "within the first batch", "after a batch"])
def test_an_answer_that_fails_midway_sends_what_was_made_then_is_cut(monkeypatch, made):
    """A failure once the app started its 200 (a time limit) within the first batch was a bare 500 from granian,
    and chunks made before a later failure were dropped with their batch; both now go out before the cut."""
    cuts = []
    monkeypatch.setattr(rsgi, "abort_connection", lambda client, server: cuts.append(client) or True)

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/csv")])

        def chunks():
            yield from made
            raise TimeoutError("query stopped after its time limit")
        return chunks()

    class Stream:
        def __init__(self):
            self.sent = []

        async def send_bytes(self, chunk):
            self.sent.append(chunk)

    streams = []
    protocol = SimpleNamespace(response_stream=lambda status, headers: streams.append((status, Stream()))
                               or streams[-1][1], client_disconnect=stays)
    adapter = RSGIApp(app, threads=1, max_body=100)
    asyncio.run(adapter.__rsgi__(SimpleNamespace(
        proto="http", method="GET", path="/cut", query_string="", scheme="http", http_version="1.1",
        server="127.0.0.1:8000", client="127.0.0.1:5000", headers={"host": "127.0.0.1"}), protocol))
    adapter.pool.shutdown()
    [(status, stream)] = streams
    assert (status, b"".join(stream.sent), cuts) == (200, b"".join(made), ["127.0.0.1:5000"])


def test_a_batch_of_a_slow_answer_goes_out_after_a_second(monkeypatch):
    """Chunks that trickle (or gzipped ones, of which 64 KiB stand for megabytes of rows) waited for 64 KiB."""
    clock = iter([0.0, 0.6, 1.2, 1.8])
    monkeypatch.setattr(rsgi.time, "monotonic", lambda: next(clock))
    assert rsgi._batch(iter([b"a", b"b", b"c"])) == ([b"a", b"b"], False, None)
