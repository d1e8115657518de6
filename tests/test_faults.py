"""Faults on live servers: a query worker killed mid-request, and `kg serve --enable-updates` killed with
SIGKILL in the middle of a burst of writes (no acknowledged write lost, no write applied in part)."""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
import urllib.parse

import pytest

from kg.runner import WORKER_COMMAND
from kg.store.oxigraph import OxigraphStore
from live_server import gauge, kg_server, query_workers_idle
from long_work import SOON, wait_until
from process_tree import command_line, cpu_ticks, descendants, is_running
from raw_http import http, problem, query_url

TOKEN = "k" * 40
AUTH = {"Authorization": f"Bearer {TOKEN}"}
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # hours on the article
WORKER_MARK = WORKER_COMMAND  # a query worker's command line holds it


def query_workers(server) -> list[int]:
    return [pid for pid in descendants(server.pid) if WORKER_MARK in command_line(pid)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One server process with two query workers and a time limit far beyond the test's waits."""
    env = {"SAHEL_KG_QUERY_TIMEOUT": "300", "SAHEL_KG_QUERY_WORKERS": "2"}
    with kg_server(tmp_path_factory.mktemp("faults"), env=env) as url:
        yield url


def test_a_query_worker_killed_mid_request_is_503_and_replaced(server):
    workers = query_workers(server)
    assert len(workers) == 2
    ticks = {pid: cpu_ticks(pid) for pid in workers}
    answer = {}
    request = threading.Thread(target=lambda: answer.update(zip("shb", http(query_url(server, HEAVY)))))
    request.start()
    busy = None
    deadline = time.monotonic() + 120
    while busy is None and time.monotonic() < deadline:  # the worker that burns CPU runs the query
        time.sleep(0.05)
        busy = next((pid for pid in workers if cpu_ticks(pid) > ticks[pid] + 5), None)
    assert busy is not None, "no query worker started on the query"
    started = time.monotonic()
    os.kill(busy, signal.SIGKILL)
    request.join(timeout=120)
    assert not request.is_alive(), "the request hung after its worker died"
    assert time.monotonic() - started < 60  # not the 300s time limit
    assert "worker" in problem(answer["s"], answer["h"], answer["b"], 503)["detail"]
    assert answer["h"]["Retry-After"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(query_workers(server)) < 2:
        time.sleep(0.1)
    assert len(query_workers(server)) == 2 and busy not in query_workers(server)
    for _ in range(4):
        assert http(query_url(server, "ASK {}"))[0] == 200


def test_a_query_whose_client_went_away_is_stopped(server):
    """A client that closed its connection while a query worker ran its query (an answer not streamed) left
    the worker busy to the time limit (300 s here), for nobody: the worker is now killed and replaced."""
    query_workers_idle(server, 2)  # none still starting after an earlier test: the workers listed are the pool's
    workers = query_workers(server)
    address = urllib.parse.urlsplit(server)
    client = socket.create_connection((address.hostname, address.port), timeout=30)
    target = query_url(server, HEAVY)[len(server):]
    client.sendall(f"GET {target} HTTP/1.1\r\nHost: {address.netloc}\r\nAccept: application/json\r\n\r\n".encode())
    wait_until(lambda: gauge(server, "sahel_kg_query_workers", state="busy") >= 1, 120, "a worker taking the query")
    client.close()
    deadline = time.monotonic() + 120  # the query alone would run for hours, its time limit 300 s
    while all(is_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not all(is_running(pid) for pid in workers), "the worker ran on after its client went away"
    query_workers_idle(server, 2)  # replaced
    assert http(query_url(server, "ASK {}"))[0] == 200


def test_an_idle_query_worker_killed_costs_no_request(server):
    """A worker that died while idle is found dead and replaced before a request is given to it. (One
    that dies as a request reaches it is a worker killed mid-request: 503, as above.)"""
    killed = query_workers(server)
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    while any(is_running(pid) for pid in killed):
        time.sleep(0.01)
    for _ in range(6):  # each request finds a dead worker first, or its successor
        status, _, body = http(query_url(server, "ASK {}"))
        assert status == 200, body


def request_cut_by_the_kill(url: str) -> None:
    """A query whose connection the test's kill closes: its disconnect is the expected end."""
    try:
        http(url, timeout=300)
    except OSError:
        pass


def test_query_workers_end_with_their_server_even_mid_query(tmp_path):
    """A server killed outright (the OOM killer, say) leaves no query worker running its query on."""
    with kg_server(tmp_path / "orphans", env={"SAHEL_KG_QUERY_TIMEOUT": "300"}) as server:
        workers = query_workers(server)
        ticks = {pid: cpu_ticks(pid) for pid in workers}
        threading.Thread(target=request_cut_by_the_kill, args=(query_url(server, HEAVY),), daemon=True).start()
        busy, deadline = None, time.monotonic() + 120
        while busy is None and time.monotonic() < deadline:
            time.sleep(0.05)
            busy = next((pid for pid in workers if cpu_ticks(pid) > ticks[pid] + 5), None)
        assert busy is not None, "no query worker started on the query"
        for pid in [server.pid] + descendants(server.pid):  # every process of the server but its workers
            if pid not in workers:
                os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 120  # the worker's query alone would take hours
        while any(is_running(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(is_running(pid) for pid in workers), "a query worker outlived its server"


# --- SIGKILL during a burst of updates ----------------------------------------------------------

TRIPLES_PER_WRITE = 40
BURST = "http://burst.example/"


def write(server, number: int) -> int:
    """One multi-operation update (two INSERT DATA and a DELETE DATA) into its own graph; its status."""
    graph = f"<{BURST}{number}>"
    objects = ", ".join(str(value) for value in range(TRIPLES_PER_WRITE))
    text = (f"INSERT DATA {{ GRAPH {graph} {{ <{BURST}s> <{BURST}p> {objects}, -1 }} }} ;\n"
            f"DELETE DATA {{ GRAPH {graph} {{ <{BURST}s> <{BURST}p> -1 }} }} ;\n"
            f"INSERT DATA {{ GRAPH {graph} {{ <{BURST}s> <{BURST}done> true }} }}")
    try:
        status, _, _ = http(server + "/sparql", method="POST", data=text.encode(), timeout=30,
                            headers={"Content-Type": "application/sparql-update", **AUTH})
    except OSError:  # the server died under the request: not acknowledged
        return 0
    return status


def opened_when_free(path) -> OxigraphStore:
    """The store at `path` opened for writing, tried again until its lock is free, for up to SOON."""
    from kg.errors import StoreUnavailable

    deadline = time.monotonic() + SOON
    while True:
        try:
            return OxigraphStore(path)
        except StoreUnavailable:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_sigkill_during_a_burst_of_updates_loses_no_acknowledged_write_and_applies_none_in_part(tmp_path):
    workdir = tmp_path / "burst"
    acknowledged, lock, enough = set(), threading.Lock(), threading.Event()
    counter = iter(range(1_000_000))
    stop = threading.Event()

    def writer(server):
        while not stop.is_set():
            with lock:
                number = next(counter)
            if write(server, number) == 204:
                with lock:
                    acknowledged.add(number)
                    if len(acknowledged) >= 30:
                        enough.set()

    with kg_server(workdir, env={"SAHEL_KG_UPDATE_TOKEN": TOKEN}, enable_updates=True, threads=8) as server:
        writers = [threading.Thread(target=writer, args=(server,)) for _ in range(6)]
        for thread in writers:
            thread.start()
        assert enough.wait(300), "the burst never got going"
        os.killpg(server.pid, signal.SIGKILL)  # the server and everything it started, mid-burst
        stop.set()
        for thread in writers:
            thread.join(timeout=60)
    # Opening recovers what the kill left, once the killed processes have let go of the writer's lock
    # (a process killed with much memory mapped takes a moment to end on a busy machine).
    store = opened_when_free(workdir / "home" / "store")
    try:
        rows = store.query(f'SELECT ?g (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s ?p ?o }} '
                           f'FILTER(STRSTARTS(STR(?g), "{BURST}")) }} GROUP BY ?g')
        counts = {int(graph.value.removeprefix(BURST)): int(count.value) for graph, count in rows}
    finally:
        store.close()
    assert acknowledged <= set(counts), f"acknowledged writes lost: {sorted(acknowledged - set(counts))[:10]}"
    partial = {number: count for number, count in counts.items() if count != TRIPLES_PER_WRITE + 1}
    assert not partial, f"writes applied in part (graph: triples): {partial}"
