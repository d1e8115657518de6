"""A remote store's faults seen through a live `kg serve`: `oxigraph serve` stopped, or hung, gives 503 with a
clear message and service resumes when it is back; with two read replicas, killing either one (and
starting it again) fails no query."""

from __future__ import annotations

import json
import re
import signal
import threading
import time

import pytest

from kg.publish import install
from kg.store.remote import RemoteStore
from live_server import kg_server
from raw_http import http, problem, query_url
from servers import OXIGRAPH_BIN, missing_service
from store_process import OxigraphProcess

QUERY_TIMEOUT = 2.0
JNIM = "ASK { ?g a sahel:JihadistGroup ; rdfs:label ?name FILTER(CONTAINS(?name, 'JNIM')) }"


@pytest.fixture(autouse=True)
def needs_oxigraph():
    if not OXIGRAPH_BIN.exists():
        missing_service(f"no oxigraph server binary at {OXIGRAPH_BIN}")


def loaded_store(workdir) -> OxigraphProcess:
    """A started `oxigraph serve` holding the article."""
    store = OxigraphProcess(workdir)
    store.start()
    with RemoteStore(store.query_url, update_url=store.update_url) as remote:
        install(remote)
    return store


def answers_jnim(server) -> bool:
    status, _, body = http(query_url(server, JNIM))
    return status == 200 and json.loads(body)["boolean"] is True


def wait_until(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def test_a_store_that_is_down_is_503_and_service_resumes_when_it_is_back(tmp_path):
    store = loaded_store(tmp_path / "oxigraph")
    try:
        with kg_server(tmp_path / "kg", store=store.query_url) as server:
            assert answers_jnim(server)
            store.stop()
            status, headers, body = http(query_url(server, JNIM))
            document = problem(status, headers, body, 503)
            assert "store" in document["detail"] and headers["Retry-After"]
            assert store.query_url not in document["detail"]  # no internal address to the client
            assert http(server + "/readyz")[0] == 503
            store.start()
            wait_until(lambda: answers_jnim(server), 60, "service did not resume with the store back")
            assert http(server + "/readyz")[0] == 200
    finally:
        store.stop()


def test_a_store_that_hangs_is_503_at_the_time_limit_and_service_resumes(tmp_path):
    store = loaded_store(tmp_path / "oxigraph")
    try:
        env = {"SAHEL_KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT)}
        with kg_server(tmp_path / "kg", store=store.query_url, env=env) as server:
            assert answers_jnim(server)
            store.process.send_signal(signal.SIGSTOP)  # it still accepts connections, and answers nothing
            try:
                started = time.monotonic()
                status, headers, body = http(query_url(server, JNIM))
                # told as on the embedded store: a hung engine and a slow query both end at the limit
                detail = problem(status, headers, body, 503)["detail"]
                assert detail == f"query stopped after its time limit of {QUERY_TIMEOUT:g}s"
                assert time.monotonic() - started < QUERY_TIMEOUT + 30
            finally:
                store.process.send_signal(signal.SIGCONT)
            wait_until(lambda: answers_jnim(server), 60, "service did not resume with the store back")
    finally:
        store.stop()


def replicas_up(server) -> float:
    _, _, body = http(server + "/metrics")
    found = re.search(rb'^sahel_kg_store_replicas\{state="up"\} (\S+)$', body, re.MULTILINE)
    return float(found[1]) if found else 0.0


def test_no_query_fails_while_one_replica_stays_up(tmp_path):
    first, second = loaded_store(tmp_path / "first"), loaded_store(tmp_path / "second")
    try:
        env = {"SAHEL_KG_STORE_REPLICAS": second.query_url}
        with kg_server(tmp_path / "kg", store=first.query_url, env=env, threads=8) as server:
            failures, answered, stop = [], [0], threading.Event()

            def client():
                while not stop.is_set():
                    status, _, body = http(query_url(server, JNIM))
                    if status == 200 and json.loads(body)["boolean"] is True:
                        answered[0] += 1
                    else:
                        failures.append((status, body[:300]))

            clients = [threading.Thread(target=client) for _ in range(3)]
            for thread in clients:
                thread.start()
            try:
                for down, other in ((first, second), (second, first)):
                    seen = answered[0]
                    wait_until(lambda: answered[0] >= seen + 20, 120, "queries stopped before the kill")
                    down.kill()
                    seen = answered[0]
                    wait_until(lambda: answered[0] >= seen + 20, 120, "queries stopped with one replica down")
                    down.start()
                    wait_until(lambda: replicas_up(server) == 2, 120, "the restarted replica was not taken back")
            finally:
                stop.set()
                for thread in clients:
                    thread.join(timeout=120)
            assert not failures, failures[:5]
    finally:
        first.stop()
        second.stop()


def test_the_engine_is_learnt_from_a_healthy_replica_when_the_first_is_down(oxigraph_url):
    """Learning which engine answers (its dialect, hence the dataset model's rewriting) goes to the replicas
    in turn, like any query: a first replica down from the start fails nothing."""
    from servers import refusing_port

    with refusing_port() as port, RemoteStore(f"http://127.0.0.1:{port}/query", replicas=(oxigraph_url,),
                                              timeout=QUERY_TIMEOUT * 10) as store:
        assert store.dialect.name == "oxigraph"
        assert store.query("ASK { }") is True


def test_kg_serve_starts_and_answers_on_a_replica_while_the_primary_is_down(tmp_path):
    """Start-up reads the store as the app does, replicas included: its checks (the merge, the engine's
    time limit) go to the first replica that answers, not to the primary's query URL."""
    from servers import refusing_port

    replica = loaded_store(tmp_path / "replica")
    try:
        with refusing_port() as port:
            env = {"SAHEL_KG_STORE_REPLICAS": replica.query_url}
            with kg_server(tmp_path / "kg", store=f"http://127.0.0.1:{port}/query", env=env) as server:
                assert answers_jnim(server)
                assert "did not stop a long query" not in server.log_text()
    finally:
        replica.stop()


def test_kg_serve_refuses_to_start_when_no_replica_answers(tmp_path):
    import os
    import subprocess
    import sys

    from servers import free_port, refusing_port

    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment["SAHEL_KG_HOME"] = str(tmp_path / "home")
    with refusing_port() as primary, refusing_port() as replica:
        environment["SAHEL_KG_STORE_REPLICAS"] = f"http://127.0.0.1:{replica}/query"
        done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "serve", "--port",
                               str(free_port()), "--store", f"http://127.0.0.1:{primary}/query"],
                              capture_output=True, text=True, env=environment, timeout=120)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("error: cannot start: no query URL of the store answers")
    assert f"127.0.0.1:{primary}/query" in done.stderr and f"127.0.0.1:{replica}/query" in done.stderr
