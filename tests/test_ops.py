"""The operator's view on a live server: /healthz, /readyz (also with its store down), the JSON-lines
access log, and Prometheus metrics summed over several server processes."""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid

import threading

import pytest

import api
from api_fixtures import article_store, make_app  # noqa: F401
from kg.runner import CLIENT_GONE
from live_server import kg_server, logged, query_workers_idle
from raw_http import http, problem, query_url, raw_request

QUERY_TIMEOUT = 1.0
ROW_LIMIT = 5
HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # hours on the article


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Two server processes, each with its query workers, logging to a file."""
    workdir = tmp_path_factory.mktemp("ops")
    env = {"SAHEL_KG_ACCESS_LOG": str(workdir / "access.jsonl"), "SAHEL_KG_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
           "SAHEL_KG_ROW_LIMIT": str(ROW_LIMIT)}
    with kg_server(workdir, env=env, workers=2) as url:
        url.access_log = workdir / "access.jsonl"
        yield url


def test_healthz_and_readyz(server):
    for path, status in (("/healthz", "ok"), ("/readyz", "ready")):
        code, headers, body = http(server + path)
        assert code == 200 and headers["Content-Type"] == "application/json"
        assert json.loads(body) == {"status": status}


def test_access_log_has_one_json_line_per_request(server):
    tag = uuid.uuid4().hex  # this test's queries are its own, whatever other tests logged
    cut, heavy_text, bad_text = (f"SELECT ?s WHERE {{ ?s ?p ?o }} # {tag}", f"{HEAVY} # {tag}", f"SELEKT {tag}")
    refused_text = f"SELECT * WHERE {{ SERVICE <http://example.org/sparql> {{ ?s ?p ?o }} }} # {tag}"
    digest = {text: hashlib.sha256(text.encode()).hexdigest()[:16]
              for text in (cut, heavy_text, bad_text, refused_text)}
    # Beside CPU hogs a worker may still be starting after the server answers: the heavy query would then spend
    # its 1 s waiting for one, and be logged as rejected (waited) rather than stopped at its limit.
    query_workers_idle(server, 2)
    assert http(query_url(server, cut))[0] == 200
    assert http(query_url(server, heavy_text))[0] == 503
    assert http(query_url(server, bad_text))[0] == 400
    assert http(query_url(server, refused_text))[0] == 400
    assert http(server + "/healthz", method="HEAD", headers={"X-Forwarded-For": "203.0.113.9"})[0] == 200
    lines = logged(server, first={"query": digest[cut]}, heavy={"query": digest[heavy_text]},
                   bad={"query": digest[bad_text]}, refused={"query": digest[refused_text]},
                   health={"method": "HEAD", "route": "/healthz"})
    first, heavy, bad, health = (lines[name] for name in ("first", "heavy", "bad", "health"))
    assert [line["status"] for line in (first, heavy, bad, health)] == [200, 503, 400, 200]
    # refused before it ran (a 503 for a client's own timeout= that passed while it waited is another such)
    assert lines["refused"]["rejected"] == "policy" and "rejected" not in heavy and "rejected" not in bad
    assert set(first) == {"time", "client", "method", "route", "status", "duration", "query", "rows", "cut",
                          "timeout"}
    assert (first["route"], first["rows"], first["cut"], first["timeout"]) == ("/sparql", ROW_LIMIT, True, False)
    assert first["client"] == "127.0.0.1" and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", first["time"])
    assert heavy["timeout"] is True and heavy["duration"] >= QUERY_TIMEOUT
    assert "rows" not in bad
    assert health["client"] == "127.0.0.1" and "query" not in health  # X-Forwarded-For of no trusted proxy
    assert "SELECT" not in server.access_log.read_text()  # hashes, never the text


def test_access_log_can_be_turned_off(capfd):
    app = api.create_app({"STORE": "memory:", "INSTALL_ARTICLE": False, "TESTING": True, "ACCESS_LOG": ""})
    try:
        assert app.test_client().get("/healthz").status_code == 200
    finally:
        app.extensions["sahel-kg"].close()
    assert '"route"' not in capfd.readouterr().err


def metric(text: str, name: str, **labels) -> float:
    """The sum of a metric's samples whose labels include `labels`."""
    total = 0.0
    for line in text.splitlines():
        found = re.fullmatch(rf"{name}(?:\{{(.*)\}})? (\S+)", line)
        if found:
            have = dict(re.findall(r'(\w+)="([^"]*)"', found[1] or ""))
            if all(have.get(key) == value for key, value in labels.items()):
                total += float(found[2])
    return total


def test_metrics_count_every_process(server):
    # Each process's worker is up (the last test's heavy query had one killed), so the heavy query below runs
    # wherever it lands and is stopped at the limit, rather than timing out waiting for a worker, killing none.
    query_workers_idle(server, 2)
    _, _, before = http(server + "/metrics")
    for _ in range(20):
        assert http(server + "/healthz")[0] == 200
    assert http(query_url(server, HEAVY))[0] == 503  # a timeout, and its worker replaced
    query_workers_idle(server, 2)  # the successor is up: the queries below do not time out waiting for it
    status, _, _ = raw_request(server, b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                               b"Content-Type: application/sparql-query\r\nContent-Length: 2000000\r\n\r\n")
    assert status == 413  # refused before the body is read (none is sent)
    _, headers, _ = http(query_url(server, "ASK {}"))
    while "Last-Modified" not in headers:  # validators come once the last change is a second old
        time.sleep(0.2)
        _, headers, _ = http(query_url(server, "ASK {}"))
    assert http(query_url(server, "ASK {}"), headers={"If-None-Match": headers["ETag"]})[0] == 304
    status, headers, after = http(server + "/metrics")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    before, after = before.decode(), after.decode()

    def grew(name, **labels):
        return metric(after, name, **labels) - metric(before, name, **labels)

    assert grew("sahel_kg_http_requests_total", route="/healthz", status="200") == 20
    assert grew("sahel_kg_query_timeouts_total") == 1
    assert grew("sahel_kg_query_worker_restarts_total") == 1
    assert grew("sahel_kg_rejections_total", reason="too_large") == 1
    assert grew("sahel_kg_cache_hits_total", kind="not_modified") == 1
    assert grew("sahel_kg_http_request_duration_seconds_count", route="/sparql") >= 4


def test_readyz_says_503_while_the_store_is_down(tmp_path):
    from servers import OXIGRAPH_BIN, missing_service
    from store_process import oxigraph_serve

    if not OXIGRAPH_BIN.exists():
        missing_service(f"no oxigraph server binary at {OXIGRAPH_BIN}")
    with oxigraph_serve(tmp_path / "oxigraph") as store:
        with kg_server(tmp_path / "kg", store=store.query_url) as url:
            assert http(url + "/readyz")[0] == 200
            store.stop()
            status, headers, body = http(url + "/readyz")
            assert "did not answer" in problem(status, headers, body, 503)["detail"]
            assert headers["Retry-After"]
            assert http(url + "/healthz")[0] == 200  # the process itself is fine
            store.start()
            assert http(url + "/readyz")[0] == 200


def test_a_probe_that_left_before_the_store_answered_is_no_sign_of_a_store_down(make_app, caplog):
    """A load balancer's probe that closed its connection while /readyz waited for a query worker was logged
    as "not ready" and answered 503 for nobody: it is a client gone (499), and nothing is said of the store."""
    app = make_app()
    gone = threading.Event()
    gone.set()
    token = CLIENT_GONE.set(gone)  # as api/rsgi.py sets it once granian says the client disconnected
    try:
        response = app.test_client().get("/readyz")
    finally:
        CLIENT_GONE.reset(token)
    assert response.status_code == 499
    assert not [record for record in caplog.records if "not ready" in record.getMessage()]
    assert app.test_client().get("/readyz").status_code == 200


def test_a_request_is_counted_under_the_route_its_path_matched_whatever_its_method():
    """A method the route does not take (405) was counted under (no route), as a path no route matches is."""
    app = api.create_app({"STORE": "memory:", "TESTING": True, "ACCESS_LOG": ""})
    try:
        client = app.test_client()
        asked = [("PUT", "/sparql", 405), ("DELETE", "/id/mali", 405), ("POST", "/healthz", 405),
                 ("GET", "/no/such/page", 404)]
        for method, path, status in asked:
            assert client.open(path, method=method).status_code == status, (method, path)
        counted = {(sample.labels["method"], sample.labels["route"], sample.labels["status"]): sample.value
                   for family in app.extensions["sahel-kg.metrics"].registry.collect() for sample in family.samples
                   if sample.name == "sahel_kg_http_requests_total"}
    finally:
        app.extensions["sahel-kg"].close()
    assert counted[("PUT", "/sparql", "405")] == 1 and counted[("POST", "/healthz", "405")] == 1
    # entity pages, and every other path, are the linked-data resolver's, whose 404 says no resource has that IRI
    assert counted[("DELETE", "/<path:path>", "405")] == 1 and counted[("GET", "/<path:path>", "404")] == 1


@pytest.mark.parametrize("where", ["missing/access.jsonl", "afile/access.jsonl", "."])
def test_an_access_log_that_cannot_be_opened_is_said_before_serving(tmp_path, where):
    """ACCESS_LOG in a folder that is not there was accepted, then each server process ended in a
    FileNotFoundError traceback after kg serve had announced its address."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from kg.errors import ConfigError

    (tmp_path / "afile").write_text("", encoding="utf-8")
    target = str(tmp_path / where)
    with pytest.raises(ConfigError, match="ACCESS_LOG"):
        api.create_app({"STORE": "memory:", "INSTALL_ARTICLE": False, "ACCESS_LOG": target})
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment.update(SAHEL_KG_HOME=str(tmp_path / "home"), SAHEL_KG_ACCESS_LOG=target)
    done = subprocess.run([Path(sys.executable).parent / "kg", "serve", "--store", "memory:", "--port", "0"],
                          env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "serving" not in done.stderr, done.stderr
    said = {"missing/access.jsonl": f"there is no folder {tmp_path / 'missing'} to write it in; make it first",
            "afile/access.jsonl": f"{tmp_path / 'afile'} is a file, not a folder",
            ".": "cannot be opened: Is a directory"}[where]
    assert f"ACCESS_LOG {target}" in done.stderr and said in done.stderr, done.stderr
