"""Limits that reach the engine, honest updates, and what each engine does differently (issue 13).

Time limits: a query the API stops at its limit stops in the engine too (the engine's CPU falls back);
a 4-million-row answer is cut at the row cap within the limit, the server's memory bounded. Updates to
a remote store have the configured limit: past it, 504 saying the outcome is unknown (and the store
applies it when it wakes). oxigraph serve's own limit is checked when kg serve starts. DROP ALL empties
the project's graphs only. Engines the tests start themselves they also stop.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse

import pyoxigraph as ox
import pytest

import servers
from kg.errors import EvaluationError
from kg.publish import install
from kg.store.dialects import VIRTUOSO
from kg.store.remote import RemoteStore
from live_engines import *  # noqa: F401,F403
from live_engines import QUERY_TIMEOUT, ROW_LIMIT, http, query_url, send_update, update_url_of
from long_work import SOON, wait_until
from live_server import kg_server

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 5e9 rows of the article: minutes
EX = "http://test.sahel-kg.example/engines/"


def idle(engine, window: float = 2.0, seconds: float = 30.0) -> bool:
    """Whether the engine process comes to use under 0.1 CPU second in a `window`, within `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = engine.cpu_seconds()
        time.sleep(window)
        if engine.cpu_seconds() - before < 0.1:
            return True
    return False


# --- time limits reach the engine ---------------------------------------------------------------

@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso"])
def test_a_query_past_the_limit_stops_in_the_engine(request, kind):
    """503 at the limit, and then the engine is idle again within seconds, not after the minutes the
    query would take: Virtuoso stops at the limit the request carries, oxigraph serve at its --timeout-s.
    (The embedded store's worker is killed at the limit: tests/test_api_safety.py.)"""
    server = request.getfixturevalue(f"{kind}_server")
    engine_url = server.engine
    assert idle(engine_url)
    started = time.monotonic()
    status, _, body = http(server + "/sparql", method="POST", data=SLOW.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert status == 503, body
    assert time.monotonic() - started < QUERY_TIMEOUT + SOON
    assert idle(engine_url, seconds=SOON)


@pytest.mark.parametrize("kind", ["oxigraph", "virtuoso", "embedded"])
def test_a_query_past_the_limit_is_told_in_the_embedded_stores_words(request, kind, tmp_path):
    """kg query on an engine says what it says on the embedded store (kg.runner), whichever stopped the query first:
    the engine (Virtuoso's S1TAT, oxigraph serve's cancelled answer) or the store's own deadline; and on a kg serve
    (--endpoint, here over the embedded store), which stops it at its own limit, in the words of its 503."""
    from test_cli import KG

    server = request.getfixturevalue(f"{kind}_server")
    where, limit = (["--endpoint", server + "/sparql"], QUERY_TIMEOUT) if kind == "embedded" else \
        (["--store", server.engine, "--timeout", "2"], 2)
    done = subprocess.run([KG, "query", *where, "-q", SLOW], capture_output=True, text=True,
                          timeout=QUERY_TIMEOUT + SOON, env={**os.environ, "SAHEL_KG_HOME": str(tmp_path)})
    assert (done.returncode, done.stderr) == (1, f"error: query stopped after its time limit of {limit:g}s\n")


MILLIONS = "?a ?b ?c . ?d ?e ?f VALUES ?x { 1 2 }"  # the article's 1730 triples squared, twice: 6 million rows


@pytest.mark.parametrize("form", ["select", "construct"])
def test_a_six_million_row_answer_is_cut_within_the_limit_in_bounded_memory(server, form):
    """SELECT carries the cap to the engine as a LIMIT; a graph answer is read as a stream that stops at
    the cap. Either way the answer is the cap's worth, within the limit, and the server's memory does
    not grow with the 6 million rows (over 1 GB as SPARQL JSON)."""
    sparql = f"SELECT ?a ?d WHERE {{ {MILLIONS} }}" if form == "select" else \
        f"CONSTRUCT {{ ?a <{EX}p> ?d }} WHERE {{ {MILLIONS} }}"
    peak = server.peak_memory_mb()
    started = time.monotonic()
    accept = "application/sparql-results+json" if form == "select" else "text/turtle"
    status, headers, body = http(server + "/sparql", method="POST", data=sparql.encode(),
                                 headers={"Accept": accept, "Content-Type": "application/sparql-query"})
    waited = time.monotonic() - started
    if status == 503 and server.kind == "virtuoso" and form == "construct":
        # Virtuoso builds a graph answer whole before sending it: its limit stops it first (declared)
        assert json.loads(body)["title"] == "Query timeout"
    else:
        assert status == 200, body
        assert (headers["X-Result-Truncated"], headers["X-Result-Count"]) == ("true", str(ROW_LIMIT))
    assert waited < QUERY_TIMEOUT + SOON
    assert server.peak_memory_mb() - peak < 150


def test_an_engine_row_limit_below_the_cap_is_said(virtuoso_server):
    """Virtuoso cuts answers at its ResultSetMaxRows (100000 here), saying so only in a header: the store
    reads the header, so a caller asking for more learns the answer was cut. (virtuoso_server: the article
    installed in the engine, whose triples MILLIONS squares; alone, the test found an empty engine.)"""
    from kg.query import QueryService

    result = QueryService(RemoteStore(virtuoso_server.engine)).query(f"SELECT ?a ?d WHERE {{ {MILLIONS} }}")
    assert len(result) == 100000 and result.truncated


# --- honest updates -----------------------------------------------------------------------------

@pytest.fixture
def own_oxigraph(tmp_path):
    """An oxigraph serve of this test's own (it may be stopped, or left busy), ended with the test;
    its time limit is 2 seconds."""
    with servers.oxigraph_server(tmp_path / "engine", timeout=2) as url:
        yield url


def test_an_update_past_its_limit_is_504_and_the_store_may_still_apply_it(tmp_path, own_oxigraph):
    limit = 2.0
    with kg_serve_over(tmp_path / "kg", own_oxigraph, {"SAHEL_KG_QUERY_TIMEOUT": str(limit)}) as server:
        os.kill(own_oxigraph.pid, signal.SIGSTOP)  # a store that hangs: it accepts, and says nothing
        try:
            started = time.monotonic()
            status, headers, body = send_update(server, f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> 1 }} }}")
            waited = time.monotonic() - started
        finally:
            os.kill(own_oxigraph.pid, signal.SIGCONT)
        problem = json.loads(body)
        assert (status, problem["title"]) == (504, "Update outcome unknown")
        assert "may still apply" in problem["detail"] and headers["Content-Type"] == "application/problem+json"
        assert limit <= waited < limit + SOON
        # the store woke and applied it: whoever retries blindly applies it twice
        wait_until(lambda: b"true" in http(query_url(server, f"ASK {{ <{EX}s> <{EX}p> 1 }}"))[2],
                   what="the update applied once the store woke")


# --- oxigraph serve: its time limit, checked at start; what it does not stop ---------------------

def test_oxigraph_serve_without_a_time_limit_is_refused_at_start(tmp_path):
    with servers.oxigraph_server(tmp_path / "engine", timeout=None) as engine:
        with RemoteStore(engine, update_url=update_url_of(engine)) as store:
            install(store)
        env = {"SAHEL_KG_QUERY_TIMEOUT": "2"}
        # A grace of 1 s, not 60: the probe's query never ends on this engine, so only the grace is waited.
        launch = "import kg.store.remote_checks as checks; checks.TIME_LIMIT_GRACE = 1.0; from kg.cli import main; main()"
        command = [sys.executable, "-c", launch, "serve", "--store", engine,
                   "--port", str(servers.free_port())]
        environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
        done = subprocess.run(command, env={**environment, **env, "SAHEL_KG_HOME": str(tmp_path / "home")},
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 1
        assert "--timeout-s 2" in done.stderr and "Traceback" not in done.stderr


def test_an_oxigraph_serve_that_unions_its_graphs_is_refused_by_the_console_and_at_start(tmp_path):
    """With --union-default-graph every triple was read twice, from its graph and from kg's merge: the analysts'
    claims counted 64, not 2, with no word (helper-196)."""
    with servers.oxigraph_server(tmp_path / "engine", union=True) as engine:
        with RemoteStore(engine, update_url=update_url_of(engine)) as store:
            install(store)
            assert store.unions_graphs()
        environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
        environment["SAHEL_KG_HOME"] = str(tmp_path / "home")
        for args in (["query", "--store", engine, "ASK {}"], ["serve", "--store", engine, "--port",
                                                               str(servers.free_port())]):
            done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", *args], env=environment,
                                  capture_output=True, text=True, timeout=120)
            assert done.returncode != 0 and "--union-default-graph" in done.stderr, done.stderr
            assert "Traceback" not in done.stderr


def test_an_engine_without_the_union_is_not_taken_for_one(tmp_path):
    with servers.oxigraph_server(tmp_path / "engine") as engine:
        with RemoteStore(engine, update_url=update_url_of(engine)) as store:
            assert not store.unions_graphs()  # empty: nothing to judge by
            # blank nodes: their labels sent back are variables, which counted two (helper-197)
            store.update(f'INSERT DATA {{ GRAPH <{EX}blank> {{ _:a <{EX}p> "x" . _:b <{EX}p> "x" }} }}')
            assert not store.unions_graphs()
            install(store)
            assert store.count() > 1000 and not store.unions_graphs()


def test_the_engines_root_is_told_as_no_endpoint(oxigraph_url, tmp_path):
    """oxigraph serve's root answers 404 "POST / is not supported", which was said alone (helper-196)."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment["SAHEL_KG_HOME"] = str(tmp_path / "home")
    root = oxigraph_url.removesuffix("query")
    done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "query", "--endpoint", root,
                           "ASK {}"], env=environment, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1 and "answered 404" in done.stderr and "…/query" in done.stderr, done.stderr


def test_the_console_sets_no_time_limit_of_its_own_on_a_remote_store(own_oxigraph, tmp_path):
    """A remote store had the server's 60 s, and the engine's own stop (oxigraph serve --timeout-s) was told as
    "its time limit of 60s" (helper-196)."""
    from kg.console import open_configured

    with RemoteStore(own_oxigraph, update_url=update_url_of(own_oxigraph)) as store:
        install(store)
    with open_configured(own_oxigraph) as store, open_configured("", own_oxigraph) as endpoint:
        assert store.timeout is None and endpoint.timeout is None
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment["SAHEL_KG_HOME"] = str(tmp_path / "home")
    cross = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "query", "--store", own_oxigraph,
                           cross], env=environment, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1 and "stopped at the store's time limit" in done.stderr, done.stderr


# --- DROP ALL and CLEAR ALL: the project's graphs, never the engine's own -----------------------

def engine_ask(engine: str, sparql: str) -> bool:
    """An ASK put to the engine itself, as another client of it would."""
    status, _, body = http(engine + "?" + urllib.parse.urlencode({"query": sparql}),
                           headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    document = json.loads(body)
    if "boolean" in document:
        return document["boolean"]
    return document["results"]["bindings"][0]["__ASK_RETVAL"]["value"] == "1"  # Virtuoso's table for ASK


def engine_update(engine: str, sparql: str) -> None:
    """An update sent to the engine itself, as another client of it would."""
    status, _, body = http(update_url_of(engine), method="POST", data=urllib.parse.urlencode({"update": sparql}).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status < 300, body


@pytest.mark.parametrize("name", ["virtuoso", "oxigraph"])
def test_drop_all_empties_the_projects_graphs_only(tmp_path, name):
    """On an engine of this test's own (the session's keep the article for the other tests): DROP ALL,
    CLEAR ALL and DROP NAMED are 409 while the project's graphs are there; over a client's graphs alone
    they leave no triple, and Virtuoso's own graphs where they were. One engine a run, so that a machine
    without Virtuoso still runs the other."""
    started = servers.virtuoso_server if name == "virtuoso" else servers.oxigraph_server
    with started(tmp_path / name) as engine:
        with kg_serve_over(tmp_path / f"kg-{name}", engine) as server:
            for operation in ("DROP ALL", "CLEAR ALL", "DROP NAMED"):
                with RemoteStore(engine, update_url=update_url_of(engine)) as store:
                    install(store)
                assert send_update(server, operation)[0] == 409, (name, operation)  # the project's are kept
                with RemoteStore(engine, update_url=update_url_of(engine)) as store:
                    store.update("DROP ALL")  # the library's own writes are not guarded (kg build --install)
                mine = f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}s> <{EX}p> 1 }} }}"
                assert send_update(server, mine)[0] == 204
                assert send_update(server, operation)[0] == 204
                empty = http(query_url(server, "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"))[2]
                assert b"false" in empty, (name, operation)
        if name == "virtuoso":  # its own graphs are where they were
            assert engine_ask(engine, f"ASK {{ GRAPH <{VIRTUOSO.system_graphs[0]}> {{ ?s ?p ?o }} }}")


# --- malformed answers ---------------------------------------------------------------------------

def test_a_malformed_answer_is_502_naming_the_store(virtuoso_server, virtuoso_url):
    """Virtuoso keeps a lone surrogate in a literal and sends it as "\\ud800", which no text can hold."""
    graph = EX + "surrogate"
    try:
        engine_update(virtuoso_url, f'INSERT DATA {{ GRAPH <{graph}> {{ <{EX}s> <{EX}p> "a\\uD800b" }} }}')
        status, _, body = http(query_url(virtuoso_server, f"SELECT ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"))
        problem = json.loads(body)
        assert (status, problem["title"]) == (502, "Store failure")
        # whose fault it is, without the store's address (the operator's, logged)
        assert "the store sent a malformed answer" in problem["detail"] and virtuoso_url not in problem["detail"]
    finally:
        engine_update(virtuoso_url, f"DROP SILENT GRAPH <{graph}>")


def test_a_load_the_engine_cannot_read_is_refused_as_data(virtuoso_url):
    """`kg load --store` of a triple term into Virtuoso (which has none, declared) said "error: line 1: ... SPARQL
    compiler, line 1: syntax error", a line of the update the store made, not of the file: the store refuses the
    data now, saying nothing was written."""
    x = "http://test.sahel-kg.example/unreadable/"
    quad = ox.Quad(ox.NamedNode(x + "s"), ox.NamedNode(x + "p"),
                   ox.Triple(ox.NamedNode(x + "a"), ox.NamedNode(x + "b"), ox.Literal("c")), ox.NamedNode(x + "g"))
    with pytest.raises(EvaluationError, match="not a query of yours.*SP030.*; nothing was written"):
        RemoteStore(virtuoso_url).extend([quad])
