"""Parsing what users send: RDF/XML DTDs refused, JSON-LD remote contexts never fetched, uploads bounded in
size and time (Graph Store and `kg load`), a leading byte-order mark skipped from any reader, and requests
that are not clean UTF-8 answered 400."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import time

import pytest

from api_fixtures import recording_server
from kg.errors import ParseError
from kg.store.base import read_quads
from kg.untrusted import NO_REMOTE_CONTEXT, skip_bom
from kg.xml_check import NO_DTD
from live_server import kg_server
from raw_http import fingerprint, http, problem, raw_request

TOKEN = "u" * 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}
UPLOAD_TIMEOUT = 1.0
BODY_CAP = 16 << 20
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

ENTITIES = f"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<rdf:RDF xmlns:rdf="{RDF}" xmlns:ex="http://example.org/">
 <rdf:Description rdf:about="http://example.org/s"><ex:p>&e;</ex:p></rdf:Description>
</rdf:RDF>
"""  # "billion laughs": 80 characters times 30**4, about 65 MB, if the entities were expanded


def deep_rdfxml(levels: int) -> bytes:
    """RDF/XML nested `levels` deep: pyoxigraph's time to parse it grows with the square of the depth
    (8 MiB of it takes minutes), while its size grows only linearly."""
    return (f'<rdf:RDF xmlns:rdf="{RDF}" xmlns:e="http://example.org/"><rdf:Description>'.encode()
            + b"<e:p><rdf:Description>" * levels + b"</rdf:Description></e:p>" * levels
            + b"</rdf:Description></rdf:RDF>")


DEEP = deep_rdfxml((8 << 20) // 46)  # 8 MiB


@pytest.fixture(scope="module")
def writer(tmp_path_factory):
    """A write-enabled `kg serve` whose uploads may be large (16 MiB) but take at most 1s to parse."""
    workdir = tmp_path_factory.mktemp("untrusted")
    env = {"SAHEL_KG_UPDATE_TOKEN": TOKEN, "SAHEL_KG_UPLOAD_TIMEOUT": str(UPLOAD_TIMEOUT),
           "SAHEL_KG_MAX_BODY_BYTES": str(BODY_CAP)}
    with kg_server(workdir, env=env, enable_updates=True) as url:
        url.store = workdir / "home" / "store"
        yield url


def put(server, graph: str, body: bytes, media: str):
    return http(f"{server}/store?graph={graph}", method="PUT", data=body, headers={"Content-Type": media, **AUTH})


def graph_exists(server, graph: str) -> bool:
    status, _, _ = http(f"{server}/store?graph={graph}")
    return status == 200


# --- the Graph Store ----------------------------------------------------------------------------

def test_rdfxml_with_entities_is_refused_unexpanded(writer):
    before = fingerprint(writer.store)
    status, headers, body = put(writer, "http://example.org/laughs", ENTITIES.encode(), "application/rdf+xml")
    assert problem(status, headers, body, 400)["detail"] == NO_DTD
    assert not graph_exists(writer, "http://example.org/laughs")
    assert fingerprint(writer.store) == before


def test_rdfxml_with_an_external_entity_is_refused(writer):
    document = ENTITIES.replace('<!ENTITY a "', '<!ENTITY a SYSTEM "file:///etc/passwd"> <!ENTITY z "')
    status, headers, body = put(writer, "http://example.org/xxe", document.encode(), "application/rdf+xml")
    assert problem(status, headers, body, 400)["detail"] == NO_DTD
    assert b"root:" not in body


def test_jsonld_remote_context_is_never_fetched(writer):
    with recording_server() as (base, requests):
        document = f'{{"@context": "{base}/context.jsonld", "@id": "http://example.org/s", "name": "x"}}'
        status, headers, body = put(writer, "http://example.org/ctx", document.encode(), "application/ld+json")
        assert problem(status, headers, body, 400)["detail"] == NO_REMOTE_CONTEXT
        document = f'{{"@context": ["{base}/a.jsonld", {{"@vocab": "http://example.org/"}}], "@id": "http://e/s"}}'
        status, headers, body = put(writer, "http://example.org/ctx", document.encode(), "application/ld+json")
        problem(status, headers, body, 400)
        assert requests == []
    assert not graph_exists(writer, "http://example.org/ctx")


def test_an_upload_slow_to_parse_is_stopped_at_its_time_limit(writer):
    before = fingerprint(writer.store)
    started = time.monotonic()
    status, headers, body = put(writer, "http://example.org/deep", DEEP, "application/rdf+xml")
    assert "took more than 1s" in problem(status, headers, body, 413)["detail"]
    assert time.monotonic() - started < 60  # the parse alone takes minutes
    assert fingerprint(writer.store) == before
    status, _, _ = http(f"{writer}/sparql?query=ASK%7B%7D")
    assert status == 200


def test_an_upload_over_the_body_cap_is_413_before_it_is_read(writer):
    head = (b"PUT /store?graph=http://example.org/big HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
            b"Content-Type: text/turtle\r\nAuthorization: Bearer " + TOKEN.encode()
            + b"\r\nContent-Length: %d\r\n\r\n" % (BODY_CAP + 1))
    status, headers, body = raw_request(writer, head)  # no body is sent: the answer comes without it
    problem(status, {"Content-Type": headers.get("content-type")}, body, 413)


# --- bytes that are not clean text --------------------------------------------------------------

def request_bytes(target: bytes, *, method: bytes = b"GET", headers: bytes = b"", body: bytes = b"") -> bytes:
    length = b"Content-Length: %d\r\n" % len(body) if body else b""
    return (method + b" " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers + length
            + b"\r\n" + body)


SPARQL_BODY = b"Content-Type: application/sparql-query\r\n"
FORM_BODY = b"Content-Type: application/x-www-form-urlencoded\r\n"
BAD = {
    "invalid UTF-8 in the query string": request_bytes(b"/sparql?query=ASK%7B%FF%7D"),
    "NUL in the query string": request_bytes(b"/sparql?query=ASK%7B%00%7D"),
    "bad percent-encoding in the query string": request_bytes(b"/sparql?query=ASK%7B%7"),
    "a lone % in the query string": request_bytes(b"/sparql?query=ASK%%7B%7D"),
    "invalid UTF-8 in the path": request_bytes(b"/store/%C3%28"),
    # granian decodes the path itself, an invalid byte becoming U+FFFD: the page of IRI …/id/\ufffd was a 404
    "invalid UTF-8 in an IRI's path": request_bytes(b"/id/%ff"),
    "a truncated UTF-8 sequence in an IRI's path": request_bytes(b"/id/jnim%C3"),
    "NUL in the path": request_bytes(b"/store/a%00b"),
    "bad percent-encoding in the path": request_bytes(b"/store/a%zzb"),
    "a Host that is no host name": request_bytes(b"/sparql?query=ASK%7B%7D", headers=b"Host: a>b\r\n"),
    "invalid UTF-8 in a query body": request_bytes(b"/sparql", method=b"POST", headers=SPARQL_BODY, body=b"ASK {\xff}"),
    "NUL in a query body": request_bytes(b"/sparql", method=b"POST", headers=SPARQL_BODY, body=b"ASK {}\x00"),
    "invalid UTF-8 in a form": request_bytes(b"/sparql", method=b"POST", headers=FORM_BODY, body=b"query=ASK%7B%C0%7D"),
    "bad percent-encoding in a form": request_bytes(b"/sparql", method=b"POST", headers=FORM_BODY, body=b"query=%G1"),
    "NUL in an upload": request_bytes(b"/store?default", method=b"PUT", body=b"<a:b> <a:c> \"\x00\" .",
                                      headers=b"Content-Type: application/n-triples\r\nAuthorization: Bearer "
                                      + TOKEN.encode() + b"\r\n"),
    "NUL in a chunked body": request_bytes(b"/sparql", method=b"POST",
                                           headers=SPARQL_BODY + b"Transfer-Encoding: chunked\r\n",
                                           body=b"7\r\nASK {}\x00\r\n0\r\n\r\n"),
}


@pytest.mark.parametrize("request_text", BAD.values(), ids=BAD.keys())
def test_a_request_that_is_not_clean_text_is_400(writer, request_text):
    before = fingerprint(writer.store)
    status, headers, body = raw_request(writer, request_text)
    problem(status, {"Content-Type": headers.get("content-type")}, body, 400)
    assert fingerprint(writer.store) == before


def test_a_nul_in_a_header_is_a_bare_400_from_granian(writer):
    """hyper (in granian) refuses a NUL in a header itself, before the app: a bare 400, no traceback."""
    status, _, body = raw_request(writer, request_bytes(b"/sparql?query=ASK%7B%7D", headers=b"X-Note: a\x00b\r\n"))
    assert (status, body) == (400, b"")


# granian passes on only header values of visible ASCII; the app sees that one was withheld and refuses it,
# as it cannot tell clean UTF-8 from other bytes it never sees.
WITHHELD = {"Latin-1": b"Authorization: Bearer caf\xe9\r\n", "invalid UTF-8": b"X-Note: a\xff\xfeb\r\n",
            "UTF-8": "X-Note: café\r\n".encode(), "the first of two": "Accept: café\r\nAccept: */*\r\n".encode()}


@pytest.mark.parametrize("header", WITHHELD.values(), ids=WITHHELD.keys())
def test_a_header_value_that_is_not_ascii_is_400(writer, header):
    status, headers, body = raw_request(writer, request_bytes(b"/sparql?query=ASK%7B%7D", headers=header))
    assert "outside ASCII" in problem(status, {"Content-Type": headers.get("content-type")}, body, 400)["detail"]


def test_a_repeated_header_whose_later_value_is_not_ascii_loses_that_value(writer):
    """The one withheld value granian gives no sign of (SECURITY.md): the request runs without it."""
    status, _, body = raw_request(writer, request_bytes(b"/sparql?query=ASK%7B%7D",
                                                        headers="Accept: */*\r\nAccept: café\r\n".encode()))
    assert status == 200 and b"true" in body


def test_raw_utf8_in_the_query_string_is_read_as_utf8(writer):
    """granian hands the query string over as text: it must reach the app as the UTF-8 bytes sent (a raw
    "Türkiye" was refused as not UTF-8)."""
    status, _, body = raw_request(writer, request_bytes("/search?q=Türkiye".encode()))
    assert status == 200 and b"https://sahel-kg.example.org/id/turkey" in body
    status, _, body = raw_request(writer, request_bytes('/sparql?query=ASK%7BFILTER(%22café%22!=%22%22)%7D'.encode()))
    assert status == 200 and b"true" in body


def test_clean_non_ascii_text_is_accepted(writer):
    query = "ASK { FILTER(\"café ☕\" != \"\") }".encode()
    status, _, body = raw_request(writer, request_bytes(b"/sparql?query=" + b"".join(b"%%%02X" % b for b in query)))
    assert status == 200 and b"true" in body


# --- kg load ------------------------------------------------------------------------------------

def kg(*args: str, home) -> subprocess.CompletedProcess:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment["SAHEL_KG_HOME"] = str(home)
    return subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args], capture_output=True,
                          text=True, env=environment, timeout=600)


@pytest.fixture(scope="module")
def loaded_home(tmp_path_factory):
    """A SAHEL_KG_HOME whose store holds the article (installed by a first `kg info`)."""
    home = tmp_path_factory.mktemp("load-home")
    assert kg("info", home=home).returncode == 0
    return home


@pytest.mark.parametrize("name, content, options, message", [
    ("laughs.rdf", ENTITIES.encode(), [], NO_DTD),
    ("context.jsonld", b'{"@context": "http://127.0.0.1:9/c.jsonld", "@id": "http://e/s"}', [], NO_REMOTE_CONTEXT),
    ("big.nt.gz", gzip.compress(b"<http://e/s> <http://e/p> <http://e/o> .\n" * 100_000), ["--max-bytes", "1M"],
     "over 1048576 bytes; nothing was loaded"),
    ("deep.rdf", DEEP, ["--timeout", "1"], "parsing took more than 1s"),
    # pyoxigraph's parser raised MemoryError past a 16 MiB term: a traceback (helper-48)
    ("huge.nt", b'<http://e/s> <http://e/p> "' + b"x" * (17 << 20) + b'" .\n', [],
     "longer than the RDF parser's limit of 16 MiB; nothing was loaded"),
])
def test_kg_load_refuses_hostile_files_and_loads_nothing(tmp_path, loaded_home, name, content, options, message):
    path = tmp_path / name
    path.write_bytes(content)
    before = fingerprint(loaded_home / "store")
    done = kg("load", str(path), *options, home=loaded_home)
    assert done.returncode == 1, done.stderr
    assert message in done.stderr and str(path) in done.stderr and "Traceback" not in done.stderr
    assert fingerprint(loaded_home / "store") == before


# --- a leading byte-order mark ------------------------------------------------------------------

TRIPLE = b"<http://e/s> <http://e/p> <http://e/o> .\n"


class Trickle(io.RawIOBase):
    """A reader that gives one byte a read and cannot peek, as a slow pipe may."""

    def __init__(self, data: bytes):
        self.data = data

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if not self.data:
            return 0
        buffer[0], self.data = self.data[0], self.data[1:]
        return 1


READERS = {
    "bytes": io.BytesIO,
    "buffered": lambda data: io.BufferedReader(io.BytesIO(data)),
    "gzip": lambda data: gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(data))),
    "trickle": Trickle,
}


@pytest.mark.parametrize("kind", READERS)
@pytest.mark.parametrize("data, left", [
    (b"\xef\xbb\xbf" + TRIPLE, TRIPLE),
    (TRIPLE, TRIPLE),
    (b"\xef\xbb", b"\xef\xbb"),  # a mark's first bytes only: not one, so kept for the parser to refuse
    (b"\xef\xbb\xbf\xef\xbb\xbf", b"\xef\xbb\xbf"),  # one mark is skipped, not two
    (b"", b""),
])
def test_skip_bom_drops_a_leading_mark_and_nothing_else(kind, data, left):
    assert skip_bom(READERS[kind](data)).read() == left


def test_read_quads_skips_the_mark_of_a_file_named_by_its_path(tmp_path):
    path = tmp_path / "bom.nt"
    path.write_bytes(b"\xef\xbb\xbf" + TRIPLE)
    assert len(list(read_quads(path, format="ntriples"))) == 1
    path.write_bytes(TRIPLE + b"\xef\xbb\xbf" + TRIPLE)
    with pytest.raises(ParseError) as caught:
        list(read_quads(path, format="ntriples"))
    assert (caught.value.line, caught.value.column) == (2, 1)
