"""The fast path for queries to /sparql (api/fast_sparql.py) answers, counts and logs a request exactly as Flask does.

Each request goes through the whole app (app.wsgi_app: the caps, the encoding check, the fast path, Flask)
and through the same chain without the fast path (Flask's own wsgi_app under the caps and the encoding check);
status, headers (in order; the server adds Date) and body must be the same.
"""

from __future__ import annotations

import functools
import json
import time

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder, run_wsgi_app

from api.access_log import query_hash
from api.body_limit import BodyLimit
from api.compression import ResponseCompression
from api.fast_sparql import FAILED
from api.request_encoding import RequestEncoding
from api.fast_sparql import OFFERED_BYTES, worth_offering
from api.rsgi import AT_ONCE, RECEIVED, NotAtOnce
from api.sparql import FORM, QUERY_BODY
from kg.nearby import LOOP_CHARACTERS, LOOP_ROWS

from api_fixtures import *  # noqa: F401,F403
from api_fixtures import EX, WRITABLE
from long_work import wait_until

LOOKUP = "SELECT ?p ?o WHERE { sk:jnim ?p ?o }"
QUERIES = {
    "lookup": LOOKUP,
    "ask": "ASK { sk:jnim ?p ?o }",
    "join": "SELECT ?m ?state WHERE { ?m org:organization sk:aes ; org:member ?state }",
    "construct": "CONSTRUCT { sk:jnim ?p ?o } WHERE { sk:jnim ?p ?o }",
    "describe": "DESCRIBE sk:jnim",
    "syntax error": "SELECT ?s WHERE {\n  ?s ?p \n}",
    "unknown term": "SELECT ?x WHERE { ?x a sahel:Aliance }",
    "update": "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }",
    "empty": "",
    "all": "SELECT * WHERE { ?s ?p ?o }",
    "from": "SELECT ?p ?o FROM <https://sahel-kg.example.org/graph/entities> WHERE { sk:jnim ?p ?o }",
    "from a relative IRI": "SELECT ?p ?o FROM <entities> WHERE { sk:jnim ?p ?o }",
    "service": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "byte-order mark": "\ufeffSELECT ?p ?o WHERE { sk:jnim ?p ?o }",
}
ACCEPTS = [None, "*/*", "application/sparql-results+json", "application/sparql-results+xml", "text/csv",
           "text/tab-separated-values", "application/json", "text/xml",
           "text/csv;q=0.5, application/sparql-results+xml;q=0.9", "text/*;q=0.1, */*;q=0.05", "text/turtle",
           "application/ld+json", "text/html", "image/png", "text/csv; charset=latin-1"]
PLAIN = {"lookup", "ask", "join", "construct", "describe", "unknown term", "all", "from", "from a relative IRI",
         "byte-order mark"}


def flask_only(app):
    """The app's WSGI chain without the fast path: gzip, the caps and the encoding check over Flask's own wsgi_app."""
    limit = app.config["MAX_BODY_BYTES"]
    return ResponseCompression(BodyLimit(RequestEncoding(functools.partial(Flask.wsgi_app, app), limit), limit),
                               level=app.config["GZIP_LEVEL"])


def fast_path(app):
    return app.wsgi_app.app.app.app  # ResponseCompression(BodyLimit(RequestEncoding(FastSparql)))


def call(wsgi, **request) -> tuple[str, list[tuple[str, str]], bytes]:
    iterable, status, headers = run_wsgi_app(wsgi, EnvironBuilder(**request).get_environ())
    try:
        body = b"".join(iterable)
    finally:
        getattr(iterable, "close", lambda: None)()
    return status, [(name, value) for name, value in headers.items() if name != "Date"], body


def settled(app) -> None:
    """Wait until the store's last change is a second old: Last-Modified is left out within that second."""
    version = app.extensions["sahel-kg"].version()
    time.sleep(max(0.0, 1.05 - (time.time() - version.modified)))


class Counted:
    """Counts the requests the fast path hands to Flask, and those it hands on with their query's error."""

    def __init__(self, app):
        self.fast, self.handed, self.failed = fast_path(app), 0, 0
        inner = self.fast.flask

        def flask(environ, start_response):
            self.handed += 1
            self.failed += FAILED in environ
            return inner(environ, start_response)

        self.fast.flask = flask


def same(app, cases, *, fast=frozenset()) -> int:
    """Send each (name, request) through both chains; assert the answers are equal, and that the fast path
    answered exactly the cases named in `fast` that Flask answers 200. Returns how many were compared."""
    counted = Counted(app)
    for name, request in cases:
        before = counted.handed
        got = call(app.wsgi_app, **request)
        expected = call(flask_only(app), **request)
        taken = name in fast and expected[0] == "200 OK"
        assert (counted.handed == before) == taken, f"{name}: {'not ' if taken else ''}taken"
        assert got[0] == expected[0], f"{name}: status {got[0]} != {expected[0]}"
        assert got[1] == expected[1], f"{name}: headers\n{got[1]}\n!=\n{expected[1]}"
        assert got[2] == expected[2], f"{name}: body"
    return len(cases)


def query(text: str, accept: str | None = None, *, headers: dict | None = None, **extra) -> dict:
    """A GET /sparql?query=text from the loopback address (unless `extra` says otherwise)."""
    return {"path": "/sparql", "query_string": {"query": text}, "environ_base": {"REMOTE_ADDR": "127.0.0.1"},
            "headers": {**({} if accept is None else {"Accept": accept}), **(headers or {})}, **extra}


def posted(text: str, accept: str | None = None, *, form: bool = True, headers: dict | None = None, **extra) -> dict:
    """A POST /sparql of text, as a form (query=text) or as the body itself, from the loopback address."""
    body = {"data": {"query": text}} if form else {"data": text.encode("utf-8"), "content_type": QUERY_BODY}
    return {"path": "/sparql", "method": "POST", "environ_base": {"REMOTE_ADDR": "127.0.0.1"},
            "headers": {**({} if accept is None else {"Accept": accept}), **(headers or {})}, **body, **extra}


def test_every_query_form_and_accept_header_is_answered_alike(make_app):
    app = make_app()
    settled(app)
    cases = [(f"{name} | {accept}", query(text, accept)) for name, text in QUERIES.items() for accept in ACCEPTS]
    # A refusal before the query runs (406, a syntax error, an update) is Flask's to give.
    plain = {f"{name} | {accept}" for name in PLAIN for accept in ACCEPTS}
    assert same(app, cases, fast=plain) == len(QUERIES) * len(ACCEPTS) >= 190


def test_what_the_fast_path_leaves_to_flask_is_answered_alike(make_app):
    app = make_app()
    settled(app)
    etag = dict(call(app.wsgi_app, **query(LOOKUP))[1])["ETag"]
    cases = [
        ("if-none-match", query(LOOKUP, headers={"If-None-Match": etag})),
        ("if-none-match other", query(LOOKUP, headers={"If-None-Match": '"other"'})),
        ("if-modified-since", query(LOOKUP, headers={"If-Modified-Since": "Wed, 01 Jan 2048 00:00:00 GMT"})),
        ("format=csv", {"path": "/sparql", "query_string": {"query": LOOKUP, "format": "csv"}}),
        ("timeout=", {"path": "/sparql", "query_string": {"query": LOOKUP, "timeout": "5"}}),
        ("default-graph-uri", {"path": "/sparql", "query_string": {
            "query": LOOKUP, "default-graph-uri": "https://sahel-kg.example.org/graph/entities"}}),
        ("two queries", {"path": "/sparql", "query_string": [("query", LOOKUP), ("query", LOOKUP)]}),
        ("no query", {"path": "/sparql"}),
        ("HEAD", query(LOOKUP, method="HEAD")),
        ("lower-case get", query(LOOKUP, environ_overrides={"REQUEST_METHOD": "get"})),
        ("bad encoding", {"path": "/sparql", "query_string": "query=SELECT%ff"}),
        ("NUL", {"path": "/sparql", "query_string": "query=SELECT%00"}),
        ("long URI", query("SELECT * WHERE { ?s ?p ?o } #" + "x" * 9000)),
        ("trailing slash", {"path": "/sparql/", "query_string": {"query": LOOKUP}}),
        ("body on GET", query(LOOKUP, data=b"x")),
    ]
    assert same(app, cases) == 15


def test_every_query_posted_as_a_form_or_a_body_is_answered_alike(make_app):
    app = make_app()
    settled(app)
    cases = [(f"{name} | {accept} | {'form' if form else 'body'}", posted(text, accept, form=form))
             for name, text in QUERIES.items() for accept in ACCEPTS for form in (True, False)]
    plain = {f"{name} | {accept} | {how}" for name in PLAIN for accept in ACCEPTS for how in ("form", "body")}
    assert same(app, cases, fast=plain) == 2 * len(QUERIES) * len(ACCEPTS)


def test_what_the_fast_path_leaves_to_flask_of_a_post_is_answered_alike(make_app):
    app = make_app()
    settled(app)
    etag = dict(call(app.wsgi_app, **posted(LOOKUP))[1])["ETag"]
    form = {"path": "/sparql", "method": "POST"}
    cases = [
        ("if-none-match", posted(LOOKUP, headers={"If-None-Match": etag})),
        ("latin-1 form", posted(LOOKUP, content_type=f"{FORM}; charset=latin-1")),
        ("latin-1 body", posted(LOOKUP, form=False, content_type=f"{QUERY_BODY}; charset=ISO-8859-1")),
        ("query string beside a form", posted(LOOKUP, query_string={"format": "csv"})),
        ("graph in the URL", posted(LOOKUP, form=False,
                                    query_string={"default-graph-uri": "https://sahel-kg.example.org/graph/entities"})),
        ("query in the URL too", posted(LOOKUP, form=False, query_string={"query": LOOKUP})),
        ("two parameters", {**form, "data": {"query": LOOKUP, "timeout": "5"}}),
        ("two queries", {**form, "data": f"query=ASK{{}}&query=ASK{{}}", "content_type": FORM}),
        ("update form", {**form, "data": {"update": "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"}}),
        ("update body", {**form, "data": b"CLEAR ALL", "content_type": "application/sparql-update"}),
        ("text/plain", {**form, "data": LOOKUP.encode(), "content_type": "text/plain"}),
        ("no type", {**form, "data": LOOKUP.encode()}),
        ("not UTF-8", {**form, "data": b"ASK { ?s ?p '\xff' }", "content_type": QUERY_BODY}),
        ("bad percent", {**form, "data": "query=ASK%zz", "content_type": FORM}),
        ("gzip", {**form, "data": LOOKUP.encode(), "content_type": QUERY_BODY, "headers": {"Content-Encoding": "gzip"}}),
        ("empty body", {**form, "data": b"", "content_type": QUERY_BODY}),
        ("empty form", {**form, "data": b"", "content_type": FORM}),
        ("too long", posted("SELECT * WHERE { ?s ?p ?o } #" + "x" * app.config["MAX_QUERY_BYTES"], form=False)),
    ]
    assert same(app, cases) == 18
    capped = make_app({"MAX_BODY_BYTES": 200})  # helper-82: a body over the cap was answered, where Flask gives 413
    settled(capped)
    over = [("form over the cap", posted(LOOKUP + " # " + "é" * 100)),
            ("body over the cap", posted(LOOKUP + " # " + "x" * 200, form=False))]
    assert same(capped, over) == 2 and call(capped.wsgi_app, **over[0][1])[0] == "413 REQUEST ENTITY TOO LARGE"


def test_headers_and_clients_are_answered_alike(make_app):
    cors = make_app({"CORS_ORIGINS": "https://app.example"})
    settled(cors)
    origin = query(LOOKUP, headers={"Origin": "https://other.example"})
    assert same(cors, [("origin", origin), ("lookup", query(LOOKUP, "text/csv"))], fast={"origin", "lookup"}) == 2
    posts = [("post", posted(LOOKUP, headers={"Origin": "https://app.example"})),
             ("post ask", posted("ASK { ?s ?p ?o }", form=False, headers={"Origin": "https://app.example"}))]
    assert same(cors, posts, fast={"post", "post ask"}) == 2
    public_cors = make_app({"CORS_ORIGINS": "https://app.example", "PUBLIC": True, "UPDATE_TOKEN": "t" * 32})
    settled(public_cors)  # a public server's CORS headers are for GET answers only
    assert same(public_cors, posts + [("get", query(LOOKUP))], fast={"post", "post ask", "get"}) == 3
    several = make_app({"CORS_ORIGINS": "https://app.example https://b.example"})
    settled(several)
    pages = [(f"page {origin}", query(f"{LOOKUP} # {origin}", headers={"Origin": origin}))
             for origin in ("https://app.example", "https://b.example", "https://c.example", "null")]
    assert same(several, pages + [("posted page", posted(LOOKUP, headers={"Origin": "https://b.example"}))],
                fast={name for name, _ in pages} | {"posted page"}) == 5
    closed = make_app({"CORS_ORIGINS": "", "CACHE_CONTROL": "max-age=60"})
    settled(closed)
    assert same(closed, [("no cors", query(LOOKUP))], fast={"no cors"}) == 1
    budgeted = make_app({"TRUSTED_PROXIES": "10.0.0.1"})
    settled(budgeted)
    proxied = {"environ_base": {"REMOTE_ADDR": "10.0.0.1"}, "headers": {"X-Forwarded-For": "198.51.100.7"}}
    assert same(budgeted, [("other client", query(LOOKUP, environ_base={"REMOTE_ADDR": "203.0.113.9"})),
                           ("proxied", query(LOOKUP, **proxied))], fast={"other client", "proxied"}) == 2
    public = make_app({"PUBLIC": True, "UPDATE_TOKEN": "t" * 32})
    settled(public)
    assert same(public, [("public, loopback", query(LOOKUP)),
                         ("public, other client", query(LOOKUP, environ_base={"REMOTE_ADDR": "203.0.113.9"}))],
                fast={"public, loopback", "public, other client"}) == 2


def test_a_truncated_answer_is_answered_alike(make_app):
    app = make_app({"ROW_LIMIT": 5})
    settled(app)
    everything = "SELECT * WHERE { ?s ?p ?o }"
    cases = [("cut", query(everything)), ("cut csv", query(everything, "text/csv"))]
    assert same(app, cases, fast={"cut", "cut csv"}) == 2
    assert dict(call(app.wsgi_app, **cases[0][1])[1])["X-Result-Truncated"] == "true"


def test_budgets_are_kept_alike_and_a_refusal_is_handed_to_flask(make_app):
    app = make_app({"QUERY_BUDGET": 0.000001, "CLIENT_TOKENS": "token-a"})
    app.extensions["sahel-kg"].fairness.budgets.clock = lambda: 1000.0  # no refill between the two chains
    settled(app)
    other = {"environ_base": {"REMOTE_ADDR": "203.0.113.9"}}
    token = {"Authorization": "Bearer token-a"}
    # Each bucket held a little: a first query spends it (the token names a client of its own). Every text
    # is new, so that no answer comes from the result cache, which spends nothing.
    assert call(app.wsgi_app, **query(LOOKUP + " # 1", **other))[0] == "200 OK"
    assert call(app.wsgi_app, **query(LOOKUP + " # 2", headers=token, **other))[0] == "200 OK"
    cases = [("spent", query(LOOKUP + " # 3", **other)),
             ("token spent", query(LOOKUP + " # 4", headers=token, **other)), ("loopback", query(LOOKUP + " # 5"))]
    counted = Counted(app)
    assert same(app, cases, fast={"spent", "token spent", "loopback"}) == 3
    assert counted.failed == 2  # the two 429s, with their errors
    assert call(app.wsgi_app, **cases[0][1])[0] == "429 TOO MANY REQUESTS"


def snapshot(app) -> dict:
    """The app's metric samples, less the durations' sums and buckets (times differ)."""
    registry = app.extensions["sahel-kg.metrics"].registry
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value for metric in registry.collect()
            for sample in metric.samples if not sample.name.endswith(("_sum", "_bucket"))}


def delta(before: dict, after: dict) -> dict:
    return {key: value - before.get(key, 0) for key, value in after.items() if value != before.get(key, 0)}


def log_lines(app, path) -> list[dict]:
    app.extensions["sahel-kg.access-log"].close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    for line in lines:
        assert line.pop("time") and line.pop("duration") >= 0
    return lines


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_metrics_and_the_access_log_record_a_request_alike(make_app, tmp_path, method):
    ask = query if method == "GET" else posted
    log = tmp_path / "access.log"
    app = make_app({"ACCESS_LOG": str(log), "ROW_LIMIT": 5})
    settled(app)
    call(app.wsgi_app, **query("ASK {}"))  # the gauges (workers, queries in flight) are set by a first query
    counted = Counted(app)
    texts = [LOOKUP, "SELECT * WHERE { ?s ?p ?o }", "SELECT ?x WHERE { ?x a sahel:Aliance }"]
    deltas = []
    for chain, wsgi in enumerate((app.wsgi_app, flask_only(app))):
        for text in texts:  # a text of its own for each chain: no answer comes from the result cache
            before = snapshot(app)
            assert call(wsgi, **ask(f"{text} # {chain}", "text/csv"))[0] == "200 OK"
            deltas.append(delta(before, snapshot(app)))
    assert counted.handed == 0
    assert deltas[:3] == deltas[3:]
    counted_as = ("sahel_kg_http_requests_total", (("method", method), ("route", "/sparql"), ("status", "200")))
    assert deltas[0][counted_as] == 1
    lines = log_lines(app, log)[1:]
    hashes = [query_hash(f"{text} # {chain}") for chain in (0, 1) for text in texts]
    assert [line.pop("query") for line in lines] == hashes
    assert lines[:3] == lines[3:]
    assert lines[1] == {"client": "127.0.0.1", "method": method, "route": "/sparql", "status": 200, "rows": 5,
                        "cut": True, "timeout": False}


def test_a_failure_is_handed_to_flask_with_its_error_and_recorded_alike(make_app, tmp_path):
    log = tmp_path / "access.log"
    app = make_app({"ACCESS_LOG": str(log), "QUERY_TIMEOUT": 1.0})
    settled(app)
    counted, backend, runs = Counted(app), app.extensions["sahel-kg"], []
    asked = backend.query
    backend.query = lambda *args, **named: (runs.append(args[0].sparql), asked(*args, **named))[1]
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # ~5e13 rows
    deltas, answers = [], []
    for wsgi in (app.wsgi_app, flask_only(app)):
        # The first chain's worker was killed at the limit: its successor must be up before the second asks,
        # or under load the 1 s limit could run out waiting for it, a different 503 from the one compared.
        wait_until(lambda: backend.runner.idle() >= 1, what="an idle query worker")
        before = snapshot(app)
        answers.append(call(wsgi, **query(endless)))
        deltas.append(delta(before, snapshot(app)))
    assert counted.handed == counted.failed == 1 and runs == [endless, endless]  # once per chain
    assert answers[0] == answers[1] and answers[0][0] == "503 SERVICE UNAVAILABLE"
    for found in deltas:  # a worker's restart is counted, and its gauges set, when its successor is up
        for key in [key for key in found if key[0].startswith(("sahel_kg_query_worker", "sahel_kg_queries"))]:
            del found[key]
    assert deltas[0] == deltas[1] and deltas[0][("sahel_kg_query_timeouts_total", ())] == 1
    lines = log_lines(app, log)
    assert lines[0] == lines[1] and lines[0]["timeout"] is True and lines[0]["status"] == 503


def offered_at_once(wsgi, **request):
    """The answer to a request offered at once (as api.rsgi offers it on the event loop), or None: NotAtOnce."""
    environ = EnvironBuilder(**request).get_environ()
    environ[AT_ONCE] = True
    try:
        iterable, status, headers = run_wsgi_app(wsgi, environ)
    except NotAtOnce:
        return None
    return status, [(name, value) for name, value in headers.items() if name != "Date"], b"".join(iterable)


def test_offered_at_once_only_a_one_pattern_query_of_a_client_without_budget_is_answered(make_app):
    app = make_app()
    settled(app)
    backend = app.extensions["sahel-kg"]
    runs, asked = [], backend.query
    backend.query = lambda *args, **named: (runs.append(args[0].sparql), asked(*args, **named))[1]
    # One pattern asking for few rows (a given subject, ASK, a small LIMIT; after a byte-order mark too):
    # answered here, a row at a time; and DESCRIBE of a named resource, a few dozen statements.
    few = {"lookup", "byte-order mark", "ask", "a few of all", "describe"}
    answered = set()
    cases = {**QUERIES, "a few of all": "SELECT * WHERE { ?s ?p ?o } LIMIT 10",
             "too many of all": "SELECT * WHERE { ?s ?p ?o } LIMIT 5000"}
    for name, text in cases.items():
        for accept in (None, "text/csv", "application/sparql-results+xml"):
            request = query(f"{text} # {accept}", accept)  # a text of its own: no answer from the result cache
            before = len(runs)
            got = offered_at_once(app.wsgi_app, **request)
            if got is None:
                assert len(runs) == before, f"{name}: a query ran before it was refused"
                continue
            answered.add(name)
            assert got == call(flask_only(app), **request), name
    assert answered == few
    for form in (True, False):  # a lookup posted, as a form or as the body, as well
        request = posted(f"{LOOKUP} # posted {form}", "text/csv", form=form)
        assert offered_at_once(app.wsgi_app, **request) == call(flask_only(app), **request)
        two = posted(f"SELECT * WHERE {{ ?s ?p ?o . ?o ?q ?r }} LIMIT 1 # {form}", form=form)
        assert offered_at_once(app.wsgi_app, **two) is None and call(app.wsgi_app, **two)[0] == "200 OK"
    budgeted = query(LOOKUP + " # budgeted", environ_base={"REMOTE_ADDR": "203.0.113.9"})  # a budget in SQLite
    conditional = query(LOOKUP, headers={"If-None-Match": '"other"'})  # Flask's, and it may wait for a worker
    limited = make_app({"ROW_LIMIT": 20_000})  # past the in-process row cap: a worker streams it
    before = len(runs)
    assert offered_at_once(app.wsgi_app, **budgeted) is None and offered_at_once(app.wsgi_app, **conditional) is None
    assert offered_at_once(limited.wsgi_app, **query(LOOKUP)) is None and len(runs) == before


def test_a_query_of_more_than_one_pattern_is_given_to_a_thread_unplanned(make_app, monkeypatch):
    """The loop serves every client: a query it will not answer is handed on before its plan is made."""
    import api.fast_sparql

    app = make_app()
    settled(app)
    planned, plan = [], api.fast_sparql.plan
    monkeypatch.setattr(api.fast_sparql, "plan", lambda *args: (planned.append(args[0]), plan(*args))[1])
    two = query("SELECT * WHERE { ?s ?p ?o . ?o ?q ?r } LIMIT 1")
    assert offered_at_once(app.wsgi_app, **two) is None and planned == []
    assert offered_at_once(app.wsgi_app, **query("ASK { ?s ?p ?o }"))[0] == "200 OK" and len(planned) == 1
    assert call(app.wsgi_app, **two)[0] == "200 OK" and len(planned) == 2


def test_a_run_that_would_wait_is_given_to_a_thread_having_answered_nothing(make_app):
    """After a write the in-process view must reopen (seconds after a big write): not on the event loop. A
    given subject with more than LOOP_ROWS statements would hold the loop: it gives way at LOOP_ROWS rows."""
    many = " ".join(f"<{EX}p{n}> {n} ;" for n in range(LOOP_ROWS + 1))
    app = make_app(WRITABLE, article=False, seed=f"<{EX}g> {{ <{EX}few> <{EX}p> 1 . <{EX}many> {many[:-1]} . }}")
    settled(app)
    few, many = query(f"SELECT * WHERE {{ <{EX}few> ?p ?o }}"), query(f"SELECT * WHERE {{ <{EX}many> ?p ?o }}")
    accounting = app.extensions["sahel-kg.accounting"]
    recorded, record = [], accounting.record
    accounting.record = lambda *args, **named: (recorded.append(args), record(*args, **named))[1]
    assert offered_at_once(app.wsgi_app, **few)[0] == "200 OK"
    assert offered_at_once(app.wsgi_app, **many) is None and len(recorded) == 1
    assert call(app.wsgi_app, **many)[0] == "200 OK"  # on a thread: every row
    described = query(f"DESCRIBE <{EX}many>", "application/n-triples")
    assert offered_at_once(app.wsgi_app, **described) is None and len(recorded) == 2
    assert call(app.wsgi_app, **described)[2].count(b"\n") == LOOP_ROWS + 1
    app.extensions["sahel-kg"].update(f"INSERT DATA {{ <{EX}few> <{EX}p> 2 }}")
    again = query(f"SELECT * WHERE {{ <{EX}few> ?p ?o }} # after the write")
    assert offered_at_once(app.wsgi_app, **again) is None and len(recorded) == 3
    assert b'"2"' in call(app.wsgi_app, **again)[2]  # a thread reopened the view
    assert offered_at_once(app.wsgi_app, **query(f"SELECT * WHERE {{ <{EX}few> ?p ?o }} # later"))[0] == "200 OK"


def test_a_few_big_statements_are_given_to_a_thread(make_app):
    big = "x" * (LOOP_CHARACTERS // 2 + 1)
    app = make_app(article=False, seed=f'<{EX}g> {{ <{EX}big> <{EX}p> "{big}", "{big}y" }}')
    settled(app)
    request = query(f"SELECT * WHERE {{ <{EX}big> ?p ?o }}")
    assert offered_at_once(app.wsgi_app, **request) is None
    assert call(app.wsgi_app, **request)[0] == "200 OK"


def test_only_a_short_query_string_is_offered_at_once():
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql"}
    assert worth_offering({**environ, "QUERY_STRING": "query=" + "x" * (OFFERED_BYTES - 6)})
    assert not worth_offering({**environ, "QUERY_STRING": "query=" + "x" * (OFFERED_BYTES - 5)})
    assert not worth_offering({**environ, "QUERY_STRING": "format=json&query=ASK{}"})
    assert not worth_offering({**environ, "REQUEST_METHOD": "HEAD", "QUERY_STRING": "query=ASK{}"})
    posted = {**environ, "REQUEST_METHOD": "POST", "QUERY_STRING": ""}
    assert worth_offering({**posted, "CONTENT_LENGTH": str(OFFERED_BYTES)})
    assert not worth_offering({**posted, "CONTENT_LENGTH": str(OFFERED_BYTES + 1)})
    assert not worth_offering({**posted, "CONTENT_LENGTH": "12", "QUERY_STRING": "format=json"})
    assert not worth_offering({**posted, "CONTENT_LENGTH": "12", "PATH_INFO": "/store"})


def test_the_logged_duration_counts_from_the_requests_arrival_on_both_chains(make_app, tmp_path):
    """The server notes when a request was read (RECEIVED): a wait for a request thread is the client's too."""
    log = tmp_path / "access.log"
    app = make_app({"ACCESS_LOG": str(log)})
    for chain, wsgi in enumerate((app.wsgi_app, flask_only(app))):
        arrived = {"REMOTE_ADDR": "127.0.0.1", RECEIVED: time.monotonic() - 3}  # read 3 s before a thread took it
        assert call(wsgi, **query(f"{LOOKUP} # {chain}", environ_base=arrived))[0] == "200 OK"
    app.extensions["sahel-kg.access-log"].close()
    durations = [json.loads(line)["duration"] for line in log.read_text().splitlines()]
    assert len(durations) == 2 and all(duration >= 3 for duration in durations)
