"""The HTTP API over real sockets: `kg serve` under granian, spoken to by SPARQLWrapper, rdflib and urllib.

One suite, run against kg serve on each engine (tests/live_engines.py): the embedded on-disk store,
a real `oxigraph serve` and a real Virtuoso, with the same expected answers. All have updates on,
with a bearer token. Writes go to graphs of their own.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import time
import urllib.error
import urllib.parse
import warnings

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import (CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDFXML, TSV, TURTLE, URLENCODED, XML,
                           SPARQLWrapper)
from SPARQLWrapper.SPARQLExceptions import EndPointNotFound, QueryBadFormed, Unauthorized, URITooLong

from kg.store.dialects import DIALECTS, SPARQL11
from live_engines import *  # noqa: F401,F403
from live_engines import QUERY_TIMEOUT, ROW_LIMIT, TOKEN, http, query_url, select_json, send_update
from live_server import query_workers_idle
from long_work import CROSS_COUNT, SOON, wait_until

BASE = "https://sahel-kg.example.org/"
SK = BASE + "id/"
SAHEL = BASE + "ontology#"
AES_MEMBERS = {"Burkina Faso", "Mali", "Niger"}
JIHADIST_GROUPS = {"JNIM", "ISGS"}
CLAIMS = 32
PROJECT_PREFIXES = f"PREFIX sk: <{SK}>\nPREFIX sahel: <{SAHEL}>\nPREFIX org: <http://www.w3.org/ns/org#>\n"


def problem_of(error: Exception) -> dict:
    """The problem document a SPARQLWrapper exception carries (it keeps the body as a bytes repr)."""
    _, _, body = str(error).partition("\n\nResponse:\n")
    return json.loads(ast.literal_eval(body))


def wrapper(endpoint: str, sparql: str, *, method: str = GET, request_method: str = URLENCODED,
            fmt: str = JSON, only_conneg: bool = False) -> SPARQLWrapper:
    client = SPARQLWrapper(endpoint)
    client.setQuery(sparql)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    client.setReturnFormat(fmt)
    client.setOnlyConneg(only_conneg)
    client.setTimeout(30)
    return client


# --- SPARQLWrapper: every query form in every format it asks for, by GET, form POST and direct POST ---

SELECT_MEMBERS = """SELECT DISTINCT ?name WHERE {
  ?membership a org:Membership ; org:organization sk:aes ; org:member ?state .
  ?state rdfs:label ?name }"""
ASK_JNIM = "ASK { sk:jnim a sahel:JihadistGroup }"
CONSTRUCT_GROUPS = """CONSTRUCT { ?group a sahel:JihadistGroup ; rdfs:label ?name }
WHERE { ?group a sahel:JihadistGroup ; rdfs:label ?name }"""
DESCRIBE_JNIM = "DESCRIBE sk:jnim"

QUERIES = {"SELECT": SELECT_MEMBERS, "ASK": ASK_JNIM, "CONSTRUCT": CONSTRUCT_GROUPS, "DESCRIBE": DESCRIBE_JNIM}
FORMATS = {"SELECT": [JSON, XML, CSV, TSV], "ASK": [JSON, XML, CSV, TSV],
           "CONSTRUCT": [TURTLE, N3, RDFXML, JSONLD, XML, JSON], "DESCRIBE": [TURTLE, N3, RDFXML, JSONLD, XML, JSON]}
METHODS = {"GET": (GET, URLENCODED), "POST-form": (POST, URLENCODED), "POST-direct": (POST, POSTDIRECTLY)}

# The media type each format comes back as. JSON for a graph: SPARQLWrapper sends Accept */* with format=json,
# which means JSON-LD here; with content negotiation only, */* gets the default, Turtle.
SOLUTION_MEDIA = {JSON: "application/sparql-results+json", XML: "application/sparql-results+xml",
                  CSV: "text/csv", TSV: "text/tab-separated-values"}
GRAPH_MEDIA = {TURTLE: "text/turtle", N3: "text/turtle", RDFXML: "application/rdf+xml", XML: "application/rdf+xml",
               JSONLD: "application/ld+json", JSON: "application/ld+json"}

CASES = [pytest.param(form, fmt, method, conneg, id=f"{form}-{fmt}-{method}-{'conneg' if conneg else 'param'}")
         for form, formats in FORMATS.items() for fmt in formats for method in METHODS for conneg in (False, True)]


def literal_text(value: str) -> str:
    """The lexical form of a TSV term ("Mali"@en) or a CSV value (Mali)."""
    found = re.fullmatch(r'"(.*)"(?:@[A-Za-z0-9-]+|\^\^<[^>]*>)?', value)
    return found.group(1) if found else value


def answer_of(form: str, fmt: str, converted, media: str):
    """What a converted SPARQLWrapper result says, whatever its format: a set of names or a boolean."""
    if form in ("SELECT", "ASK"):
        if fmt == JSON:
            return converted["boolean"] if form == "ASK" else {b["name"]["value"]
                                                               for b in converted["results"]["bindings"]}
        if fmt == XML:
            if form == "ASK":
                return converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
            return {node.firstChild.data for node in converted.getElementsByTagName("literal")}
        text = converted.decode("utf-8")
        rows = list(csv.reader(io.StringIO(text)) if fmt == CSV else
                    (line.split("\t") for line in text.splitlines()))
        header, values = rows[0], [literal_text(row[0]) for row in rows[1:] if row]
        assert header == (["name"] if fmt == CSV else ["?name"]) or form == "ASK"
        return values == ["true"] if form == "ASK" else set(values)
    if isinstance(converted, bytes):  # Turtle (N3, or JSON answered by conneg with the default)
        graph = Graph().parse(data=converted.decode("utf-8"), format="turtle")
    else:
        graph = converted
    if form == "DESCRIBE":
        return graph
    return {str(label) for group in graph.subjects(RDF.type, URIRef(SAHEL + "JihadistGroup"))
            for label in graph.objects(group, RDFS.label)}


@pytest.mark.parametrize("form, fmt, method, conneg", CASES)
def test_sparqlwrapper_query_forms_and_formats(endpoint, form, fmt, method, conneg):
    http_method, request_method = METHODS[method]
    client = wrapper(endpoint, QUERIES[form], method=http_method, request_method=request_method, fmt=fmt,
                     only_conneg=conneg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib: ConjunctiveGraph is deprecated
        warnings.filterwarnings("ignore", "Sending Accept header", RuntimeWarning)  # JSON for a graph
        warnings.filterwarnings("ignore", "Format requested was JSON", RuntimeWarning)  # ... answered in Turtle
        result = client.query()
        media = result.info()["content-type"].split(";")[0].strip()
        converted = result.convert()
    if form in ("SELECT", "ASK"):
        assert media == SOLUTION_MEDIA[fmt]
    else:
        assert media == ("text/turtle" if fmt == JSON and conneg else GRAPH_MEDIA[fmt])
    answer = answer_of(form, fmt, converted, media)
    if form == "SELECT":
        assert answer == AES_MEMBERS
    elif form == "ASK":
        assert answer is True
    elif form == "CONSTRUCT":
        assert answer == JIHADIST_GROUPS
    else:
        jnim = URIRef(SK + "jnim")
        assert (jnim, RDF.type, URIRef(SAHEL + "JihadistGroup")) in answer
        assert {str(label) for label in answer.objects(jnim, RDFS.label)} == {"JNIM"}


@pytest.mark.parametrize("method", METHODS)
def test_sparqlwrapper_counts_the_articles_claims(endpoint, method):
    http_method, request_method = METHODS[method]
    client = wrapper(endpoint, "SELECT (COUNT(DISTINCT ?claim) AS ?n) WHERE { ?claim a sahel:Claim }",
                     method=http_method, request_method=request_method)
    (row,) = client.queryAndConvert()["results"]["bindings"]
    assert int(row["n"]["value"]) == CLAIMS


def test_sparqlwrapper_ask_false_and_explicit_prefixes(endpoint):
    client = wrapper(endpoint, PROJECT_PREFIXES + "ASK { sk:mali a sahel:JihadistGroup }")
    assert client.queryAndConvert()["boolean"] is False


# --- SPARQLWrapper: each error status and the exception it maps to -------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_malformed_query_is_query_bad_formed(endpoint, method):
    http_method, request_method = METHODS[method]
    client = wrapper(endpoint, "SELECT ?x WHERE { ?x ", method=http_method, request_method=request_method)
    with pytest.raises(QueryBadFormed) as raised:
        client.query()
    problem = problem_of(raised.value)
    assert (problem["status"], problem["title"]) == (400, "Malformed query")
    assert problem["line"] == 1


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY])
def test_update_without_token_is_unauthorized(endpoint, new_graph, request_method):
    graph = new_graph()
    client = wrapper(endpoint, f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#s> <{graph}#p> "o" }} }}', method=POST,
                     request_method=request_method)
    with pytest.raises(Unauthorized):
        client.query()
    assert select_json(endpoint.removesuffix("/sparql"), f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")["boolean"] \
        is False


def test_update_with_basic_credentials_is_unauthorized(endpoint, new_graph):
    """setCredentials sends Basic auth; writes need a Bearer token, so the answer is 401 all the same."""
    graph = new_graph()
    client = wrapper(endpoint, f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#s> <{graph}#p> "o" }} }}', method=POST)
    client.setCredentials("user", TOKEN)
    with pytest.raises(Unauthorized):
        client.query()


def test_update_with_another_token_is_forbidden(endpoint, new_graph):
    """403 has no SPARQLWrapper exception of its own: it raises urllib's HTTPError."""
    graph = new_graph()
    client = wrapper(endpoint, f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#s> <{graph}#p> "o" }} }}', method=POST)
    client.addCustomHttpHeader("Authorization", "Bearer not-the-token")
    with pytest.raises(urllib.error.HTTPError) as raised:
        client.query()
    assert raised.value.code == 403


def test_wrong_path_is_endpoint_not_found(server):
    with pytest.raises(EndPointNotFound):
        wrapper(server + "/sparq", ASK_JNIM).query()


def test_a_get_query_of_6000_characters_is_answered(endpoint):
    assert wrapper(endpoint, 'ASK { FILTER("' + "x" * 6000 + '" != "") }').queryAndConvert()["boolean"]


def test_very_long_get_query_is_uri_too_long_and_fits_in_a_post(endpoint):
    """A URI over 8190 bytes is 414, with a problem document (the app says so: SPARQL clients would take a
    400 for a malformed query); by POST the query is fine."""
    long_query = 'ASK { FILTER("' + "x" * 9000 + '" != "") }'
    with pytest.raises(URITooLong) as raised:
        wrapper(endpoint, long_query).query()
    problem = problem_of(raised.value)
    assert (problem["status"], problem["title"]) == (414, "URI too long")
    assert "POST" in problem["detail"]
    for request_method in (URLENCODED, POSTDIRECTLY):
        assert wrapper(endpoint, long_query, method=POST, request_method=request_method).queryAndConvert()["boolean"]


def test_an_update_the_store_refuses_is_400_on_every_engine(server, endpoint, new_graph):
    """CREATE GRAPH of a graph that exists is a request refused as given, whichever engine refuses it
    (oxigraph serve answers it with 500, Virtuoso with 500 "explicitly created before": the dialect
    table says they are the client's fault): 400, so SPARQLWrapper's QueryBadFormed, with the engine's
    own words, never 500."""
    graph, logged = new_graph(), server.log_size()
    client = wrapper(endpoint, f"CREATE GRAPH <{graph}>", method=POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.query()
    with pytest.raises(QueryBadFormed) as raised:
        client.query()
    problem = problem_of(raised.value)
    assert (problem["status"], problem["title"]) == (400, "Request refused by the store")
    assert graph in problem["detail"] and ("already exists" in problem["detail"] or "created before" in
                                           problem["detail"])
    assert "Traceback" not in server.log_text(logged)


def test_a_value_the_store_cannot_hold_is_refused_as_given_on_every_engine(server, endpoint, new_graph):
    """An xsd:integer past 64 bits is valid, and Virtuoso cannot hold it: it answers 400 with SR341, a data
    exception (SQLSTATE class 22). That is the request refused as given (400 "Request refused by the store",
    its words), by query and by update; not a malformed query, nor a store failure blamed on the update URL.
    The other engines take it."""
    graph, big = new_graph(), '"99999999999999999999999"^^xsd:integer'
    insert = wrapper(endpoint, f"INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#s> <{graph}#p> {big} }} }}", method=POST)
    insert.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    ask = wrapper(endpoint, f"ASK {{ ?s ?p {big} }}")
    if server.kind != "virtuoso":
        insert.query()
        assert ask.queryAndConvert()["boolean"] is True
        return
    for client in (insert, ask):
        with pytest.raises(QueryBadFormed) as raised:
            client.query()
        problem = problem_of(raised.value)
        assert (problem["status"], problem["title"]) == (400, "Request refused by the store"), problem
        assert "SR341" in problem["detail"] and "SAHEL_KG_STORE_UPDATE_URL" not in problem["detail"]


@pytest.mark.parametrize("sparql, accept", [
    ("SELECT ?t WHERE { BIND(TRIPLE(<http://a.example/s>, <http://a.example/p>, 1) AS ?t) }", "text/csv"),
    ("CONSTRUCT { <http://a.example/s> <http://a.example/p> ?t } "
     "WHERE { BIND(TRIPLE(<http://a.example/s>, <http://a.example/p>, 1) AS ?t) }", "application/ld+json"),
], ids=["select-csv", "construct-jsonld"])
def test_triple_terms_in_every_format(server, sparql, accept):
    status, headers, body = http(query_url(server, sparql), headers={"Accept": accept})
    if not DIALECTS.get(server.kind, SPARQL11).triple_terms:  # declared: Virtuoso has no SPARQL 1.2 terms
        assert (status, json.loads(body)["title"]) == (400, "Malformed query")
        return
    assert status in (200, 406)
    assert headers["Content-Type"].startswith(accept if status == 200 else "application/problem+json")


@pytest.mark.parametrize("request_method", [URLENCODED, POSTDIRECTLY])
def test_sparqlwrapper_updates_with_the_bearer_token(server, endpoint, new_graph, request_method):
    graph = new_graph()
    client = wrapper(endpoint, f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#s> <{graph}#p> "written" }} }}',
                     method=POST, request_method=request_method)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    response = client.query().response
    assert response.status == 204
    reader = wrapper(endpoint, f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert [b["o"]["value"] for b in reader.queryAndConvert()["results"]["bindings"]] == ["written"]
    client.setQuery(f"DELETE DATA {{ GRAPH <{graph}> {{ <{graph}#s> <{graph}#p> \"written\" }} }}")
    client.query()
    assert reader.queryAndConvert()["results"]["bindings"] == []


# --- rdflib: SPARQLStore reads, SPARQLUpdateStore writes with the bearer header -------------------

def bearer() -> dict:
    return {"headers": {"Authorization": f"Bearer {TOKEN}"}}


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_rdflib_sparqlstore_queries(endpoint, method):
    graph = Graph(SPARQLStore(endpoint, method=method))
    names = {str(row.name) for row in graph.query(PROJECT_PREFIXES + SELECT_MEMBERS)}
    assert names == AES_MEMBERS
    assert graph.query(PROJECT_PREFIXES + ASK_JNIM).askAnswer is True
    constructed = graph.query(PROJECT_PREFIXES + CONSTRUCT_GROUPS).graph
    assert {str(label) for label in constructed.objects(None, RDFS.label)} == JIHADIST_GROUPS
    (count,), = graph.query(PROJECT_PREFIXES + "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a sahel:Claim }")
    assert count.toPython() == CLAIMS


def test_rdflib_sparqlstore_triples_and_len(endpoint, server):
    store = SPARQLStore(endpoint)
    graph = Graph(store)
    jnim = URIRef(SK + "jnim")
    assert {str(o) for o in graph.objects(jnim, RDFS.label)} == {"JNIM"}
    assert set(graph.subjects(RDF.type, URIRef(SAHEL + "JihadistGroup"))) == {jnim, URIRef(SK + "isgs")}
    assert (jnim, RDF.type, URIRef(SAHEL + "JihadistGroup")) in graph
    # len() is COUNT(*) over the default graph, which is the union of the store's graphs
    (row,) = select_json(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")["results"]["bindings"]
    assert len(graph) == int(row["n"]["value"]) > 1000
    # a graph of the dataset, by default-graph-uri
    claim = BASE + "claim/jnim-isgs-jihadist"
    (row,) = select_json(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{claim}> {{ ?s ?p ?o }} }}"
                         )["results"]["bindings"]
    assert len(Graph(store, identifier=URIRef(claim))) == int(row["n"]["value"]) > 0


def test_rdflib_sparqlupdatestore_writes_and_reads_back(server, endpoint, new_graph):
    iri = URIRef(new_graph())
    store = SPARQLUpdateStore(endpoint, endpoint, **bearer())
    graph = Graph(store, identifier=iri)
    subject = URIRef(iri + "#thing")
    graph.add((subject, RDFS.label, Literal("written by rdflib", lang="en")))
    graph.add((subject, RDF.type, URIRef(SAHEL + "Thing")))
    reader = Graph(SPARQLStore(endpoint), identifier=iri)
    assert len(reader) == 2
    assert set(reader.objects(subject, RDFS.label)) == {Literal("written by rdflib", lang="en")}
    # rdflib removes from a named graph with `WITH <g> DELETE {...} WHERE {...}`
    graph.remove((subject, RDF.type, None))
    assert list(reader.predicate_objects(subject)) == [(RDFS.label, Literal("written by rdflib", lang="en"))]


def test_rdflib_sparqlupdatestore_without_the_token_is_refused(endpoint, new_graph):
    iri = URIRef(new_graph())
    graph = Graph(SPARQLUpdateStore(endpoint, endpoint), identifier=iri)
    with pytest.raises(urllib.error.HTTPError) as raised:
        graph.add((URIRef(iri + "#s"), RDFS.label, Literal("no")))
    assert raised.value.code == 401
    assert len(Graph(SPARQLStore(endpoint), identifier=iri)) == 0


def test_rdflib_dataset_named_graphs(endpoint, new_graph):
    """Named graphs through a Dataset over SPARQLUpdateStore.

    Dataset.graph(iri) sends CREATE GRAPH (not SILENT) each time it is called, which fails for a graph
    that exists (500, as oxigraph serve answers too): so each graph object is made once and kept.
    """
    first, second = URIRef(new_graph()), URIRef(new_graph())
    # default_union: else Dataset.query sends default-graph-uri=urn:x-rdflib:default, and a dataset given
    # by default-graph-uri alone has no named graphs (as the protocol says), so GRAPH ?g would find none.
    dataset = Dataset(SPARQLUpdateStore(endpoint, endpoint, **bearer()), default_union=True)
    one, two = dataset.graph(first), dataset.graph(second)
    one.add((URIRef(first + "#a"), RDFS.label, Literal("in the first")))
    two.add((URIRef(second + "#b"), RDFS.label, Literal("in the second")))
    dataset.add((URIRef(second + "#c"), RDFS.label, Literal("also in the second"), second))
    names = {graph.identifier for graph in dataset.graphs()}
    assert {first, second, URIRef(BASE + "graph/entities")} <= names
    # (Dataset.quads() does not work over a SPARQLStore: rdflib's store yields no contexts with triples.)
    assert {(s, o) for s, _, o in two.triples((None, RDFS.label, None))} == {
        (URIRef(second + "#b"), Literal("in the second")), (URIRef(second + "#c"), Literal("also in the second"))}
    rows = dataset.query(f"SELECT ?g ?o WHERE {{ GRAPH ?g {{ ?s <{RDFS.label}> ?o }} "
                         f"VALUES ?g {{ <{first}> <{second}> }} }}")
    assert {(row.g, row.o) for row in rows} == {(first, Literal("in the first")), (second, Literal("in the second")),
                                                (second, Literal("also in the second"))}
    assert len(one) == 1
    dataset.remove_graph(one)
    assert first not in set(SPARQLStore(endpoint).contexts())
    assert len(Graph(SPARQLStore(endpoint), identifier=second)) == 2


# --- behaviour over the real server: time limit, row cap, caching, graph store -----------------

def test_query_past_the_time_limit_is_503_and_the_next_query_answers_at_once(server):
    """Embedded store: the worker running the query is killed at the limit. oxigraph serve stops it at
    its own --timeout-s, Virtuoso at the limit the request carries (tests/test_engines.py shows the
    engine's CPU falling back)."""
    wait_until(lambda: quick_query_answers(server), what="a quick answer")
    started = time.monotonic()
    status, headers, body = http(server + "/sparql", method="POST", data=CROSS_COUNT.encode(),
                                 headers={"Content-Type": "application/sparql-query"}, timeout=QUERY_TIMEOUT + SOON)
    waited = time.monotonic() - started
    assert status == 503, body  # the query takes minutes anywhere: only the limit can end it
    assert headers["Content-Type"] == "application/problem+json"
    assert "Retry-After" not in headers  # the same query would run to the limit again
    problem = json.loads(body)
    assert (problem["status"], problem["title"]) == (503, "Query timeout")
    assert problem["detail"] == f"query stopped after its time limit of {QUERY_TIMEOUT:g}s"  # the same words everywhere
    assert QUERY_TIMEOUT <= waited < QUERY_TIMEOUT + SOON
    for _ in range(3):  # the next queries do not wait the minutes the stopped one would take
        started = time.monotonic()
        wait_until(lambda: quick_query_answers(server), what="a quick answer")
        assert time.monotonic() - started < SOON
    worker_replaced(server)


def quick_query_answers(server: str) -> bool:
    """Whether a quick query answers. (ASK_JNIM is one pattern: the embedded server answers it in its own
    process, so it answers while the worker killed at the limit is replaced: see worker_replaced.)"""
    status, _, body = http(query_url(server, ASK_JNIM))
    return status == 200 and json.loads(body)["boolean"] is True


def worker_replaced(server) -> None:
    """On the embedded store, wait until the query worker killed at a limit has its successor idle (the gauge
    the server reports): a fresh interpreter, whose start takes seconds beside CPU hogs, longer than a short
    limit, which counts waiting for a worker. The next query a worker runs then answers within its limit."""
    if server.kind == "embedded":
        query_workers_idle(server)


def test_a_request_may_ask_for_a_shorter_time_limit(server):
    """timeout= lowers the limit for one request (never raises it)."""
    wait_until(lambda: quick_query_answers(server), what="a quick answer")
    worker_replaced(server)  # on the embedded store: the query is stopped at the 1 s limit, not waiting for a worker
    started = time.monotonic()
    status, _, body = http(query_url(server, CROSS_COUNT, timeout="1"), timeout=QUERY_TIMEOUT + SOON)
    assert status == 503, body
    assert time.monotonic() - started < QUERY_TIMEOUT + SOON
    assert re.search(r"\b1s\b", json.loads(body)["detail"])
    wait_until(lambda: quick_query_answers(server), what="a quick answer")
    status, _, body = http(query_url(server, ASK_JNIM, timeout="60"))  # more than the server's: its limit holds
    assert status == 200
    worker_replaced(server)


def test_row_cap_cuts_and_says_so(server):
    numbers = " ".join(str(number) for number in range(ROW_LIMIT // 10 * 2))
    sparql = f"SELECT ?a ?b WHERE {{ VALUES ?a {{ {numbers} }} VALUES ?b {{ 0 1 2 3 4 5 6 7 8 9 }} }}"
    status, headers, body = http(query_url(server, sparql), headers={"Accept": "application/sparql-results+json"})
    assert status == 200
    assert headers["X-Result-Truncated"] == "true"
    assert headers["X-Result-Limit"] == str(ROW_LIMIT)
    assert headers["X-Result-Count"] == str(ROW_LIMIT)
    document = json.loads(body)
    assert len(document["results"]["bindings"]) == ROW_LIMIT
    assert (document["truncated"], document["limit"]) == (True, ROW_LIMIT)
    # in CSV the header is all there is to say it
    status, headers, body = http(query_url(server, sparql), headers={"Accept": "text/csv"})
    assert headers["X-Result-Truncated"] == "true"
    assert len(body.decode().splitlines()) == ROW_LIMIT + 1
    # under the cap: no such header
    status, headers, _ = http(query_url(server, SELECT_MEMBERS))
    assert (status, headers["X-Result-Count"], headers.get("X-Result-Truncated")) == (200, "3", None)


def test_etag_and_304(server, new_graph):
    url = query_url(server, SELECT_MEMBERS)
    accept = {"Accept": "application/sparql-results+json"}
    time.sleep(1.1)  # Last-Modified is only sent once the last change is a whole second old
    status, headers, body = http(url, headers=accept)
    assert status == 200
    if server.kind != "embedded":
        # README: no ETag or Last-Modified for a remote store, whose other writers the API cannot see;
        # so a conditional request is always answered in full.
        assert "ETag" not in headers and "Last-Modified" not in headers
        status, _, again = http(url, headers={**accept, "If-None-Match": '"anything"', "If-Modified-Since":
                                              headers["Date"]})
        assert (status, again) == (200, body)
        return
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, headers304, empty = http(url, headers={**accept, "If-None-Match": etag})
    assert (status, empty, headers304["ETag"]) == (304, b"", etag)
    assert http(url, headers={**accept, "If-None-Match": f'"other", W/{etag}'})[0] == 304
    assert http(url, headers={**accept, "If-Modified-Since": modified})[0] == 304
    assert http(url, headers={"Accept": "text/csv", "If-None-Match": etag})[0] == 200  # another representation
    # a write moves the dataset version, so the old ETag no longer matches
    graph = new_graph()
    status, written, _ = send_update(server, f'INSERT DATA {{ GRAPH <{graph}> {{ <{graph}#s> <{graph}#p> 1 }} }}')
    assert status == 204 and written["X-Dataset-Version"]
    status, headers, again = http(url, headers={**accept, "If-None-Match": etag})
    assert (status, again) == (200, body)
    assert headers["ETag"] != etag
    assert headers["X-Dataset-Version"] == written["X-Dataset-Version"]


def test_graph_store_put_get_post_delete(server, new_graph):
    graph = new_graph()
    store = server + "/store?" + urllib.parse.urlencode({"graph": graph})
    auth = {"Authorization": f"Bearer {TOKEN}"}
    turtle = f'<{graph}#a> <{RDFS.label}> "first"@en .\n'.encode()
    # writes need the token
    assert http(store, method="PUT", data=turtle, headers={"Content-Type": "text/turtle"})[0] == 401
    assert http(store)[0] == 404
    # PUT creates (201), GET reads it back, PUT again replaces (204)
    assert http(store, method="PUT", data=turtle, headers={**auth, "Content-Type": "text/turtle"})[0] == 201
    status, headers, body = http(store, headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    read = Graph().parse(data=body.decode(), format="turtle")
    assert set(read) == {(URIRef(graph + "#a"), RDFS.label, Literal("first", lang="en"))}
    replacement = f'<{graph}#b> <{RDFS.label}> "second" .'.encode()
    assert http(store, method="PUT", data=replacement,
                headers={**auth, "Content-Type": "application/n-triples"})[0] == 204
    # POST adds
    added = json.dumps({"@id": graph + "#c", str(RDFS.label): "third"}).encode()
    assert http(store, method="POST", data=added, headers={**auth, "Content-Type": "application/ld+json"})[0] == 204
    status, _, body = http(store, headers={"Accept": "application/n-triples"})
    read = Graph().parse(data=body.decode(), format="nt")
    assert {(str(s), str(o)) for s, _, o in read} == {(graph + "#b", "second"), (graph + "#c", "third")}
    # the same graph through SPARQL
    (row,) = select_json(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
                         )["results"]["bindings"]
    assert row["n"]["value"] == "2"
    # HEAD, then DELETE (without the token first)
    status, headers, body = http(store, method="HEAD", headers={"Accept": "text/turtle"})
    assert (status, body) == (200, b"")
    assert http(store, method="DELETE")[0] == 401
    assert http(store, method="DELETE", headers=auth)[0] == 204
    assert http(store)[0] == 404
    assert http(store, method="DELETE", headers=auth)[0] == 404


def test_graph_store_refuses_what_it_cannot_read(server, new_graph):
    store = server + "/store?" + urllib.parse.urlencode({"graph": new_graph()})
    auth = {"Authorization": f"Bearer {TOKEN}"}
    status, headers, body = http(store, method="PUT", data=b"<a> <b> .",
                                 headers={**auth, "Content-Type": "text/turtle"})
    assert status == 400 and headers["Content-Type"] == "application/problem+json"
    assert json.loads(body)["title"] == "Malformed data"
    assert http(store, method="PUT", data=b"x", headers={**auth, "Content-Type": "text/csv"})[0] == 415
    assert http(store)[0] == 404  # nothing was written
