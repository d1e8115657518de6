"""Lookups answered on the event loop (api/loop_lookups.py, kg/lookup_text.py) give the general path's answer.

Each lookup is offered at once (as api.rsgi offers it) and sent through the chain without the fast path;
status, headers in order and body must be the same, and the general query path must not have run. The form
the regular expression takes is checked against the lexer's: it may only ever take less. (A lookup that reads too
many rows or characters for the loop is given to a thread: tests/test_fast_sparql.py.)
"""

from __future__ import annotations

import asyncio
import json
import threading
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.fast_sparql import worth_offering
from api.rsgi import RSGIApp
from kg.lookup_text import lookup
from kg.namespaces import PREFIXES
from kg.nearby import LOOP_CHARACTERS, LOOP_ROWS, WouldWait
from kg.store.base import Solutions
from kg.one_pattern import few_rows, single_pattern

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import EX
from test_fast_sparql import call, delta, flask_only, offered_at_once, query, settled, snapshot
from test_granian_edge import stays

SK = PREFIXES["sk"]
LOOKUPS = {
    "an entity's description": "SELECT ?p ?o WHERE { sk:jnim ?p ?o }",
    "by its full IRI, a comment after": f"SELECT ?p ?o WHERE {{ <{SK}jnim> ?p ?o }}\n# a comment",
    "lower case, no WHERE, a dot, $": "select $p $o { sk:jnim $p $o . }",
    "all variables": "SELECT * WHERE { sk:jnim ?p ?o }",
    "a type's members, small LIMIT": "SELECT ?s WHERE { ?s a sahel:ArmedGroup } LIMIT 5",
    "a predicate's uses": "SELECT ?s ?o WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?o } LIMIT 3",
    "its own PREFIX": "PREFIX x: <https://sahel-kg.example.org/id/>\nSELECT ?p ?o WHERE { x:jnim ?p ?o }",
    "a project prefix redeclared": "PREFIX sk: <http://example.org/>\nSELECT ?p ?o WHERE { sk:jnim ?p ?o }",
    "a misspelt entity": "SELECT ?p ?o WHERE { sk:jnlm ?p ?o }",
    "a misspelt class": "SELECT ?s WHERE { ?s a sahel:Aliance } LIMIT 10",
    "LIMIT 0": "SELECT ?p ?o WHERE { sk:jnim ?p ?o } LIMIT 0",
    "an unprojected variable": "SELECT ?x WHERE { sk:jnim ?p ?o }",
    "nothing about it": "SELECT ?p ?o WHERE { <http://example.org/nothing> ?p ?o }",
}
DECLINED = {  # the general path answers these (or refuses them) as it always has, on the loop or not
    "a relative IRI": "SELECT ?p ?o WHERE { <jnim> ?p ?o }",
    "an undeclared prefix": "SELECT ?p ?o WHERE { nope:jnim ?p ?o }",
    "a bad IRI": "SELECT ?p ?o WHERE { <http://exa mple> ?p ?o }",
    "a variable twice": "SELECT ?s WHERE { ?s ?p ?s } LIMIT 3",
    "a projection twice": "SELECT ?p ?p WHERE { sk:jnim ?p ?o }",
    "DISTINCT": "SELECT DISTINCT ?p WHERE { sk:jnim ?p ?o }",
    "a literal": "SELECT ?s WHERE { ?s ?p 'JNIM' } LIMIT 3",
    "many rows": "SELECT * WHERE { ?s ?p ?o }",
    "an escape": "SELECT ?p ?o WHERE { <https://sahel-kg.example.org/id/\\u006Anim> ?p ?o }",
    # Names the lexer reads as keywords run together (a policy refusal), or as SERVICE and LOAD themselves.
    "a glued name": "PREFIX having: <http://example.org/>\nSELECT * WHERE { having:x ?p ?o }",
    "a glued predicate": "PREFIX filterx: <http://example.org/>\nSELECT * WHERE { ?s filterx:p ?o } LIMIT 3",
    "a prefix named service": "PREFIX service: <http://example.org/>\nSELECT * WHERE { sk:jnim ?p ?o }",
    "a prefix named load": "PREFIX load: <http://example.org/>\nSELECT * WHERE { sk:jnim ?p ?o }",
}
ACCEPTS = [None, "application/sparql-results+xml", "text/csv", "text/tab-separated-values", "text/turtle"]


@pytest.fixture
def counted_app(make_app):
    """An app whose general query path counts its runs (Backend.query) in app.runs."""
    app = make_app()
    settled(app)
    backend = app.extensions["sahel-kg"]
    app.runs, asked = [], backend.query
    backend.query = lambda *args, **named: (app.runs.append(args[0].sparql), asked(*args, **named))[1]
    return app


def test_a_lookup_offered_at_once_is_answered_as_the_general_path_answers_it(counted_app):
    app = counted_app
    for name, text in LOOKUPS.items():
        assert lookup(text, PREFIXES) is not None, name
        for accept in ACCEPTS:
            request = query(f"{text} # {accept}", accept)  # a text of its own: no answer from the result cache
            got = offered_at_once(app.wsgi_app, **request)
            expected = call(flask_only(app), **request)
            if expected[0] != "200 OK":  # a 406: the general path's to give
                assert got is None and accept == "text/turtle", name
                continue
            assert got == expected, f"{name} | {accept}"
    assert app.runs == [f"{text} # {accept}" for text in LOOKUPS.values() for accept in ACCEPTS
                        if accept != "text/turtle"]  # by flask_only only


def test_warnings_and_the_row_cap_are_those_of_the_general_path(make_app):
    app = make_app({"ROW_LIMIT": 3})
    settled(app)
    for text in ("SELECT ?p ?o WHERE { sk:jnim ?p ?o }", "SELECT ?s WHERE { ?s a sahel:Aliance } LIMIT 10",
                 "SELECT ?p ?o WHERE { sk:jnim ?p ?o } LIMIT 2", "SELECT ?p ?o WHERE { sk:jnim ?p ?o } LIMIT 3"):
        for accept in (None, "application/sparql-results+xml"):
            request = query(text, accept)
            got = offered_at_once(app.wsgi_app, **request)
            assert got == call(flask_only(app), **request), text
    headers = dict(offered_at_once(app.wsgi_app, **query("SELECT ?p ?o WHERE { sk:jnim ?p ?o } # cut"))[1])
    assert headers["X-Result-Truncated"] == "true" and headers["X-Result-Count"] == "3"
    warned = dict(offered_at_once(app.wsgi_app, **query("SELECT ?p ?o WHERE { sk:jnlm ?p ?o } # warned"))[1])
    assert "jnlm" in warned["X-Query-Warning"]


def test_what_the_form_declines_goes_down_the_general_path(counted_app):
    app = counted_app
    for name, text in DECLINED.items():
        found = lookup(text, PREFIXES)
        assert found is None or not found.few_rows(LOOP_ROWS), name
        request = query(text)
        before = len(app.runs)
        got = offered_at_once(app.wsgi_app, **request)
        expected = call(flask_only(app), **request)
        assert got is None or (got == expected and len(app.runs) == before + 2), name  # answered by the fast path


def test_a_long_run_of_comment_signs_is_declined_at_once():
    # A pattern that tried every way of splitting '#'s between comments would take ages on this text.
    assert lookup("#" * 50_000 + "\nSELECT", PREFIXES) is None
    assert lookup("SELECT ?p ?o WHERE { <http://x> ?p ?o }" + " #" * 50_000 + "x", PREFIXES) is not None


_GAP = st.sampled_from([" ", "\n", "\t", "  ", " # c\n", "\r\n", "#\n"])
_TERMS = st.sampled_from(["?s", "$p", "?o", "?s2", "<http://example.org/a>", "sk:jnim", "sk:", ":x", "a",
                          "<rel>", "nope:x", "'x'", "_:b", "sahel:Alliance", "sk:a-b_1", "sk:a.b", "<a b>"])
_WORDS = st.sampled_from(["SELECT", "select", "WHERE", "where", "LIMIT", "PREFIX", "DISTINCT", "ASK", "*",
                          "{", "}", ".", ";", "5", "300", "FILTER", "OPTIONAL", "x:", "<http://example.org/>"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_TERMS, _WORDS), min_size=3, max_size=16), st.lists(_GAP, min_size=16, max_size=16))
def test_the_form_takes_only_one_pattern_queries_of_few_rows(tokens, gaps):
    text = "".join(token + gap for token, gap in zip(tokens, gaps))
    for candidate in (text, "SELECT ?p ?o WHERE { " + text + " }", "SELECT * { sk:jnim " + text + " }"):
        found = lookup(candidate, PREFIXES)
        if found is not None:
            assert single_pattern(candidate), candidate
            assert found.few_rows(LOOP_ROWS) == few_rows(candidate, LOOP_ROWS), candidate


def test_keywords_are_told_in_ascii_only():
    # Python's case-insensitive matching folds 'ſ' to 's' and 'ı', 'İ' to 'i'; the lexer and the engine do not.
    for text in ("ſelect ?p ?o WHERE { sk:jnim ?p ?o }", "SELECT ?p ?o WHERE { sk:jnim ?p ?o } LıMIT 3",
                 "SELECT ?p ?o WHERE { sk:jnim ?p ?o } LİMIT 3",
                 "PREFıX x: <https://sahel-kg.example.org/id/> SELECT ?p ?o WHERE { x:jnim ?p ?o }"):
        assert lookup(text, PREFIXES) is None, text  # the engine refuses each (a syntax error)


def test_unknown_terms_are_those_the_general_path_names(make_app):
    app = make_app()
    settled(app)
    texts = [  # no row: the pattern's terms of our namespaces are looked up, as the general path looks up the text's
        f"PREFIX x: <http://example.org/>\n# PREFIX x: <{SK}>\nPREFIX y: <http://b/>\nSELECT * WHERE {{ x:jnlm ?p ?o }}",
        f"PREFIX x: <{SK}>\n# PREFIX x: <http://example.org/>\nPREFIX y: <http://b/>\nSELECT * WHERE {{ x:jnlm ?p ?o }}",
        "SELECT * WHERE { sk:jnlm sk:jnlm ?o }",  # named once
        f"PREFIX x: <{SK}jnlm>\nSELECT * WHERE {{ x: ?p ?o }}",  # a prefix alone names no term
    ]
    for text in texts:
        request = query(text)
        got, expected = offered_at_once(app.wsgi_app, **request), call(flask_only(app), **request)
        assert got is None or got == expected, text


def test_a_lookup_past_the_bound_on_queries_in_flight_is_refused_as_the_general_path_refuses_it(make_app):
    app = make_app()
    settled(app)
    fairness = app.extensions["sahel-kg"].fairness
    fairness.in_flight = fairness.limit  # every query worker busy and the queue full
    request = query("SELECT ?p ?o WHERE { sk:jnim ?p ?o }")
    got, expected = offered_at_once(app.wsgi_app, **request), call(flask_only(app), **request)
    assert expected[0] == "503 SERVICE UNAVAILABLE" and (got is None or got == expected)


def test_the_result_cache_is_read_and_kept_as_the_general_path_reads_and_keeps_it(make_app):
    app = make_app({"RESULT_CACHE_MIN_SECONDS": 0})  # every answer kept, however quickly made
    settled(app)
    hits = ("sahel_kg_cache_hits_total", (("kind", "result"),))
    cached = query("SELECT ?p ?o WHERE { sk:jnim ?p ?o } # cached")
    call(flask_only(app), **cached)  # kept by the general path
    deltas, answers = [], []
    for answered in (lambda: offered_at_once(app.wsgi_app, **cached), lambda: call(flask_only(app), **cached)):
        before = snapshot(app)
        answers.append(answered())
        deltas.append(delta(before, snapshot(app)))
    assert answers[0] == answers[1] and deltas[0] == deltas[1] and deltas[0][hits] == 1  # a hit, counted
    kept = query("SELECT ?p ?o WHERE { sk:jnim ?p ?o } # kept")
    assert offered_at_once(app.wsgi_app, **kept)[0] == "200 OK"
    before = snapshot(app)
    assert call(flask_only(app), **kept)[0] == "200 OK"
    assert delta(before, snapshot(app)).get(hits) == 1  # the lane's answer was kept, as the general path's is


def test_a_lookup_gives_way_at_the_row_that_passes_the_loops_bound_on_characters(make_app):
    big = "x" * (LOOP_CHARACTERS // 2 + 1)
    literals = ", ".join(f'"{big}{n}"' for n in range(12))
    app = make_app(article=False, seed=f"<{EX}g> {{ <{EX}big> <{EX}p> {literals} }}")
    settled(app)
    nearby, read = app.extensions["sahel-kg"].nearby, []
    asked = nearby.store.query

    def counted(*args, **named):
        result = asked(*args, **named)
        return Solutions(result.variables, (read.append(row) or row for row in result.rows))

    nearby.store.query = counted
    text = f"SELECT * WHERE {{ <{EX}big> ?p ?o }}"
    with pytest.raises(WouldWait):
        nearby.lookup(lookup(text, PREFIXES), text, "json", row_limit=app.config["ROW_LIMIT"])
    assert len(read) == 2  # as the general path's run (kg.nearby._RowDeadline): not a dozen megabytes


def test_a_failure_outside_the_run_leaves_the_request_to_the_general_path(counted_app):
    """The dataset's version unreadable for a moment (its stamp being replaced, say): the lane lets the general
    path answer, which reads it again, rather than failing the request on the event loop."""
    app = counted_app
    backend = app.extensions["sahel-kg"]
    reads, read = [], backend.version

    def flaky():
        reads.append(1)
        if len(reads) == 1:
            raise OSError("the stamp is being replaced")
        return read()

    backend.version = flaky
    request = query("SELECT ?p ?o WHERE { sk:jnim ?p ?o } # flaky")
    got = offered_at_once(app.wsgi_app, **request)
    backend.version = read
    assert got == call(flask_only(app), **request) and got[0] == "200 OK"
    assert len(reads) == 2 and app.runs.count(request["query_string"]["query"]) == 2  # the general path ran it


def test_a_lookup_answered_on_the_loop_is_counted_as_the_general_path_counts_it(make_app, tmp_path):
    """Through the RSGI adapter, offered at once and not: the same metrics and log line, and the query counted
    in flight while it runs (the loop's lookup once ran uncounted, sahel_kg_queries_in_flight 0)."""
    log = tmp_path / "access.log"
    app = make_app({"ACCESS_LOG": str(log)})
    settled(app)
    nearby, gauge = app.extensions["sahel-kg"].nearby, ("sahel_kg_queries_in_flight", ())
    seen, asked = [], nearby.store.query

    def watched(sparql, *args, **named):  # where the lookup runs, and the gauge as it runs (not other queries')
        if "# lookup" in sparql:
            seen.append((threading.current_thread().name, snapshot(app).get(gauge)))
        return asked(sparql, *args, **named)

    nearby.store.query = watched
    answers, deltas = [], []
    for at_once in (worth_offering, None):
        adapter = RSGIApp(app, threads=1, max_body=100, at_once=at_once)
        protocol = SimpleNamespace(response_bytes=lambda status, headers, body: answers.append((status, body)),
                                   client_disconnect=stays)
        text = f"SELECT ?p ?o WHERE {{ sk:jnim ?p ?o }} # lookup {at_once is None}"  # none from the result cache
        scope = SimpleNamespace(proto="http", method="GET", path="/sparql", query_string=urlencode({"query": text}),
                                scheme="http", http_version="1.1", server="127.0.0.1:8000", client="127.0.0.1:5000",
                                headers={"host": "127.0.0.1:8000", "accept": "text/csv"})
        before = snapshot(app)
        asyncio.run(adapter.__rsgi__(scope, protocol))
        adapter.pool.shutdown()
        deltas.append({key: value for key, value in delta(before, snapshot(app)).items()
                       if not key[0].startswith("sahel_kg_query_workers")})  # set as a general run starts and ends
    assert [thread.startswith("kg-request") for thread, _ in seen] == [False, True]  # on the loop, then a thread
    assert [in_flight for _, in_flight in seen] == [1, 1]
    assert answers[0][0] == answers[1][0] == 200 and deltas[0] == deltas[1] and snapshot(app)[gauge] == 0
    app.extensions["sahel-kg.access-log"].close()
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [{**line, "time": 0, "duration": 0, "query": 0} for line in lines] == [
        {"time": 0, "client": "127.0.0.1", "method": "GET", "route": "/sparql", "status": 200, "duration": 0,
         "query": 0, "rows": int(answers[0][1].count(b"\n")) - 1, "cut": False, "timeout": False}] * 2


def test_a_lookup_from_a_page_of_one_of_several_allowed_origins_names_that_origin(make_app):
    """The loop's headers were made once per format: with several origins the answer depends on the page's."""
    app = make_app({"CORS_ORIGINS": "https://a.example https://b.example"})
    settled(app)
    for origin in ("https://a.example", "https://b.example", "https://c.example", None, "https://a.example"):
        request = query(f"{LOOKUPS['all variables']} # {origin}", headers={"Origin": origin} if origin else {})
        got = offered_at_once(app.wsgi_app, **request)
        assert got is not None and got == call(flask_only(app), **request), origin
        named = dict(got[1]).get("Access-Control-Allow-Origin")
        assert named == (origin if origin in ("https://a.example", "https://b.example") else None)
