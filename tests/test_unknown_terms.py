"""A query naming a sahel: or sk: term that neither the ontology nor the data has still runs, and its
answer warns of the term: an X-Query-Warning header over HTTP, a line on standard error in the console."""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
import pytest

from api_fixtures import *  # noqa: F401,F403
from kg.errors import RemoteStoreFailure
from kg.namespaces import PREFIXES
from kg.publish import install
from kg.query import QueryService
from kg.store.oxigraph import OxigraphStore
from test_loading import installed, kg, spec  # noqa: F401  (fixtures)

SAHEL, SK = PREFIXES["sahel"], PREFIXES["sk"]


@pytest.fixture(scope="module")
def service():
    with OxigraphStore() as store:
        install(store)
        yield QueryService(store)


@pytest.mark.parametrize("query, unknown", [
    ("SELECT ?x WHERE { ?x a sahel:Aliance }", [SAHEL + "Aliance"]),
    ("SELECT ?x WHERE { ?x a sahel:Alliance }", []),
    ("ASK { sk:mali sahel:memberOff sk:aes }", [SAHEL + "memberOff"]),
    (f"SELECT ?p WHERE {{ <{SK}nowhere> ?p ?o . <{SK}mali> ?p ?o }}", [SK + "nowhere"]),
    ("PREFIX sahel: <http://example.org/other#> SELECT ?x WHERE { ?x a sahel:Aliance }", []),  # not ours then
    ("SELECT ?x WHERE { ?x a sahel:Aliance . ?x a sahel:Aliance . ?y a sk:nobody }", [SAHEL + "Aliance", SK + "nobody"]),
    ("CONSTRUCT { sk:mali rdfs:label ?l } WHERE { sk:mali rdfs:label ?l }", []),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", []),
    ("PREFIX o: <https://sahel-kg.example.org/ontology#> SELECT ?x WHERE { ?x a o:Aliance }", [SAHEL + "Aliance"]),
    ("SELECT ?p WHERE { <https://sahel-kg.example.org/claim/c1> ?p ?o }", []),  # a lookup: none of ours
    ("SELECT * WHERE { ?s ?p ?o.sk:malli ?q ?r }", [SK + "malli"]),  # glued to the dot that ends a triple
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o=-sahel:Aliance) }", [SAHEL + "Aliance"]),
])
def test_the_answer_names_the_terms_nobody_has_and_the_query_still_runs(service, query, unknown):
    result = service.query(query)
    assert result.unknown_terms == unknown
    assert result.kind in ("solutions", "boolean", "graph")


def test_a_term_under_a_keyword_like_prefix_is_named_however_a_worker_answers(service):
    from kg.answers import QueryRequest
    from kg.worker import _streamed

    # service:Novel reads as SERVICE :Novel in the text as sent; the checks read it written out, as <…#Novel>
    text = "PREFIX service: <https://sahel-kg.example.org/ontology#>\nSELECT * WHERE { ?s a service:Novel }"
    kind, answer = _streamed(service, QueryRequest(sparql=text, format="json", stream=True), None)  # a few rows
    assert kind == "ok"
    assert list(answer.unknown_terms) == service.query(text).unknown_terms == [SAHEL + "Novel"]



ROOT = "https://sahel-kg.example.org/"


@pytest.mark.parametrize("query, base", [
    (f"BASE <{ROOT}> PREFIX x: <id/> SELECT * WHERE {{ x:malli ?p ?o }}", None),  # a relative PREFIX IRI
    (f"BASE <{ROOT}> SELECT * WHERE {{ <id/malli> ?p ?o }}", None),  # a relative IRI under the text's BASE
    (f"BASE <{ROOT}ontology> SELECT * WHERE {{ <#Aliance> ?p ?o . <../id/malli> ?q ?r }}", None),
    ("SELECT * WHERE { <id/malli> ?p ?o }", ROOT + "sparql"),  # the request's base (the endpoint's URL)
    ("PREFIX x: <id/> SELECT * WHERE { x:malli ?p ?o }", ROOT + "sparql"),
])
def test_terms_named_by_relative_iris_are_named_as_the_engine_resolves_them(service, query, base):
    """A misspelt term reached through BASE, or through the endpoint's own URL, went unwarned: only absolute IRIs
    and prefixes were looked at."""
    expected = [SAHEL + "Aliance", SK + "malli"] if "#Aliance" in query else [SK + "malli"]
    assert service.query(query, base=base).unknown_terms == expected
    assert service.query(query.replace("malli", "mali").replace("Aliance", "Alliance"), base=base).unknown_terms == []


def test_a_relative_iri_off_the_project_s_host_is_no_term_of_ours(service):
    assert service.query("SELECT * WHERE { <id/malli> ?p ?o }", base="http://127.0.0.1:8000/sparql").unknown_terms == []


class CountingStore(OxigraphStore):
    """An in-memory store that counts the queries it is asked."""

    asked = 0

    def query(self, *args, **options):
        self.asked += 1
        return super().query(*args, **options)


class SmallStore(CountingStore):
    """A store that refuses a query text over 64 KB, as a public kg serve does (MAX_QUERY_BYTES), and any query
    once `failing` is set (an endpoint that times out)."""

    failing = False

    def query(self, sparql, *args, **options):
        if len(sparql.encode()) > 65536 or self.failing and "EXISTS" in sparql:
            raise RemoteStoreFailure("the body is over 65536 bytes")
        return super().query(sparql, *args, **options)


def test_many_terms_are_looked_up_in_texts_an_endpoint_takes_and_a_failed_lookup_fails_no_answer():
    """kg query --endpoint of a 190 KB query naming 20,000 unknown terms, which the endpoint answered, exited 1:
    the lookup of its terms, 1.1 MB, was over the endpoint's MAX_QUERY_BYTES."""
    with SmallStore() as store:
        service = QueryService(store)
        terms = [f"{SK}a{n}" for n in range(3000)]
        query = "SELECT * WHERE { VALUES ?x { " + " ".join(f"sk:a{n}" for n in range(3000)) + " } }"
        result = service.query(query)
        assert len(result) == 3000 and result.unknown_terms == terms and store.asked > 3
        store.failing = True  # the store cannot say: nothing is warned of, and the answer is made
        result = service.query("SELECT * WHERE { VALUES ?x { sk:c sk:d } }")
        assert len(result) == 2 and result.unknown_terms == []


def test_a_term_is_looked_up_once_until_the_store_changes():
    with CountingStore() as store:
        service = QueryService(store)
        query = "ASK { ?x a sahel:Novel ; sahel:memberOff sk:aes }"
        assert service.query(query).unknown_terms == [SAHEL + "Novel", SAHEL + "memberOff", SK + "aes"]
        asked = store.asked
        assert service.query(query + " # again").unknown_terms == [SAHEL + "Novel", SAHEL + "memberOff", SK + "aes"]
        assert store.asked == asked + 1  # the query alone: its terms were looked up already
        store.update(f"INSERT DATA {{ <{SK}mali> a <{SAHEL}Novel> }}")
        assert service.query(query).unknown_terms == [SAHEL + "memberOff", SK + "aes"]
        store.update(f"DELETE DATA {{ <{SK}mali> a <{SAHEL}Novel> }}")
        assert service.query(query).unknown_terms == [SAHEL + "Novel", SAHEL + "memberOff", SK + "aes"]


def test_a_graph_s_name_is_a_term_the_store_has():
    """GRAPH sk:g2 { … } answered the triples of graph sk:g2 and warned that neither the ontology nor the data had it."""
    with OxigraphStore() as store:
        store.update(f"INSERT DATA {{ GRAPH <{SK}g2> {{ <urn:a> <urn:b> <urn:c> }} }}")
        service = QueryService(store)
        result = service.query("SELECT * WHERE { GRAPH sk:g2 { ?s ?p ?o } }")
        assert len(result) == 1 and result.unknown_terms == []
        assert service.query("SELECT * FROM NAMED sk:g2 FROM NAMED sk:g3 WHERE { GRAPH ?g { ?s ?p ?o } }"
                             ).unknown_terms == [SK + "g3"]


def test_a_term_only_a_named_graph_holds_is_known_on_an_endpoint_whose_default_graph_is_not_their_merge():
    """`kg query --endpoint` to an oxigraph serve holding a `kg export` (its default graph empty, as the README says)
    answered `GRAPH ?g { sk:mali rdfs:label ?name }` with Mali, and warned `unknown term sk:mali: neither the
    ontology nor the data has it`: the lookup asked the default graph alone."""
    with OxigraphStore() as store:
        store.update(f"INSERT DATA {{ GRAPH <{SK}g> {{ <{SK}mali> <{SAHEL}memberOf> <{SK}aes> . <urn:a> <urn:b> "
                     f"<{SK}niger> }} }}")
        store._store.update("CLEAR DEFAULT")  # the engine's own default graph, as an oxigraph serve keeps it
        assert not store.query("ASK { ?s ?p ?o }")  # only the named graph holds them now
        result = QueryService(store).query("SELECT * WHERE { GRAPH ?g { sk:mali sahel:memberOf ?o . ?s ?p sk:niger "
                                           "OPTIONAL { sk:nowhere ?q ?r } } }")
        assert len(result) == 1 and result.unknown_terms == [SK + "nowhere"]


def test_a_read_only_view_keeps_what_it_looked_up_for_the_data_it_reads(tmp_path):
    """A query worker's view sees a write only once reopened: what it looked up before must not pass for
    the new data (keyed by the store's version on disk, it did, until the next write)."""
    query = "ASK { ?x a sahel:Novel }"
    with OxigraphStore(tmp_path / "db") as writer:
        reader = OxigraphStore(tmp_path / "db", read_only=True)
        service = QueryService(reader)
        assert service.unknown_terms(query) == [SAHEL + "Novel"]
        writer.update(f"INSERT DATA {{ <{SK}mali> a <{SAHEL}Novel> }}")
        assert service.unknown_terms(query + " # before the view reopens") == [SAHEL + "Novel"]
        assert reader.reopen_if_changed()
        assert service.unknown_terms(query) == []
        reader.close()


def test_over_http_each_unknown_term_is_a_warning_header(shared):
    response = shared.get("/sparql?" + urlencode({"query": "SELECT ?x WHERE { ?x a sahel:Aliance ; sk:wrong ?y }"}))
    assert response.status_code == 200 and response.get_json()["results"]["bindings"] == []
    assert response.headers.getlist("X-Query-Warning") == [
        f"unknown term <{SAHEL}Aliance>: neither the ontology nor the data has it; did you mean <{SAHEL}Alliance>?",
        f"unknown term <{SK}wrong>: neither the ontology nor the data has it"]  # nothing near it
    known = shared.get("/sparql?" + urlencode({"query": "SELECT ?x WHERE { ?x a sahel:Alliance }"}))
    assert known.status_code == 200 and "X-Query-Warning" not in known.headers


def warning_headers(response) -> list[str]:
    return response.headers.getlist("X-Query-Warning")


@pytest.mark.parametrize("query", [f"SELECT ?x WHERE {{ ?x a <{SAHEL}{'A' * 70_000}> }}",  # a 70 KB header before
                                   "SELECT ?x WHERE { " + " ".join(f"?x sahel:wrong{n} ?y{n} ." for n in range(90)) + " }"])
def test_the_warning_headers_stay_small_whatever_the_query_names(shared, query):
    response = shared.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    warned = warning_headers(response)
    assert 1 <= len(warned) <= 6 and sum(len(value) for value in warned) < 1500
    assert all(len(value) < 300 for value in warned)


def test_a_long_term_is_cut_and_the_terms_left_out_are_counted(shared):
    long = shared.post("/sparql", data={"query": f"ASK {{ ?x a <{SAHEL}{'%C3%A9' * 100}> }}"})
    (warned,) = warning_headers(long)
    iri = warned.removeprefix("unknown term <").split(">")[0]
    assert iri.startswith(SAHEL) and iri.endswith("...") and len(iri) <= 200 and iri[-6:-3].startswith("%")
    many = shared.post("/sparql", data={"query": "ASK { " + " ".join(f"?x sk:wrong{n} ?y{n} ." for n in range(12)) + " }"})
    assert warning_headers(many) == [f"unknown term <{SK}wrong{n}>: neither the ontology nor the data has it"
                                     for n in range(5)] + ["and 7 more unknown terms, not listed"]


@pytest.mark.parametrize("query", ["SELECT ?x WHERE { ?x a sahel:Aliance }",  # one pattern: the fast path
                                   "SELECT ?x WHERE { ?x a sahel:Aliance ; rdfs:label ?l }"])
def test_the_warning_comes_with_every_way_an_answer_is_made_and_from_the_cache(make_app, query):
    app = make_app({"RESULT_CACHE_MIN_SECONDS": 0})  # every answer kept, however quickly made
    client = app.test_client()
    for _ in range(2):  # the second answer comes from the result cache
        response = client.get("/sparql?" + urlencode({"query": query}))
        assert response.status_code == 200
        assert response.headers.getlist("X-Query-Warning") == [
            f"unknown term <{SAHEL}Aliance>: neither the ontology nor the data has it; did you mean <{SAHEL}Alliance>?"]
    assert len(app.extensions["sahel-kg"].cache) == 1


def test_the_console_warns_on_standard_error(spec):
    result = kg("query", "--store", spec, "--format", "json", "-q", "SELECT ?x WHERE { ?x a sahel:Aliance }")
    assert result.exit_code == 0
    assert "warning: unknown term sahel:Aliance: neither the ontology nor the data has it; did you mean " \
           "sahel:Alliance?" in result.stderr
    assert "warning" not in kg("query", "--store", spec, "--format", "json", "-q",
                               "SELECT ?x WHERE { ?x a sahel:Alliance }").stderr


def test_a_term_bound_to_a_variable_is_warned_of_as_one_written_in_the_text(service, spec):
    from kg.answers import QueryRequest
    from kg.worker import _streamed

    # --bind x=sk:mal found nothing without a word, where the same term written in the query was warned of
    result = kg("query", "--store", spec, "--format", "json", "--bind", "x=sk:mal", "-q", "ASK { ?x ?p ?o }")
    assert result.exit_code == 0
    assert "warning: unknown term sk:mal: neither the ontology nor the data has it; did you mean sk:mali?" \
        in result.stderr
    assert "warning" not in kg("query", "--store", spec, "--format", "json", "--bind", "x=sk:mali", "-q",
                               "ASK { ?x ?p ?o }").stderr
    bound = {"x": ox.NamedNode(SK + "mal"), "y": ox.NamedNode(SAHEL + "Alliance"), "z": "sk:nothing"}
    text = "SELECT * WHERE { ?x ?p ?y OPTIONAL { ?z ?q sahel:Aliance } }"
    assert service.query(text, bindings=bound).unknown_terms == [SAHEL + "Aliance", SK + "mal"]
    assert service.query("ASK { ?x ?p ?o }", bindings=bound).unknown_terms == [SK + "mal"]  # no term in the text
    kind, answer = _streamed(service, QueryRequest(sparql=text, bindings=bound, format="json", stream=True), None)
    assert kind == "ok" and list(answer.unknown_terms) == [SAHEL + "Aliance", SK + "mal"]


def test_the_console_names_a_few_terms_and_counts_the_rest(spec):
    query = "ASK { " + " ".join(f"?x sk:wrong{n} ?y{n} ." for n in range(12)) + f" ?x a <{SAHEL}{'A' * 5000}> }}"
    result = kg("query", "--store", spec, "--format", "json", "-q", query)
    assert result.exit_code == 0
    assert result.stderr.splitlines()[:6] == [f"warning: unknown term sk:wrong{n}: neither the ontology nor the data "
                                          "has it" for n in range(5)] + ["warning: and 8 more unknown terms, not listed"]


def test_the_console_cuts_a_long_term():
    from kg.console import WARNED_CHARS, Started, warnings

    started = Started("boolean", [], None, None, started=0.0, unknown_terms=[SAHEL + "A" * 5000])
    (line,) = warnings(started, {})
    assert line.startswith(f"warning: unknown term <{SAHEL}AAA") and "…" in line and len(line) < WARNED_CHARS + 80
