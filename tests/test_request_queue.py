"""A query's time limit counts its wait for a request thread: behind a query that holds the server's only
thread until its own limit, a query whose limit passes meanwhile is refused (503, counted as a rejection)
and never runs late."""

from __future__ import annotations

import json
import threading

from kg.runner import WORKER_COMMAND
from live_server import kg_server
from long_work import wait_until
from process_tree import command_line, cpu_ticks, descendants
from raw_http import http, query_url

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?r . ?c ?s ?t }"  # billions of rows: minutes anywhere
QUICK = "ASK { ?a ?p ?o . ?b ?q ?r }"  # more than one pattern: a worker's, so it needs a request thread
HEAVY_LIMIT, QUICK_LIMIT = 20, 2  # seconds; the quick query waits for the whole of the heavy one's limit


def test_a_query_that_waited_past_its_limit_for_a_thread_gets_503(tmp_path):
    with kg_server(tmp_path, threads=1, env={"SAHEL_KG_QUERY_TIMEOUT": "3600"}) as base:
        workers = [pid for pid in descendants(base.pid) if WORKER_COMMAND in command_line(pid)]
        idle = {pid: cpu_ticks(pid) for pid in workers}
        heavy: list = []
        holder = threading.Thread(target=lambda: heavy.append(
            http(query_url(base, HEAVY, timeout=str(HEAVY_LIMIT)), timeout=600)))
        holder.start()
        # the heavy query is in a worker, so the one request thread waits for it
        wait_until(lambda: any(cpu_ticks(pid) > idle[pid] + 20 for pid in workers), what="the heavy query's work")
        status, headers, body = http(query_url(base, QUICK, timeout=str(QUICK_LIMIT)), timeout=600)
        holder.join()
        assert heavy[0][0] == 503  # stopped at its own limit
        assert status == 503, body  # it would have answered 200 once it had the thread, long past its limit
        problem = json.loads(body)
        # refused, never run; past the client's own timeout=, so it says so rather than 'Too busy, try again'
        assert problem["title"] == "Query timeout" and "before the query could start" in problem["detail"]
        assert "Retry-After" not in headers
        assert 'sahel_kg_rejections_total{reason="waited"} 1.0' in http(base + "/metrics")[2].decode()
        status, _, body = http(query_url(base, QUICK, timeout="600"))  # a limit no busy machine reaches
        assert status == 200 and json.loads(body)["boolean"] is True  # a thread free: it runs as ever
