"""The HTTP interface fuzzed against live servers: schemathesis from the OpenAPI description, and hypothesis
on /sparql's parameters and headers. No answer may be a 5xx or show a traceback, every error is a problem
document, and what no valid token allowed leaves the dataset exactly as it was.

The budget is bounded (examples per operation below), so the run takes a minute or two.
"""

from __future__ import annotations

import gzip
import json
import urllib.parse
from contextlib import contextmanager

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_headers_conformance,
                                 response_schema_conformance, status_code_conformance)

from api.negotiation import best_match
from kg.paths import QUERIES_DIR
from live_server import kg_server
from raw_http import fingerprint, http

TOKEN = "f" * 40
SCHEMATHESIS_EXAMPLES = 25  # per operation and server
HYPOTHESIS_EXAMPLES = 200  # per server
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
BUDGET = settings(deadline=None, database=None, suppress_health_check=list(HealthCheck), print_blob=True)


@schemathesis.serializer("application/sparql-query", "application/sparql-update", "text/turtle",
                         "application/x-turtle", "application/n-triples", "application/rdf+xml", "application/ld+json")
def _as_text(context, value):
    """Bodies of these media types are text: schemathesis sends the generated string as UTF-8."""
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else json.dumps(value).encode()


@contextmanager
def serve(tmp_path_factory, name: str, **options):
    """`kg serve` on its own embedded store, which the URL knows as `.store` (for its fingerprint)."""
    workdir = tmp_path_factory.mktemp(name)
    with kg_server(workdir, env={"SAHEL_KG_UPDATE_TOKEN": TOKEN}, **options) as url:
        url.store = workdir / "home" / "store"
        yield url


@pytest.fixture(scope="module")
def public(tmp_path_factory):
    with serve(tmp_path_factory, "fuzz-public", args=("--public",)) as url:
        yield url


@pytest.fixture(scope="module")
def writer(tmp_path_factory):
    with serve(tmp_path_factory, "fuzz-writer", enable_updates=True) as url:
        yield url


def assert_answer_is_sound(status: int, headers, body: bytes, what: str, accept: str | None = None) -> None:
    """Below 500, no traceback, and an error is a problem document carrying its own status (a page
    saying it, for a client whose Accept prefers HTML)."""
    assert status < 500, (what, status, body[:1000])
    if headers.get("Content-Encoding") == "gzip" and body:  # a client that sent Accept-Encoding: gzip got it so
        body = gzip.decompress(body)
    assert b"Traceback" not in body, what
    if status >= 400 and body:
        if headers.get("Content-Type", "").startswith("text/html"):
            offered = ["text/turtle", "application/problem+json", "application/json", "text/html"]
            assert best_match(accept, offered) == "text/html", (what, status, dict(headers))
            assert f"HTTP {status}".encode() in body, (what, body[:500])
            return
        assert headers.get("Content-Type") == "application/problem+json", (what, status, dict(headers))
        assert json.loads(body)["status"] == status, (what, body[:500])


def run_schemathesis(base: str, examples: int, headers: dict | None = None) -> list[str]:
    """Every operation of the served description, up to `examples` cases each; the failures found, as text."""
    schema = schemathesis.openapi.from_url(base + "/openapi.json")
    failures, calls = [], []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(BUDGET, max_examples=examples)
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            calls.append(operation.label)
            case.validate_response(response, checks=CHECKS)
            assert b"Traceback" not in response.content

        try:
            check()
        except Exception as error:  # gathered, so that one run reports every operation that fails
            failures.append(f"{operation.label}: {error}")
    assert len(set(calls)) >= 15 and len(calls) >= 5 * len(set(calls)), calls  # it did exercise the operations
    return failures


def test_schemathesis_finds_nothing_on_a_public_server(public):
    before = fingerprint(public.store)
    assert run_schemathesis(public, SCHEMATHESIS_EXAMPLES) == []
    assert fingerprint(public.store) == before
    assert "Traceback" not in public.log_text()


def test_schemathesis_finds_nothing_on_a_write_enabled_server_without_the_token(writer):
    before = fingerprint(writer.store)
    assert run_schemathesis(writer, SCHEMATHESIS_EXAMPLES, {"Authorization": "Bearer " + "x" * 40}) == []
    assert fingerprint(writer.store) == before


def test_schemathesis_finds_no_server_error_with_the_token(writer):
    """Writes that the token allows change the data, as they may; no request may fail the server."""
    assert run_schemathesis(writer, SCHEMATHESIS_EXAMPLES // 2, {"Authorization": f"Bearer {TOKEN}"}) == []
    assert "Traceback" not in writer.log_text()


# --- hypothesis on /sparql ----------------------------------------------------------------------

EXAMPLES = [path.read_text(encoding="utf-8") for path in sorted(QUERIES_DIR.glob("*.rq"))]
HOSTILE = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http://[::1]:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <HTTP://169.254.169.254/latest> { ?s ?p ?o } }",
    "PREFIX x: <http://127.0.0.1:1/> SELECT * WHERE { SERVICE x: { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE <http\\u003A//127.0.0.1:1/> { ?s ?p ?o } }",
    "SELECT * WHERE { SERVICE SILENT ?endpoint { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://127.0.0.1:1/data> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "LOAD <file:///etc/passwd>", "LOAD <http://127.0.0.1:1/x> INTO GRAPH <http://e/g>",
    "DROP ALL", "CLEAR DEFAULT", "INSERT DATA { <http://e/s> <http://e/p> 1 }",
    "DELETE WHERE { ?s ?p ?o }", "ADD DEFAULT TO <http://e/g>", "CREATE GRAPH <http://e/new>",
    "DEFINE sql:log-enable 3 SELECT * { ?s ?p ?o }",
    "SELECT * WHERE " + "{ " * 500 + "}" * 500,
    "SELECT (" + "1 + " * 5000 + "1 AS ?x) {}",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 99999999999999999999999",
    'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(?o, "(a+)+$")) } LIMIT 5',
    "ASK { } ; DROP ALL", "ASK {} # \n DROP ALL", "SELECT * { ?s ?p ?o } }} DROP ALL {{",
    "\ufeffASK {}", "ASK {}\u2028", "ASK { <\u0000> ?p ?o }", "ASK { <http://e/\\u003E> ?p ?o }",
]


def spliced(text: str, at: int, insert: str) -> str:
    at %= len(text) + 1
    return text[:at] + insert + text[at:]


texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
queries = st.one_of(st.sampled_from(EXAMPLES), st.sampled_from(HOSTILE), texts,
                    st.builds(spliced, st.sampled_from(EXAMPLES), st.integers(0, 5000), texts))
names = st.one_of(st.sampled_from(["query", "update", "default-graph-uri", "named-graph-uri", "using-graph-uri",
                                   "using-named-graph-uri", "format", "output", "timeout"]), texts)
values = st.one_of(queries, texts, st.sampled_from([
    "json", "xml", "csv", "tsv", "turtle", "jsonld", "rdfxml", "n3", "text/csv", "*/*", "", "0", "-1", "nan", "inf",
    "1e309", "0.001", "http://example.org/g", "urn:x", "not an iri", "http://a b", "<http://e/>", "file:///etc/passwd"]))
latin1 = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF, blacklist_characters="\x7f"), max_size=60)
header_values = st.one_of(latin1, st.sampled_from([
    "*/*", "text/html", "application/sparql-results+json;q=0.5, text/csv", "text/turtle;q=abc", "application/*",
    "Bearer " + "x" * 40, "Basic dXNlcjpwYXNz", "Bearer", "W/\"x\", \"y\"", "*", "Thu, 01 Jan 1970 00:00:00 GMT",
    "not a date", "10.0.0.1, 127.0.0.1", "bytes=0-1", "gzip", "https://elsewhere.example"]))
headers = st.dictionaries(st.sampled_from([
    "Accept", "Content-Type", "If-None-Match", "If-Modified-Since", "Authorization", "X-Forwarded-For", "Origin",
    "Range", "Accept-Encoding", "Content-Encoding", "Accept-Charset", "Cookie", "X-Anything"]), header_values, max_size=4)
methods = st.sampled_from(["GET", "HEAD", "POST form", "POST query", "POST update", "PUT", "DELETE", "OPTIONS"])


def send(base: str, method: str, params: list, body_text: str, extra: dict):
    query_string = urllib.parse.urlencode(params)
    url = f"{base}/sparql" + (f"?{query_string}" if query_string and method != "POST form" else "")
    heads = dict(extra)
    data = None
    if method == "POST form":
        data, heads["Content-Type"] = query_string.encode(), "application/x-www-form-urlencoded"
    elif method in ("POST query", "POST update"):
        data = body_text.encode("utf-8")
        heads.setdefault("Content-Type", f"application/sparql-{method.split()[1]}")
    verb = method.split()[0]
    return http(url, method=verb, data=data if verb not in ("GET", "HEAD", "DELETE", "OPTIONS") else None,
                headers=heads)


def fuzz_sparql(base: str) -> None:
    @settings(BUDGET, max_examples=HYPOTHESIS_EXAMPLES)
    @given(method=methods, params=st.lists(st.tuples(names, values), max_size=5), body_text=queries, extra=headers)
    def check(method, params, body_text, extra):
        status, answer_headers, body = send(base, method, params, body_text, extra)
        accept = next((value for name, value in extra.items() if name.lower() == "accept"), None)
        assert_answer_is_sound(status, answer_headers, body, f"{method} {params!r} {body_text[:200]!r} {extra!r}",
                               accept)

    check()


def test_hypothesis_on_sparql_parameters_and_headers_of_a_public_server(public):
    before = fingerprint(public.store)
    fuzz_sparql(public)
    assert fingerprint(public.store) == before
    assert "Traceback" not in public.log_text()


def test_hypothesis_on_sparql_parameters_and_headers_of_a_write_enabled_server(writer):
    before = fingerprint(writer.store)
    fuzz_sparql(writer)
    assert fingerprint(writer.store) == before
    assert "Traceback" not in writer.log_text()
