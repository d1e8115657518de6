"""Writes through an engine's authenticated endpoint: Basic, or Digest where the engine asks for it (Virtuoso's
/sparql-auth takes Digest only, and the README's setup for it failed with 401: helper-86)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kg.errors import StoreUnavailable
from kg.store.digest_auth import digest_authorization, digest_challenge
from kg.store.remote import RemoteStore

GRAPH = "http://test.sahel-kg.example/auth/g"


def test_the_digest_response_is_the_rfcs():
    """RFC 2617 §3.5's worked example (the same computation as RFC 7616's MD5 one)."""
    challenge = digest_challenge('Digest realm="testrealm@host.com", qop="auth,auth-int", '
                                 'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"')
    header = digest_authorization(challenge, "Mufasa", "Circle Of Life", "GET", "/dir/index.html", cnonce="0a4f113b")
    assert 'response="6629fae49393a05397450978507c4ef1"' in header
    assert 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in header and "qop=auth," in header
    assert digest_challenge('Basic realm="x"') is None


def test_writes_through_virtuosos_authenticated_endpoint(virtuoso_url):
    protected = virtuoso_url.replace("/sparql", "/sparql-auth")
    store = RemoteStore(virtuoso_url, update_url=protected, user="dba", password="dba")
    for n in (1, 2):  # the second request goes straight to Digest
        store.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GRAPH}#s> <{GRAPH}#p> {n} }} }}")
    assert store.count(GRAPH) == 2
    with pytest.raises(StoreUnavailable, match="401") as refused:
        RemoteStore(virtuoso_url, update_url=protected, user="dba", password="wrong").update(
            f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GRAPH}#s> <{GRAPH}#p> 3 }} }}")
    assert store.count(GRAPH) == 2
    # it said "a web page rather than a SPARQL answer (is this a SPARQL endpoint?)", of a right URL (helper-202)
    assert "SAHEL_KG_STORE_USER and SAHEL_KG_STORE_PASSWORD" in str(refused.value)
    assert "web page" not in str(refused.value)


def test_an_update_virtuosos_anonymous_user_may_not_make_names_the_settings(virtuoso_url, tmp_path):
    """Virtuoso's SR186 ("No permission to execute procedure DB.DBA.SPARQL_INSERT…") gave no hint that updates go to
    its /sparql-auth with a user (helper-202). The session's engine lets its anonymous user write: not for this test."""
    data = tmp_path / "one.nt"
    data.write_text(f'<{GRAPH}#s> <{GRAPH}#p> "4" .\n')
    subprocess.run([*virtuoso_url.sql, 'exec=REVOKE SPARQL_UPDATE FROM "SPARQL";'], check=True, capture_output=True,
                   timeout=60)
    try:
        environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_STORE")}
        done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "load", str(data),
                               "--graph", GRAPH + "/anon", "--store", virtuoso_url],
                              capture_output=True, text=True, timeout=120, env=environment)
    finally:
        subprocess.run([*virtuoso_url.sql, 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'], check=True, capture_output=True,
                       timeout=60)
    assert done.returncode == 1, done.stderr
    assert "SR186" in done.stderr and "its /sparql-auth (SAHEL_KG_STORE_UPDATE_URL)" in done.stderr
    assert "nothing was written" in done.stderr and "Traceback" not in done.stderr


def test_kg_load_with_the_readmes_settings_for_virtuoso(virtuoso_url, tmp_path):
    data = tmp_path / "more.ttl"
    data.write_text(f"<{GRAPH}#x> <{GRAPH}#p> 'loaded' .\n", encoding="utf-8")
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAHEL_KG_")}
    environment.update(SAHEL_KG_HOME=str(tmp_path / "home"), SAHEL_KG_STORE=virtuoso_url,
                       SAHEL_KG_STORE_UPDATE_URL=virtuoso_url.replace("/sparql", "/sparql-auth"),
                       SAHEL_KG_STORE_USER="dba", SAHEL_KG_STORE_PASSWORD="dba")
    done = subprocess.run([sys.executable, "-c", "from kg.cli import main; main()", "load", "--graph", GRAPH + "-load",
                           str(data)], env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert RemoteStore(virtuoso_url).count(GRAPH + "-load") == 1


@pytest.fixture
def answering_404():
    """An HTTP server on a free port that answers every POST 404, and a port nothing listens on."""
    import http.server
    import socket
    import threading

    class NotHere(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the standard library's name)
            self.send_response(404)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"no such endpoint")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), NotHere)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = unused.getsockname()[1]
    try:
        yield server.server_address[1], closed
    finally:
        server.shutdown()
        server.server_close()


def test_a_password_in_a_store_s_url_is_never_said_in_an_error(answering_404, tmp_path):
    """`kg query --store http://user:secret@127.0.0.1:PORT/q 'ASK {}'` said `error: cannot reach
    http://user:secret@127.0.0.1:PORT/q: [Errno 111] Connection refused`, the password whole, as did the store's
    other messages naming its URL (an engine's 404, a time limit), where kg info and kg shell show it as ***."""
    from test_loading import kg

    answering, closed = answering_404
    for port in (answering, closed):
        for how in ("--store", "--endpoint"):
            result = kg("query", how, f"http://user:secret@127.0.0.1:{port}/q", "ASK {}")
            assert result.exit_code == 1, result.output
            assert "secret" not in result.stderr and f"user:***@127.0.0.1:{port}/q" in result.stderr, result.stderr
    store = RemoteStore(f"http://user:secret@127.0.0.1:{answering}/q", timeout=30)
    with pytest.raises(StoreUnavailable) as refused:
        store.update(f"INSERT DATA {{ GRAPH <{GRAPH}> {{ <{GRAPH}#s> <{GRAPH}#p> 1 }} }}")
    assert "secret" not in str(refused.value) and "404" in str(refused.value)
