"""Who the peer of a live `kg serve` is, as the app sees it (REMOTE_ADDR): granian names an IPv6 peer "[::1]:port"
and, on a dual-stack socket, an IPv4 one "[::ffff:127.0.0.1]:port"; the app gets the addresses other WSGI
servers give, which the access log, budgets and TRUSTED_PROXIES compare as written."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from api.access_log import query_hash
from live_server import kg_server, logged
from raw_http import http, query_url


@pytest.fixture(scope="module")
def dual_stack(tmp_path_factory):
    """A server bound to ::, which IPv4 clients reach too, logging to a file."""
    workdir = tmp_path_factory.mktemp("peers")
    env = {"SAHEL_KG_ACCESS_LOG": str(workdir / "access.jsonl")}
    with kg_server(workdir, store="memory:", env=env, args=("--host", "::")) as url:
        url.access_log = workdir / "access.jsonl"
        yield url


@pytest.mark.parametrize("host, client", [("127.0.0.1", "127.0.0.1"), ("[::1]", "::1")])
def test_a_peers_address_is_written_as_other_servers_write_it(dual_stack, host, client):
    text = f"ASK {{}} # {client}"  # a query of its own, to find its line by
    status, _, body = http(query_url(f"http://{host}:{urllib.parse.urlsplit(dual_stack).port}", text))
    assert status == 200 and json.loads(body)["boolean"] is True
    assert logged(dual_stack, mine={"query": query_hash(text)})["mine"]["client"] == client
