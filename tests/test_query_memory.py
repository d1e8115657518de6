"""The memory cap of query workers (QUERY_MEMORY_LIMIT): a query that needs more is stopped with a 503
problem naming the cap, its worker is replaced, and the server answers on (a live server)."""

from __future__ import annotations

import sys
from ctypes.util import find_library

import pytest

from live_server import kg_server
from long_work import doubling
from raw_http import http, problem, query_url
from servers import missing_service

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the cap is RLIMIT_DATA (Linux)")


@pytest.fixture(scope="module", params=["jemalloc", "system"])
def server(request, tmp_path_factory):
    """A server whose workers may take 256 MiB beyond their store, and whose time limit is never reached, on
    either malloc: jemalloc maps its memory otherwise than glibc, and the cap (RLIMIT_DATA) must hold for both."""
    if request.param == "jemalloc" and find_library("jemalloc") is None:
        missing_service("jemalloc (Debian: libjemalloc2)")
    env = {"SAHEL_KG_QUERY_MEMORY_LIMIT": "256", "SAHEL_KG_QUERY_TIMEOUT": "600",
           "SAHEL_KG_MALLOC": request.param}
    with kg_server(tmp_path_factory.mktemp("memory"), env=env) as url:
        yield url


def test_a_query_within_the_cap_answers(server):
    status, headers, body = http(query_url(server, doubling(6)), headers={"Accept": "text/csv"}, timeout=600)
    assert status == 200 and body.split() == [b"n", str(2 * 8 ** 6).encode()]


def test_a_query_past_the_cap_is_503_and_the_server_answers_on(server):
    # 2 GiB of string: past 256 MiB whatever the machine, long before 600 s
    status, headers, body = http(query_url(server, doubling(10)), timeout=600)
    found = problem(status, headers, body, 503)
    assert found["title"] == "Query memory limit" and "256 MiB" in found["detail"]
    for _ in range(3):  # the worker was replaced: queries go on
        assert http(query_url(server, "ASK {}"))[0] == 200
