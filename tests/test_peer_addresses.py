"""Who the peer of a live `kg serve` is, as the app sees it (REMOTE_ADDR): granian names an IPv6 peer "[::1]:port"
and, on a dual-stack socket, an IPv4 one "[::ffff:127.0.0.1]:port"; the app gets the addresses other WSGI
servers give, which the access log, budgets and TRUSTED_PROXIES compare as written. A loopback Host header
is taken as sent only from such a peer (tests/test_loopback_hosts.py has the rest)."""

from __future__ import annotations

import ipaddress
import json
import socket
import urllib.parse

import pytest

from api.access_log import query_hash
from live_server import kg_server, logged
from raw_http import http, query_url, raw_request


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


def own_remote_address() -> str:
    """An address of this machine that is not the loopback interface (the one it would reach the world by)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # sends nothing: only picks the interface
        except OSError:
            pytest.skip("no network interface but the loopback one")
        address = probe.getsockname()[0]
    if ipaddress.ip_address(address).is_loopback:
        pytest.skip("no network interface but the loopback one")
    return address


@pytest.mark.parametrize("host, origin", [("remote", "https://sahel-kg.example.org"),
                                          ("127.0.0.1", "http://localhost:7"), ("[::1]", "http://localhost:7")])
def test_a_loopback_host_is_taken_from_a_loopback_peer_alone(dual_stack, host, origin):
    host = own_remote_address() if host == "remote" else host
    base = f"http://{host}:{urllib.parse.urlsplit(dual_stack).port}"
    status, _, body = http(query_url(base, 'SELECT (IRI("x") AS ?i) {}'),
                           headers={"Host": "localhost:7", "Accept": "application/sparql-results+json"})
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["i"]["value"] == origin + "/x"
    status, headers, _ = raw_request(base, b"GET /problems HTTP/1.1\r\nHost: localhost:7\r\nConnection: close\r\n\r\n")
    assert status == 308 and headers["location"] == origin + "/problems/"
