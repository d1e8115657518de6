"""gzip of answers (api/compression.py): which requests and answers get it, and what their validators become."""

from __future__ import annotations

import gzip
import zlib
from urllib.parse import quote, urlencode

import pytest

from api import compression
from api.compression import ResponseCompression, accepts_gzip
from api_fixtures import *  # noqa: F401,F403
from api_fixtures import AUTH, WRITABLE

GZIP = {"Accept-Encoding": "gzip"}
BIG = "/sparql?" + urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 500"})  # over 100 KB of JSON
SMALL = "/sparql?" + urlencode({"query": "ASK {}"})


@pytest.mark.parametrize("header, taken", [
    ("gzip", True), ("GZIP", True), ("x-gzip", True), ("br, gzip;q=0.5", True), ("*", True),
    ("gzip;q=0", False), ("gzip;q=0.0, *", False), ("*;q=0", False), ("deflate, br", False), ("", False),
    ("identity", False), ("gzip;q=lots", False), ("gzip ; q = 0.8", True),
    # the parameter's name in any case, among others; a coding named twice (x-gzip is gzip) has its lower weight
    ("gzip;Q=0", False), ("gzip;level=9;q=0", False), ("gzip;q=0, gzip", False), ("x-gzip;q=0, gzip", False),
    ("gzip;q=nan", False), ("GZip ;Q=0.5", True),
    # identity weighed above gzip is preferred (RFC 9110 §12.5.3); unnamed, it states no preference
    ("gzip;q=0.001, identity;q=0.5", False), ("identity;q=0.9, x-gzip;q=0.8", False), ("*;q=0.2, identity", False),
    ("identity;q=0.5, gzip", True), ("gzip;q=0.5, identity;q=0.5", True), ("identity;q=0, gzip;q=0.1", True),
])
def test_accept_encoding_is_read_with_its_weights(header, taken):
    assert accepts_gzip(header) is taken


def test_a_big_answer_is_gzipped_for_a_client_that_takes_it(shared):
    plain, packed = shared.get(BIG), shared.get(BIG, headers=GZIP)
    assert plain.headers.get("Content-Encoding") is None and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < len(plain.data) / 4
    for answer in (plain, packed):  # either way, a shared cache must tell the two apart
        assert "Accept-Encoding" in answer.headers["Vary"] and "Accept" in answer.headers["Vary"]
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'


def test_a_revalidation_of_the_gzipped_copy_answers_304_with_its_tag(shared):
    packed = shared.get(BIG, headers=GZIP)
    again = shared.get(BIG, headers={**GZIP, "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == packed.headers["ETag"]
    plain = shared.get(BIG, headers={"If-None-Match": shared.get(BIG).headers["ETag"]})
    assert plain.status_code == 304 and not plain.headers["ETag"].endswith('-gzip"')


def test_a_client_that_does_not_take_gzip_is_not_sent_304_for_the_gzipped_copy(shared):
    """A cache keeping both copies names both tags; the 304 must name the one this client is sent, the plain."""
    packed, plain = shared.get(BIG, headers=GZIP).headers["ETag"], shared.get(BIG).headers["ETag"]
    assert shared.get(BIG, headers={"If-None-Match": packed}).status_code == 200
    both = shared.get(BIG, headers={"If-None-Match": f"{packed}, {plain}"})
    assert (both.status_code, both.headers["ETag"]) == (304, plain)


def test_a_gzipped_answer_that_fails_midway_sends_what_was_made_without_its_trailer():
    """What the compressor held when the answer failed (a time limit) goes out before the failure, unfinished."""
    made = b"".join(b"row %d\n" % number for number in range(20000))

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/csv")])

        def chunks():
            yield made
            raise TimeoutError("query stopped after its time limit")
        return chunks()

    sent, unpacker = [], zlib.decompressobj(31)
    with pytest.raises(TimeoutError):
        for chunk in ResponseCompression(app, level=1)({"HTTP_ACCEPT_ENCODING": "gzip", "REQUEST_METHOD": "GET"},
                                                       lambda status, headers, exc_info=None: None):
            sent.append(chunk)
    assert unpacker.decompress(b"".join(sent)) == made and not unpacker.eof


@pytest.mark.parametrize("url, headers", [
    (SMALL, GZIP),  # under MIN_BYTES
    (BIG, {"Accept-Encoding": "gzip;q=0, deflate"}),
    ("/static/" + "x", GZIP),  # a 404's small problem body
], ids=["small", "refused", "small problem"])
def test_what_is_not_gzipped(shared, url, headers):
    assert shared.get(url, headers=headers).headers.get("Content-Encoding") is None


def test_a_range_is_of_the_plain_bytes(shared):
    page = shared.get("/sparql", headers={**GZIP, "Accept": "text/html"})
    assert page.headers["Content-Encoding"] == "gzip"
    script = gzip.decompress(page.data).decode().split('src="')[1].split('"')[0]
    whole = shared.get(script).data
    assert shared.get(script, headers=GZIP).headers["Content-Encoding"] == "gzip"
    ranged = shared.get(script, headers={**GZIP, "Range": "bytes=0-99"})
    assert ranged.status_code == 206 and ranged.headers.get("Content-Encoding") is None and ranged.data == whole[:100]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_range_on_a_route_that_ignores_it_gets_the_whole_answer_gzipped_as_without_it(shared, method):
    """/sparql (by the fast path or Flask's) serves no ranges: a Range header is ignored (RFC 9110 §14.2), and the
    answer is the 200 any other request gets, gzipped for a client that takes it, not a plain copy."""
    query = BIG.split("?", 1)[1]

    def asked(headers):
        if method == "GET":
            return shared.get(BIG, headers=headers)
        return shared.post("/sparql", data=query, content_type="application/x-www-form-urlencoded", headers=headers)

    without, ranged = asked(GZIP), asked({**GZIP, "Range": "bytes=0-99"})
    assert ranged.status_code == 200 and "Content-Range" not in ranged.headers
    assert ranged.headers.get("Content-Encoding") == "gzip" and ranged.headers["ETag"] == without.headers["ETag"]
    assert gzip.decompress(ranged.data) == gzip.decompress(without.data)


def test_a_head_says_gzip_and_no_length(shared):
    head = shared.head(BIG, headers=GZIP)
    assert head.status_code == 200 and head.headers["Content-Encoding"] == "gzip" and head.data == b""
    assert "Content-Length" not in head.headers


def test_level_zero_never_gzips(make_app):
    client = make_app({"GZIP_LEVEL": 0}).test_client()
    answer = client.get(BIG, headers=GZIP)
    assert answer.status_code == 200 and answer.headers.get("Content-Encoding") is None


def test_a_write_conditional_on_a_graph_read_gzipped_is_not_refused(make_app):
    """If-Match names the gzipped copy's tag; the graph it stands for is unchanged, so the PUT goes ahead."""
    client = make_app(WRITABLE, article=False).test_client()
    url = "/store?graph=" + quote("http://example.org/g", safe="")
    triples = "".join(f"<http://example.org/s{n}> <http://example.org/p> \"a longer value {n}\" .\n" for n in range(60))
    assert client.put(url, data=triples, content_type="application/n-triples", headers=AUTH).status_code == 201
    read = client.get(url, headers={**GZIP, "Accept": "application/n-triples"})
    assert read.headers["Content-Encoding"] == "gzip" and read.headers["ETag"].endswith('-gzip"')
    changed = client.put(url, data=triples.split("\n", 1)[1], content_type="application/n-triples",
                         headers={**AUTH, "If-Match": read.headers["ETag"]})
    assert changed.status_code == 204
    stale = client.put(url, data=triples, content_type="application/n-triples",
                       headers={**AUTH, "If-Match": read.headers["ETag"]})
    assert stale.status_code == 412


def test_a_slow_gzipped_answer_is_not_held_back(monkeypatch):
    """zlib packs a block once it has tens of KB: rows that trickle were held until then, minutes of them maybe;
    what comes FLUSH_SECONDS after the last flush now goes out with the chunk that brought it."""
    clock = iter(range(0, 1000, 2))  # two seconds between any two looks at the clock
    monkeypatch.setattr(compression.time, "monotonic", lambda: next(clock))
    rows = [b"row %d\n" % number for number in range(3)]

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/csv")])
        return iter(rows)

    unpacker, seen = zlib.decompressobj(31), b""
    answer = ResponseCompression(app, level=1)({"HTTP_ACCEPT_ENCODING": "gzip", "REQUEST_METHOD": "GET"},
                                               lambda status, headers, exc_info=None: None)
    for number, chunk in zip(range(len(rows)), answer):
        seen += unpacker.decompress(chunk)
        assert seen == b"".join(rows[:number + 1])


@pytest.mark.parametrize("accept", ["application/turtle", "application/x-turtle", "application/x-trig", "text/x-nquads"])
def test_a_big_graph_under_an_older_name_of_its_format_is_gzipped_too(shared, accept):
    """Turtle asked as application/turtle came whole, as text/turtle did not (helper-209)."""
    graph = "/sparql?" + urlencode({"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2000"})
    packed = shared.get(graph, headers={**GZIP, "Accept": accept})
    assert packed.mimetype == accept and packed.headers["Content-Encoding"] == "gzip"
