"""Fairness between clients on live servers: cheap queries are not starved by expensive ones, a client past
its budget of query time gets 429 with Retry-After, and a full queue of waiting queries gets 503."""

from __future__ import annotations

import re
import threading
import time

import pytest

from live_server import kg_server
from long_work import SOON
from raw_http import http, problem, query_url

HEAVY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"  # hours on the article
TOKENS = [f"client-{number}-" + "t" * 32 for number in range(5)]
_asked = iter(range(10**9))


def cheap() -> str:
    """A trivial query never asked before, so that no cache answers it for free."""
    return f"ASK {{ FILTER({next(_asked)} >= 0) }}"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def gauge(server, name: str, **labels) -> float:
    _, _, body = http(server + "/metrics")
    pattern = name + (r"\{" + ",".join(f'{key}="{value}"' for key, value in labels.items()) + r"\}" if labels else "")
    found = re.search(rf"^{pattern} (\S+)$", body.decode(), re.MULTILINE)
    return float(found[1]) if found else 0.0


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
        # The pool grew past its two workers: four run the heavy queries and one more waits, started.
        wait_for(lambda: gauge(server, "sahel_kg_query_workers", state="busy") == 4
                 and gauge(server, "sahel_kg_query_workers", state="idle") >= 1, 180,
                 "the pool never had a worker free beside the four busy ones")
        started = time.monotonic()
        status, _, body = http(query_url(server, cheap()), headers=bearer(TOKENS[4]))
        assert status == 200 and b"true" in body
        assert time.monotonic() - started < SOON  # not starved: far below the heavy queries' 120 s


@pytest.fixture(scope="module")
def budgeted(tmp_path_factory):
    """Budgets of 2 s of query time a minute, loopback included, and a 3 s time limit."""
    env = {"SAHEL_KG_QUERY_TIMEOUT": "3", "SAHEL_KG_QUERY_BUDGET": "2", "SAHEL_KG_BUDGET_LOOPBACK": "true",
           "SAHEL_KG_CLIENT_TOKENS": " ".join(TOKENS)}
    with kg_server(tmp_path_factory.mktemp("budget"), env=env) as url:
        yield url


def test_a_client_past_its_budget_gets_429_and_others_do_not(budgeted):
    spender = bearer(TOKENS[0])
    status, _, _ = http(query_url(budgeted, HEAVY), headers=spender)
    assert status == 503  # ran to the 3 s limit: 3 s spent of 2 s a minute
    status, headers, body = http(query_url(budgeted, cheap()), headers=spender)
    document = problem(status, headers, body, 429)
    wait = int(headers["Retry-After"])
    assert 1 <= wait <= 60 and f"{wait}s" in document["detail"]
    assert http(query_url(budgeted, cheap()), headers=bearer(TOKENS[1]))[0] == 200  # another client
    assert http(query_url(budgeted, cheap()))[0] == 200  # the address, without a token: its own budget
    assert http(query_url(budgeted, cheap()), headers=bearer("unknown-" + "x" * 32))[0] == 200  # the address
    _, _, metrics = http(budgeted + "/metrics")
    assert re.search(rb'^sahel_kg_rejections_total\{reason="budget"\} [1-9]', metrics, re.MULTILINE)


def test_budgets_are_off_for_loopback_in_development(tmp_path):
    env = {"SAHEL_KG_QUERY_TIMEOUT": "1", "SAHEL_KG_QUERY_BUDGET": "0.5"}
    with kg_server(tmp_path, env=env) as server:
        assert http(query_url(server, HEAVY))[0] == 503
        assert http(query_url(server, cheap()))[0] == 200


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
