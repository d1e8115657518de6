"""Fairness between clients on live servers: cheap queries are not starved by expensive ones, a client past
its budget of query time gets 429 with Retry-After, and a full queue of waiting queries gets 503."""

from __future__ import annotations

import os
import re
import threading
import time
import urllib.parse
from http.client import HTTPConnection
from pathlib import Path

import pytest

from api_fixtures import article_store, make_app  # noqa: F401 (fixtures)
from live_server import gauge, kg_server, query_workers_idle
from long_work import SOON, wait_until
from raw_http import http, problem, query_url

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # hours on the article
TOKENS = [f"client-{number}-" + "t" * 32 for number in range(16)]
_asked = iter(range(10**9))
_newcomers = iter(TOKENS[5:])  # the budgeted server's clients asked for one request each


def cheap() -> str:
    """A trivial query never asked before, so that no cache answers it for free."""
    return f"ASK {{ FILTER({next(_asked)} >= 0) }}"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def newcomer() -> dict:
    """Headers of a client not seen before, asking for JSON: its whole budget is left, however long the requests
    of others took (within an hour's window, what a client spends does not come back during a test)."""
    return {**bearer(next(_newcomers)), "Accept": "application/json"}


def wait_for(condition, seconds: float, what: str) -> None:
    """Poll until `condition()` holds (an event the server reports), or fail saying `what` never happened."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def quietly(url: str, **options) -> None:
    """A request whose answer nobody reads; the server may stop under it at the end of a test."""
    try:
        http(url, **options)
    except OSError:
        pass


def in_background(*requests) -> list[threading.Thread]:
    threads = [threading.Thread(target=quietly, args=(url,), kwargs=options, daemon=True) for url, options in requests]
    for thread in threads:
        thread.start()
    return threads


def test_a_cheap_query_is_not_starved_by_four_clients_running_queries_to_the_time_limit(tmp_path):
    env = {"SAHEL_KG_QUERY_TIMEOUT": "120", "SAHEL_KG_QUERY_WORKERS": "2", "SAHEL_KG_MAX_QUERY_WORKERS": "6",
           "SAHEL_KG_CLIENT_TOKENS": " ".join(TOKENS), "SAHEL_KG_BUDGET_LOOPBACK": "true",
           "SAHEL_KG_QUERY_BUDGET": "6000"}
    with kg_server(tmp_path, env=env, threads=8) as server:
        in_background(*[(query_url(server, HEAVY), {"headers": bearer(token), "timeout": 300})
                        for token in TOKENS[:4]])
        # The pool grew past its two workers, one for each heavy query; the cheap query finds none idle and
        # gets one started for it (about 0.2 s), rather than waiting for a heavy one to end.
        wait_for(lambda: gauge(server, "sahel_kg_query_workers", state="busy") == 4, 180,
                 "the pool never ran the four heavy queries at once")
        started = time.monotonic()
        status, _, body = http(query_url(server, cheap()), headers=bearer(TOKENS[4]))
        assert status == 200 and b"true" in body
        assert time.monotonic() - started < SOON  # not starved: far below the heavy queries' 120 s


@pytest.fixture(scope="module")
def budgeted(tmp_path_factory):
    """Budgets of 2 s of query time an hour, loopback included, and a 3 s time limit: a client past its budget
    stays past it however slowly a test's requests go (beside CPU hogs a minute's budget came back mid-test)."""
    env = {"SAHEL_KG_QUERY_TIMEOUT": "3", "SAHEL_KG_QUERY_BUDGET": "2", "SAHEL_KG_BUDGET_WINDOW_SECONDS": "3600",
           "SAHEL_KG_BUDGET_LOOPBACK": "true", "SAHEL_KG_CLIENT_TOKENS": " ".join(TOKENS)}
    with kg_server(tmp_path_factory.mktemp("budget"), env=env) as url:
        yield url


def test_a_client_past_its_budget_gets_429_and_others_do_not(budgeted):
    spender = bearer(TOKENS[0])
    status, _, _ = http(query_url(budgeted, HEAVY), headers=spender)
    assert status == 503  # ran to the 3 s limit: 3 s spent of 2 s an hour
    query_workers_idle(budgeted)
    status, headers, body = http(query_url(budgeted, cheap()), headers=spender)
    document = problem(status, headers, body, 429)
    wait = int(headers["Retry-After"])
    assert 1 <= wait <= 3600 and f"{wait}s" in document["detail"]
    assert http(query_url(budgeted, cheap()), headers=bearer(TOKENS[1]))[0] == 200  # another client
    assert http(query_url(budgeted, cheap()))[0] == 200  # the address, without a token: its own budget
    assert http(query_url(budgeted, cheap()), headers=bearer("unknown-" + "x" * 32))[0] == 200  # the address
    _, _, metrics = http(budgeted + "/metrics")
    assert re.search(rb'^sahel_kg_rejections_total\{reason="budget"\} [1-9]', metrics, re.MULTILINE)


def test_searching_and_reconciling_are_charged_to_the_budget_as_queries_are(budgeted):
    """Matching for /search and /reconcile runs in the server process, and was charged to no budget: a client
    past its budget could still search and reconcile as much as it liked."""
    paths = ("/search?q=Mali", "/reconcile/suggest/entity?prefix=Mal",
             "/reconcile?" + urllib.parse.urlencode({"queries": '{"q0": {"query": "Mali"}}'}))
    spender = {**bearer(TOKENS[2]), "Accept": "application/json"}
    for path in paths:  # the search index and the names matched against are made: no store query is left to charge
        assert http(budgeted + path, headers=newcomer())[0] == 200, path
    assert http(query_url(budgeted, HEAVY), headers=spender)[0] == 503  # 3 s spent of 2 s an hour
    query_workers_idle(budgeted)
    for path in paths:
        status, headers, body = http(budgeted + path, headers=spender)
        assert problem(status, headers, body, 429)["title"] == "Too many requests", path
    assert http(budgeted + paths[0], headers=newcomer())[0] == 200


def test_a_request_that_runs_no_query_is_never_refused_for_the_budget_and_a_pages_queries_count(budgeted):
    """The reconciliation manifest, the search form and a request refused for its parameters ran no query,
    yet a client past its budget got 429 for them. A page's own store queries run on the client's behalf
    and count, as the README says; a page already made for this version of the data runs none."""
    spender = {**bearer(TOKENS[4]), "Accept": "application/json"}
    for path in ("/reconcile", "/"):  # the catalogue is read and the home page made: nothing left to query
        assert http(budgeted + path, headers=newcomer())[0] == 200, path
    assert http(query_url(budgeted, HEAVY), headers=spender)[0] == 503  # 3 s spent of 2 s an hour
    query_workers_idle(budgeted)
    no_query = {"/reconcile": 200, "/": 200, "/healthz": 200, "/openapi.json": 200, "/sparql": 200,
                "/search?q=Mali&limit=0": 400, "/reconcile?queries=nonsense": 400,
                "/reconcile/suggest/entity": 400, "/reconcile/properties?limit=x": 400}
    for path, status in no_query.items():
        assert http(budgeted + path, headers=spender)[0] == status, path
    assert http(budgeted + "/search", headers={**spender, "Accept": "text/html"})[0] == 200  # the form alone
    for path in ("/id/jnim", "/id/jnim.ttl"):  # the page's statements are read for it: a query of its client
        status, headers, body = http(budgeted + path, headers=spender)
        assert problem(status, headers, body, 429)["title"] == "Too many requests", path


def test_budgets_are_off_for_loopback_in_development(tmp_path):
    env = {"SAHEL_KG_QUERY_TIMEOUT": "1", "SAHEL_KG_QUERY_BUDGET": "0.5", "SAHEL_KG_BUDGET_WINDOW_SECONDS": "3600"}
    with kg_server(tmp_path, env=env) as server:
        assert http(query_url(server, HEAVY))[0] == 503
        query_workers_idle(server)
        assert http(query_url(server, cheap()))[0] == 200  # not 429: 1 s spent of 0.5 s an hour


def test_a_full_queue_of_waiting_queries_gets_503_with_retry_after(tmp_path):
    env = {"SAHEL_KG_QUERY_TIMEOUT": "120", "SAHEL_KG_QUERY_WORKERS": "1", "SAHEL_KG_MAX_QUERY_WORKERS": "1",
           "SAHEL_KG_QUEUE_SIZE": "1"}
    with kg_server(tmp_path, env=env, threads=8) as server:
        in_background((query_url(server, HEAVY), {"timeout": 300}))
        wait_for(lambda: gauge(server, "sahel_kg_query_workers", state="busy") == 1, 120, "the first never ran")
        in_background((query_url(server, HEAVY + " LIMIT 1"), {"timeout": 300}))
        wait_for(lambda: gauge(server, "sahel_kg_queries_in_flight") == 2, 120, "the second never waited")
        started = time.monotonic()
        status, headers, body = http(query_url(server, cheap()))
        assert problem(status, headers, body, 503)["title"] == "Too busy"
        assert headers["Retry-After"] == "1"
        assert time.monotonic() - started < 30  # refused at once, not after waiting for a worker
        assert http(server + "/healthz")[0] == 200


def connection_owner(connection: HTTPConnection, server_port: int) -> int | None:
    """The process holding the server's end of `connection` (Linux: its socket's inode in /proc/net/tcp,
    found among the processes' open files), or None while no process has accepted it."""
    client_port = connection.sock.getsockname()[1]
    ends = (f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}")  # 127.0.0.1, as /proc writes it
    inodes = [line.split()[9] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
              if tuple(line.split()[1:3]) == ends]
    if not inodes or inodes[0] == "0":
        return None
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and any(os.readlink(fd) == f"socket:[{inodes[0]}]"
                                            for fd in (entry / "fd").iterdir()):
                return int(entry.name)
        except OSError:  # a process that ended, or not ours
            continue
    return None


def ask_on_a_new_connection(server, sparql: str, headers: dict) -> tuple[int, int]:
    """(status, pid of the server process that answered) of a query sent on a connection of its own: the
    kernel hands each new connection to one of the server processes listening on the port."""
    parts = urllib.parse.urlsplit(server)
    connection = HTTPConnection(parts.hostname, parts.port, timeout=300)
    try:
        connection.request("GET", "/sparql?" + urllib.parse.urlencode({"query": sparql}), headers=headers)
        owner = []
        wait_until(lambda: owner.append(connection_owner(connection, parts.port)) or owner[-1] is not None,
                   what="a server process taking the connection")
        response = connection.getresponse()
        response.read()
        return response.status, owner[-1]
    finally:
        connection.close()


def test_a_clients_budget_is_one_across_the_server_processes(tmp_path):
    """With --workers 2 a client's budget is spent wherever its queries land: once a query of its ran to the
    time limit in one server process, its next queries are refused in the other process too, which a budget
    kept per process would have answered (1 s an hour left there)."""
    env = {"SAHEL_KG_QUERY_TIMEOUT": "5", "SAHEL_KG_QUERY_BUDGET": "1", "SAHEL_KG_BUDGET_WINDOW_SECONDS": "3600",
           "SAHEL_KG_BUDGET_LOOPBACK": "true", "SAHEL_KG_CLIENT_TOKENS": " ".join(TOKENS)}
    with kg_server(tmp_path, env=env, workers=2) as server:
        spender = bearer(TOKENS[0])
        status, spent_in = ask_on_a_new_connection(server, HEAVY, spender)
        assert status == 503  # 5 s spent of 1 s an hour: about 4 hours before the bucket holds any again
        answers: dict[int, list[int]] = {}
        for _ in range(200):  # new connections until some land in the other process (each has 1 in 2)
            status, pid = ask_on_a_new_connection(server, cheap(), spender)
            answers.setdefault(pid, []).append(status)
            if len(answers) > 1 and sum(map(len, answers.values())) >= 6:
                break
        others = [pid for pid in answers if pid != spent_in]
        assert others, f"every connection went to process {spent_in}"
        assert {status for statuses in answers.values() for status in statuses} == {429}, answers
        # Either process may take the next query: the one whose worker the heavy query's limit killed must have
        # its successor up, or the 5 s limit could run out waiting for it (one worker a process).
        query_workers_idle(server, 2)
        assert ask_on_a_new_connection(server, cheap(), bearer(TOKENS[1]))[0] == 200  # another client


def test_the_bound_on_queries_in_flight_counts_the_workers_the_pool_may_really_have(make_app):
    # QUERY_WORKERS above MAX_QUERY_WORKERS: the pool keeps its QUERY_WORKERS, so the bound counts those.
    app = make_app({"QUERY_WORKERS": 3, "MAX_QUERY_WORKERS": 1, "QUEUE_SIZE": 4})
    assert app.extensions["sahel-kg"].fairness.limit == 3 + 4


def test_the_budget_refills_over_budget_window_seconds(make_app):
    """A client 1 s past 2 s an hour (BUDGET_WINDOW_SECONDS) is refused still a minute on, which would have paid
    back its overdraft at the default window of a minute."""
    app = make_app({"QUERY_BUDGET": 2, "BUDGET_WINDOW_SECONDS": 3600, "BUDGET_LOOPBACK": True})
    budgets, now = app.extensions["sahel-kg"].fairness.budgets, [1000.0]
    budgets.clock = lambda: now[0]  # the service's own buckets, on a clock the test moves
    budgets.give_back("127.0.0.1", -3.0)  # the test client's address: 3 s spent
    now[0] += 60.0
    response = app.test_client().get("/sparql", query_string={"query": cheap()})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) in (1740, 1741)
