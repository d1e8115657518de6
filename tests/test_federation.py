"""SERVICE evaluated by the project: answers joined as SPARQL 1.1 Federated Query says, a cache with a TTL,
a User-Agent with a contact, 429 honoured without hammering, 502/504 naming the endpoint, the allow-list.

The remote side is a second, real `oxigraph serve` loaded with tests/fixtures/wikidata-sahel-fixture.ttl
(a fixture shaped like Wikidata, not Wikidata's data), and small local HTTP servers that answer 429, answer
nothing, or redirect.
"""

from __future__ import annotations

import http.server
import json
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import pytest

import servers
from api import create_app
from kg.errors import PolicyError, QuerySyntaxError, QueryTimeout, ServiceBusy, ServiceFailure, ServiceTimeout
from kg.federation import Federation, retry_after, split_allowlist
from kg.paths import QUERIES_DIR
from kg.publish import install
from kg.query import Policy, QueryService
from kg.store import open_store

WDQS = "https://query.wikidata.org/sparql"
EXAMPLE = QUERIES_DIR / "aes-members-wikidata.rq"
EXPECTED = [  # the example's answer: the article's AES members joined with the fixture's statements
    ("Burkina Faso", "aes-members", "Ouagadougou", "23000000", "Ibrahim Traoré"),
    ("Mali", "aes-members", "Bamako", "22000000", "Assimi Goïta"),
    ("Niger", "aes-members", "Niamey", "26000000", "Abdourahamane Tiani"),
]


@pytest.fixture(scope="module")
def article():
    with open_store("memory:") as store:
        install(store)
        yield store


def service_for(store, *endpoints, **federation):
    """A QueryService that may call `endpoints` (an `IRI>URL` entry sends IRI's calls to URL)."""
    allowed, mirrors = split_allowlist(endpoints)
    federation.setdefault("endpoints", mirrors)
    return QueryService(store, policy=Policy(service_allowlist=allowed), federation=Federation(**federation))


def update_remote(url: str, update: str) -> None:
    request = urllib.request.Request(url.rsplit("/", 1)[0] + "/update", data=update.encode(),
                                     headers={"Content-Type": "application/sparql-update"})
    with urllib.request.urlopen(request, timeout=30):
        pass


def values(result):
    return [tuple(None if term is None else term.value for term in row) for row in result.rows]


class Recorder(http.server.BaseHTTPRequestHandler):
    """A test endpoint: answers each request as `reply` says, and records the requests it got."""

    reply = "429"
    requests: list
    release: threading.Event

    def do_GET(self):
        self.requests.append({"path": self.path, "headers": dict(self.headers)})
        if self.reply == "429":
            self.send_response(429)
            self.send_header("Retry-After", "120")
            self.end_headers()
            self.wfile.write(b"slow down")
        elif self.reply == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:1/elsewhere")
            self.end_headers()
        elif self.reply == "html-404":  # a plain web server's error page
            self.send_error(404, "File not found")
        elif self.reply == "trace-500":  # an engine's stack trace, as text
            self.send_response(500)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"java.lang.NullPointerException: oops\n\tat org.example.Engine.run(Engine.java:1)\n")
        elif self.reply == "nothing":
            self.release.wait(60)  # never answers while the test runs
        elif self.reply in ("two-rows", "cut"):  # cut: two rows, and kg serve's header saying its row cap cut them
            body = {"head": {"vars": ["x"]}, "results": {"bindings": [
                {"x": {"type": "literal", "value": "1"}}, {"x": {"type": "literal", "value": "2"}}]}}
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            if self.reply == "cut":
                self.send_header("X-Result-Truncated", "true")
            self.end_headers()
            self.wfile.write(json.dumps(body).encode())

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def endpoint():
    """Start a Recorder: endpoint(reply) -> (URL, list of the requests it receives)."""
    started = []

    def start(reply: str):
        handler = type("Handler", (Recorder,), {"reply": reply, "requests": [], "release": threading.Event()})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append((server, handler))
        return f"http://127.0.0.1:{server.server_address[1]}/sparql", handler.requests

    yield start
    for server, handler in started:
        handler.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def down_endpoint():
    """The URL of an endpoint that is down: its port refuses connections, and nobody else can serve on it."""
    with servers.refusing_port() as port:
        yield f"http://127.0.0.1:{port}/sparql"


# --- the example query: the article's claims joined with the fixture ----------------------------------

def test_example_joins_the_claims_with_the_wikidata_shaped_fixture(article, wikidata_fixture):
    service = service_for(article, f"{WDQS}>{wikidata_fixture}")
    rows = values(service.query(EXAMPLE.read_text(encoding="utf-8")))
    assert [(name, claim.rsplit("/", 1)[1], capital, population, head)
            for _, name, claim, capital, population, head in rows] == EXPECTED


def test_example_over_http(wikidata_fixture):
    app = create_app({"STORE": "memory:", "SERVICE_ALLOWLIST": f"{WDQS}>{wikidata_fixture}"})
    response = app.test_client().post("/sparql", data={"query": EXAMPLE.read_text(encoding="utf-8")},
                                      headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    rows = response.get_json()["results"]["bindings"]
    assert [(row["name"]["value"], row["capitalName"]["value"]) for row in rows] == \
        [(name, capital) for name, _, capital, _, _ in EXPECTED]


@pytest.mark.parametrize("store", ["memory:", "embedded"])
def test_example_from_the_console(wikidata_fixture, monkeypatch, tmp_path, store):
    # kg query built its service with no allow-list whatever SAHEL_KG_SERVICE_ALLOWLIST said: "allowed
    # endpoints: none", so the example the README points to could not run from the console.
    from test_loading import kg

    monkeypatch.setenv("SAHEL_KG_SERVICE_ALLOWLIST", f"{WDQS}>{wikidata_fixture}")
    spec = "memory:" if store == "memory:" else f"oxigraph:{tmp_path / 'store'}"
    if store == "embedded":
        assert kg("build", "--install", "--store", spec).exit_code == 0
    result = kg("query", "--store", spec, "-f", EXAMPLE, "--format", "csv")
    assert result.exit_code == 0, result.output
    names = [line.split(",")[1] for line in result.stdout.splitlines()[1:]]
    assert names == [name for name, *_ in EXPECTED]


def test_kg_update_calls_an_allowed_service_as_the_server_does(endpoint, monkeypatch, tmp_path):
    # kg update's service had no allow-list whatever SAHEL_KG_SERVICE_ALLOWLIST said, as kg query's had not.
    from test_loading import kg

    url, requests = endpoint("two-rows")
    monkeypatch.setenv("SAHEL_KG_SERVICE_ALLOWLIST", url)
    spec = f"oxigraph:{tmp_path / 'store'}"
    graph = "http://test.sahel-kg.example/federated"
    result = kg("update", "--store", spec, f"INSERT {{ GRAPH <{graph}> {{ <{graph}#s> <{graph}#p> ?x }} }} "
                                           f"WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")
    assert result.exit_code == 0, result.output
    assert len(requests) == 1
    counted = kg("query", "--store", spec, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                 "--format", "csv")
    assert counted.stdout.splitlines()[1] == "2"


def test_without_the_endpoint_allowed_the_example_is_refused(article):
    with pytest.raises(PolicyError, match="SERVICE <https://query.wikidata.org/sparql> is not allowed"):
        QueryService(article).query(EXAMPLE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("query, named", [
    ("SELECT * { SERVICE 'x' { ?s ?p ?o } }", "SERVICE 'x'"),  # was named "SERVICE ?s": the next variable
    ("SELECT * { SERVICE SILENT 42 { ?s ?p ?o } }", "SERVICE 42"),
    ("SELECT * { SERVICE SILENT <http://a.example/> { ?s ?p ?o } }", "SERVICE <http://a.example/>"),
    ("SELECT * { SERVICE", "SERVICE (missing endpoint)"),
    # a keyword-like prefix's names are written out as IRIs before the checks read them
    ("PREFIX SILENT: <http://evil/> SELECT * { SERVICE SILENT:evil { ?s ?p ?o } }", "SERVICE SILENT:evil"),
    ("PREFIX SILENT: <http://evil/> SELECT * { SERVICE SILENT SILENT:evil { ?s ?p ?o } }", "SERVICE SILENT:evil"),
    ("BASE <http://e/> SELECT * { SERVICE <ok> { ?s ?p ?o } }", "SERVICE <ok>"),
])
def test_a_refused_service_is_named_as_written(article, query, named):
    with pytest.raises(PolicyError, match=re.escape(f"{named} is not allowed")):
        QueryService(article).query(query)


# --- what a SERVICE names: its target resolved as the engine resolves it ------------------------------

def _base(url: str, path: str = "/") -> str:
    return url.rsplit("/", 1)[0] + path


@pytest.mark.parametrize("query", [
    "BASE <{root}> SELECT * WHERE {{ SERVICE <sparql> {{ ?x ?p ?o }} }}",
    "BASE <{root}a/b> BASE <../c/> SELECT * WHERE {{ SERVICE <../sparql> {{ ?x ?p ?o }} }}",  # each against the last
    "BASE <{root}> PREFIX e: <> SELECT * WHERE {{ SERVICE e:sparql {{ ?x ?p ?o }} }}",
    "BASE <{root}a/> PREFIX e: <../> SELECT * WHERE {{ SERVICE SILENT e:sparql {{ ?x ?p ?o }} }}",
    "BASE <{root}> PREFIX SILENT: <> SELECT * WHERE {{ SERVICE SILENT:sparql {{ ?x ?p ?o }} }}",
    "BASE <{root}a/> PREFIX e: <../> BASE <http://b.example/> SELECT * WHERE {{ SERVICE e:sparql {{ ?x ?p ?o }} }}",
])
def test_a_relative_service_is_called_as_the_base_in_force_resolves_it(article, endpoint, query):
    url, requests = endpoint("two-rows")
    rows = service_for(article, url).query(query.format(root=_base(url))).rows
    assert len(rows) == 2 and len(requests) == 1


def test_without_a_base_in_the_text_the_requests_base_resolves_it(article, endpoint):
    url, requests = endpoint("two-rows")
    assert len(service_for(article, url).query("SELECT * { SERVICE <sparql> { ?x ?p ?o } }", base=url).rows) == 2
    app = create_app({"STORE": "memory:", "SERVICE_ALLOWLIST": f"http://localhost/elsewhere>{url}"})
    response = app.test_client().get("/sparql", query_string={"query": "SELECT * { SERVICE <elsewhere> { ?x ?p ?o } }"},
                                     headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert len(response.get_json()["results"]["bindings"]) == 2 and len(requests) == 2


@pytest.mark.parametrize("query, base, said", [
    # the allow-list holds absolute IRIs: a relative one that no base resolves names nothing it may hold
    ("SELECT * { SERVICE <ok> { ?s ?p ?o } }", None, "it names the relative IRI <ok>, and no BASE resolves it"),
    ("PREFIX e: <> SELECT * { SERVICE e:ok { ?s ?p ?o } }", None, "the relative IRI <ok>"),
    ("BASE <http://e/> SELECT * { SERVICE <ok> { ?s ?p ?o } }", None, "it names <http://e/ok>"),
    ("SELECT * { SERVICE <ok> { ?s ?p ?o } }", "http://e/sparql", "it names <http://e/ok>"),
    ("BASE <http://e/a/> PREFIX e: <../> SELECT * { SERVICE e:ok { ?s ?p ?o } }", None, "it names <http://e/ok>"),
])
def test_a_service_is_checked_as_the_engine_names_it(article, query, base, said):
    service = QueryService(article, policy=Policy(service_allowlist=("ok", "http://e/a/ok")))
    with pytest.raises(PolicyError, match=re.escape(said)):
        service.query(query, base=base)


def test_an_update_calls_a_relative_service_as_resolved(endpoint):
    url, requests = endpoint("two-rows")
    with open_store("memory:") as store:
        service = QueryService(store, policy=Policy(service_allowlist=(url,), allow_update=True))
        service.update("INSERT { GRAPH <urn:g> { <urn:s> <urn:p> ?x } } WHERE { SERVICE <sparql> { ?x ?p ?o } }",
                       base=_base(url, "/update"))
        assert store.count("urn:g") == 2 and len(requests) == 1
        with pytest.raises(PolicyError, match=re.escape("SERVICE <sparql> is not allowed: it names <http://e/sparql>")):
            service.update("BASE <http://e/> INSERT { GRAPH <urn:g> { <urn:s> <urn:p> ?x } } WHERE { "
                           "SERVICE <sparql> { ?x ?p ?o } }", base=_base(url))


def test_a_nested_relative_service_is_sent_as_the_iri_it_was_allowed_as(article, endpoint):
    # The endpoint would resolve it against a BASE of its own reading: it gets the IRI that was checked.
    url, requests = endpoint("two-rows")
    root = _base(url)
    service_for(article, url).query(f"BASE <{root}a/> PREFIX e: <b/> SELECT * WHERE {{ "
                                    f"SERVICE <../sparql> {{ SERVICE <../sparql> {{ ?x e:p ?o }} }} }}")
    sent = urllib.parse.parse_qs(urllib.parse.urlsplit(requests[0]["path"]).query)["query"][0]
    assert sent.startswith(f"BASE <{root}a/>\nPREFIX e: <{root}a/b/>\nSELECT * WHERE {{ SERVICE <{url}> {{")


# --- SPARQL 1.1 Federated Query semantics --------------------------------------------------------------

def test_optional_service_keeps_the_rows_it_cannot_extend(article, wikidata_fixture):
    service = service_for(article, f"{WDQS}>{wikidata_fixture}")
    rows = values(service.query(f"""
        SELECT DISTINCT ?name ?capital WHERE {{
          VALUES ?state {{ sk:mali sk:russia }}
          ?state rdfs:label ?name ; skos:exactMatch ?item .
          FILTER STRSTARTS(STR(?item), STR(wd:))
          OPTIONAL {{ SERVICE <{WDQS}> {{ ?item wdt:P36/rdfs:label ?capital FILTER (LANG(?capital) = "en") }} }}
        }} ORDER BY ?name"""))
    assert rows == [("Mali", "Bamako"), ("Russia", None)]


def test_terms_keep_their_kind_language_and_datatype(article, wikidata_fixture):
    service = service_for(article, f"{WDQS}>{wikidata_fixture}")
    [row] = service.query(f"""SELECT ?population ?capital ?label WHERE {{ SERVICE <{WDQS}> {{
        wd:Q912 wdt:P1082 ?population ; wdt:P36 ?capital .
        ?capital rdfs:label ?label FILTER (LANG(?label) = "fr") }} }}""").rows
    population, capital, label = (row[0], row[1], row[2])
    assert population.datatype.value == "http://www.w3.org/2001/XMLSchema#decimal"
    assert capital.value == "https://fixture.sahel-kg.example.org/item/bamako"
    assert (label.value, label.language) == ("Bamako", "fr")


def test_unbound_variables_blank_nodes_and_an_empty_pattern(article, wikidata_fixture):
    tag = uuid.uuid4().hex
    update_remote(wikidata_fixture, f'INSERT DATA {{ <urn:t:{tag}> <urn:p> [ <urn:q> "blank" ] . }}')
    service = service_for(article, f"{WDQS}>{wikidata_fixture}")
    [(node,)] = values(service.query(f"SELECT ?b WHERE {{ SERVICE <{WDQS}> {{ <urn:t:{tag}> <urn:p> ?b }} }}"))
    assert node.startswith("https://query.wikidata.org/.well-known/genid/")  # a skolem IRI (RDF 1.1 3.5)
    [(again, missing)] = values(service.query(f"""SELECT ?x ?missing WHERE {{ SERVICE <{WDQS}> {{
        <urn:t:{tag}> <urn:p> ?x OPTIONAL {{ ?x <urn:none> ?missing }} }} }}"""))
    assert missing is None  # UNDEF in the VALUES block
    assert again.startswith("https://query.wikidata.org/.well-known/genid/") and again != node  # another answer
    assert service.query(f"ASK {{ SERVICE <{WDQS}> {{ wd:Q912 wdt:P36 [] }} }}").boolean is True
    assert service.query(f"ASK {{ SERVICE <{WDQS}> {{ wd:Q912 wdt:P36 wd:Q912 }} }}").boolean is False


def test_an_update_may_read_from_a_service(wikidata_fixture):
    with open_store("memory:") as store:
        service = service_for(store, f"{WDQS}>{wikidata_fixture}")
        service.policy = Policy(service_allowlist=(WDQS,), allow_update=True)
        service.update(f"INSERT {{ GRAPH <urn:g> {{ ?item <urn:capital> ?capital }} }} WHERE {{ "
                       f"SERVICE <{WDQS}> {{ ?item wdt:P36 ?capital }} }}")
        assert store.count("urn:g") == 4


# --- cache ----------------------------------------------------------------------------------------------

class RemoteValue:
    """A fresh resource on the fixture server whose one value a test changes behind the cache's back."""

    def __init__(self, url: str):
        self.url, self.subject = url, f"urn:value:{uuid.uuid4().hex}"
        self.set("first")
        self.query = f"SELECT ?v WHERE {{ SERVICE <{WDQS}> {{ <{self.subject}> <urn:v> ?v }} }}"

    def set(self, value: str) -> None:
        update_remote(self.url, f'DELETE WHERE {{ <{self.subject}> <urn:v> ?v }} ; '
                                f'INSERT DATA {{ <{self.subject}> <urn:v> "{value}" }}')


def test_answers_are_cached_per_endpoint_and_pattern_for_their_ttl(article, wikidata_fixture):
    remote = RemoteValue(wikidata_fixture)
    service = service_for(article, f"{WDQS}>{wikidata_fixture}", cache_ttl=3600)
    assert values(service.query(remote.query)) == [("first",)]
    remote.set("second")
    assert values(service.query(remote.query)) == [("first",)]  # from the cache
    other_pattern = remote.query.replace("?v }", "?v . }")
    assert values(service.query(other_pattern)) == [("second",)]
    uncached = service_for(article, f"{WDQS}>{wikidata_fixture}", cache_ttl=0)
    assert values(uncached.query(remote.query)) == [("second",)]


def test_a_cached_answer_expires(article, wikidata_fixture):
    remote = RemoteValue(wikidata_fixture)
    service = service_for(article, f"{WDQS}>{wikidata_fixture}", cache_ttl=0.5)
    assert values(service.query(remote.query)) == [("first",)]
    remote.set("second")
    time.sleep(0.6)  # time passing is all that matters here, not how fast anything runs
    assert values(service.query(remote.query)) == [("second",)]


def test_the_cache_is_shared_through_its_file(article, wikidata_fixture, tmp_path):
    remote = RemoteValue(wikidata_fixture)
    state = tmp_path / "federation.sqlite"
    one = service_for(article, f"{WDQS}>{wikidata_fixture}", state_path=state)
    assert values(one.query(remote.query)) == [("first",)]
    remote.set("second")
    other = service_for(article, f"{WDQS}>{wikidata_fixture}", state_path=state)  # as another process would
    assert values(other.query(remote.query)) == [("first",)]


def test_a_cache_file_that_cannot_be_written_fails_no_query(article, wikidata_fixture, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    remote = RemoteValue(wikidata_fixture)
    service = service_for(article, f"{WDQS}>{wikidata_fixture}", state_path=blocker / "federation.sqlite")
    assert values(service.query(remote.query)) == [("first",)]
    remote.set("second")
    assert values(service.query(remote.query)) == [("first",)]  # cached all the same, in this process


# --- politeness: User-Agent, 429, failures named ---------------------------------------------------------

def test_429_puts_the_endpoint_on_hold_and_it_is_not_called_again(article, endpoint):
    url, requests = endpoint("429")
    service = service_for(article, url, contact="ops@example.org")
    query = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    with pytest.raises(ServiceBusy) as first:
        service.query(query)
    assert first.value.endpoint == url and 119 <= first.value.retry_after <= 120
    with pytest.raises(ServiceBusy) as second:
        service.query(query.replace("?o", "?object"))  # another pattern: not cached, and still held
    assert second.value.retry_after <= 120
    assert len(requests) == 1
    agent = requests[0]["headers"]["User-Agent"]
    assert agent.startswith("sahel-kg/0.1.0 (") and "contact: ops@example.org" in agent


def test_429_over_http_is_503_with_retry_after(endpoint):
    url, requests = endpoint("429")
    app = create_app({"STORE": "memory:", "SERVICE_ALLOWLIST": url, "SERVICE_CONTACT": "ops@example.org"})
    client = app.test_client()
    for _ in range(3):
        response = client.get("/sparql", query_string={"query": f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"})
        assert response.status_code == 503
        assert 1 <= int(response.headers["Retry-After"]) <= 120
        assert response.get_json()["endpoint"] == url
    assert len(requests) == 1


def test_service_silent_turns_a_failure_into_one_empty_solution(article, endpoint, down_endpoint):
    busy, _ = endpoint("429")
    service = service_for(article, busy, down_endpoint)
    for url in (busy, service.policy.service_allowlist[1]):
        rows = values(service.query(f"""SELECT ?name ?o WHERE {{ sk:mali rdfs:label ?name .
            SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}"""))
        assert rows == [("Mali", None)]


def test_a_silent_service_that_failed_keeps_its_variables_in_scope(article, endpoint, down_endpoint):
    """SELECT * named no variable of a SILENT SERVICE that failed, and CSV had an empty head: the clause was
    replaced by {} (helper-208); SPARQL 1.1 §18.2.1 puts its variables in scope, as the engine's own SERVICE does."""
    busy, _ = endpoint("429")
    service = service_for(article, busy, down_endpoint)
    for url in (busy, service.policy.service_allowlist[1]):
        answer = service.query(f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?x ?y ?z OPTIONAL {{ ?x sk:p ?w }} }} }}")
        assert answer.variables == ["x", "y", "z", "w"] and values(answer) == [(None, None, None, None)]


def test_a_silent_service_that_failed_calls_no_service_nested_in_it(article, endpoint):
    """Its variables were found by the engine's own reading of the pattern, which called the SERVICE nested in it at
    once, with no time limit and at its own address, a mirror's aside (helper-211)."""
    busy, _ = endpoint("429")
    hanging, requests = endpoint("nothing")
    service = service_for(article, busy, hanging)
    answer = service.query(f"SELECT * WHERE {{ SERVICE SILENT <{busy}> {{ SERVICE <{hanging}> {{ ?x ?y ?z }} }} }}",
                           timeout=60)
    assert answer.variables == ["x", "y", "z"] and requests == []


def test_service_silent_ignores_an_answer_cut_or_past_the_row_cap_and_only_silent_does(
        article, endpoint, wikidata_fixture):
    """An answer cut at the endpoint's own row cap, or with more rows than ours, failed the query (400) under
    SILENT too, which SPARQL 1.1 Federated Query §4 makes one empty solution for any failure of the call."""
    cut, _ = endpoint("cut")
    checks = [(service_for(article, cut), cut, "row limit of its own"),
              (service_for(article, f"{WDQS}>{wikidata_fixture}", row_limit=1), WDQS, "more than 1 solutions")]
    for service, url, refusal in checks:
        rows = values(service.query(f"""SELECT ?name ?x WHERE {{ sk:mali rdfs:label ?name .
            SERVICE SILENT <{url}> {{ ?x ?p ?o }} }}"""))
        assert rows == [("Mali", None)]
        with pytest.raises(PolicyError, match=refusal):
            service.query(f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")


@pytest.mark.parametrize("reply", ["trace-500", "html-404", "redirect", "nothing"])
def test_service_silent_ignores_every_failure_of_the_call(article, endpoint, reply):
    """An error answer, a redirect, the call's own time limit (SERVICE_TIMEOUT): one empty solution, and the
    query goes on; without SILENT each fails the query."""
    url, _ = endpoint(reply)
    service = service_for(article, url, timeout=0.5)
    rows = values(service.query(f"""SELECT ?name ?x WHERE {{ sk:mali rdfs:label ?name .
        SERVICE SILENT <{url}> {{ ?x ?p ?o }} }}""", timeout=60))
    assert rows == [("Mali", None)]
    with pytest.raises((ServiceFailure, ServiceTimeout)):
        service.query(f"SELECT ?x WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}", timeout=60)


def test_an_endpoint_that_is_down_is_502_naming_it(down_endpoint):
    url = down_endpoint
    app = create_app({"STORE": "memory:", "SERVICE_ALLOWLIST": url})
    response = app.test_client().get("/sparql", query_string={"query": f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"})
    assert response.status_code == 502
    problem = response.get_json()
    assert problem["endpoint"] == url and url in problem["detail"]
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("reply, said", [
    ("html-404", "answered 404 File not found: a web page rather than a SPARQL answer (is this a SPARQL endpoint?)"),
    ("trace-500", "answered 500 Internal Server Error: java.lang.NullPointerException: oops …"),
])
def test_a_failing_endpoints_answer_is_its_status_line_and_one_short_line(endpoint, reply, said):
    """An HTML error page was copied into the problem detail whole, markup and all."""
    url, _ = endpoint(reply)
    app = create_app({"STORE": "memory:", "SERVICE_ALLOWLIST": url})
    response = app.test_client().get("/sparql", query_string={"query": f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"})
    assert response.status_code == 502
    assert response.get_json()["detail"] == f"SERVICE <{url}> {said}"


def test_a_slow_endpoint_is_504_naming_it(endpoint):
    url, requests = endpoint("nothing")
    app = create_app({"STORE": "memory:", "SERVICE_ALLOWLIST": url, "SERVICE_TIMEOUT": 0.5})
    response = app.test_client().get("/sparql", query_string={"query": f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"})
    assert response.status_code == 504
    assert response.get_json()["endpoint"] == url
    assert len(requests) == 1


def test_the_query_limit_shorter_than_the_endpoint_limit_is_a_query_timeout(article, endpoint):
    url, _ = endpoint("nothing")
    service = service_for(article, url, timeout=60)
    with pytest.raises(QueryTimeout):
        service.query(f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}", timeout=0.5)


def test_the_failure_crosses_from_a_query_worker(tmp_path, down_endpoint):
    url = down_endpoint
    app = create_app({"STORE": f"oxigraph:{tmp_path / 'store'}", "SERVICE_ALLOWLIST": url, "QUERY_WORKERS": 1})
    try:
        response = app.test_client().get("/sparql", query_string={"query": f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"})
        assert response.status_code == 502 and response.get_json()["endpoint"] == url
    finally:
        app.extensions["sahel-kg"].close()


def test_redirects_are_reported_not_followed(article, endpoint):
    url, requests = endpoint("redirect")
    with pytest.raises(ServiceFailure, match="redirected to http://127.0.0.1:1/elsewhere"):
        service_for(article, url).query(f"ASK {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
    assert len(requests) == 1


def test_more_solutions_than_the_row_limit_are_refused(article, endpoint):
    url, requests = endpoint("two-rows")
    service = service_for(article, url, row_limit=1)
    with pytest.raises(PolicyError, match="more than 1 solutions"):
        service.query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")
    assert "LIMIT+2" in requests[0]["path"]  # asked for one more than it may use, no more
    assert len(values(service_for(article, url, row_limit=2).query(
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}"))) == 2


def test_a_syntax_error_in_a_service_pattern_is_reported_before_any_call(article, endpoint):
    url, requests = endpoint("429")
    with pytest.raises(QuerySyntaxError) as error:
        service_for(article, url).query(f"SELECT * WHERE {{\n  SERVICE <{url}> {{\n    ?s ?p ?o ?x }} }}")
    assert error.value.line == 3
    assert requests == []


def test_service_to_an_endpoint_not_on_the_list_is_refused():
    app = create_app({"STORE": "memory:", "SERVICE_ALLOWLIST": "https://query.wikidata.org/sparql"})
    response = app.test_client().get("/sparql", query_string={
        "query": "ASK { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"})
    assert response.status_code == 400
    assert "not allowed" in response.get_json()["detail"]


@pytest.mark.parametrize("header, expected", [("120", 120), (None, 60), ("soon", 60), ("0", 1), ("\u00b2", 60),
                                              ("9" * 5000, 86400),  # was inf, then OverflowError in math.ceil
                                              ("Mon, 01 Jan 99999999999999999999 00:00:00 GMT", 60)])  # OverflowError
def test_retry_after_reads_seconds_or_falls_back(header, expected):
    assert retry_after(header, 60) == expected


def test_retry_after_reads_an_http_date():
    from email.utils import formatdate
    assert 25 <= retry_after(formatdate(time.time() + 30, usegmt=True), 60) <= 31


def test_retry_after_reads_an_asctime_date_as_gmt_whatever_the_local_zone(monkeypatch):
    """A date without a zone (asctime's form, RFC 9110 §5.6.7) was read in the server's own zone."""
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        asctime = time.strftime("%a %b %d %H:%M:%S %Y", time.gmtime(time.time() + 30))
        assert 25 <= retry_after(asctime, 60) <= 31
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_refusal_shows_no_allowed_endpoints_credentials_nor_keys():
    """A refused SERVICE listed every allowed IRI as configured: a password or an API key in one went to anyone."""
    secret = "https://user:s3cret@kg.internal.example/sparql https://b.example/sparql?apikey=S3CRET&x=1"
    client = create_app({"STORE": "memory:", "PUBLIC": True, "SERVICE_ALLOWLIST": secret}).test_client()
    answer = client.post("/sparql", data={"query": "SELECT * { SERVICE <http://evil.example/x> { ?s ?p ?o } }"})
    detail = answer.get_json()["detail"]
    assert answer.status_code == 400 and "s3cret" not in detail and "S3CRET" not in detail and "user" not in detail
    assert "(allowed endpoints: https://…@kg.internal.example/sparql, https://b.example/sparql?…)" in detail


def test_an_answer_too_large_is_said_once(article, endpoint, monkeypatch):
    """It was "SERVICE <…> failed: SERVICE <…> answered with more than … bytes"."""
    import kg.service_answers

    monkeypatch.setattr(kg.service_answers, "MAX_ANSWER_BYTES", 10)
    url, _ = endpoint("two-rows")
    with pytest.raises(ServiceFailure) as failed:
        service_for(article, url).query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?x ?p ?o }} }}")
    assert str(failed.value) == f"SERVICE <{url}> answered with more than 10 bytes"


def test_allowlist_entries_may_name_a_mirror():
    assert split_allowlist(["https://a.example/sparql", "https://b.example/sparql>http://127.0.0.1:9/q"]) == (
        ("https://a.example/sparql", "https://b.example/sparql"), {"https://b.example/sparql": "http://127.0.0.1:9/q"})


def test_a_mirror_is_called_in_place_of_the_endpoint(article, endpoint):
    url, requests = endpoint("two-rows")
    service = service_for(article, f"{WDQS}>{url}")
    assert len(service.query(f"SELECT * WHERE {{ SERVICE <{WDQS}> {{ ?x ?p ?o }} }}").rows) == 2
    sent = urllib.parse.parse_qs(urllib.parse.urlsplit(requests[0]["path"]).query)["query"][0]
    assert sent.startswith("SELECT * WHERE { ?x ?p ?o } LIMIT")


def test_the_processes_of_kg_serve_share_the_hold(endpoint, tmp_path):
    """Two gunicorn workers, each with its query workers: after one 429, none of them calls again."""
    from live_server import kg_server

    url, requests = endpoint("429")
    env = {"SAHEL_KG_SERVICE_ALLOWLIST": url, "SAHEL_KG_SERVICE_CONTACT": "ops@example.org"}
    with kg_server(tmp_path, env=env, workers=2) as server:
        statuses = []
        for index in range(6):
            query = urllib.parse.urlencode({"query": f"SELECT * {{ SERVICE <{url}> {{ ?s ?p ?o{index} }} }}"})
            try:
                urllib.request.urlopen(f"{server}/sparql?{query}", timeout=60)
            except urllib.error.HTTPError as error:
                statuses.append((error.code, json.loads(error.read())["endpoint"], error.headers["Retry-After"]))
    assert [status for status, _, _ in statuses] == [503] * 6
    assert all(named == url and 1 <= int(wait) <= 120 for _, named, wait in statuses)
    assert len(requests) == 1


def test_a_nested_service_is_left_to_the_outer_endpoint_and_the_engine_calls_none(article, endpoint):
    # The syntax check before any call used to run the text with only the outer SERVICE masked, so the
    # engine called the nested one itself: no time limit, no cache, no User-Agent of ours.
    url, requests = endpoint("two-rows")
    rows = values(service_for(article, url).query(
        f"SELECT * WHERE {{ SERVICE <{url}> {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }}"))
    assert len(rows) == 2
    assert len(requests) == 1 and requests[0]["headers"]["User-Agent"].startswith("sahel-kg/")


def test_the_check_before_any_call_keeps_the_querys_time_limit():
    # pyoxigraph parses only by running: an ASK over a cross product of VALUES ran for minutes past the limit.
    script = """
import os, sys
from kg.query import Policy, QueryService
from kg.federation import Federation
from kg.store import open_store
values = " ".join(str(n) for n in range(1000))
service = QueryService(open_store("memory:"), policy=Policy(service_allowlist=("http://127.0.0.1:9/sparql",)),
                       federation=Federation(), timeout=1)
try:
    service.query("ASK { SERVICE <http://127.0.0.1:9/sparql> { } VALUES ?a { %s } VALUES ?b { %s } "
                  "VALUES ?c { %s } FILTER(?a + ?b + ?c < 0) }" % (values, values, values))
    print("answered")
except Exception as error:
    print(type(error).__name__)
sys.stdout.flush()
os._exit(0)  # the engine's step runs on in its thread: end it with the process
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert done.stdout.strip() == "QueryTimeout", done.stdout + done.stderr
